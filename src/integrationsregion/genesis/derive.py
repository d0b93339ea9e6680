"""Derived rows of one refreshed table: RVR sums of counts and shares of two counts (flagged `derived`).

Kept in one function so that it can be swapped for the project-wide derivation module in one call.
"""

from __future__ import annotations

from integrationsregion.genesis.parsers import TableSpec

RVR = "RVR"
Values = dict[tuple[str, str, str, str], tuple[int, float]]


def derived_rows(spec: TableSpec, values: Values, units: list[str], base: dict) -> list[dict]:
    """RVR sums (only when all 15 units have a value for the date) and shares (same table, region, date)."""
    values = dict(values)
    rows: list[dict] = []
    for s in (s for s in spec.series if s.rvr_sum):
        dates = {k[3] for k in values if k[1] == s.indicator and k[2] == s.breakdown}
        for ref_date in sorted(dates):
            parts = [values.get((u, s.indicator, s.breakdown, ref_date)) for u in units]
            if any(p is None for p in parts):
                continue
            year = int(ref_date[:4])
            total = float(sum(p[1] for p in parts if p))
            values[(RVR, s.indicator, s.breakdown, ref_date)] = (year, total)
            rows.append(
                base
                | {
                    "region": RVR,
                    "indicator": s.indicator,
                    "breakdown": s.breakdown,
                    "year": year,
                    "ref_date": ref_date,
                    "value": total,
                    "unit": s.unit,
                    "note": f"derived: sum of the 15 RVR member units ({spec.note.split(';')[0]}); "
                    "not an official RVR figure",
                }
            )
    for d in spec.derived:
        for (region, ind, brk, ref_date), (year, num) in list(values.items()):
            if (ind, brk) != d.numerator:
                continue
            den = values.get((region, d.denominator[0], d.denominator[1], ref_date))
            if den is None or den[1] <= 0:
                continue
            rows.append(
                base
                | {
                    "region": region,
                    "indicator": d.indicator,
                    "breakdown": d.breakdown,
                    "year": year,
                    "ref_date": ref_date,
                    "value": round(num / den[1] * d.factor, d.decimals),
                    "unit": d.unit,
                    "note": f"derived: {'/'.join(d.numerator)} / {'/'.join(d.denominator)} × 100 "
                    f"(same table {spec.code}, same date), rounded to {d.decimals} decimal",
                }
            )
    return rows
