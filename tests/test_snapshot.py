"""The committed snapshot is valid, traceable and cannot drift from ../shared/reference."""

from __future__ import annotations

import csv
import errno
import hashlib
import os

import pandas as pd
import pytest

from integrationsregion import cli, reference_build
from integrationsregion.catalogue import Catalogue
from integrationsregion.derive import derive
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

pytestmark = pytest.mark.snapshot


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
    press = observations["publisher"].str.contains(r"laut |AfD|Statista|Fraktion", regex=True)
    assert press.any()
    assert (observations.loc[press, "quality"] == "secondary").all()
    assert observations.loc[press, "source_label"].str.contains("Sekundärquelle").all()


USER_TEXT_COLUMNS = [
    "publisher",
    "source_label",
    "source_title",
    "licence",
    "attribution",
    "note",
    "formula",
    "mixed_vintage",
    "alternatives",
]
"""Columns the app, the downloads or the PDF show (note_source keeps the original wording)."""
ENGLISH = (
    r"\b(?:compiled|as reported|reported by|study by|sources?|data|press|release|report|copied|third party"
    r"|citing|cited|based on|answer|amend\w*|official|secondary|derived|estimate|version|columns|via"
    r"|published|first release|the|and|of|with|from|not)\b"
)


def test_no_english_wording_reaches_a_user_facing_column(observations):
    for column in USER_TEXT_COLUMNS:
        text = observations[column].str.replace(r"https?://\S+", "", regex=True)  # web addresses aside
        english = observations.loc[text.str.contains(ENGLISH, case=False, regex=True), column]
        assert english.empty, f"{column}: {sorted(set(english))[:5]}"


def test_original_english_wording_stays_in_provenance(observations):
    translated = observations[observations["publisher"].str.contains("zusammengestellt von citypopulation")]
    assert len(translated) > 0
    assert translated["note_source"].str.contains("Herausgeber im Original: .*compiled by").all()


def test_values_computed_here_say_so(observations):
    computed = observations[observations["note_source"].str.lower().str.startswith("derived")]
    assert len(computed) > 0
    assert (computed["quality"].isin(["derived", "secondary"])).all()
    derived = observations[observations["quality"] == "derived"]
    assert (derived["formula"].str.strip() != "").all()
    assert derived["source_label"].str.lower().str.contains("eigene berechnung").all()
    assert derived["attribution"].str.contains("eigene Berechnungen").all()


def test_sums_of_rounded_destatis_cells_are_not_labelled_official(observations):
    destatis_12531 = observations[observations["table_code"] == "12531-0043"]
    assert len(destatis_12531) > 0
    assert (destatis_12531["quality"] == "derived").all()
    assert destatis_12531["rounding"].isin(["sum_of_rounded", "zero_from_rounding", "from_rounded"]).all()
    zeros = destatis_12531[destatis_12531["value"] == 0]
    assert (zeros["rounding"] == "zero_from_rounding").all()


def test_same_figure_from_two_sources_keeps_the_official_one_and_records_the_other(observations):
    row = observations[
        (observations["region"] == "05")
        & (observations["indicator"] == "school_leavers_no_degree_share")
        & (observations["year"] == 2015)
    ]
    assert len(row) == 1
    assert row.iloc[0]["quality"] == "derived"
    assert "Sekundärquelle" in row.iloc[0]["alternatives"]


def test_mixed_reference_dates_stay_apart(observations):
    nrw = observations[(observations["region"] == "05") & (observations["indicator"] == "tolerated_persons")]
    in_2016 = nrw[nrw["year"] == 2016]
    assert len(in_2016) == len(set(in_2016["ref_date"])) > 1


def test_every_reference_value_is_in_the_snapshot_or_recorded_as_superseded():
    reference = shared_reference_dir()
    if reference is None:
        if os.environ.get("CI") == "true":
            pytest.fail("../shared/reference fehlt: die Drift-Prüfung braucht die Referenzdaten")
        pytest.skip("../shared/reference is not beside this checkout; drift check needs it")
    assert reference_build.drift_problems(reference, DATA_DIR) == []
    assert (
        read_manifest(DATA_DIR)["sha256"]
        == hashlib.sha256((DATA_DIR / OBSERVATIONS).read_bytes()).hexdigest()
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.assign(region=df["region"].where(df.index != 0, "99999")), "Unbekanntes Gebiet"),
        (
            lambda df: df.assign(indicator=df["indicator"].where(df.index != 0, "made_up")),
            "Unbekannter Indikator",
        ),
        (lambda df: pd.concat([df, df.iloc[[0]]]), "Doppelter Schlüssel"),
        (lambda df: df.assign(value=df["value"].where(df["unit"] != "percent", 140.0)), "außerhalb 0–100"),
        (lambda df: df.assign(source_url=df["source_url"].where(df.index != 3, "")), "ohne source_url"),
        (lambda df: df.assign(formula=df["formula"].where(df["quality"] != "derived", "")), "ohne Rechenweg"),
        (lambda df: df.assign(stand=df["stand"].where(df["stand"] == "", "10.10.2017")), "ist kein Datum"),
        (
            lambda df: df.assign(ref_date=df["ref_date"].where(df.index != 0, "2013-12-31")),
            "passt nicht zum Jahr",
        ),
        (lambda df: df.assign(value=df["value"].where(df.index != 0, float("inf"))), "keine endliche Zahl"),
        (lambda df: df.assign(region=df["region"].replace("05916", "05916000")), "ist die kreisfreie Stadt"),
        (lambda df: df.assign(value=df["value"].where(df.index != 0, float("nan"))), "Wert fehlt"),
        (lambda df: df[~((df["region"] == "05112") & (df["indicator"] == "population"))], "nur 14 von 15"),
        (
            lambda df: df.assign(attribution=df["attribution"].str.replace("; eigene Berechnungen", "")),
            "ohne Hinweis „eigene Berechnungen“",
        ),
        (
            lambda df: df.assign(
                rounding=df["rounding"].where(df["rounding"] != "sum_of_rounded", "zero_from_rounding")
            ),
            "„gerundet 0“ markiert",
        ),
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


