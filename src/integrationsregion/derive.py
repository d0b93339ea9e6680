"""Comparable figures computed here: Ruhr sums of counts and rates (shares, per 1,000 inhabitants).

One entry point, `derive(observations, catalogue, regions)`, used by the reference build and after a
refresh merge. It drops the rows it computed before and computes them again from the current inputs,
so a refreshed count also refreshes its rates and its Ruhr sum. Every computed row is `derived`, names
its formula, carries the inputs' provenance and the change note "eigene Berechnungen".
"""

from __future__ import annotations

import re

import pandas as pd

from integrationsregion.catalogue import Catalogue, Indicator
from integrationsregion.regions import RUHR, RegionRegistry
from integrationsregion.snapshot import COLUMNS, KEY, QUALITY_RANK, alternative_note

RUHR_FORMULA = "Summe der 15 Kreise und kreisfreien Städte des RVR"
CHANGE_NOTE = "eigene Berechnungen"
FACTOR_WORDS = {100: "× 100", 1000: "× 1.000"}


def with_change_note(*attributions: str) -> str:
    """The attributions (each once) followed by the licence's change note for computed values."""
    parts = []
    for a in attributions:
        for part in a.split("; "):
            if part != CHANGE_NOTE and part not in parts:
                parts.append(part)
    return "; ".join([*parts, CHANGE_NOTE])


OWN_PREFIX = "Eigene Berechnung aus "


def _plain(label: str) -> str:
    """A source label without the marks of a computation, so a value derived from derived values
    says "Eigene Berechnung aus" once."""
    return label.removeprefix(OWN_PREFIX).removesuffix(", eigene Berechnung")


def publication(label: str) -> str:
    """A source label without its Stand and change note: the table or product a value was published in."""
    return re.sub(r", (Stand|eigene Berechnung).*$", "", label)


def is_computed_here(df: pd.DataFrame, catalogue: Catalogue) -> pd.Series:
    """Rows this module produces: derived rates and derived Ruhr sums."""
    rate_ids = {i.id for i in catalogue.all() if i.rate_of}
    summable = {i.id for i in catalogue.all() if i.summable}
    derived = df["quality"] == "derived"
    return derived & (
        df["indicator"].isin(rate_ids) | ((df["region"] == RUHR) & df["indicator"].isin(summable))
    )


def derive(observations: pd.DataFrame, catalogue: Catalogue, regions: RegionRegistry) -> pd.DataFrame:
    """The observations with every Ruhr sum and rate (re)computed from official and derived values
    (never from secondary sources); other rows are unchanged."""
    base = observations[~is_computed_here(observations, catalogue)]
    previous = observations[is_computed_here(observations, catalogue)].set_index(KEY)
    units = [r.ags for r in regions.units()]
    out = _add(base, ruhr_sums(base, catalogue, units), previous)
    for ind in catalogue.all():
        if ind.rate_of:
            out = _add(out, rates(out, ind, catalogue), previous)
    return mark_mixed_vintages(out[COLUMNS].reset_index(drop=True), catalogue)


