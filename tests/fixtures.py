"""A small deterministic snapshot built in code (datasette's `tests/fixtures.py` idea).

Unit tests run on this instead of the committed snapshot, so they keep passing when the real data grows.
The values are invented test numbers (source "Testdaten"), never shown by the app. What the snapshot has:
- 15 units (12 kreisfreie Städte, 3 Kreise), 2 Gemeinden of a Kreis, NRW `05`, Germany `DG`, Ruhr `RVR`;
- statistics of each polarity, parameters and a statement (the kinds of the catalogue);
- `unemployment_rate`: 2020 is a gap year for every unit; foreigners have no 2018 and Herne no 2021;
- `unemployed`: the RVR value is derived (sum of the units); Bottrop 2020 only from a secondary source,
  Essen 2021 from an official and a secondary source (official shown);
- `population`: a series break between 2019 and 2020 (`breaks.toml`);
- `pupils_foreign_share`: only 8 units have a value (too few for a rank);
- FlüAG rules, parameters, counts of Geduldete and cost statements for the cost model;
- boundary layers in `geo/` with a small square per unit and Gemeinde (valid, not real shapes).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from integrationsregion.snapshot import COLUMNS, to_csv_bytes
from integrationsregion.store import Store

UNITS = [
    ("05112", "Duisburg", "kreisfreie_stadt"),
    ("05113", "Essen", "kreisfreie_stadt"),
    ("05117", "Mülheim an der Ruhr", "kreisfreie_stadt"),
    ("05119", "Oberhausen", "kreisfreie_stadt"),
    ("05170", "Kreis Wesel", "kreis"),
    ("05512", "Bottrop", "kreisfreie_stadt"),
    ("05513", "Gelsenkirchen", "kreisfreie_stadt"),
    ("05562", "Kreis Recklinghausen", "kreis"),
    ("05911", "Bochum", "kreisfreie_stadt"),
    ("05913", "Dortmund", "kreisfreie_stadt"),
    ("05914", "Hagen", "kreisfreie_stadt"),
    ("05915", "Hamm", "kreisfreie_stadt"),
    ("05916", "Herne", "kreisfreie_stadt"),
    ("05954", "Ennepe-Ruhr-Kreis", "kreis"),
    ("05978", "Kreis Unna", "kreis"),
]
UNIT_AGS = [a for a, _, _ in UNITS]
GEMEINDEN = [("05170008", "Dinslaken", "05170"), ("05170044", "Wesel", "05170")]
SHORT_NAMES = {"05117": "Mülheim a. d. R.", "RVR": "Ruhr", "05": "NRW", "DG": "Deutschland"}
GAP_YEAR = 2020
"""`unemployment_rate` has no value for any unit in this year."""
SECONDARY_ONLY = ("05512", "unemployed", 2020)
BOTH_QUALITIES = ("05113", "unemployed", 2021)
FEW_UNITS = UNIT_AGS[:8]
"""The units with a value of `pupils_foreign_share` (fewer than the 10 a rank needs)."""
FIXTURE_URL = "https://example.org/testdaten"
ROUNDED_ZERO_UNIT = "05915"
"""Hamm's 2023 `rejected_protection_status_with_duldung` is a 0 only from cells rounded to 0."""


def _source(table: str, quality: str = "official", stand: str = "2024-03-01") -> dict[str, str]:
    publisher = "Testdaten Statistikamt" if quality != "secondary" else "Testdaten Zeitung"
    label = {
        "official": f"Testdaten {table}, Stand {stand}",
        "derived": f"Testdaten {table}, eigene Berechnung",
        "secondary": f"Testdaten Zeitung zu {table} (Sekundärquelle)",
    }[quality]
    attribution = {
        "official": "Testdaten, dl-de/by-2-0",
        "derived": "Testdaten, dl-de/by-2-0; eigene Berechnungen",
        "secondary": "Sekundärquelle: Testdaten Zeitung",
    }[quality]
    return {
        "quality": quality,
        "formula": "Summe der 15 Einheiten" if quality == "derived" else "",
        "rounding": "",
        "publisher": publisher,
        "source_label": label,
        "table_code": table if quality != "secondary" else "",
        "source_title": f"Testtabelle {table}",
        "source_url": f"{FIXTURE_URL}/{table}.csv",
        "portal_url": f"{FIXTURE_URL}/{table}",
        "stand": stand if quality == "official" else "",
        "mixed_vintage": "",
        "retrieved": "",
        "licence": "dl-de/by-2-0" if quality != "secondary" else "nur die Zahlenangabe übernommen",
        "attribution": attribution,
        "note": "Summe der 15 Einheiten des RVR" if quality == "derived" else "",
        "note_source": "derived: sum of the 15 RVR member units" if quality == "derived" else "",
        "alternatives": "",
    }


