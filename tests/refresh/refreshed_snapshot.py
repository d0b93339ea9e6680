"""A copy of the committed snapshot after `integrationsregion update` added a year the snapshot lacks.

The proof of issue 10 ("after a refresh that adds a year, the whole suite still passes") runs the suite with
`IR_SNAPSHOT_DIR` pointing at such a copy (`scripts/suite_on_refreshed.sh`, docs/REFRESH.md).

No recorded answer holds a year the committed snapshot lacks, so the fake GENESIS server serves the real
recorded 13111-01-03-4 answer of 30.06.2023 (old layout, all 15 Ruhr units, NRW, Germany) re-dated to the
Stichtag after the snapshot's latest one: the real answer's shape with a later year. Its figures are test
figures in a temporary copy, never committed to `data/`. The project's own `integrationsregion update` (a
subprocess, like an operator's run) downloads, merges, derives the Ruhr sums and shares, validates and writes.

    python -m tests.refresh.refreshed_snapshot TARGET_DIR      # TARGET_DIR must not exist yet
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from integrationsregion.snapshot import OBSERVATIONS, read_observations
from tests.conftest import DATA_DIR, REPO_DIR

from . import fake_genesis

TABLE = "13111-01-03-4"
INDICATOR = "employees_svb_workplace"
RECORDED_STICHTAG = "30.06.2023"


def next_year(data_dir: Path) -> int:
    """The year after the snapshot's latest value of the refreshed indicator."""
    df = read_observations(data_dir / OBSERVATIONS)
    return int(df.loc[df["indicator"] == INDICATOR, "year"].max()) + 1


def build(target: Path, source: Path = DATA_DIR) -> int:
    """Copy `source` to `target` and refresh the copy with a year it lacks; returns that year."""
    shutil.copytree(source, target)
    year = next_year(target)
    server, thread = fake_genesis.start()
    server.edit[TABLE] = lambda text: text.replace(f";{RECORDED_STICHTAG};", f";30.06.{year};")
    server.data_update = date.today().strftime("%d.%m.%Y")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IR_")} | {
        **{f"IR_GENESIS_{db}_URL": server.base_url for db in ("REGIO", "DESTATIS", "LDBNRW")},
        "IR_REGIO_USER": fake_genesis.USER,
        "IR_REGIO_PASSWORD": fake_genesis.PASSWORD,
        "IR_SECRETS_FILE": str(target.parent / "no-secrets.toml"),
        "IR_STATE_DIR": str(target.parent / "update-state"),
        "PYTHONPATH": str(REPO_DIR / "src"),
    }
    command = [sys.executable, "-m", "integrationsregion.cli", "--data-dir", str(target), "update"]
    command += ["--tables", TABLE, "--end-year", str(year)]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    if done.returncode != 0 or next_year(target) != year + 1:
        raise RuntimeError(f"update did not add {year}:\n{done.stdout}\n{done.stderr}")
    return year


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.refresh.refreshed_snapshot TARGET_DIR")
    added = build(Path(sys.argv[1]).absolute())
    print(f"refreshed snapshot in {sys.argv[1]}: {INDICATOR} 30.06.{added} added", file=sys.stderr)
