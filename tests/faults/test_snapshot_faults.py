"""A damaged snapshot never takes the dashboard down: one German message on every page, nothing overwritten.

Each kind of damage is applied to a COPY of the committed snapshot (`IR_SNAPSHOT_DIR`); `data/` is never
touched. Cheap checks run for every kind (the store's typed error, the page via AppTest); a real
`streamlit run app.py` process is started for a few kinds: it starts, answers, and every page of its
navigation (opened over Streamlit's own protocol, as a browser does) shows the message.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from bench.protocol import RunResult, Session, list_pages, run_blocking
from integrationsregion.breaks import load_breaks
from integrationsregion.conference import Conference
from integrationsregion.fluag_rules import load_rule_book
from integrationsregion.loading import SnapshotLoadError
from integrationsregion.settings import get_settings
from integrationsregion.store import Store
from tests.conftest import DATA_DIR, REPO_DIR

MESSAGE = "Der Datenstand kann nicht geladen werden"
RESTORE = ("git checkout data/", "integrationsregion build-snapshot")


def _csv(path: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame).to_csv(path, index=False, lineterminator="\n")


def _set_cell(column: str, text: str) -> Callable[[Path], None]:
    def corrupt(d: Path) -> None:
        def change(f: pd.DataFrame) -> pd.DataFrame:
            f.loc[0, column] = text
            return f

        _csv(d / "observations.csv", change)

    return corrupt


def _append(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda d: (d / name).write_bytes((d / name).read_bytes() + data)


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda d: (d / name).write_bytes(data)


def _remove(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).unlink()


def _drop_indicator(d: Path) -> None:
    """Remove the catalogue entry of an indicator that has values."""
    text = (d / "indicators.toml").read_text(encoding="utf-8")
    blocks = text.split("[[indicator]]")
    kept = [b for b in blocks if 'id = "unemployment_rate"' not in b]
    assert len(kept) == len(blocks) - 1
    (d / "indicators.toml").write_text("[[indicator]]".join(kept), encoding="utf-8")


def _first_percent_row(f: pd.DataFrame) -> int:
    return int(f.index[f["unit"] == "percent"][0])


def _share_out_of_range(d: Path) -> None:
    def change(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[_first_percent_row(f), "value"] = "250.0"
        return f

    _csv(d / "observations.csv", change)


CORRUPTIONS: dict[str, tuple[Callable[[Path], None], str]] = {
    # kind: (damage, the file the message must name)
    "observations_missing": (_remove("observations.csv"), "observations.csv"),
    "observations_empty": (_write("observations.csv", b""), "observations.csv"),
    "observations_header_only": (
        lambda d: _csv(d / "observations.csv", lambda f: f.iloc[0:0]),
        "observations.csv",
    ),
    "column_missing": (
        lambda d: _csv(d / "observations.csv", lambda f: f.drop(columns="value")),
        "observations.csv",
    ),
    "garbage_line": (_append("observations.csv", b"garbage,line\n"), "observations.csv"),
    "too_many_fields": (_append("observations.csv", b"," * 40 + b"\n"), "observations.csv"),
    "binary_garbage": (_append("observations.csv", b"\xff\xfe\x00\x81garbage\n"), "observations.csv"),
    "value_not_a_number": (_set_cell("value", "abc"), "observations.csv"),
    "year_not_a_number": (_set_cell("year", "20x9"), "observations.csv"),
    "value_infinite": (_set_cell("value", "inf"), "observations.csv"),
    "value_empty": (_set_cell("value", ""), "observations.csv"),
    "share_out_of_range": (_share_out_of_range, "observations.csv"),
    "duplicate_row": (
        lambda d: _csv(d / "observations.csv", lambda f: pd.concat([f, f.iloc[:1]])),
        "observations.csv",
    ),
    "unknown_region": (_set_cell("region", "99999"), "observations.csv"),
    "catalogue_entry_missing": (_drop_indicator, "observations.csv"),
    "catalogue_broken": (_append("indicators.toml", b"\n[[indicator\n"), "indicators.toml"),
    "catalogue_missing": (_remove("indicators.toml"), "indicators.toml"),
    "regions_missing": (_remove("regions.csv"), "regions.csv"),
    "regions_column_missing": (
        lambda d: _csv(d / "regions.csv", lambda f: f.drop(columns="kind")),
        "regions.csv",
    ),
    "regions_comparison_area_missing": (
        lambda d: _csv(d / "regions.csv", lambda f: f[f["ags"] != "RVR"]),
        "regions.csv",
    ),
    "manifest_broken": (_write("manifest.json", b"{not json"), "manifest.json"),
    "manifest_missing": (_remove("manifest.json"), "manifest.json"),
    "value_edited_without_manifest": (
        lambda d: _csv(
            d / "observations.csv", lambda f: f.assign(value=f["value"].where(f.index != 0, "1.0"))
        ),
        "manifest.json",
    ),
    "geo_missing": (lambda d: shutil.rmtree(d / "geo"), "geo/"),
    "breaks_broken": (_write("breaks.toml", b"[[break]]\nbetween = [2020, 2019]\n"), "breaks.toml"),
    "rules_broken": (_write("fluag_rules.toml", b"regime = 1\n"), "fluag_rules.toml"),
    "conference_broken": (_append("conference.toml", b"\n[[statement]]\nid = 3\n"), "conference.toml"),
}
PROCESS_KINDS = ("garbage_line", "catalogue_entry_missing", "geo_missing")
"""Kinds for which a real server process is started (each start costs seconds)."""


def fingerprint(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def damaged_copy(tmp_path: Path, kind: str) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    CORRUPTIONS[kind][0](target)
    return target


@pytest.fixture
def point_app_at(monkeypatch):
    """Point the settings (and Streamlit's resource cache) at a snapshot directory for this test."""

    def point(directory: Path) -> None:
        monkeypatch.setenv("IR_SNAPSHOT_DIR", str(directory))
        get_settings.cache_clear()
        st.cache_resource.clear()

    yield point
    monkeypatch.delenv("IR_SNAPSHOT_DIR", raising=False)
    get_settings.cache_clear()
    st.cache_resource.clear()


def load_everything(directory: Path) -> None:
    """What the app loads from a snapshot (as `ui.data.snapshot_problem` does)."""
    Store.load(directory)
    Conference.load(directory)
    load_breaks(directory)
    load_rule_book(directory)


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_loading_raises_one_german_error_naming_the_damage(tmp_path, kind):
    damaged = damaged_copy(tmp_path, kind)
    before = fingerprint(damaged)
    with pytest.raises(SnapshotLoadError) as caught:
        load_everything(damaged)
    message = str(caught.value)
    assert message.startswith(MESSAGE) and all(hint in message for hint in RESTORE)
    assert CORRUPTIONS[kind][1] in message
    assert "Traceback" not in message and str(tmp_path) not in message  # no server path to visitors
    assert fingerprint(damaged) == before  # nothing overwritten or repaired


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_the_page_shows_the_german_message_instead_of_a_traceback(tmp_path, point_app_at, kind):
    damaged = damaged_copy(tmp_path, kind)
    before = fingerprint(damaged)
    point_app_at(damaged)
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error if e.value.startswith(MESSAGE)], [e.value for e in at.error]
    assert fingerprint(damaged) == before


