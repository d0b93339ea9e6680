"""After `integrationsregion update` adds a year, the store still has every property the unit tests assert."""

from __future__ import annotations

from integrationsregion import cli
from integrationsregion.snapshot import OBSERVATIONS, read_observations, write_snapshot_atomic
from integrationsregion.store import Store
from tests import properties

TABLE = "13111-01-03-4"  # replayed from a recorded answer of the service (tests/refresh/recorded/)
INDICATORS = ("employees_svb_workplace", "share_foreign_among_employees_svb_workplace")
YEAR = 2023  # the year of the recorded answer (fake_genesis vintage "2023")


def test_store_properties_hold_after_an_update_adds_a_year(refresh_env, snapshot_copy):
    # The shipped snapshot already has the recorded year: take it out of the copy, so the update adds it.
    before = Store.load(snapshot_copy)
    obs = read_observations(snapshot_copy / OBSERVATIONS)
    older = obs[~(obs["indicator"].isin(INDICATORS) & (obs["year"] == YEAR))]
    write_snapshot_atomic(older, snapshot_copy, before.regions, before.catalogue)
    years_before = set(Store.load(snapshot_copy).years(INDICATORS[0], "total"))
    assert YEAR not in years_before

    refresh_env.vintage = str(YEAR)
    assert cli.main(["--data-dir", str(snapshot_copy), "update", "--tables", TABLE]) == 0

    after = Store.load(snapshot_copy)
    assert set(after.years(INDICATORS[0], "total")) == years_before | {YEAR}
    properties.assert_store_properties(after, snapshot_copy)
