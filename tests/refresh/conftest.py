"""Fixtures of the refresh tests: a real HTTP server on localhost (recorded answers) and a copy of the snapshot."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from integrationsregion.settings import get_settings
from tests.conftest import DATA_DIR

from . import fake_genesis

SNAPSHOT_FILES = ("observations.csv", "manifest.json", "regions.csv", "indicators.toml")


@pytest.fixture(autouse=True)
def fresh_settings():
    """Settings are read once per process: re-read them for every test (tests change the environment)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def genesis_server():
    server, thread = fake_genesis.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def refresh_env(genesis_server, monkeypatch, tmp_path):
    """Environment pointing every GENESIS database at the local server, with test credentials."""
    for db in ("REGIO", "DESTATIS", "LDBNRW"):
        monkeypatch.setenv(f"IR_GENESIS_{db}_URL", genesis_server.base_url)
    for var in ("IR_GENESIS_USER", "IR_GENESIS_PASSWORD", "IR_DESTATIS_USER", "IR_LDBNRW_USER",
                "IR_DESTATIS_PASSWORD", "IR_LDBNRW_PASSWORD"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("IR_REGIO_USER", fake_genesis.USER)
    monkeypatch.setenv("IR_REGIO_PASSWORD", fake_genesis.PASSWORD)
    monkeypatch.setenv("IR_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("IR_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("IR_GENESIS_BACKOFF", "0.01")
    monkeypatch.setenv("IR_GENESIS_TIMEOUT", "2")
    monkeypatch.setenv("IR_GENESIS_JOB_POLL", "0.01")
    monkeypatch.setenv("IR_GENESIS_JOB_TIMEOUT", "5")
    get_settings.cache_clear()
    return genesis_server


@pytest.fixture
def snapshot_copy(tmp_path) -> Path:
    """A copy of the snapshot under test in a tmp dir (the real data/ is never touched)."""
    src = DATA_DIR
    dst = tmp_path / "data"
    dst.mkdir()
    for name in SNAPSHOT_FILES:
        shutil.copy2(src / name, dst / name)
    shutil.copytree(src / "geo", dst / "geo")  # the store requires the boundaries of a snapshot
    return dst


@pytest.fixture
def snapshot_gap(snapshot_copy, tmp_path, monkeypatch) -> Path:
    """The snapshot copy without the 30.06.2023 employees at the place of work of the Ruhr units (and what is
    derived from them): the gap the replay of the real 2023 answer fills."""
    from integrationsregion.catalogue import Catalogue
    from integrationsregion.regions import RegionRegistry
    from integrationsregion.snapshot import read_observations, write_snapshot_atomic

    monkeypatch.setenv("IR_STATE_DIR", str(tmp_path / "state"))
    get_settings.cache_clear()
    df = read_observations(snapshot_copy / "observations.csv")
    regions = RegionRegistry.load(snapshot_copy)
    ruhr = {r.ags for r in regions.units()} | {"RVR"}
    gap = df["indicator"].str.endswith("employees_svb_workplace") & (df["ref_date"] == "2023-06-30")
    write_snapshot_atomic(
        df[~(gap & df["region"].isin(ruhr))], snapshot_copy, regions, Catalogue.load(snapshot_copy)
    )
    return snapshot_copy


def fingerprint(data_dir: Path) -> dict[str, str]:
    """sha256 of every file in the snapshot dir (leftover temp files show up too)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(data_dir.iterdir()) if p.is_file()
    }
