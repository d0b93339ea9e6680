"""The snapshot write path: a kill between any two steps, two updates at once, the lock, stale temp files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from integrationsregion import cli, snapshot_write
from integrationsregion.snapshot import read_observations
from integrationsregion.validation import manifest_problems
from tests.conftest import DATA_DIR, REPO_DIR

from . import fake_genesis
from .conftest import fingerprint
from .test_update import published_2023, run

# A child process that writes a revised snapshot and is killed (os._exit, no clean-up) at step K:
# K = 0 before the journal appears, 1–3 between the file replaces, 4 before the journal is removed.
WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from integrationsregion.catalogue import Catalogue
    from integrationsregion.regions import RegionRegistry
    from integrationsregion.snapshot import read_observations, write_snapshot_atomic

    data, kill_at = Path(sys.argv[1]), int(sys.argv[2])
    steps = [0]
    real_replace, real_unlink = os.replace, os.unlink

    def step():
        if steps[0] == kill_at:
            os._exit(9)
        steps[0] += 1

    def replace(src, dst):
        step()
        real_replace(src, dst)

    def unlink(path, *args, **kwargs):
        if str(path).endswith(".snapshot-journal.json"):
            step()
        real_unlink(path, *args, **kwargs)

    os.replace, os.unlink = replace, unlink
    df = read_observations(data / "observations.csv")
    df.loc[0, "value"] = df.loc[0, "value"] + 1
    regions = (data / "regions.csv").read_bytes()
    write_snapshot_atomic(df, data, RegionRegistry.load(data), Catalogue.load(data), {"last_refreshed": {"t": "x"}},
                          regions_csv=regions.replace(b"Duisburg,Duisburg", b"Duisburg,Duisburg (neu)"))
    """
)


def child_env(tmp_path) -> dict[str, str]:
    return {**os.environ, "IR_STATE_DIR": str(tmp_path / "state"), "PYTHONPATH": str(REPO_DIR / "src")}


@pytest.mark.parametrize("kill_at", range(5))
def test_kill_between_any_two_steps_leaves_a_consistent_or_repairable_snapshot(
    snapshot_copy, tmp_path, kill_at, monkeypatch
):
    monkeypatch.setenv("IR_STATE_DIR", str(tmp_path / "state"))
    old = {name: (snapshot_copy / name).read_bytes() for name in snapshot_write.SNAPSHOT_FILES}
    result = subprocess.run(
        [sys.executable, "-c", WRITER, str(snapshot_copy), str(kill_at)],
        env=child_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 9, result.stderr.decode()[-500:]

    repairs = snapshot_write.recover(snapshot_copy)
    assert manifest_problems(snapshot_copy) == []
    assert not [p for p in snapshot_copy.iterdir() if p.name.startswith(".")], "no temp file or journal left"
    new = {name: (snapshot_copy / name).read_bytes() for name in snapshot_write.SNAPSHOT_FILES}
    changed = {name for name in new if new[name] != old[name]}
    assert changed in (set(), set(snapshot_write.SNAPSHOT_FILES)), "all three files change together or none"
    assert (changed == set()) == (kill_at == 0)
    assert repairs  # something was left over and is now repaired or removed
    read_observations(snapshot_copy / "observations.csv")


def _interrupted_write(tmp_path, monkeypatch):
    """A copy of the snapshot whose writer was killed after replacing observations, before the manifest."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    monkeypatch.setenv("IR_STATE_DIR", str(tmp_path / "state"))
    result = subprocess.run(
        [sys.executable, "-c", WRITER, str(data), "2"],
        env=child_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 9
    assert manifest_problems(data) != [], "observations new, manifest old: inconsistent until repaired"
    return data


def test_validate_repairs_an_interrupted_write(tmp_path, monkeypatch, capsys):
    data = _interrupted_write(tmp_path, monkeypatch)
    assert cli.main(["--data-dir", str(data), "validate"]) == 0
    out = capsys.readouterr().out
    assert "Repariert" in out and "in Ordnung" in out


def test_app_start_completes_an_interrupted_write(tmp_path, monkeypatch):
    from integrationsregion.store import Store

    data = _interrupted_write(tmp_path, monkeypatch)
    store = Store.load(data)  # would be a damaged snapshot without the roll-forward
    assert store.regions["05112"].short_name.endswith("(neu)")  # the new regions.csv, written with the rest
    assert manifest_problems(data) == []


def test_validate_reports_a_manifest_that_does_not_fit(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    monkeypatch.setenv("IR_STATE_DIR", str(tmp_path / "state"))
    body = (data / "observations.csv").read_bytes()
    (data / "observations.csv").write_bytes(body + body.splitlines(keepends=True)[-1])
    assert cli.main(["--data-dir", str(data), "validate"]) == 1
    assert "Prüfsumme von observations.csv stimmt nicht" in capsys.readouterr().err


def test_a_second_update_refuses_while_the_first_holds_the_lock(refresh_env, snapshot_copy, capsys):

    before = fingerprint(snapshot_copy)
    with snapshot_write.snapshot_lock(snapshot_copy):
        assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    err = capsys.readouterr().err
    assert "anderes Update" in err and len(err.strip().splitlines()) == 1
    assert run(snapshot_copy) == 0  # the lock is free again


def test_two_concurrent_updates_lose_no_value(refresh_env, snapshot_copy, tmp_path):
    env = {
        **child_env(tmp_path),
        "IR_GENESIS_REGIO_URL": refresh_env.base_url,
        "IR_REGIO_USER": fake_genesis.USER,
        "IR_REGIO_PASSWORD": fake_genesis.PASSWORD,
        "IR_SECRETS_FILE": str(tmp_path / "none.toml"),
    }
    refresh_env.slow_seconds = 0.5
    refresh_env.faults["data/tablefile"] = ["slow"]  # the first run holds the lock a while
    command = [sys.executable, "-m", "integrationsregion.cli", "--data-dir", str(snapshot_copy), "update",
               "--tables", "13111-01-03-4"]  # fmt: skip
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    results = [(p.wait(timeout=120), p.stderr.read().decode()) for p in runs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 1]), results
    if codes == [0, 1]:
        assert "anderes Update" in next(err for code, err in results if code == 1)
    after = read_observations(snapshot_copy / "observations.csv")
    got = after[(after.indicator == "employees_svb_workplace") & (after.ref_date == "2023-06-30")]
    published = published_2023()
    for (unit, breakdown), value in published.items():
        if unit.startswith("05") and len(unit) == 5:
            assert got[(got.region == unit) & (got.breakdown == breakdown)].value.tolist() == [value]
    assert manifest_problems(snapshot_copy) == []


def test_stale_temp_files_are_removed(snapshot_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("IR_STATE_DIR", str(tmp_path / "state"))
    stale = snapshot_copy / ".observations.csv.abc123.tmp"
    stale.write_text("half")
    assert snapshot_write.recover(snapshot_copy)
    assert not stale.exists()
