"""Rates and Ruhr sums computed by derive.py, on a tiny snapshot built in code."""

from __future__ import annotations

import pandas as pd
import pytest

from integrationsregion.catalogue import Catalogue, Indicator, Source
from integrationsregion.derive import derive
from integrationsregion.regions import RUHR, Region, RegionRegistry
from integrationsregion.snapshot import COLUMNS, read_observations, validate
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.unit

UNITS = [f"05{n:03d}" for n in range(101, 116)]
SOURCE = (Source("Regionaldatenbank Deutschland", "00000-00-00-4", "Testtabelle", "https://example.org/t"),)


def _indicator(id_: str, unit: str = "persons", **extra) -> Indicator:
    return Indicator(
        id=id_,
        theme="t",
        kind="statistic",
        title=id_.replace("_", " ").title(),
        short=id_,
        unit=unit,
        decimals=1,
        polarity="neutral",
        breakdowns=("total",),
        definition="d",
        reference_period="Stichtag 31.12.",
        licence="dl-de/by-2-0",
        attribution="Statistische Ämter des Bundes und der Länder, dl-de/by-2-0",
        sources=SOURCE,
        **extra,
    )


CATALOGUE = Catalogue(
    {"t": "Test"},
    [
        _indicator("recipients", summable=True),
        _indicator("population", summable=True),
        _indicator(
            "recipients_per_1000",
            unit="per_1000",
            rate_of="recipients",
            denominator="population",
            factor=1000,
        ),
    ],
    polarities={},
    kinds={},
    units={},
    breakdowns={"total": "insgesamt"},
)
REGIONS = RegionRegistry(
    [Region(a, f"Einheit {a}", a, "kreisfreie_stadt", "kreis", "") for a in UNITS]
    + [Region(a, a, a, "aggregat", "aggregat", "") for a in (RUHR, "05", "DG")]
)


def _row(region: str, indicator: str, value: float, **extra) -> dict:
    row = {c: "" for c in COLUMNS} | {
        "region": region,
        "indicator": indicator,
        "breakdown": "total",
        "year": 2023,
        "ref_date": "2023-12-31",
        "value": value,
        "unit": "per_1000" if indicator.endswith("1000") else "persons",
        "quality": "official",
        "publisher": "Statistische Ämter des Bundes und der Länder",
        "source_label": "Regionaldatenbank 00000-00-00-4",
        "table_code": "00000-00-00-4",
        "source_url": "https://example.org/copy.csv",
        "portal_url": "https://example.org/t",
        "licence": "dl-de/by-2-0",
        "attribution": "Statistische Ämter des Bundes und der Länder, dl-de/by-2-0",
    }
    return row | extra


def _snapshot(units: list[str] = UNITS, **recipients_extra) -> pd.DataFrame:
    rows = [_row(a, "population", 100_000.0 + i) for i, a in enumerate(units)]
    rows += [_row(a, "recipients", 200.0 + i, **recipients_extra) for i, a in enumerate(units)]
    rows += [_row("05", "population", 18_000_000.0), _row("05", "recipients", 30_000.0)]
    return pd.DataFrame(rows, columns=COLUMNS)


def _get(df: pd.DataFrame, region: str, indicator: str) -> pd.DataFrame:
    return df[(df["region"] == region) & (df["indicator"] == indicator)]


def test_rates_are_derived_with_formula_change_note_and_the_inputs_provenance():
    out = derive(_snapshot(), CATALOGUE, REGIONS)
    rate = _get(out, "05", "recipients_per_1000").iloc[0]
    assert rate["value"] == pytest.approx(round(30_000 / 18_000_000 * 1000, 1))
    assert rate["quality"] == "derived"
    assert "/" in rate["formula"] and "1.000" in rate["formula"]
    assert rate["attribution"].endswith("eigene Berechnungen")
    assert "Zähler 30000" in rate["note_source"] and "Nenner 18000000" in rate["note_source"]  # every digit
    assert validate(out, REGIONS, CATALOGUE) == []


