"""After `integrationsregion update` adds a year, the store still has every property the unit tests assert."""

from __future__ import annotations

from integrationsregion import cli
from integrationsregion.store import Store
from tests import properties


def test_store_properties_hold_after_an_update_adds_a_year(refresh_env, snapshot_copy):
    before = Store.load(snapshot_copy)
    years_before = set(before.years("unemployed", "total"))

    assert cli.main(["--data-dir", str(snapshot_copy), "update", "--tables", "13211-02-05-4"]) == 0

    after = Store.load(snapshot_copy)
    assert set(after.years("unemployed", "total")) > years_before  # the update added at least one year
    properties.assert_store_properties(after, snapshot_copy)
