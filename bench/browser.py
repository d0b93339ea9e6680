"""Browser benchmark: what a user waits for after a click, per page and picker, against a floor page. Reports only.

    .venv/bin/python -m bench.browser [--rounds 3] [--viewports desktop phone] [--pages bildung vergleich]
    .venv/bin/python -m bench.browser --profile arbeitsmarkt      # where one click's time goes (browser CPU)
    .venv/bin/python -m bench.browser --profile vergleich --box 3  # the same for the third select box

Two servers are started the way the README runs the app (`streamlit run … --server.port <free>
--server.headless true` from the repository): the app and `bench/floor_app.py` (a title, one select box, one
line). Headless Debian Chromium (Playwright) opens every page of the app's navigation at each viewport and
works each picker in the main area: every select box (next option, then back, …), every radio and segmented
control (another option), the map (a click on a unit) and every tab bar (the next tab). Each app click is followed by a click on the floor
page in the same browser, so both see the same machine noise.

A click is timed inside the page, from the input event (key or pointer down) to the moment the page is done:
the rerun has finished (`data-test-script-state` leaves `running`), plotly has finished drawing every chart
(`plotly_afterplot`) and nothing in the main area has changed for a quiet period; the time reported is that of
the last of these events, not of the wait. "run" is the time until the rerun finished, "done" until the
last chart was drawn or element replaced. Ratios are medians against the floor's median at the same viewport.
Target (issue 16): done ≤ 2 × floor for every picker.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.protocol import list_pages, run_blocking
from bench.run import machine
from bench.server import REPO_DIR, StreamlitServer
from tests.e2e import browser as browsers
from tests.e2e import streamlit_page as sp

TARGET_RATIO = 2.0
NO_CHOICE = "no other option to choose"  # the view has left the picker a single option
QUIET_MS = 400
CLICK_TIMEOUT_MS = 30_000
MAIN = "[data-testid='stMain']"
PICKERS = {
    "select box": f"{MAIN} [data-testid='stSelectbox']",
    "radio": f"{MAIN} [data-testid='stRadio']",
    "segmented": f"{MAIN} [data-testid='stButtonGroup']",
    "map": f"{MAIN} [data-testid='stPlotlyChart']:has(path.choroplethlocation)",
    "tab": f"{MAIN} [data-testid='stTabs']",  # last: the other pickers are measured on the first tab
}

BENCH_JS = """
window.__bench = {t0: null, last: {}, armed: false, marker: null};
(() => {
  const b = window.__bench;
  const rec = kind => { if (b.t0 !== null) b.last[kind] = performance.now(); };
  new MutationObserver(records => {
    for (const r of records) {
      if (r.attributeName === 'data-test-script-state' && r.oldValue === 'running') rec('run');
    }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
  let mainObserved = null;
  const hookPlots = () => document.querySelectorAll('.js-plotly-plot').forEach(gd => {
    if (gd.__benchHooked || typeof gd.on !== 'function') return;
    gd.__benchHooked = true;
    gd.on('plotly_afterplot', () => rec('draw'));
  });
  new MutationObserver(() => {
    hookPlots();
    const main = document.querySelector("[data-testid='stMain']");
    if (main && main !== mainObserved) {
      mainObserved = main;
      new MutationObserver(() => {
        rec('dom');
        // a run too quick to show `running` (the floor page): the marker text changed, so it has finished
        const line = [...main.querySelectorAll("[data-testid='stMarkdown']")].pop();
        if (b.marker !== null && b.last.run === undefined && line && line.textContent !== b.marker) rec('run');
      }).observe(main, {subtree: true, childList: true, characterData: true});
    }
  }).observe(document, {subtree: true, childList: true});
  const start = () => { if (b.armed) { b.armed = false; b.t0 = performance.now(); b.last = {}; } };
  document.addEventListener('keydown', start, true);
  document.addEventListener('pointerdown', start, true);
  b.arm = marker => { b.armed = true; b.t0 = null; b.last = {}; if (marker !== undefined) b.marker = marker; };
  b.quiet = (runsBefore, quietMs) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (b.t0 === null || ((window.__stRunsDone || 0) <= runsBefore && b.last.run === undefined)) return false;
    if (!app || app.dataset.testScriptState !== 'notRunning' || !window.__stSettled()) return false;
    const latest = Math.max(b.t0, ...Object.values(b.last));
    return performance.now() - latest > quietMs;
  };
  b.result = () => ({run: (b.last.run || NaN) - b.t0,
                     done: Math.max(...Object.values(b.last)) - b.t0});
})();
"""


@dataclass
class Series:
    """The clicks of one picker on one page at one viewport."""

    page: str
    picker: str
    viewport: str
    run_ms: list[float] = field(default_factory=list)
    done_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def first(self) -> float:
        """The first click: a view nobody has asked for yet (server caches cold)."""
        return self.done_ms[0] if self.done_ms else float("nan")

    @property
    def repeat(self) -> float:
        """Median of the later clicks (views seen before): the steady state."""
        later = self.done_ms[1:] or self.done_ms
        return statistics.median(later) if later else float("nan")

    @property
    def run(self) -> float:
        later = self.run_ms[1:] or self.run_ms
        return statistics.median(later) if later else float("nan")


def open_page(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    sp.wait_ready(page)


def timed(page: Page, action, marker: str | None = None) -> tuple[float, float]:
    """Arm the in-page timer, do `action()` (its key or pointer event starts the clock), wait until done.

    `marker`: the text of the page's last markdown line before the click; when it changes, the run has
    finished even if the page never showed `running` (a run of a few ms, as on the floor page)."""
    page.bring_to_front()
    before = sp.runs_done(page)
    page.evaluate("m => window.__bench.arm(m)", marker)
    action()
    page.wait_for_function(
        "([n, q]) => window.__bench.quiet(n, q)", arg=[before, QUIET_MS], timeout=CLICK_TIMEOUT_MS, polling=50
    )
    result = page.evaluate("window.__bench.result()")
    return result["run"], result["done"]


FIRST_MOVE: dict[tuple[int, str, int], tuple[str, bool]] = {}  # (page, select box) -> (start option, up)


def select_box_action(page: Page, selector: str, index: int, round_no: int):
    """Open the select box, move one option down (at the last option: up), in later rounds back to the first
    option and away again, and choose it with Enter; the clock starts at Enter. Round 0 shows a new view,
    later rounds views already seen. The direction follows the option shown, so a click that did not take
    does not send the next one past the end."""
    box = page.locator(selector).nth(index)

    def act() -> None:
        # scrolled first, then the input clicked: a click on a box that Playwright has just scrolled to
        # sometimes did not open the list (Methodik)
        box.scroll_into_view_if_needed()
        box.locator("input").click()
        options = page.get_by_role("option")
        options.first.wait_for()
        selected = options.evaluate_all(
            "els => els.map(e => e.getAttribute('aria-selected') === 'true' ? e.textContent : null)"
        )
        label = next((t for t in selected if t is not None), "")
        if round_no == 0 or (id(page), selector, index) not in FIRST_MOVE:
            FIRST_MOVE[id(page), selector, index] = (label, selected[-1] is not None)
        start, first_up = FIRST_MOVE[id(page), selector, index]
        up = first_up if label == start else not first_up
        page.keyboard.press("ArrowUp" if up else "ArrowDown")
        page.evaluate("window.__bench.arm()")
        page.keyboard.press("Enter")

    return act


def option_action(page: Page, selector: str, index: int, round_no: int):
    """Click an option that is not chosen yet (radio or segmented control)."""
    group = page.locator(selector).nth(index)

    def act() -> None:
        if "stRadio" in selector:
            choices = group.locator("[data-testid='stRadioOption']")
            radios = group.get_by_role("radio")
            checked = [n for n in range(radios.count()) if radios.nth(n).is_checked()]
        else:
            choices = group.locator("button")
            checked = [
                n
                for n in range(choices.count())
                if choices.nth(n).get_attribute("aria-checked") == "true"
                or "Active" in (choices.nth(n).get_attribute("data-testid") or "")
            ]
        free = [n for n in range(choices.count()) if n not in checked]
        if not free:
            raise RuntimeError(NO_CHOICE)
        choices.nth(free[round_no % len(free)]).click()

    return act


def map_action(page: Page, selector: str, index: int, round_no: int):
    """Click the middle of a unit on the map (two units in turn)."""
    chart = page.locator(selector).nth(index)

    def act() -> None:
        units = chart.locator("path.choroplethlocation")
        unit = units.nth((3 if round_no % 2 == 0 else 7) % max(units.count(), 1))
        box = unit.bounding_box()
        if box is None:
            raise RuntimeError("map unit not visible")
        chart.scroll_into_view_if_needed()
        box = unit.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    return act


def tab_action(page: Page, selector: str, index: int, round_no: int):
    """Click the next tab (round-robin: a round per tab, then the first again)."""
    tabs = page.locator(selector).nth(index).get_by_role("tab")

    def act() -> None:
        selected = next(
            n for n in range(tabs.count()) if tabs.nth(n).get_attribute("aria-selected") == "true"
        )
        tabs.nth((selected + 1) % tabs.count()).click()

    return act


ACTIONS = {
    "select box": select_box_action,
    "radio": option_action,
    "segmented": option_action,
    "map": map_action,
    "tab": tab_action,
}


def measure_floor(page: Page, series: Series) -> None:
    round_no = len(series.done_ms) + len(series.misses)
    try:
        marker = page.locator(f"{MAIN} [data-testid='stMarkdown']").last.text_content()
        run, done = timed(page, select_box_action(page, PICKERS["select box"], 0, round_no), marker)
    except PlaywrightTimeout:
        series.misses.append(f"round {round_no}: no rerun")
        return
    series.run_ms.append(run)
    series.done_ms.append(done)


def bench_viewport(browser, app: StreamlitServer, floor: StreamlitServer, paths, viewport, rounds):
    options = {"viewport": sp.VIEWPORTS[viewport], "locale": "de-DE"}
    if viewport == "phone":
        options |= {"is_mobile": True, "has_touch": True}
    app_ctx, floor_ctx = browser.new_context(**options), browser.new_context(**options)
    app_page, floor_page = app_ctx.new_page(), floor_ctx.new_page()
    for page in (app_page, floor_page):
        sp.prepare(page)
        page.add_init_script(BENCH_JS)
    open_page(floor_page, floor.url)
    floor_series = Series("(floor)", "select box", viewport)
    results = [floor_series]
    for path in paths:
        open_page(app_page, f"{app.url}/{path}")
        for picker, selector in PICKERS.items():
            for index in range(app_page.locator(selector).count()):
                series = Series(f"/{path}", f"{picker} {index + 1}", viewport)
                results.append(series)
                for round_no in range(rounds):
                    try:
                        run, done = timed(app_page, ACTIONS[picker](app_page, selector, index, round_no))
                        series.run_ms.append(run)
                        series.done_ms.append(done)
                    except (PlaywrightError, RuntimeError) as exc:  # a timeout is a PlaywrightError too
                        series.misses.append(f"round {round_no}: {str(exc).splitlines()[0][:120]}")
                        app_page.keyboard.press("Escape")
                    measure_floor(floor_page, floor_series)
                print(
                    f"  {viewport:7} /{path:14} {series.picker:14} first {series.first:6.0f} ms  "
                    f"repeat {series.repeat:6.0f} ms (run {series.run:5.0f} ms)",
                    flush=True,
                )
    app_ctx.close()
    floor_ctx.close()
    return results


def table(results: list[Series]) -> str:
    floors = {s.viewport: statistics.median(s.done_ms) for s in results if s.page == "(floor)" and s.done_ms}
    lines = [
        "| viewport | page | picker | clicks | first click ms (× floor) | repeat: run ms | repeat: done ms "
        "(× floor) | verdict |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for s in results:
        floor = floors.get(s.viewport, float("nan"))
        if s.page == "(floor)":
            lines.append(
                f"| {s.viewport} | (floor) | select box | {len(s.done_ms)} | – | "
                f"{statistics.median(s.run_ms):.0f} | {floor:.0f} (1.0) | floor |"
            )
            continue
        if s.misses and all(NO_CHOICE in m for m in s.misses):
            lines.append(
                f"| {s.viewport} | {s.page} | {s.picker} | 0 | – | – | – | one option only (nothing to click) |"
            )
            continue
        ratio = s.repeat / floor
        verdict = "ok" if ratio <= TARGET_RATIO else "MISS"
        if s.misses:
            verdict += f" ({len(s.misses)} without rerun)"
        lines.append(
            f"| {s.viewport} | {s.page} | {s.picker} | {len(s.done_ms)} | {s.first:.0f} ({s.first / floor:.1f}) | "
            f"{s.run:.0f} | {s.repeat:.0f} ({ratio:.1f}) | {verdict} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- profile


def profile_click(
    browser, app: StreamlitServer, path: str, index: int = 0, viewport: str = "desktop"
) -> dict:
    """A click on select box `index` of `path` under the browser's CPU profiler: self time by script and
    function."""
    context = browser.new_context(viewport=sp.VIEWPORTS[viewport], locale="de-DE")
    page = context.new_page()
    sp.prepare(page)
    page.add_init_script(BENCH_JS)
    open_page(page, f"{app.url}/{path}")
    timed(page, select_box_action(page, PICKERS["select box"], index, 0))  # a first click: caches warm
    cdp = context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    cdp.send("Profiler.start")
    run, done = timed(page, select_box_action(page, PICKERS["select box"], index, 1))
    profile = cdp.send("Profiler.stop")["profile"]
    # the same click once more under the timeline trace: style, layout and paint are "(program)" above
    trace_path = REPO_DIR / "artifacts" / "bench" / f"trace-{path or 'start'}.json"
    trace_path.parent.mkdir(parents=True, exist_ok=True)
    browser.start_tracing(page=page, path=str(trace_path), categories=["devtools.timeline"])
    traced_run, traced_done = timed(page, select_box_action(page, PICKERS["select box"], index, 2))
    browser.stop_tracing()
    context.close()
    timeline = timeline_by_event(json.loads(trace_path.read_text())["traceEvents"])

    nodes = {n["id"]: n for n in profile["nodes"]}
    self_us: dict[int, float] = defaultdict(float)
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        self_us[node_id] += delta
    by_script: dict[str, float] = defaultdict(float)
    by_function: dict[str, float] = defaultdict(float)
    for node_id, micros in self_us.items():
        frame = nodes[node_id]["callFrame"]
        url = frame["url"].rsplit("/", 1)[-1] or frame["functionName"] or "(native)"
        by_script[url] += micros / 1000
        by_function[f"{frame['functionName'] or '(anonymous)'} [{url}]"] += micros / 1000
    top = lambda d, n: sorted(((k, round(v, 1)) for k, v in d.items()), key=lambda kv: -kv[1])[:n]  # noqa: E731
    return {
        "page": f"/{path}",
        "click": f"select box {index + 1}",
        "run_ms": round(run, 1),
        "done_ms": round(done, 1),
        "profiled_ms": round((profile["endTime"] - profile["startTime"]) / 1000, 1),
        "by_script_ms": top(by_script, 12),
        "by_function_ms": top(by_function, 15),
        "traced_click": {"run_ms": round(traced_run, 1), "done_ms": round(traced_done, 1)},
        "timeline_ms": top(timeline, 14),
        "trace": str(trace_path.relative_to(REPO_DIR)),
    }


TIMELINE_EVENTS = {
    "FunctionCall": "script (function calls)",
    "TimerFire": "script (timers)",
    "FireAnimationFrame": "script (animation frames)",
    "EventDispatch": "script (input events)",
    "RunMicrotasks": "script (microtasks)",
    "v8.evaluateModule": "script (module load)",
    "UpdateLayoutTree": "style recalculation",
    "Layout": "layout",
    "PrePaint": "pre-paint",
    "Paint": "paint",
    "Layerize": "layerize",
    "Commit": "commit",
    "MajorGC": "garbage collection",
    "MinorGC": "garbage collection",
    "ParseHTML": "parse HTML",
    "HitTest": "hit test",
}


def timeline_by_event(events: list[dict]) -> dict[str, float]:
    """Total duration (ms) per kind of main-thread work in a Chromium timeline trace (top-level events; a
    layout forced inside a script counts as layout, not again as script)."""
    main_threads = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    spans = sorted(
        (
            e
            for e in events
            if e.get("ph") == "X" and (e["pid"], e["tid"]) in main_threads and e["name"] in TIMELINE_EVENTS
        ),
        key=lambda e: (e["pid"], e["tid"], e["ts"]),
    )
    totals: dict[str, float] = defaultdict(float)
    stack: list[dict] = []  # open events: a nested event's time is taken out of its parent's
    for e in spans:
        while (
            stack
            and (stack[-1]["pid"], stack[-1]["tid"]) == (e["pid"], e["tid"])
            and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]
        ):
            stack.pop()
        if stack and (stack[-1]["pid"], stack[-1]["tid"]) != (e["pid"], e["tid"]):
            stack.clear()
        if stack:
            totals[TIMELINE_EVENTS[stack[-1]["name"]]] -= e.get("dur", 0) / 1000
        totals[TIMELINE_EVENTS[e["name"]]] += e.get("dur", 0) / 1000
        stack.append(e)
    return dict(totals)


# --------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="clicks per picker (default 3)")
    parser.add_argument("--viewports", nargs="+", default=["desktop", "phone"], choices=["desktop", "phone"])
    parser.add_argument("--pages", nargs="+", help="url paths to measure (default: the whole navigation)")
    parser.add_argument("--profile", metavar="PAGE", help="profile one select-box click on PAGE instead")
    parser.add_argument("--box", type=int, default=1, help="with --profile: which select box (default 1)")
    parser.add_argument("--json", type=Path, default=REPO_DIR / "artifacts" / "bench" / "browser.json")
    args = parser.parse_args(argv)

    choice = browsers.find_chromium(allow_install=False)
    if choice is None:
        print(browsers.no_browser_reason(), file=sys.stderr)
        return 2
    started = time.time()
    with (
        StreamlitServer("app.py") as app,
        StreamlitServer("bench/floor_app.py") as floor,
        sync_playwright() as playwright,
    ):
        browser = browsers.launch(playwright, choice)
        info = machine() | {
            "chromium": browser.version,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        if args.profile is not None:
            report = profile_click(browser, app, args.profile.strip("/"), args.box - 1)
            print(json.dumps(report, indent=2, ensure_ascii=False))
            browser.close()
            return 0
        navigation = [p["url_pathname"] for p in run_blocking(list_pages(app.ws_url))]
        paths = [p for p in navigation if args.pages is None or p in args.pages]
        results: list[Series] = []
        for viewport in args.viewports:
            results += bench_viewport(browser, app, floor, paths, viewport, args.rounds)
        browser.close()
    print()
    print(" · ".join(f"{k}: {v}" for k, v in info.items()))
    print(table(results))
    print(f"\n({time.time() - started:.0f} s)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": info, "results": [asdict(s) for s in results]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
