"""Questions of the Steckbrief and Vergleich pages, answered from the store.

Pure (no Streamlit): pages compose, this module computes. Values are only ever read from the
snapshot; gaps stay NaN ("keine Daten"), nothing is averaged or filled.
"""

from __future__ import annotations

import math

import pandas as pd

from integrationsregion import formatting as fmt
from integrationsregion import regions
from integrationsregion.catalogue import Indicator, indicator_label
from integrationsregion.regions import NRW, REFERENCES, RUHR
from integrationsregion.store import Store

PROVENANCE_COLUMNS = [
    "quality",
    "formula",
    "rounding",
    "mixed_vintage",
    "publisher",
    "source_label",
    "table_code",
    "stand",
    "licence",
    "attribution",
    "portal_url",
    "source_url",
    "note",
]


# ---------------------------------------------------------------------- indicators offered
def unit_indicators(store: Store, level: str = "kreis") -> list[tuple[str, str]]:
    """(indicator, breakdown) pairs of statistics with values for the areas of `level`, catalogue order."""
    pairs = []
    for ind in store.catalogue.all():
        if ind.kind != "statistic":
            continue
        for breakdown in ind.breakdowns:
            if store.years(ind.id, breakdown, level=level):
                pairs.append((ind.id, breakdown))
    return pairs


# ---------------------------------------------------------------------- Steckbrief
def reference_comparison(ind: Indicator, value: float, refs: dict[str, float]) -> dict:
    """How a unit's rate compares with the Ruhr value, else NRW: difference, wording, verdict.

    Only rates are compared (a city's count against the Ruhr total says nothing). Verdict is
    "better", "worse", "equal", "neutral" (polarity neutral) or None (no comparison possible).
    """
    out = {"basis": None, "difference": math.nan, "verdict": None, "text": ""}
    if ind.is_count or _missing(value):
        out["text"] = "Zählwert (kein Vergleich)" if ind.is_count else ""
        return out
    ruhr, nrw = refs.get(RUHR), refs.get(NRW)
    basis = RUHR if not _missing(ruhr) else NRW if not _missing(nrw) else None
    names = regions.current()
    ruhr_name, nrw_name = names[RUHR].short_name, names[NRW].short_name
    suffix = "" if basis == RUHR else f"; kein {ruhr_name}-Wert"
    if basis is None:
        out["text"] = f"kein {ruhr_name}- und kein {nrw_name}-Wert"
        return out
    diff = float(value) - float(refs[basis])
    out["basis"], out["difference"] = basis, diff
    where = f"{ruhr_name}-Durchschnitt" if basis == RUHR else f"{nrw_name}-Wert"
    amount = fmt.difference(diff, ind.unit, ind.decimals)
    if round(diff, ind.decimals) == 0:
        out["verdict"], out["text"] = "equal", f"gleich dem {where}{suffix}"
        return out
    above = diff > 0
    if ind.polarity == "neutral":
        out["verdict"] = "neutral"
        out["text"] = f"{amount} {'über' if above else 'unter'} dem {where}{suffix}"
    else:
        better = above == (ind.polarity == "higher_better")
        out["verdict"] = "better" if better else "worse"
        word = "günstiger" if better else "ungünstiger"
        out["text"] = f"{word} als der {where} ({amount} {'darüber' if above else 'darunter'}{suffix})"
    return out


def latest_run(years: list[int], values: list[float]) -> tuple[list[int], list[float]]:
    """Of a series in year order, the latest run of at least two consecutive years (else empty)."""
    runs, start = [], 0
    for n in range(1, len(years) + 1):
        if n == len(years) or years[n] != years[n - 1] + 1:
            runs.append((start, n))
            start = n
    long_runs = [(a, b) for a, b in runs if b - a >= 2]
    if not long_runs:
        return [], []
    a, b = long_runs[-1]
    return years[a:b], values[a:b]


def steckbrief(store: Store, region: str) -> pd.DataFrame:
    """Every statistic's latest value for a unit with rank, references, comparison and provenance."""
    profile = store.profile(region)
    if profile.empty:
        return pd.DataFrame()
    own = store.region_rows(region).sort_values(["indicator", "breakdown", "year"])
    series: dict[tuple[str, str], list[dict]] = {}
    for rec in own.to_dict("records"):
        series.setdefault((rec["indicator"], rec["breakdown"]), []).append(rec)
    rows = []
    for rec in profile.to_dict("records"):
        ind = store.catalogue[rec["indicator"]]
        refs = {r: rec[f"ref_{r}"] for r in REFERENCES}
        comparison = reference_comparison(ind, rec["value"], refs)
        history = series[(ind.id, rec["breakdown"])]
        years, values = latest_run([int(h["year"]) for h in history], [float(h["value"]) for h in history])
        prov = next(h for h in history if int(h["year"]) == int(rec["year"]))
        rows.append(
            rec
            | {f"ref_{r}": (math.nan if _missing(v) else float(v)) for r, v in refs.items()}
            | {
                "label": indicator_label(ind, rec["breakdown"]),
                "unit": ind.unit,
                "polarity": ind.polarity,
                "comparison": comparison["text"],
                "verdict": comparison["verdict"],
                "basis": comparison["basis"],
                "difference": comparison["difference"],
                "trend_years": years,
                "trend": values,
                **{k: prov[k] for k in PROVENANCE_COLUMNS},
                "ref_date": prov["ref_date"],
            }
        )
    order = {i.id: n for n, i in enumerate(store.catalogue.all())}
    rows.sort(
        key=lambda r: (
            order[r["indicator"]],
            store.catalogue[r["indicator"]].breakdowns.index(r["breakdown"]),
        )
    )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- Vergleich