def mark_mixed_vintages(df: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """`mixed_vintage` on every row of a series (region × indicator × breakdown) whose published
    values come from more than one publication (table or product); empty elsewhere."""
    df = df.copy()
    df["mixed_vintage"] = ""
    published = df[~is_computed_here(df, catalogue) & (df["quality"] != "secondary")]
    product = published["source_label"].map(publication)
    for _, series in published.assign(_product=product).groupby(["region", "indicator", "breakdown"]):
        if series["_product"].nunique() < 2:
            continue
        years = series.groupby("_product")["year"].agg(lambda y: ", ".join(str(v) for v in sorted(set(y))))
        text = "Reihe aus mehreren Veröffentlichungen: " + "; ".join(
            f"{p} ({y})" for p, y in sorted(years.items(), key=lambda kv: kv[1])
        )
        df.loc[series.index, "mixed_vintage"] = text + " – Datenstände können voneinander abweichen."
    return df


def ruhr_sums(df: pd.DataFrame, catalogue: Catalogue, units: list[str]) -> pd.DataFrame:
    """Sum of the 15 units for every summable count and reference date where all 15 have a value."""
    summable = [i.id for i in catalogue.all() if i.summable]
    rows = df[df["indicator"].isin(summable) & df["region"].isin(units) & (df["quality"] != "secondary")]
    out = []
    for (indicator, breakdown, ref_date), group in rows.groupby(["indicator", "breakdown", "ref_date"]):
        if set(group["region"]) != set(units) or len(group) != len(units):
            continue
        first = group.iloc[0]
        labels = sorted(set(group["source_label"].map(_plain)))
        rounded = (group["rounding"] != "").any()
        provenance = _provenance(group)
        stand_note = "" if provenance["stand"] else " Stand nicht angegeben."
        out.append(
            provenance
            | {
                "region": RUHR,
                "indicator": indicator,
                "breakdown": breakdown,
                "year": int(first["year"]),
                "ref_date": ref_date,
                "value": float(group["value"].sum()),
                "unit": first["unit"],
                "formula": RUHR_FORMULA,
                "rounding": "sum_of_rounded" if rounded else "",
                "source_label": OWN_PREFIX + "; ".join(labels),
                "note": f"{RUHR_FORMULA}; eigene Berechnung, keine amtliche Ruhr-Angabe.{stand_note}",
                "note_source": "",
            }
        )
    return pd.DataFrame(out, columns=COLUMNS)


def rates(df: pd.DataFrame, ind: Indicator, catalogue: Catalogue) -> pd.DataFrame:
    """`ind` computed for every region and reference date where numerator and denominator exist."""
    num = df[(df["indicator"] == ind.rate_of) & (df["breakdown"] == ind.rate_of_breakdown)]
    den = df[(df["indicator"] == ind.denominator) & (df["breakdown"] == ind.denominator_breakdown)]
    num = num[(num["rounding"] != "zero_from_rounding") & (num["quality"] != "secondary")]
    den = den[(den["value"] > 0) & (den["quality"] != "secondary")]
    pairs = num.merge(den, on=["region", "ref_date"], suffixes=("", "_den"))
    formula = (
        f"{catalogue[ind.rate_of].title} ({catalogue.breakdowns[ind.rate_of_breakdown]}) / "
        f"{catalogue[ind.denominator].title} ({catalogue.breakdowns[ind.denominator_breakdown]}) "
        f"{FACTOR_WORDS[ind.factor]}"
    )
    out = []
    for p in pairs.to_dict("records"):
        num_label, den_label = _plain(p["source_label"]), _plain(p["source_label_den"])
        label = num_label if num_label == den_label else f"{num_label} und {den_label}"
        rounded = "from_rounded" if p["rounding"] or p["rounding_den"] else ""
        out.append(
            {
                "region": p["region"],
                "indicator": ind.id,
                "breakdown": ind.breakdowns[0],
                "year": int(p["year"]),
                "ref_date": p["ref_date"],
                "value": round(p["value"] / p["value_den"] * ind.factor, ind.decimals),
                "unit": ind.unit,
                "quality": "derived",
                "formula": formula,
                "rounding": rounded,
                "publisher": p["publisher"],
                "source_label": OWN_PREFIX + label,
                "table_code": p["table_code"],
                "source_title": p["source_title"],
                "source_url": p["source_url"],
                "portal_url": p["portal_url"],
                "stand": p["stand"],
                "mixed_vintage": "",
                "retrieved": p["retrieved"],
                "licence": p["licence"],
                "attribution": with_change_note(p["attribution"], p["attribution_den"]),
                "note": f"Eigene Berechnung: {formula}, gerundet auf {ind.decimals} Nachkommastelle{'' if ind.decimals == 1 else 'n'}"
                + ("." if p["stand"] else "; Stand nicht angegeben."),
                "note_source": (
                    f"Zähler {p['value']:.15g} ({p['source_label']}; {p['source_url']}); "
                    f"Nenner {p['value_den']:.15g} ({p['source_label_den']}; {p['source_url_den']})"
                ),
                "alternatives": "",
            }
        )
    return pd.DataFrame(out, columns=COLUMNS)


def _provenance(group: pd.DataFrame) -> dict:
    """Provenance of a sum: shared by all inputs where they agree, else listed."""

    def one(col: str) -> str:
        values = sorted(set(group[col]) - {""})
        return values[0] if len(values) == 1 else " | ".join(values)

    return {
        "quality": "derived",
        "publisher": one("publisher"),
        "table_code": one("table_code"),
        "source_title": one("source_title"),
        "source_url": one("source_url"),
        "portal_url": one("portal_url"),
        "stand": max(group["stand"]) if (group["stand"] != "").all() else "",
        "mixed_vintage": "",
        "retrieved": one("retrieved"),
        "licence": one("licence"),
        "attribution": with_change_note(one("attribution")),
        "alternatives": "",
    }


def _add(df: pd.DataFrame, new: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """`new` rows added to `df`: an official row at the same key stays; a secondary one gives way and
    is kept in `alternatives`. A previously computed value that differs is kept in `alternatives` too."""
    if new.empty:
        return df
    existing = df.set_index(KEY)
    keep_new, drop_old = [], []
    for i, row in new.iterrows():
        key = tuple(row[k] for k in KEY)
        notes = []
        if key in previous.index:
            old = previous.loc[key]
            if abs(float(old["value"]) - row["value"]) > 1e-9:
                notes.append(f"{old['value']:.15g} laut früherer Berechnung ({old['source_label']})")
            if old["alternatives"]:
                notes.append(old["alternatives"])
        if key in existing.index:
            old = existing.loc[key]
            if QUALITY_RANK[old["quality"]] < QUALITY_RANK["derived"]:
                continue
            notes.append(
                alternative_note(old["value"], old["source_label"], old["quality"], old["source_url"])
            )
            drop_old.append(key)
        if notes:
            new.at[i, "alternatives"] = " | ".join(notes)
        keep_new.append(i)
    if drop_old:
        df = df[~df.set_index(KEY).index.isin(drop_old)]
    return pd.concat([df, new.loc[keep_new]], ignore_index=True)
