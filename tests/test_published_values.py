"""The committed snapshot: valid as a user relies on it, and published values stay as they were published.

No year or figure is written here: expected values are read from the reference CSV text in
`../shared/reference`, the properties are those of `tests/properties.py`.
"""

from __future__ import annotations

import csv

import pytest

from integrationsregion.snapshot import OBSERVATIONS, read_observations
from tests import properties
from tests.conftest import DATA_DIR, shared_reference_dir

pytestmark = pytest.mark.snapshot

BREAKDOWNS = {"total": "total", "foreign": "foreign"}
"""`nationality` of the reference CSV -> breakdown of the snapshot."""


def test_the_committed_snapshot_has_every_property_a_user_relies_on(store):
    properties.assert_store_properties(store, DATA_DIR, all_years=False)


def test_published_unemployment_rates_are_in_the_snapshot_as_published():
    reference = shared_reference_dir()
    if reference is None:
        pytest.skip("../shared/reference not present")
    snapshot = read_observations(DATA_DIR / OBSERVATIONS)
    published = {
        (r.region, r.breakdown, int(r.year), float(r.value)) for r in snapshot.itertuples(index=False)
        if r.indicator == "unemployment_rate"
    }  # fmt: skip
    with open(reference / "arbeitsmarkt.csv", encoding="utf-8", newline="") as f:
        rows = [
            r for r in csv.DictReader(f)
            if r["indicator"] == "unemployment_rate" and "13211-02-05-4" in r["source_table"]
            and r["nationality"] in BREAKDOWNS and r["value"].strip()
        ]  # fmt: skip
    assert len(rows) >= 15
    for r in rows:
        key = (r["ags"], BREAKDOWNS[r["nationality"]], int(r["year"]), float(r["value"]))
        assert key in published, key