def _row(region: str, indicator: str, breakdown: str, year: int, value: float, unit: str, **source) -> dict:
    table = source.pop("table", "T-" + indicator)
    return {
        "region": region,
        "indicator": indicator,
        "breakdown": breakdown,
        "year": year,
        "ref_date": source.pop("ref_date", str(year)),
        "value": float(value),
        "unit": unit,
        **_source(table, **source),
    }


def _observations() -> Iterator[dict]:
    years = (2018, 2019, 2020, 2021)
    for n, ags in enumerate(UNIT_AGS):
        for year in years:
            people = 100_000 + 20_000 * n + 1_000 * (year - 2018)
            yield _row(ags, "population", "total", year, people, "persons")
            share = 8 + 0.9 * (7 * n % 15) + 0.2 * (year - 2018)  # not in step with population
            yield _row(ags, "foreign_share", "foreign", year, share, "percent")
            if year != GAP_YEAR:
                yield _row(
                    ags, "unemployment_rate", "total", year, 6 + 0.5 * n - 0.1 * (year - 2018), "percent"
                )
            if year in (2019, 2021) and not (ags == "05916" and year == 2021):
                yield _row(ags, "unemployment_rate", "foreign", year, 12 + 0.7 * n, "percent")
            if (ags, "unemployed", year) != SECONDARY_ONLY:
                yield _row(ags, "unemployed", "total", year, 5_000 + 700 * n + 50 * (year - 2018), "persons")
        if ags in FEW_UNITS:
            yield _row(ags, "pupils_foreign_share", "foreign", 2019, 10 + 1.5 * n, "percent")
        tolerated = {"quality": "secondary", "ref_date": "2023-12-31"}  # as reported by the cities
        yield _row(ags, "tolerated_persons", "total", 2023, 300 + 40 * n, "persons", **tolerated)
        if ags == ROUNDED_ZERO_UNIT:  # every published cell rounded to 0: not a real zero
            yield _row(ags, "rejected_protection_status_with_duldung", "total", 2023, 0, "persons") | {
                "quality": "derived",
                "formula": "Summe der auf 5 gerundeten Zellen",
                "rounding": "zero_from_rounding",
                "source_label": "Testdaten T-rejected, eigene Berechnung",
                "attribution": "Testdaten, dl-de/by-2-0; eigene Berechnungen",
            }
        else:
            yield _row(ags, "rejected_protection_status_with_duldung", "total", 2023, 200 + 30 * n, "persons")
    ags, indicator, year = SECONDARY_ONLY
    yield _row(ags, indicator, "total", year, 6_000, "persons", quality="secondary")
    ags, indicator, year = BOTH_QUALITIES
    yield _row(ags, indicator, "total", year, 9_999, "persons", quality="secondary", ref_date=f"{year}-06-30")
    for year in years:
        units_sum = sum(5_000 + 700 * n + 50 * (year - 2018) for n, a in enumerate(UNIT_AGS))
        if year == SECONDARY_ONLY[2]:
            units_sum = None  # a sum over a secondary value would not be derived from official figures
        if units_sum is not None:
            yield _row("RVR", "unemployed", "total", year, units_sum, "persons", quality="derived")
        for region, base in (("05", 7.0), ("DG", 5.0)):
            yield _row(region, "unemployment_rate", "total", year, base - 0.1 * (year - 2018), "percent")
            yield _row(
                region, "population", "total", year, 18_000_000 if region == "05" else 83_000_000, "persons"
            )
    # Gemeinde values of the Kreis Wesel (Dinslaken has values, Wesel none)
    yield _row("05170008", "population", "total", 2021, 67_000, "persons")
    # parameters of the cost model (Land NRW) and the unit's own cost anchor
    money = {"table": "Gesetz", "stand": ""}
    yield _row("05", "fluag_flat_rate_month", "total", 2017, 900, "eur_per_person_month", **money)
    yield _row("05", "fluag_flat_rate_month_kreisfrei", "total", 2021, 1_000, "eur_per_person_month", **money)
    yield _row(
        "05", "fluag_flat_rate_month_kreisangehoerig", "total", 2021, 950, "eur_per_person_month", **money
    )
    yield _row("05", "fluag_flat_rate_month_kreisfrei", "total", 2023, 1_100, "eur_per_person_month", **money)
    yield _row("05", "fluag_one_off_tolerated", "total", 2021, 12_000, "eur", **money)
    for year in (2021, 2022):
        yield _row("05", "fluag_compensation_tolerated_total", "total", year, 175_000_000, "eur", **money)
    yield _row("05", "cost_per_person_year_actual", "total", 2017, 12_000, "eur_per_person_year", **money)
    yield _row(
        "05", "cost_per_person_year_actual_kreisfrei", "total", 2017, 13_000, "eur_per_person_year", **money
    )
    yield _row("05113", "cost_per_person_year_actual", "total", 2017, 14_000, "eur_per_person_year", **money)
    statement = {"quality": "secondary", "table": "Presse"}
    row = _row("05", "unreimbursed_cost_statement", "total", 2018, 1e9, "eur", **statement)
    yield row | {"note_source": '"fast eine Milliarde Euro" per year; upper bound'}
    row = _row("05911", "unreimbursed_cost_statement", "total", 2020, 5e6, "eur", **statement)
    yield row | {"note_source": '"mindestens fünf Millionen Euro"; lower bound'}


