"""View state in the URL (`st.query_params`): read with validation, write back.

Parameter names (German, shown in shared links): indikator, jahr, einheit, aufschluesselung, vergleich.
Unknown or malformed values are ignored with a short German notice, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

MAX_PARAM_LENGTH = 200


def _notice(name: str, raw: str) -> None:
    shown = raw[:40] + ("…" if len(raw) > 40 else "")
    st.toast(f"Link-Parameter „{name}={shown}“ ist unbekannt und wurde ignoriert.", icon="ℹ️")
    notices = st.session_state.setdefault("_query_notices", [])
    notices.append(f"„{name}={shown}“ wurde ignoriert (unbekannter Wert).")


def choice(name: str, allowed: Sequence[str], default: str) -> str:
    """A query parameter that must be one of `allowed`; otherwise `default` (with a notice)."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    if len(raw) <= MAX_PARAM_LENGTH and raw in allowed:
        return raw
    _notice(name, raw)
    return default


def year(name: str, allowed: Sequence[int], default: int) -> int:
    """A year parameter that must be one of `allowed`."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    if raw.isdigit() and int(raw) in allowed:
        return int(raw)
    _notice(name, raw)
    return default


def choices(name: str, allowed: Sequence[str], default: Sequence[str], limit: int) -> list[str]:
    """A comma-separated list parameter; unknown entries are dropped with a notice."""
    raw = st.query_params.get(name)
    if raw is None:
        return list(default)
    items = [p for p in raw[:MAX_PARAM_LENGTH].split(",") if p]
    good = [p for p in items if p in allowed][:limit]
    if len(good) != len(items) or len(raw) > MAX_PARAM_LENGTH:
        _notice(name, raw)
    return good


def show_notices() -> None:
    """Show the notices collected while reading the URL (once)."""
    for text in st.session_state.pop("_query_notices", []):
        st.info(f"Hinweis zum Link: {text}", icon="ℹ️")


def write(**params: str | int | Sequence[str] | None) -> None:
    """Put the current view into the URL (lists comma-separated; None removes)."""
    for key, value in params.items():
        if value is None:
            st.query_params.pop(key, None)
            continue
        text = ",".join(value) if isinstance(value, list | tuple) else str(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text