def test_ruhr_sum_needs_all_fifteen_units():
    complete = derive(_snapshot(), CATALOGUE, REGIONS)
    ruhr = _get(complete, RUHR, "recipients").iloc[0]
    assert ruhr["value"] == sum(200.0 + i for i in range(15))
    assert ruhr["formula"].startswith("Summe der 15")
    assert len(_get(complete, RUHR, "recipients_per_1000")) == 1
    fourteen = derive(_snapshot(UNITS[:-1]), CATALOGUE, REGIONS)
    assert _get(fourteen, RUHR, "recipients").empty
    assert _get(fourteen, RUHR, "recipients_per_1000").empty


def test_a_zero_from_rounding_gives_no_rate_and_marks_the_ruhr_sum():
    rounded = _snapshot(rounding="zero_from_rounding")
    rounded.loc[rounded["indicator"] == "recipients", "value"] = 0.0
    out = derive(rounded, CATALOGUE, REGIONS)
    assert _get(out, UNITS[0], "recipients_per_1000").empty
    assert _get(out, RUHR, "recipients").iloc[0]["rounding"] == "sum_of_rounded"


def test_secondary_values_are_never_used():
    out = derive(_snapshot(quality="secondary"), CATALOGUE, REGIONS)
    assert _get(out, UNITS[0], "recipients_per_1000").empty
    assert _get(out, RUHR, "recipients").empty


def test_derive_replaces_its_own_rows_and_follows_revised_inputs():
    first = derive(_snapshot(), CATALOGUE, REGIONS)
    assert (
        derive(first, CATALOGUE, REGIONS)
        .sort_values(["region", "indicator"])
        .reset_index(drop=True)
        .equals(first.sort_values(["region", "indicator"]).reset_index(drop=True))
    )
    revised = first.copy()
    revised.loc[(revised["region"] == "05") & (revised["indicator"] == "recipients"), "value"] = 36_000.0
    again = derive(revised, CATALOGUE, REGIONS)
    rate = _get(again, "05", "recipients_per_1000").iloc[0]
    assert rate["value"] == pytest.approx(2.0)
    assert "früherer Berechnung" in rate["alternatives"]
    assert len(again) == len(first)


def test_published_ruhr_figures_keep_their_place():
    official = _row(RUHR, "recipients", 999.0)
    secondary = _row(RUHR, "recipients", 998.0, quality="secondary", source_label="RVR (Sekundärquelle)")
    kept = derive(pd.concat([_snapshot(), pd.DataFrame([official])]), CATALOGUE, REGIONS)
    assert _get(kept, RUHR, "recipients").iloc[0]["value"] == 999.0
    replaced = derive(pd.concat([_snapshot(), pd.DataFrame([secondary])]), CATALOGUE, REGIONS)
    ruhr = _get(replaced, RUHR, "recipients").iloc[0]
    assert ruhr["quality"] == "derived" and "998 laut RVR" in ruhr["alternatives"]


def test_a_rate_from_rounded_counts_says_so():
    out = derive(_snapshot(rounding="rounded_5"), CATALOGUE, REGIONS)
    assert _get(out, UNITS[0], "recipients_per_1000").iloc[0]["rounding"] == "from_rounded"
    assert _get(out, RUHR, "recipients").iloc[0]["rounding"] == "sum_of_rounded"


def test_a_rate_of_a_ruhr_sum_says_eigene_berechnung_once():
    out = derive(_snapshot(), CATALOGUE, REGIONS)
    label = _get(out, RUHR, "recipients_per_1000").iloc[0]["source_label"]
    assert label == "Eigene Berechnung aus Regionaldatenbank 00000-00-00-4"


def test_no_committed_source_label_repeats_eigene_berechnung():
    labels = read_observations(DATA_DIR / "observations.csv")["source_label"]
    repeated = labels[labels.str.lower().str.count("eigene berechnung") > 1]
    assert repeated.empty, sorted(set(repeated))[:3]