def test_the_app_heals_when_the_snapshot_is_restored(tmp_path, point_app_at):
    damaged = damaged_copy(tmp_path, "manifest_broken")
    point_app_at(damaged)
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60).run()
    assert any(e.value.startswith(MESSAGE) for e in at.error)
    shutil.copy2(DATA_DIR / "manifest.json", damaged / "manifest.json")  # what `git checkout data/` does
    at.run()
    assert not at.exception and not any(e.value.startswith(MESSAGE) for e in at.error)


# --------------------------------------------------------------------------------------------- real process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def open_every_page(ws_url: str) -> dict[str, RunResult]:
    """Every page of the navigation opened as a browser opens its URL (one session each)."""
    runs = {}
    for page in await list_pages(ws_url):
        async with Session(ws_url) as session:
            runs[page["url_pathname"] or "/"] = await session.open(page["url_pathname"])
    return runs


@pytest.mark.parametrize("kind", PROCESS_KINDS)
def test_the_server_starts_and_answers_with_a_damaged_snapshot(tmp_path, kind):
    damaged = damaged_copy(tmp_path, kind)
    before = fingerprint(damaged)
    port = _free_port()
    env = {
        **os.environ,
        "IR_SNAPSHOT_DIR": str(damaged),
        "IR_STATE_DIR": str(tmp_path / "var"),
        "IR_PRESENTER_TOKEN": "fault-test-token-0123456789",
    }
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                health = httpx.get(f"{base}/_stcore/health", timeout=2)
                if health.status_code == 200:
                    break
            time.sleep(0.3)
        output = log.read_text(errors="replace")
        assert proc.poll() is None, f"server exited:\n{output[-3000:]}"
        assert health is not None and health.text == "ok", output[-3000:]
        assert httpx.get(f"{base}/live", timeout=10).status_code == 200
        state = httpx.get(f"{base}/live/state.json", timeout=10)  # the live routes say it in German
        assert state.status_code == 503 and state.json()["error"].startswith(MESSAGE)
        assert httpx.get(f"{base}/", timeout=10).status_code == 200
        runs = run_blocking(open_every_page(f"ws://127.0.0.1:{port}/_stcore/stream"))
        assert len(runs) >= 7
        for page, run in runs.items():
            assert not run.exceptions and not run.page_not_found, (page, run.exceptions)
            assert any(e.startswith(MESSAGE) for e in run.errors), (page, run.errors)
        assert proc.poll() is None
        output = log.read_text(errors="replace")
        assert "Application startup failed" not in output
        assert re.search(MESSAGE, output), "the console names the damage once"
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(15)
        if proc.poll() is None:
            proc.kill()
    assert fingerprint(damaged) == before
