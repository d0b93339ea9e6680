"""Merge refreshed observations into the snapshot without ever dropping a row.

Rules (key = region, indicator, breakdown, ref_date):
* a key the snapshot lacks is added (new value; a new (indicator, year) counts as a new year);
* the same value again leaves the old row as it is (confirmed);
* a different value replaces the row (revised); the old value and its vintage go to `alternatives`;
* a value the download marks missing (`-`, `.`, …) or lacks keeps the old row, and is reported;
* only official rows come in; Ruhr sums and rates are recomputed afterwards by `derive.derive`;
* rows outside the refreshed tables are untouched.
An old row keyed by the bare year (`2019`) matches a new row with a full date of that year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from integrationsregion.snapshot import COLUMNS, KEY, OPTIONAL_COLUMNS, alternative_note

Key = tuple[str, str, str, str]


@dataclass
class MergeReport:
    new: list[Key] = field(default_factory=list)
    revised: list[tuple[Key, float, float]] = field(default_factory=list)
    confirmed: int = 0
    kept_missing: list[Key] = field(default_factory=list)  # old value kept, new download has none
    new_years: set[tuple[str, int]] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.revised)

    def summary_de_en(self) -> str:
        years = ", ".join(f"{i} {y}" for i, y in sorted(self.new_years)[:6])
        more = " …" if len(self.new_years) > 6 else ""
        return (
            f"{len(self.new)} neue Werte, {len(self.revised)} revidiert, {self.confirmed} bestätigt, "
            f"{len(self.kept_missing)} fehlen im Download (alter Wert behalten), nichts entfernt"
            + (f"; neue Jahre: {years}{more}" if self.new_years else "")
            + f" / {len(self.new)} new, {len(self.revised)} revised, {self.confirmed} confirmed, "
            f"{len(self.kept_missing)} missing in download (old value kept), nothing removed"
        )


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _alternative(old: pd.Series) -> str:
    label = old["source_label"] or old["publisher"]
    text = alternative_note(old["value"], label, old["quality"], old["source_url"])
    return "; ".join(p for p in (text, old["alternatives"]) if p)


def merge(
    old: pd.DataFrame,
    fresh: list[dict],
    missing: list[Key],
) -> tuple[pd.DataFrame, MergeReport]:
    """Old snapshot + refreshed rows -> merged snapshot and a report. `missing`: keys the download
    holds as missing codes (or lacks) within the refreshed scope."""
    report = MergeReport()
    out = old.copy()
    index = {tuple(k): i for i, k in zip(out.index, out[KEY].itertuples(index=False), strict=True)}
    by_year = {
        (r.region, r.indicator, r.breakdown, r.ref_date): i
        for i, r in zip(out.index, out.itertuples(index=False), strict=True)
        if len(str(r.ref_date)) == 4
    }
    old_years = set(zip(old["indicator"], old["year"], strict=True))
    additions = []
    for row in fresh:
        key: Key = (row["region"], row["indicator"], row["breakdown"], row["ref_date"])
        i = index.get(key)
        if i is None and len(key[3]) > 4:
            i = by_year.get((*key[:3], key[3][:4]))
        if i is None:
            additions.append(row)
            report.new.append(key)
            if (row["indicator"], row["year"]) not in old_years:
                report.new_years.add((row["indicator"], row["year"]))
            continue
        current = out.loc[i]
        if _same(float(current["value"]), float(row["value"])):
            report.confirmed += 1
            continue
        report.revised.append((key, float(current["value"]), float(row["value"])))
        replacement = dict(row)
        replacement["alternatives"] = _alternative(current)
        for col in COLUMNS:
            out.at[i, col] = replacement.get(col, "")
    for key in missing:
        if key in index or (len(key[3]) > 4 and (*key[:3], key[3][:4]) in by_year):
            report.kept_missing.append(key)
    if additions:
        added = pd.DataFrame([{c: "" for c in OPTIONAL_COLUMNS} | row for row in additions], columns=COLUMNS)
        out = pd.concat([out, added], ignore_index=True)
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    return out[COLUMNS], report


def lost_keys(old: pd.DataFrame, new: pd.DataFrame) -> list[Key]:
    """Keys of the old snapshot that the new one lacks (must be empty; a bare-year key may have become
    a dated key of the same year)."""
    new_keys = {tuple(k) for k in new[KEY].itertuples(index=False)}
    new_years = {(*k[:3], k[3][:4]) for k in new_keys}
    lost = []
    for k in old[KEY].itertuples(index=False):
        k = tuple(k)
        if k in new_keys:
            continue
        if len(k[3]) == 4 and k in new_years:
            continue
        lost.append(k)
    return lost
