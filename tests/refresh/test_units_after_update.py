"""After `integrationsregion update` adds a year, the store still has every property the unit tests assert."""

from __future__ import annotations

from integrationsregion import cli
from integrationsregion.store import Store
from tests import properties


def test_store_properties_hold_after_an_update_adds_a_year(refresh_env, snapshot_gap):
    before = Store.load(snapshot_gap)
    years_before = set(before.years("employees_svb_workplace", "total"))

    assert cli.main(["--data-dir", str(snapshot_gap), "update", "--tables", "13111-01-03-4"]) == 0

    after = Store.load(snapshot_gap)
    assert set(after.years("employees_svb_workplace", "total")) > years_before  # the update added a year
    properties.assert_store_properties(after, snapshot_gap)
