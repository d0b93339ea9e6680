"""data/refresh/tables.toml: confirmed codes name their recording; every series fits the catalogue."""

from __future__ import annotations

import tomllib

from integrationsregion.catalogue import Catalogue
from integrationsregion.genesis.update import TABLES_FILE, load_specs
from tests.conftest import DATA_DIR, REPO_DIR

from . import fake_genesis


def test_confirmed_tables_name_a_recording_and_unconfirmed_ones_say_so():
    raw = tomllib.loads((REPO_DIR / TABLES_FILE).read_text(encoding="utf-8"))
    for table in raw["table"]:
        assert "confirmed" in table and "recording" in table, table["code"]
        files = [f.strip() for f in table["recording"].split(",") if f.strip()]
        if table["confirmed"]:
            assert files and all((fake_genesis.RECORDED / f).is_file() for f in files), table["code"]
            assert table["code"] in fake_genesis.TABLES, "a confirmed table is replayed by the tests"
        else:
            assert not files, f"{table['code']}: a named recording means the codes can be confirmed"


def test_every_series_fits_the_catalogue():
    catalogue = Catalogue.load(DATA_DIR)
    specs, _ = load_specs(REPO_DIR / TABLES_FILE)
    for spec in specs:
        for s in spec.series:
            indicator = catalogue[s.indicator]
            assert indicator.unit == s.unit and s.breakdown in indicator.breakdowns, (spec.code, s.indicator)
            assert not indicator.rate_of, "rates are derived after the merge, never read from a table"
