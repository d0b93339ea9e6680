"""Estimate ("Schätzung") of what a Ruhr unit pays for Geduldete that the Land NRW does not reimburse.

Pure functions, no Streamlit. Amounts come from the store's parameter rows (region 05: `fluag_*`,
`cost_per_person_year_actual*`), which rule was in force when from the rule book (`fluag_rules.py`);
everything else is an input the user sees and can change. Model (../shared/reference/geduldete_kosten.md §5):

2017–2020 (three-month window):
    unreimbursed = N × s_benefit × s_long × months × c_month
    (s_long = share of Geduldete whose vollziehbare Ausreisepflicht began more than three months ago;
    for the others the Land pays the flat rate, which the estimate treats as covering their costs)
2021–2024 (one-off payment and compensation):
    Bestandsgeduldete: N × s_benefit × s_long × months × c_month − share_of_compensation × compensation
    other Geduldete:   N × s_benefit × (1 − s_long) × months × c_month − one_off_persons × one_off
    (s_long = share of Bestandsgeduldete, Duldung granted by 31.12.2020)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from integrationsregion.fluag_rules import RuleBook
from integrationsregion.formatting import number as format_number
from integrationsregion.regions import NRW
from integrationsregion.store import Store

COUNT_INDICATORS = ("rejected_protection_status_with_duldung", "tolerated_persons")
STATEMENT_INDICATORS = ("unreimbursed_cost_statement", "unreimbursed_cost_statement_all_refugees")
MONTHS = 12


class UnsupportedYear(ValueError):
    """No documented FlüAG rule for this year."""


@dataclass(frozen=True)
class Amount:
    """One parameter value with its provenance (a snapshot row)."""

    indicator: str
    region: str
    value: float
    unit: str
    year: int
    ref_date: str
    quality: str
    source_label: str
    url: str
    note: str = ""

    @property
    def secondary(self) -> bool:
        return self.quality == "secondary"


@dataclass(frozen=True)
class Rules:
    """The FlüAG rule in force in `year` for a kreisfreie Stadt or a Kreis (kreisangehörige Gemeinden)."""

    year: int
    regime: str  # "window" (2017–2020) | "one_off" (2021–2024)
    label: str
    summary: str
    kreisfrei: bool
    flat_rate: Amount
    window_months: int | None = None
    one_off: Amount | None = None
    compensation: Amount | None = None
    sources: tuple[tuple[str, str], ...] = ()  # official legal texts and authorities ("Rechtsgrundlage")
    secondary_sources: tuple[tuple[str, str], ...] = ()  # party and press pages, shown apart


@dataclass(frozen=True)
class Inputs:
    """What the estimate needs besides the rules; every field is shown and editable in the app."""

    persons: float  # Geduldete in the unit (fact from the snapshot, or entered)
    cost_month: float  # EUR per person and month (assumption anchored in the Lenk survey)
    share_benefit: float = 1.0  # share of Geduldete receiving benefits (assumption)
    share_long: float = 1.0  # beyond the three-month window (≤2020) / Bestandsgeduldete (≥2021)
    one_off_persons: float = 0.0  # ≥2021: persons newly vollziehbar ausreisepflichtig in the year
    compensation_share: float = 0.0  # ≥2021: the unit's share of the statewide compensation (0–1)
    months: int = MONTHS

    def problems(self) -> list[str]:
        found = []
        for name, value in (
            ("persons", self.persons),
            ("cost_month", self.cost_month),
            ("one_off_persons", self.one_off_persons),
        ):
            if not math.isfinite(value) or value < 0:
                found.append(f"{name} must be a non-negative number")
        for name, value in (
            ("share_benefit", self.share_benefit),
            ("share_long", self.share_long),
            ("compensation_share", self.compensation_share),
        ):
            if not 0 <= value <= 1:
                found.append(f"{name} must be between 0 and 1")
        if not 1 <= self.months <= 12:
            found.append("months must be between 1 and 12")
        return found


@dataclass(frozen=True)
class Line:
    """One term of the estimate: German label, the formula with the actual numbers, and its value."""

    label: str
    formula: str
    value: float


@dataclass(frozen=True)
class Estimate:
    year: int
    regime: str
    lines: tuple[Line, ...]
    total: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    upper_bound: bool = False  # nothing deducted: every Geduldete paid for, no state payment subtracted

    @property
    def bound_text(self) -> str:
        """What kind of figure the total is, said beside it."""
        return (
            "Obergrenze: nichts abgezogen (alle Geduldeten im Leistungsbezug, keine Landeszahlung angerechnet)"
            if self.upper_bound
            else "Schätzung mit den eingegebenen Abzügen"
        )


# --------------------------------------------------------------------------------------------- rules


def amount(store: Store, indicator: str, year: int, region: str = NRW) -> Amount | None:
    """The parameter in force in `year`: the latest value of `indicator` with a year ≤ `year`."""
    row = store.latest(region, indicator, until=year)
    return None if row is None else _amount(row)


def _amount(row: pd.Series) -> Amount:
    url = row.get("source_url") or row.get("portal_url") or ""
    return Amount(
        indicator=str(row["indicator"]),
        region=str(row["region"]),
        value=float(row["value"]),
        unit=str(row["unit"]),
        year=int(row["year"]),
        ref_date=str(row["ref_date"]),
        quality=str(row["quality"]),
        source_label=str(row["source_label"]),
        url="" if pd.isna(url) else str(url),
        note="" if pd.isna(row.get("note")) else str(row.get("note")),
    )


def rules_for(year: int, kreisfrei: bool, store: Store, book: RuleBook) -> Rules:
    """The rule in force in `year`; raises UnsupportedYear outside the documented years."""
    regime = book.regime(year)
    if regime is None:
        years = book.years
        raise UnsupportedYear(
            f"Für {year} ist keine FlüAG-Regel hinterlegt (dokumentiert: {years[0]}–{years[-1]})."
        )
    sources = tuple((s["title"], s["url"]) for s in regime["sources"])
    secondary = tuple((s["title"], s["url"]) for s in regime.get("secondary_sources", []))

    def need(indicator: str, at: int) -> Amount:
        found = amount(store, indicator, at)
        if found is None:
            raise UnsupportedYear(f"Im Datenstand fehlt der Parameter {indicator} für {at}.")
        return found

    if regime["id"] == "window":
        return Rules(
            year=year,
            regime="window",
            label=regime["label"],
            summary=regime["summary"],
            kreisfrei=kreisfrei,
            flat_rate=need(regime["flat_rate"], year),
            window_months=int(regime["window_months"]),
            sources=sources,
            secondary_sources=secondary,
        )
    flat = regime["flat_rate_kreisfrei"] if kreisfrei else regime["flat_rate_kreisangehoerig"]
    compensation = amount(store, regime["compensation"], year)
    if compensation is not None and compensation.year != year:
        compensation = None  # the statewide amount is set per year; no carrying forward
    return Rules(
        year=year,
        regime="one_off",
        label=regime["label"],
        summary=regime["summary"],
        kreisfrei=kreisfrei,
        flat_rate=need(flat, year),
        one_off=need(regime["one_off"], year),
        compensation=compensation,
        sources=sources,
        secondary_sources=secondary,
    )


# --------------------------------------------------------------------------------------------- estimate


def eur(value: float) -> str:
    """Whole euros in German notation; a deduction reads "− 1.234 €", never "-0 €"."""
    rounded = round(value)
    if rounded == 0:
        return "0 €"
    sign = "− " if rounded < 0 else ""
    return f"{sign}{format_number(abs(value), 0)} €"


def eur_exact(value: float) -> str:
    """Euros with cents where the amount has them (inputs in a formula must multiply out as shown)."""
    return f"{format_number(value, 0 if float(value).is_integer() else 2)} €"


def _share(value: float) -> str:
    return format_number(value, 2)


def estimate(rules: Rules, inputs: Inputs) -> Estimate:
    """The unreimbursed cost per year, term by term, each with its formula written out."""
    problems = inputs.problems()
    if problems:
        raise ValueError("; ".join(problems))
    n, c, m = inputs.persons, inputs.cost_month, inputs.months
    sb, sl = inputs.share_benefit, inputs.share_long
    persons = f"{format_number(n, 0)} Personen"
    if rules.regime == "window":
        value = n * sb * sl * m * c
        lines = (
            Line(
                f"Geduldete länger als {rules.window_months} Monate ausreisepflichtig (ohne Landeserstattung)",
                f"{persons} × {_share(sb)} (Leistungsbezug) × {_share(sl)} (außerhalb des Fensters) "
                f"× {m} Monate × {eur_exact(c)} = {eur(value)}",
                value,
            ),
        )
        notes = (
            f"Für Geduldete innerhalb der ersten {rules.window_months} Monate zahlt das Land "
            f"{eur(rules.flat_rate.value)} je Monat; die Schätzung nimmt an, dass diese Pauschale ihre Kosten "
            "deckt (liegen die Kosten höher, ist die Schätzung zu niedrig).",
        )
        return Estimate(rules.year, rules.regime, lines, value, notes, upper_bound=sb == 1 and sl == 1)

    long_cost = n * sb * sl * m * c
    comp_total = rules.compensation.value if rules.compensation else 0.0
    comp = inputs.compensation_share * comp_total
    new_cost = n * sb * (1 - sl) * m * c
    one_off_value = rules.one_off.value if rules.one_off else 0.0
    one_off = inputs.one_off_persons * one_off_value
    lines = (
        Line(
            "Bestandsgeduldete (Duldung bis 31.12.2020): Kosten",
            f"{persons} × {_share(sb)} (Leistungsbezug) × {_share(sl)} (Bestand) × {m} Monate × {eur_exact(c)} "
            f"= {eur(long_cost)}",
            long_cost,
        ),
        Line(
            "abzüglich Anteil am Landesausgleich für Bestandsgeduldete",
            f"{format_number(inputs.compensation_share * 100, 2)} % × {eur(comp_total)} = {eur(comp)}",
            -comp,
        ),
        Line(
            "Übrige Geduldete (ab 2021 vollziehbar ausreisepflichtig): Kosten",
            f"{persons} × {_share(sb)} (Leistungsbezug) × {_share(1 - sl)} (nicht Bestand) × {m} Monate "
            f"× {eur_exact(c)} = {eur(new_cost)}",
            new_cost,
        ),
        Line(
            "abzüglich Einmalzahlungen für im Jahr neu vollziehbar Ausreisepflichtige",
            f"{format_number(inputs.one_off_persons, 0)} Personen × {eur(one_off_value)} = {eur(one_off)}",
            -one_off,
        ),
    )
    total = long_cost - comp + new_cost - one_off
    notes = []
    if rules.compensation is None:
        notes.append(f"Für {rules.year} ist kein landesweiter Ausgleichsbetrag im Datenstand.")
    if total < 0:
        notes.append("Die Landeszahlungen übersteigen nach diesen Annahmen die geschätzten Kosten.")
    nothing_deducted = sb == 1 and sl == 1 and comp == 0 and one_off == 0
    return Estimate(rules.year, rules.regime, lines, total, tuple(notes), upper_bound=nothing_deducted)


# --------------------------------------------------------------------------------------------- inputs from data


def person_counts(store: Store, region: str, year: int) -> list[Amount]:
    """Counts of Geduldete for a unit and year in the snapshot (official first, then secondary)."""
    rows = (store.value(region, indicator, year) for indicator in COUNT_INDICATORS)
    return [_amount(row) for row in rows if row is not None]


def cost_anchors(store: Store, region: str, kreisfrei: bool, book: RuleBook) -> list[Amount]:
    """Yearly cost per person from the Lenk survey: the unit's own, kreisfreie Städte (if kreisfrei), NRW."""
    spec = book.cost_anchor
    candidates = [(spec["unit"], region)]
    if kreisfrei:
        candidates.append((spec["kreisfrei"], NRW))
    candidates.append((spec["nrw"], NRW))
    rows = (store.latest(where, indicator) for indicator, where in candidates)
    return list(dict.fromkeys(_amount(row) for row in rows if row is not None))


def cost_statements(store: Store, region: str) -> pd.DataFrame:
    """Published cost statements (secondary) of the unit and of NRW-wide bodies, newest first."""
    rows = pd.concat([store.indicator_rows(i) for i in STATEMENT_INDICATORS], ignore_index=True)
    rows = rows[rows["region"].isin([region, NRW])].copy()
    rows["quote"] = rows["note_source"].map(quoted_phrase)
    rows["bound"] = rows["note_source"].map(bound_label)
    rows["own"] = rows["region"] == region
    return rows.sort_values(["own", "year"], ascending=[False, False]).reset_index(drop=True)


def quoted_phrase(note: object) -> str:
    """The German wording quoted in a note ("…"), or ""."""
    if not isinstance(note, str):
        return ""
    m = re.search(r"\"([^\"]+)\"", note)
    return m[1] if m else ""


def bound_label(note: object) -> str:
    """German reading of the bound stated in a note (upper/lower bound, range)."""
    if not isinstance(note, str):
        return ""
    text = note.lower()
    if "upper bound" in text or "upper reference" in text:
        return "Obergrenze"
    if "lower bound" in text:
        return "Untergrenze"
    if "range" in text:
        return "Spanne (Wert = Untergrenze)"
    return ""
