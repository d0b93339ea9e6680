"""The committed snapshot is valid, traceable and cannot drift from ../shared/reference."""

from __future__ import annotations

import errno
import hashlib

import pandas as pd
import pytest

from integrationsregion import cli, reference_build
from integrationsregion.catalogue import Catalogue
from integrationsregion.regions import RegionRegistry
from integrationsregion.snapshot import (
    OBSERVATIONS,
    SnapshotError,
    read_manifest,
    read_observations,
    validate,
    write_snapshot_atomic,
)
from tests.conftest import DATA_DIR, shared_reference_dir


@pytest.fixture(scope="module")
def observations() -> pd.DataFrame:
    return read_observations(DATA_DIR / OBSERVATIONS)


@pytest.fixture(scope="module")
def registry() -> RegionRegistry:
    return RegionRegistry.load(DATA_DIR)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(DATA_DIR)


def test_registry_has_the_rvr_units_municipalities_and_references(registry):
    assert len(registry.units()) == 15
    assert len(registry.municipalities()) == 53
    assert [r.ags for r in registry.references()] == ["RVR", "05", "DG"]
    kinds = [r.kind for r in registry.units()]
    assert kinds.count("kreisfreie_stadt") == 11 and kinds.count("kreis") == 4
    for m in registry.municipalities():
        assert registry[m.parent_ags].level == "kreis"
        assert m.ags.startswith(m.parent_ags)


def test_committed_snapshot_is_valid(observations, registry, catalogue):
    assert validate(observations, registry, catalogue) == []
    assert catalogue.problems() == []


def test_every_catalogue_indicator_has_data(observations, catalogue):
    assert {i.id for i in catalogue.all()} <= set(observations["indicator"])


def test_every_value_is_traceable_to_a_public_source(observations):
    assert observations["source_url"].str.startswith("http").all()
    assert observations["portal_url"].str.startswith("http").all()
    official = observations[observations["quality"] != "secondary"]
    with_table = official[official["table_code"] != ""]
    assert (with_table.apply(lambda r: r["table_code"] in r["source_label"], axis=1)).all()


def test_press_and_party_sources_are_flagged_secondary(observations):
    press = observations["publisher"].str.contains(r"via |as reported|AfD|Statista|Fraktion", regex=True)
    assert press.any()
    assert (observations.loc[press, "quality"] == "secondary").all()
    assert observations.loc[press, "source_label"].str.contains("Sekundärquelle").all()


def test_derived_values_say_so(observations):
    derived = observations[observations["note"].str.lower().str.startswith("derived")]
    assert len(derived) > 0
    assert (derived["quality"].isin(["derived", "secondary"])).all()
    assert (
        derived.loc[derived["quality"] == "derived", "source_label"].str.contains("eigene Berechnung").all()
    )


def test_same_figure_from_two_sources_keeps_the_official_one_and_records_the_other(observations):
    row = observations[
        (observations["region"] == "05")
        & (observations["indicator"] == "school_leavers_no_degree_share")
        & (observations["year"] == 2015)
    ]
    assert len(row) == 1
    assert row.iloc[0]["quality"] == "derived"
    assert "secondary" in row.iloc[0]["alternatives"]


def test_mixed_reference_dates_stay_apart(observations):
    nrw = observations[(observations["region"] == "05") & (observations["indicator"] == "tolerated_persons")]
    in_2016 = nrw[nrw["year"] == 2016]
    assert len(in_2016) == len(set(in_2016["ref_date"])) > 1


def test_rebuild_from_shared_reference_equals_committed_snapshot():
    reference = shared_reference_dir()
    if reference is None:
        pytest.skip("../shared/reference is not beside this checkout; drift check needs it")
    regions_bytes, observations_bytes = reference_build.snapshot_bytes(reference)
    assert regions_bytes == (DATA_DIR / "regions.csv").read_bytes()
    assert observations_bytes == (DATA_DIR / OBSERVATIONS).read_bytes()
    assert read_manifest(DATA_DIR)["sha256"] == hashlib.sha256(observations_bytes).hexdigest()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.assign(region=df["region"].where(df.index != 0, "99999")), "unknown region"),
        (
            lambda df: df.assign(indicator=df["indicator"].where(df.index != 0, "made_up")),
            "unknown indicator",
        ),
        (lambda df: pd.concat([df, df.iloc[[0]]]), "duplicate key"),
        (lambda df: df.assign(value=df["value"].where(df["unit"] != "percent", 140.0)), "outside 0–100"),
        (lambda df: df.assign(source_url=df["source_url"].where(df.index != 3, "")), "without source_url"),
    ],
)
def test_validation_rejects_bad_snapshots(observations, registry, catalogue, change, message):
    problems = validate(change(observations.copy()), registry, catalogue)
    assert any(message in p for p in problems), problems


def test_invalid_snapshot_is_never_written(data_copy, observations, registry, catalogue):
    before = (data_copy / OBSERVATIONS).read_bytes()
    bad = observations.assign(value=observations["value"] * -1)
    with pytest.raises(SnapshotError):
        write_snapshot_atomic(bad, data_copy, registry, catalogue)
    assert (data_copy / OBSERVATIONS).read_bytes() == before


def test_disk_full_leaves_the_snapshot_untouched(data_copy, observations, registry, catalogue, monkeypatch):
    before = {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("integrationsregion.atomic.os.fsync", full)
    with pytest.raises(OSError):
        write_snapshot_atomic(observations, data_copy, registry, catalogue)
    assert {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()} == before


def test_validate_cli_passes_on_committed_data_and_fails_on_bad_data(data_copy, capsys):
    assert cli.main(["--data-dir", str(DATA_DIR), "validate"]) == 0
    conference = data_copy / "conference.toml"
    conference.write_text(conference.read_text().replace('"unemployment_rate"', '"no_such_indicator"'))
    assert cli.main(["--data-dir", str(data_copy), "validate"]) == 1
    assert "no_such_indicator" in capsys.readouterr().err
