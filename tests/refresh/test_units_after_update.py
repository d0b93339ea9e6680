"""After `integrationsregion update` adds a year, the store still has every property the unit tests assert."""

from __future__ import annotations

from integrationsregion import cli
from integrationsregion.store import Store
from tests import properties

from . import refreshed_snapshot


def test_store_properties_hold_after_an_update_adds_a_year(refresh_env, snapshot_gap):
    before = Store.load(snapshot_gap)
    years_before = set(before.years("employees_svb_workplace", "total"))

    assert cli.main(["--data-dir", str(snapshot_gap), "update", "--tables", "13111-01-03-4"]) == 0

    after = Store.load(snapshot_gap)
    assert set(after.years("employees_svb_workplace", "total")) > years_before  # the update added a year
    properties.assert_store_properties(after, snapshot_gap)


def test_the_refreshed_copy_of_the_proof_has_a_later_year_for_every_unit(tmp_path, monkeypatch):
    """The copy `scripts/suite_on_refreshed.sh` runs the suite on: a valid snapshot one year further."""
    monkeypatch.setenv("IR_STATE_DIR", str(tmp_path / "state"))
    data = tmp_path / "data"
    year = refreshed_snapshot.build(data)
    store = Store.load(data)
    assert max(store.years(refreshed_snapshot.INDICATOR, "total")) == year
    cross_section = store.cross_section(refreshed_snapshot.INDICATOR, year, "total")
    assert cross_section["value"].notna().all(), "every Ruhr unit has the new Stichtag"
    assert store.value("RVR", refreshed_snapshot.INDICATOR, year, "total") is not None  # Ruhr sum derived
    assert cli.main(["--data-dir", str(data), "validate"]) == 0
    properties.assert_store_properties(store, data)
