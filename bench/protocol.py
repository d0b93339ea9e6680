"""A Streamlit client at protocol level: one websocket session per object, no browser.

It speaks what the browser speaks on `/_stcore/stream` (subprotocol `streamlit`): a `BackMsg.rerun_script`
with a `ClientState` (query string, page name or hash, widget states, the hashes of the large messages it has
already received) starts a run; `ForwardMsg`s come back until `script_finished`. A run's wall time measured here
is the server's run time plus loopback latency.

Widgets are read from the deltas of a run so that an "interaction" can change one of them the way a click
would (next option of a selectbox, radio, segmented control/pills, multiselect, select_slider or slider).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE_STATUSES = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
WIDGET_KINDS = ("selectbox", "radio", "button_group", "multiselect", "slider")


class ProtocolError(RuntimeError):
    pass


@dataclass
class Widget:
    """A widget seen in a run, enough to send a changed value for it."""

    id: str
    kind: str
    label: str
    options: list[str]
    value: Any
    data_type: int = 0
    bounds: tuple[float, float, float] = (0.0, 0.0, 1.0)

    def next_state(self) -> WidgetState | None:
        """The widget state of a click on the next option (None if the widget has nothing to change)."""
        state = WidgetState(id=self.id)
        if self.kind in ("selectbox", "radio"):
            if len(self.options) < 2:
                return None
            current = self.options.index(self.value) if self.value in self.options else 0
            state.string_value = self.options[(current + 1) % len(self.options)]
        elif self.kind in ("button_group", "multiselect") or (self.kind == "slider" and self.options):
            if len(self.options) < 2:
                return None
            first = self.value[0] if self.value else None
            current = self.options.index(first) if first in self.options else -1
            choice = self.options[(current + 1) % len(self.options)]
            state.string_array_value.data[:] = [choice]
        elif self.kind == "slider":
            low, high, step = self.bounds
            if high <= low or len(self.value) != 1:
                return None
            value = self.value[0] + step
            state.double_array_value.data[:] = [value if value <= high else low]
        else:
            return None
        return state

    def apply(self, state: WidgetState) -> None:
        which = state.WhichOneof("value")
        if which == "string_value":
            self.value = state.string_value
        elif which == "string_array_value":
            self.value = list(state.string_array_value.data)
        elif which == "double_array_value":
            self.value = list(state.double_array_value.data)


@dataclass
class RunResult:
    """What one script run sent back."""

    seconds: float = 0.0
    bytes: int = 0
    messages: int = 0
    status: int | None = None
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Text of `st.error` alerts."""
    widgets: list[Widget] = field(default_factory=list)
    elements: dict[str, int] = field(default_factory=dict)
    """Serialized bytes per element kind (e.g. `plotly_chart`), including cached references."""
    largest: tuple[str, int] = ("", 0)
    page_not_found: bool = False
    auto_rerun: list[tuple[float, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in DONE_STATUSES and not self.exceptions and not self.page_not_found


def _widget(kind: str, proto: Any) -> Widget | None:
    label = getattr(proto, "label", "")
    if kind in ("selectbox", "radio"):
        options = list(proto.options)
        if proto.set_value or proto.HasField("raw_value"):
            value = proto.raw_value
        else:
            value = options[proto.default] if proto.HasField("default") and options else None
        return Widget(proto.id, kind, label, options, value)
    if kind == "multiselect":
        options = list(proto.options)
        value = list(proto.raw_values) if proto.set_value else [options[i] for i in proto.default]
        return Widget(proto.id, kind, label, options, value)
    if kind == "button_group":
        options = [o.content for o in proto.options]
        value = list(proto.raw_values) if proto.set_value else [options[i] for i in proto.default]
        return Widget(proto.id, kind, label, options, value)
    if kind == "slider":
        options = list(proto.options)
        if options:
            value = list(proto.raw_value) if proto.set_value else [options[int(i)] for i in proto.default]
            return Widget(proto.id, kind, label, options, value)
        value = list(proto.value) if proto.set_value else list(proto.default)
        if proto.data_type not in (Slider.INT, Slider.FLOAT):
            return None
        return Widget(proto.id, kind, label, [], value, proto.data_type, (proto.min, proto.max, proto.step))
    return None


class Session:
    """One browser-like session on `ws_url`; use as `async with Session(url) as s: await s.run(...)`."""

    def __init__(self, ws_url: str, *, open_timeout: float = 30.0):
        self.ws_url = ws_url
        self.open_timeout = open_timeout
        self.ws: ClientConnection | None = None
        self.cached: dict[str, ForwardMsg] = {}
        """Large messages already received, by hash (the browser's message cache)."""
        self.widget_states: dict[str, WidgetState] = {}
        self.widgets: dict[str, Widget] = {}
        self.page_script_hash = ""
        self.page_name = ""
        self.query_string = ""
        self.pages: list[dict[str, str]] = []

    async def __aenter__(self) -> Session:
        self.ws = await connect(
            self.ws_url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=self.open_timeout,
            ping_interval=None,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def open(self, page: str = "", query_string: str = "", timeout: float = 120.0) -> RunResult:
        """First run of `page` (its url path, "" for the default page) like a browser opening its URL."""
        self.page_name, self.page_script_hash, self.query_string = page.strip("/"), "", query_string
        self.widget_states.clear()
        self.widgets.clear()
        return await self._run(timeout=timeout)

    async def rerun(self, query_string: str | None = None, timeout: float = 120.0) -> RunResult:
        """A rerun of the current page with the current widget states (and optionally another query)."""
        if query_string is not None:
            self.query_string = query_string
        return await self._run(timeout=timeout)

    async def interact(self, widget: Widget, timeout: float = 120.0) -> RunResult:
        """Click the next option of `widget` and wait for the rerun."""
        state = widget.next_state()
        if state is None:
            raise ProtocolError(f"widget {widget.label!r} ({widget.kind}) has nothing to change")
        widget.apply(state)
        self.widget_states[widget.id] = state
        return await self._run(timeout=timeout)

    def changeable_widgets(self) -> list[Widget]:
        return [w for w in self.widgets.values() if w.next_state() is not None]

    async def _run(self, timeout: float) -> RunResult:
        if self.ws is None:
            raise ProtocolError("session not connected")
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query_string
        client.page_script_hash = self.page_script_hash
        client.page_name = self.page_name if not self.page_script_hash else ""
        client.widget_states.widgets.extend(self.widget_states.values())
        client.cached_message_hashes.extend(sorted(self.cached))
        result = RunResult()
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._read_until_finished(result), timeout)
        except TimeoutError as exc:
            raise ProtocolError(f"run of {self.page_name or '/'} did not finish within {timeout} s") from exc
        result.seconds = time.perf_counter() - started
        result.widgets = list(self.widgets.values())
        return result

    async def _read_until_finished(self, result: RunResult) -> None:
        assert self.ws is not None
        seen_widgets: dict[str, Widget] = {}
        while True:
            raw = await self.ws.recv(decode=False)
            result.bytes += len(raw)
            result.messages += 1
            fwd = ForwardMsg.FromString(raw)
            if fwd.metadata.cacheable and fwd.hash:
                self.cached[fwd.hash] = fwd
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                self._delta(fwd, len(raw), result, seen_widgets)
            elif kind == "ref_hash":
                original = self.cached.get(fwd.ref_hash)
                if original is None:
                    raise ProtocolError(f"reference to a message never received: {fwd.ref_hash}")
                self._delta(original, len(raw), result, seen_widgets)
            elif kind in ("new_session", "navigation"):
                info = getattr(fwd, kind)
                if info.app_pages:
                    self.pages = [
                        {
                            "url_pathname": p.url_pathname,
                            "page_script_hash": p.page_script_hash,
                            "title": p.page_name,
                        }
                        for p in info.app_pages
                    ]
                if info.page_script_hash:
                    self.page_script_hash = info.page_script_hash
            elif kind == "page_info_changed":
                # The page wrote its view into the URL: a browser sends that query string from now on.
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "page_not_found":
                result.page_not_found = True
            elif kind == "auto_rerun":
                result.auto_rerun.append((fwd.auto_rerun.interval, fwd.auto_rerun.fragment_id))
            elif kind == "script_finished":
                result.status = fwd.script_finished
                if fwd.script_finished != FINISHED.FINISHED_EARLY_FOR_RERUN:
                    # widgets of this run replace those of the previous one (removed widgets drop out)
                    self.widgets = seen_widgets
                    return

    def _delta(self, fwd: ForwardMsg, size: int, result: RunResult, seen: dict[str, Widget]) -> None:
        delta = fwd.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type") or "?"
        result.elements[kind] = result.elements.get(kind, 0) + size
        if size > result.largest[1]:
            result.largest = (kind, size)
        if kind == "exception":
            result.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            result.errors.append(element.alert.body)
        elif kind in WIDGET_KINDS:
            widget = _widget(kind, getattr(element, kind))
            if widget is not None:
                previous = self.widgets.get(widget.id)
                if previous is not None and widget.id in self.widget_states:
                    widget.value = previous.value  # the value the client set, as a browser keeps it
                seen[widget.id] = widget


async def list_pages(ws_url: str) -> list[dict[str, str]]:
    """The app's pages (url path, hash, title) as its navigation announces them."""
    async with Session(ws_url) as session:
        await session.open("")
        return session.pages


def run_blocking(coro):
    """`asyncio.run(coro)` in a thread of its own (works beside Playwright's sync API, which owns a loop)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