def _indicator(id_: str, theme: str, kind: str, unit: str, polarity: str, breakdowns: list[str]) -> str:
    title = id_.replace("_", " ").capitalize()
    derived = "; eigene Berechnungen" if id_ == "foreign_share" else ""
    return f"""
[[indicator]]
id = "{id_}"
theme = "{theme}"
kind = "{kind}"
title = "{title} (Test)"
short = "{title}"
unit = "{unit}"
decimals = {0 if unit == "persons" or unit.startswith("eur") else 1}
polarity = "{polarity}"
breakdowns = {json.dumps(breakdowns)}
definition = "Testdefinition von {id_}."
reference_period = "Stichtag 31.12."
licence = "dl-de/by-2-0"
attribution = "Testdaten, dl-de/by-2-0{derived}"
sources = [{{ publisher = "Testdaten Statistikamt", table = "T-{id_}", title = "Testtabelle", url = "{FIXTURE_URL}/T-{id_}" }}]
"""


INDICATORS = [
    ("population", "bevoelkerung", "statistic", "persons", "neutral", ["total"]),
    ("foreign_share", "bevoelkerung", "statistic", "percent", "neutral", ["foreign"]),
    ("unemployment_rate", "arbeitsmarkt", "statistic", "percent", "lower_better", ["total", "foreign"]),
    ("unemployed", "arbeitsmarkt", "statistic", "persons", "neutral", ["total"]),
    ("pupils_foreign_share", "bildung", "statistic", "percent", "higher_better", ["foreign"]),
    ("tolerated_persons", "geduldete", "statistic", "persons", "neutral", ["total"]),
    ("rejected_protection_status_with_duldung", "geduldete", "statistic", "persons", "neutral", ["total"]),
    ("fluag_flat_rate_month", "geduldete", "parameter", "eur_per_person_month", "neutral", ["total"]),
    ("fluag_flat_rate_month_kreisfrei", "geduldete", "parameter", "eur_per_person_month", "neutral", ["total"]),
    ("fluag_flat_rate_month_kreisangehoerig", "geduldete", "parameter", "eur_per_person_month", "neutral", ["total"]),
    ("fluag_one_off_tolerated", "geduldete", "parameter", "eur", "neutral", ["total"]),
    ("fluag_compensation_tolerated_total", "geduldete", "parameter", "eur", "neutral", ["total"]),
    ("cost_per_person_year_actual", "geduldete", "parameter", "eur_per_person_year", "neutral", ["total"]),
    ("cost_per_person_year_actual_kreisfrei", "geduldete", "parameter", "eur_per_person_year", "neutral", ["total"]),
    ("unreimbursed_cost_statement", "geduldete", "statement", "eur", "neutral", ["total"]),
    ("unreimbursed_cost_statement_all_refugees", "geduldete", "statement", "eur", "neutral", ["total"]),
]  # fmt: skip

CATALOGUE_HEAD = """
[themes]
bildung = "Bildung"
arbeitsmarkt = "Arbeitsmarkt"
geduldete = "Geduldete & Kosten"
bevoelkerung = "Bevölkerung"

[polarities.higher_better]
label = "höher ist günstiger"
rank = "Rang 1 = höchster Wert"
[polarities.lower_better]
label = "niedriger ist günstiger"
rank = "Rang 1 = niedrigster Wert"
[polarities.neutral]
label = "ohne Richtung"
rank = "Rang 1 = höchster Wert"

[kinds]
statistic = "Statistik"
parameter = "Parameter"
statement = "Aussage"

[units.percent]
label = "%"
difference = "Prozentpunkte"
[units.persons]
label = "Personen"
count = true
[units.eur]
label = "Euro"
count = true
[units.eur_per_person_year]
label = "Euro je Person und Jahr"
[units.eur_per_person_month]
label = "Euro je Person und Monat"

[breakdowns]
total = "insgesamt"
foreign = "Ausländer/-innen"
"""