def _reference_rows(name: str) -> list[dict]:
    reference = shared_reference_dir()
    if reference is None:
        if os.environ.get("CI") == "true":
            pytest.fail("../shared/reference fehlt")
        pytest.skip("../shared/reference is not beside this checkout")
    with open(reference / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_supplement_values_are_shown_as_published(observations, registry):
    """Every official figure of ergaenzung.csv appears verbatim at its unit and reference date."""
    shown = observations.set_index(["region", "indicator", "breakdown", "year"])
    for raw in _reference_rows("ergaenzung.csv"):
        key = (registry.data_ags(raw["ags"]), raw["indicator"], raw["nationality"], int(raw["year"]))
        rows = shown.loc[[key]] if key in shown.index else None
        assert rows is not None, key
        values = set(rows["value"]) | {
            float(v.split(" laut")[0]) for v in " | ".join(rows["alternatives"]).split(" | ") if " laut" in v
        }
        assert float(raw["value"]) in values, (key, raw["value"])


def test_supplement_stand_and_reference_dates_are_kept(observations):
    sv = observations[
        (observations["indicator"] == "employees_svb_workplace")
        & (observations["region"] == "05112")
        & (observations["year"] == 2023)
    ].iloc[0]
    assert sv["ref_date"] == "2023-06-30"
    assert sv["stand"] >= "2024-06-26"
    block_d = observations[observations["table_code"] == "22811-01-01-4"]
    assert (block_d["stand"] == "").all()
    assert block_d["note"].str.contains("Stand nicht angegeben").all()


def test_older_asylblg_2019_export_is_only_an_alternative(observations):
    for raw in _reference_rows("geduldete_kosten.csv"):
        if raw["indicator"] == "asylblg_recipients" and raw["year"] == "2019" and len(raw["ags"]) == 5:
            row = observations[
                (observations["region"] == raw["ags"])
                & (observations["indicator"] == "asylblg_recipients")
                & (observations["year"] == 2019)
            ].iloc[0]
            assert row["table_code"] == "22811-01-01-4"
            assert f"{float(raw['value']):.15g} laut" in row["alternatives"]


def test_every_gemeinde_has_at_least_five_indicators(observations, registry):
    per_region = observations.groupby("region")["indicator"].nunique()
    for gemeinde in registry.municipalities():
        assert per_region.get(registry.data_ags(gemeinde.ags), 0) >= 5, gemeinde.name
    assert not set(observations["region"]) & {
        g.ags for g in registry.municipalities() if registry.data_ags(g.ags) != g.ags
    }


def test_unemployment_rate_is_complete_in_every_published_year(observations, registry, catalogue):
    ind = catalogue["unemployment_rate"]
    units = {r.ags for r in registry.units()}
    for breakdown in ind.breakdowns:
        rows = observations[
            (observations["indicator"] == ind.id)
            & (observations["breakdown"] == breakdown)
            & observations["region"].isin(units)
        ]
        never = set(ind.unpublished_years.get(breakdown, ()))
        for year in range(2015, int(rows["year"].max()) + 1):  # up to the newest year, whichever it is
            have = set(rows.loc[rows["year"] == year, "region"])
            assert (have == units) != (year in never), (breakdown, year, len(have))


def test_ruhr_sv_2024_keeps_the_unstated_reference_date(observations):
    published = observations[
        (observations["region"] == "RVR")
        & (observations["indicator"] == "employees_svb_workplace")
        & (observations["quality"] == "secondary")
        & (observations["year"] == 2024)
    ]
    assert list(published["ref_date"]) == ["2024"]


def test_drift_check_names_a_lost_reference_value(data_copy, observations, registry, catalogue):
    reference = shared_reference_dir()
    if reference is None:
        if os.environ.get("CI") == "true":
            pytest.fail("../shared/reference fehlt")
        pytest.skip("../shared/reference is not beside this checkout")
    lost = (observations["region"] == "05916") & (observations["indicator"] == "sgb2_recipients")
    lost &= observations["year"] == observations.loc[lost, "year"].min()
    write_snapshot_atomic(derive(observations[~lost], catalogue, registry), data_copy, registry, catalogue)
    problems = reference_build.drift_problems(reference, data_copy)
    assert len(problems) == 1 and "05916/sgb2_recipients" in problems[0]
    assert cli.main(["--data-dir", str(data_copy), "validate", "--reference", str(reference)]) == 1
