"""View state in the URL (`st.query_params`): read with validation, write back.

Parameter names (German, shown in shared links): indikator, jahr, einheit, aufschluesselung, vergleich, diagramm.
Unknown or malformed values are ignored with a short German notice, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from integrationsregion import urlparams

# the parameters that make up a view; shared links carry these and nothing else
VIEW_PARAMS = ("einheit", "vergleich", "indikator", "aufschluesselung", "jahr", "diagramm")


def _escape(text: str) -> str:
    """Link text shown back to the user: no markdown, links or HTML can come through."""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)


MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~:$=&\"'")


def _notice(name: str, raw: str, why: str = "ist unbekannt") -> None:
    shown = _escape(raw[:40]) + ("…" if len(raw) > 40 else "")
    name = _escape(name[:40])
    st.toast(f"Link-Parameter „{name}={shown}“ {why} und wurde ignoriert.", icon=":material/info:")
    notices = st.session_state.setdefault("_query_notices", [])
    notices.append(f"„{name}={shown}“ {why} und wurde ignoriert; gezeigt wird die Standardansicht.")


def choice(name: str, allowed: Sequence[str], default: str) -> str:
    """A query parameter that must be one of `allowed`; otherwise `default` (with a notice)."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    try:
        return urlparams.choice(raw, allowed)
    except urlparams.BadParam as err:
        _notice(name, raw, str(err))
        return default


def year(name: str, allowed: Sequence[int], default: int) -> int:
    """A year parameter: four ASCII digits, one of `allowed`; otherwise `default` (with a notice)."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    try:
        return urlparams.year(raw, allowed)
    except urlparams.BadParam as err:
        _notice(name, raw, str(err))
        return default


def choices(name: str, allowed: Sequence[str], default: Sequence[str], limit: int) -> list[str]:
    """A comma-separated list parameter; unknown and repeated entries are dropped with a notice."""
    raw = st.query_params.get(name)
    if raw is None:
        return list(default)
    kept, dropped = urlparams.choices(raw, allowed, limit)
    if dropped:
        _notice(name, raw, "enthält unbekannte, doppelte oder zu viele Einträge")
    return kept


def show_notices() -> None:
    """Show the notices collected while reading the URL (once)."""
    for text in st.session_state.pop("_query_notices", []):
        st.info(f"Hinweis zum Link: {text}", icon=":material/info:")


def write(**params: str | int | Sequence[str] | None) -> None:
    """Put the current view into the URL (lists comma-separated; None removes).

    All changes go out as one URL update (`st.query_params.from_dict`): each single assignment is a message
    to the browser and a history step there."""
    current = st.query_params.to_dict()
    wanted = dict(current)
    for key, value in params.items():
        if value is None:
            wanted.pop(key, None)
        else:
            wanted[key] = ",".join(value) if isinstance(value, list | tuple) else str(value)
    if wanted != current:
        st.query_params.from_dict(wanted)


def ignore_unknown(allowed: Sequence[str] = VIEW_PARAMS) -> None:
    """Notice (once per value) for URL parameters this page does not know; they are left alone."""
    seen = st.session_state.setdefault("_query_unknown_seen", set())
    for name in list(st.query_params.keys()):
        if name not in allowed and (name, st.query_params.get(name)) not in seen:
            seen.add((name, st.query_params.get(name)))
            _notice(name, st.query_params.get(name) or "", "ist auf dieser Seite unbekannt")


def seed(key: str, name: str, value: object) -> None:
    """Start widget `key` from the value read from URL parameter `name`.

    A widget keeps its own state across reruns; when the URL changes (a link opened in a running
    session, the browser's back button), the widget is set again from the URL.
    """
    raw = st.query_params.get(name)
    marker = f"_seeded_{key}"
    if key not in st.session_state or st.session_state.get(marker, raw) != raw:
        st.session_state[key] = value
    st.session_state[marker] = raw


def keep(key: str, **params: str | int | Sequence[str] | None) -> None:
    """`write` the view into the URL and remember it as the state widget `key` was seeded from."""
    write(**params)
    for name in params:
        st.session_state[f"_seeded_{key}"] = st.query_params.get(name)


def drop(**params_to_keys: str) -> None:
    """Forget dependent view state (URL parameter and its widget), e.g. the year when the indicator changes.

    Call from a widget's `on_change`, as `drop(jahr="vg_jahr")`: the stale value is then not reported as
    an unknown link parameter but replaced by the new default.
    """
    write(**dict.fromkeys(params_to_keys))
    for key in params_to_keys.values():
        st.session_state.pop(key, None)
        st.session_state.pop(f"_seeded_{key}", None)


def bound(
    widget: Callable[..., Any],
    label: str,
    options: Sequence[Any],
    *,
    param: str,
    key: str,
    default: Any,
    is_year: bool = False,
    **kwargs: Any,
) -> Any:
    """A select widget (`st.selectbox`, `st.radio`, or a column's) bound to URL parameter `param`.

    Seeded from the validated URL value (notice and `default` for a bad one), reset to `default` when its
    options no longer hold its value, and written back to the URL.
    """
    parsed = year(param, options, default) if is_year else choice(param, options, default)
    seed(key, param, parsed)
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    value = widget(label, options, key=key, **kwargs)
    keep(key, **{param: value})
    return value