RULES = """
[[regime]]
id = "window"
from_year = 2017
to_year = 2020
label = "Testregel Fenster"
summary = "Pauschale nur drei Monate."
window_months = 3
flat_rate = "fluag_flat_rate_month"
sources = [{ title = "Testgesetz 2017", url = "https://example.org/testdaten/gesetz2017" }]
secondary_sources = [{ title = "Testzeitung 2018", url = "https://example.org/testdaten/presse2018" }]

[[regime]]
id = "one_off"
from_year = 2021
to_year = 2024
label = "Testregel Einmalzahlung"
summary = "Einmalzahlung und Ausgleich."
flat_rate_kreisfrei = "fluag_flat_rate_month_kreisfrei"
flat_rate_kreisangehoerig = "fluag_flat_rate_month_kreisangehoerig"
one_off = "fluag_one_off_tolerated"
compensation = "fluag_compensation_tolerated_total"
sources = [{ title = "Testgesetz 2021", url = "https://example.org/testdaten/gesetz2021" }]

[cost_anchor]
unit = "cost_per_person_year_actual"
kreisfrei = "cost_per_person_year_actual_kreisfrei"
nrw = "cost_per_person_year_actual"
"""

BREAKS = """
[[break]]
indicator = "population"
between = [2019, 2020]
label = "Testbruch"
detail = "Ab 2020 neue Basis (Test)."
"""

CONFERENCE = """
[conference]
title = "Testkonferenz"
date = "2019-11-27"

[[programme]]
title = "Eröffnung"
speakers = ["Test Person"]

[[statement]]
id = "test_statement"
speaker = "Test Person"
role = "Testrolle"
themes = ["arbeitsmarkt"]
paraphrase = "Sagte etwas zum Arbeitsmarkt."
quote = ""
quote_source = ""
quote_url = ""
source_url = "https://example.org/testdaten/konferenz"
indicators = ["unemployment_rate"]
"""


def _square(n: int, ags: str, name: str) -> dict:
    """A small square in the Ruhr box: a valid boundary, not a real one (no test reads it as real)."""
    x, y = 6.5 + 0.1 * (n % 5), 51.3 + 0.1 * (n // 5)
    ring = [[x, y], [x + 0.09, y], [x + 0.09, y + 0.09], [x, y + 0.09], [x, y]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    return {"type": "Feature", "properties": {"ags": ags, "name": name}, "geometry": geometry}


def regions_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ags", "name", "short_name", "kind", "level", "parent_ags"])
    for ags, name, kind in UNITS:
        writer.writerow([ags, name, SHORT_NAMES.get(ags, name), kind, "kreis", ""])
    for ags, name, parent in GEMEINDEN:
        writer.writerow([ags, name, name, "gemeinde", "gemeinde", parent])
    for ags, name in (("RVR", "Regionalverband Ruhr"), ("05", "Nordrhein-Westfalen"), ("DG", "Deutschland")):
        writer.writerow([ags, name, SHORT_NAMES[ags], "aggregat", "aggregat", ""])
    return out.getvalue()


def observations() -> pd.DataFrame:
    """The fixture's observations in the snapshot schema."""
    return pd.DataFrame(list(_observations()))[COLUMNS]


def build_snapshot(target: Path) -> Path:
    """Write the fixture snapshot into `target` (created) and return it."""
    target.mkdir(parents=True, exist_ok=True)
    body = to_csv_bytes(observations())
    files = {
        "regions.csv": regions_csv(),
        "indicators.toml": CATALOGUE_HEAD + "".join(_indicator(*spec) for spec in INDICATORS),
        "fluag_rules.toml": RULES,
        "breaks.toml": BREAKS,
        "conference.toml": CONFERENCE,
    }
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    (target / "observations.csv").write_bytes(body)
    (target / "geo").mkdir(exist_ok=True)
    for name, places in (("kreise.geojson", UNITS), ("gemeinden.geojson", GEMEINDEN)):
        features = [_square(n, ags, place) for n, (ags, place, _) in enumerate(places)]
        layer = {"type": "FeatureCollection", "features": features}
        (target / "geo" / name).write_text(json.dumps(layer, ensure_ascii=False), encoding="utf-8")
    manifest = {"built_from": "tests/fixtures.py", "rows": body.count(b"\n") - 1}
    manifest["sha256"] = hashlib.sha256(body).hexdigest()
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture snapshot on disk (read-only by convention; copy it to change it)."""
    return build_snapshot(tmp_path_factory.mktemp("fixture") / "data")


@pytest.fixture(scope="session")
def fixture_store(fixture_dir: Path) -> Store:
    """The fixture snapshot loaded by `Store.load`, as the app loads the real one."""
    return Store.load(fixture_dir)