def comparison_year(store: Store, indicator: str, breakdown: str, units: list[str]) -> int | None:
    """Latest year in which at least one of `units` has a value."""
    rows = store.series(indicator, units, breakdown)
    return int(rows["year"].max()) if len(rows) else None


def area_values(store: Store, indicator: str, breakdown: str, year: int, areas: list[str]) -> pd.DataFrame:
    """The chosen areas (Kreise or Gemeinden) in one year, in the given order, indexed by region; gaps NaN."""
    rows = store.series(indicator, areas, breakdown)
    out = rows[rows["year"] == year].set_index("region").reindex(areas)
    out["name"] = [store.regions.name(a) for a in areas]
    out.index.name = "region"
    return out


def comparison_table(
    store: Store, units: list[str], years: dict[tuple[str, str], int] | None = None, level: str = "kreis"
) -> pd.DataFrame:
    """Rows = statistics × breakdown; columns = year, the units' values and Ruhr/NRW/DE.

    `rounded_zero` lists the areas whose value is a 0 only from cells rounded to 0. Each row uses one
    year for all its values: `years[(indicator, breakdown)]` when given, else
    the latest year with a value for any of the units. Gaps stay NaN.
    """
    years = years or {}
    areas = [*units, *REFERENCES]
    rows = store.region_rows(*areas)[
        ["indicator", "breakdown", "year", "region", "value", "source_label", "rounding"]
    ]
    cells = {
        (i, b, int(y), a): (v, s, r)
        for i, b, y, a, v, s, r in zip(*(rows[c] for c in rows.columns), strict=True)
    }
    latest = rows[rows["region"].isin(units)].groupby(["indicator", "breakdown"])["year"].max()
    out = []
    for indicator, breakdown in unit_indicators(store, level):
        ind = store.catalogue[indicator]
        year = years.get((indicator, breakdown)) or (
            int(latest[(indicator, breakdown)]) if (indicator, breakdown) in latest.index else None
        )
        if year is None:
            continue
        found = {
            a: cells[(indicator, breakdown, int(year), a)]
            for a in areas
            if (indicator, breakdown, int(year), a) in cells
        }
        row = {
            "indicator": indicator,
            "breakdown": breakdown,
            "Indikator": indicator_label(ind, breakdown),
            "Jahr": year,
            "Einheit": ind.unit_label,
            "decimals": ind.decimals,
        }
        row |= {a: found[a][0] if a in found else math.nan for a in areas}
        labels = sorted({s for v, s, _ in found.values() if not _missing(v)})
        row["Quelle"] = "; ".join(labels) if labels else fmt.NO_DATA
        row["rounded_zero"] = [a for a in areas if a in found and found[a][2] == "zero_from_rounding"]
        out.append(row)
    return pd.DataFrame(out)


def chart_frame(store: Store, indicator: str, breakdown: str, year: int, units: list[str]) -> pd.DataFrame:
    """The chosen units and Ruhr/NRW/DE for one indicator and year, with provenance (gaps NaN, a comparison
    area without a value too: it is named "keine Daten" like a unit, never silently left out)."""
    cs = area_values(store, indicator, breakdown, year, units).reset_index()
    refs = store.references(indicator, year, breakdown).set_index("region").reindex(list(REFERENCES))
    refs = refs.reset_index().assign(name=lambda f: f["region"].map(store.regions.display_name))
    frame = pd.concat([cs, refs], ignore_index=True)
    frame["indicator"], frame["breakdown"], frame["year"] = indicator, breakdown, year
    frame["role"] = ["Auswahl" if a == units[0] else "Vergleich" for a in units] + ["Referenz"] * len(refs)
    return frame


def long_table(
    store: Store, units: list[str], years: dict[tuple[str, str], int] | None = None, level: str = "kreis"
) -> pd.DataFrame:
    """The comparison table as long rows (one per value) with provenance, for downloads: per table row the
    rows of `chart_frame` (the units, then Ruhr/NRW/DE; gaps NaN), looked up in one pass."""
    table = comparison_table(store, units, years, level)
    if table.empty:
        return pd.DataFrame()
    areas = [*units, *REFERENCES]
    keys = ["indicator", "breakdown", "year", "region"]
    wanted = pd.MultiIndex.from_tuples(
        [
            (i, b, int(y), a)
            for i, b, y in zip(table["indicator"], table["breakdown"], table["Jahr"], strict=True)
            for a in areas
        ],
        names=keys,
    )
    shown = store.region_rows(*areas)
    rows = shown.set_index(keys).reindex(wanted).reset_index()[list(shown.columns)]
    rows["name"] = rows["region"].map(store.regions.display_name)
    roles = ["Auswahl", *["Vergleich"] * (len(units) - 1), *["Referenz"] * len(REFERENCES)]
    rows["role"] = roles * len(table)
    return rows


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
