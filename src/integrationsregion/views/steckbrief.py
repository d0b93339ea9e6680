"""Steckbrief: one place's profile – every indicator's latest value, rank, Ruhr/NRW/DE and trend."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from integrationsregion import catalogue, compare, regions
from integrationsregion import formatting as fmt
from integrationsregion.conference import Conference
from integrationsregion.regions import GERMANY, NRW, RUHR, Region
from integrationsregion.store import Store
from integrationsregion.views import common

TREND_HELP = "Jüngste Reihe aufeinanderfolgender Jahre; keine Linie über Lücken"
CONTEXT_THEME = "bevoelkerung"  # population first: the context of every other figure


@dataclass(frozen=True)
class Place:
    """The picked place and the region whose profile is shown, with a note on how they relate."""

    picked: Region
    shown: Region
    note: str = ""
    gemeinde_values: bool = False  # the profile is the Gemeinde's own (old) figures

    @property
    def same_area(self) -> bool:
        """The Gemeinde key of a kreisfreie Stadt: the city itself."""
        return self.picked.level == "gemeinde" and self.shown.kind == "kreisfreie_stadt"


def options(store: Store) -> list[str]:
    """The 15 units, then the 53 Gemeinden (AGS)."""
    return [r.ags for r in store.regions.units() + store.regions.municipalities()]


def label(store: Store, ags: str) -> str:
    r = store.regions[ags]
    if r.level == "kreis":
        return f"{r.name} ({r.kind_label})"
    return f"{r.name} – Gemeinde ({store.regions.name(r.parent_ags)})"


def resolve(store: Store, ags: str) -> Place:
    """Which profile a pick shows: a Kreis its own; a Gemeinde its own values where it has any.

    The Gemeinde key of a kreisfreie Stadt is the same area as the city: it shows the city's profile
    (one row per indicator, no duplicates).
    """
    picked = store.regions[ags]
    if picked.level != "gemeinde":
        return Place(picked, picked)
    parent = store.regions[picked.parent_ags]
    if parent.kind == "kreisfreie_stadt":
        return Place(
            picked,
            parent,
            f"{picked.name} ist eine kreisfreie Stadt: Gemeinde und Kreis sind dasselbe Gebiet. "
            f"Gezeigt wird der Steckbrief der kreisfreien Stadt {parent.name}.",
        )
    own = store.profile(picked.ags)
    if own.empty:
        return Place(
            picked,
            parent,
            f"Für die Gemeinde {picked.name} liegen keine Werte auf Gemeindeebene vor. "
            f"Gezeigt wird der Steckbrief von {parent.name}.",
        )
    years = fmt.years_list(own["year"].astype(int).tolist())
    return Place(
        picked,
        picked,
        f"Für {picked.name} gibt es Werte auf Gemeindeebene nur aus älteren Jahren ({years}) – es sind alte "
        f"Zahlen; das Jahr steht in jeder Zeile. Aktuelle Werte zeigt der Steckbrief von {parent.name}.",
        gemeinde_values=True,
    )


def profile(store: Store, ags: str) -> pd.DataFrame:
    """Every statistic's latest value with rank (the store's: ≥ 10 units, by polarity), references, provenance.

    Counts carry the Ruhr sum as reference but never NRW or Germany totals.
    """
    rows = compare.steckbrief(store, ags)
    if rows.empty:
        return rows
    inds = [store.catalogue[i] for i in rows["indicator"]]
    counts = pd.Series([ind.is_count for ind in inds], index=rows.index)
    return rows.assign(
        label=[catalogue.indicator_label(ind, b) for ind, b in zip(inds, rows["breakdown"], strict=True)],
        decimals=[ind.decimals for ind in inds],
        is_count=counts,
        **{
            f"ref_{NRW}": rows[f"ref_{NRW}"].where(~counts),
            f"ref_{GERMANY}": rows[f"ref_{GERMANY}"].where(~counts),
        },
    )


@dataclass(frozen=True)
class ThemeTable:
    """One theme's rows of the profile, values numeric (formatted only when shown)."""

    theme: str
    heading: str
    table: pd.DataFrame
    decimals: list[int]
    verdicts: list[str | None]
    rounded_zeros: list[list[str]]  # per row: ["Wert"] where its 0 is only cells rounded to 0


def theme_tables(store: Store, rows: pd.DataFrame) -> list[ThemeTable]:
    """Per theme (population first): the table shown, with each row's unit, decimals and verdict."""
    if rows.empty:
        return []
    themes = store.catalogue.themes
    order = [CONTEXT_THEME, *(t for t in themes if t != CONTEXT_THEME)]
    out = []
    for theme_id in order:
        part = rows[rows["theme"] == theme_id]
        if part.empty:
            continue
        table = pd.DataFrame(
            {
                "Indikator": part["label"],
                "Wert": part["value"].astype(float),
                "Jahr": part["year"].astype(int),
                "Rang": part["rank"],
                "von": part["ranked"],
                "Vergleich": [short_comparison(r) for r in part.to_dict("records")],
                "Verlauf": part["trend"],
                "Ruhr": part[f"ref_{RUHR}"].astype(float),
                "NRW": part[f"ref_{NRW}"].astype(float),
                "Deutschland": part[f"ref_{GERMANY}"].astype(float),
                "Stand": part["stand"].map(fmt.stand),
                "Qualität": [
                    common.quality_text(q, f, r)
                    for q, f, r in zip(part["quality"], part["formula"], part["rounding"], strict=True)
                ],
                "Quelle": part["source_label"],
                "Einheit": part["unit"].map(lambda u: catalogue.unit(u).label),
                "indicator": part["indicator"],
            }
        ).reset_index(drop=True)
        out.append(
            ThemeTable(
                theme_id,
                themes[theme_id],
                table,
                [int(d) for d in part["decimals"]],
                list(part["verdict"]),
                [["Wert"] if r == "zero_from_rounding" else [] for r in part["rounding"]],
            )
        )
    return out


def short_comparison(row: dict) -> str:
    """The comparison for a table cell: "ungünstiger als Ruhr (+2,3 Prozentpunkte)" (the cards and the
    downloads keep the sentence of `compare.reference_comparison`)."""
    basis = row.get("basis")
    if row["is_count"]:
        return "Zählwert"  # never compared (the page says so)
    if basis not in (RUHR, NRW):
        return row["comparison"]  # "kein Ruhr- und kein NRW-Wert" or ""
    where = regions.current()[basis].short_name
    diff = float(row["difference"])
    amount = fmt.difference(diff, row["unit"], int(row["decimals"]))
    verdict = row["verdict"]
    if verdict == "equal":
        return f"gleich {where}"
    if verdict == "neutral":
        return f"{amount} {'über' if diff > 0 else 'unter'} {where}"
    word = "günstiger" if verdict == "better" else "ungünstiger"
    return f"{word} als {where} ({'+' if diff > 0 else '−'}{amount})"


def card_rows(rows: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """The profile as phone cards: name, value, year, rank and reference chips as text, and the trend
    (`spark`: its values, `trend`: "Verlauf 2019–2024: 1,2 % bis 3,4 %", empty without one)."""
    cards = []
    for r in rows.to_dict("records"):
        chips = [
            f"{names[a]}: {fmt.value(r[f'ref_{a}'], r['unit'], r['decimals'])}"
            for a in (RUHR, NRW, GERMANY)
            if not fmt.is_missing(r[f"ref_{a}"])
        ]
        cards.append(
            {
                "theme": r["theme"],
                "title": r["label"],
                "value": fmt.value(r["value"], r["unit"], r["decimals"], r["rounding"]),
                "quality": common.quality_text(r["quality"], r["formula"], r["rounding"]),
                "year": str(int(r["year"])),
                "rank": "" if fmt.is_missing(r["rank"]) else f"Rang {int(r['rank'])} von {int(r['ranked'])}",
                "comparison": r["comparison"],
                "verdict": r["verdict"] if isinstance(r["verdict"], str) else "",
                "chips": " · ".join(chips),
                "spark": list(r["trend"]),
                "trend": trend_text(r),
                "source": r["source_label"]
                + ("" if "Stand" in str(r["source_label"]) else f" · Stand {fmt.stand(r['stand'])}"),
            }
        )
    return cards


def trend_text(row: dict) -> str:
    """The trend a card draws, in words: "Verlauf 2019–2024: 1,2 % bis 3,4 %" (empty under two years)."""
    years, values = list(row["trend_years"]), list(row["trend"])
    if len(years) < 2:
        return ""
    first, last = (fmt.value(v, row["unit"], int(row["decimals"])) for v in (values[0], values[-1]))
    return f"Verlauf {years[0]}–{years[-1]}: {first} bis {last}"


def statement_details(conf: Conference, rows: pd.DataFrame, name: str) -> list[tuple[str, str]]:
    """The conference statements on the profile's indicators: (statement id, the place's figures)."""
    shown_ids = list(dict.fromkeys(rows["indicator"])) if len(rows) else []
    out, seen = [], set()
    for indicator_id in shown_ids:
        for statement in conf.for_indicator(indicator_id):
            if statement.id in seen:
                continue
            seen.add(statement.id)
            related = rows[rows["indicator"].isin(statement.indicators)]
            figures = [
                f"{r['label']}: **{fmt.value(r['value'], r['unit'], r['decimals'], r['rounding'])}** ({int(r['year'])})"
                for r in related.to_dict("records")
            ]
            out.append((statement.id, f"Zahlen für {name}:  \n" + "  \n".join(figures)))
    return out


EXPORT_COLUMNS = [
    "name",
    "region",
    "indicator",
    "title",
    "breakdown",
    "year",
    "ref_date",
    "value",
    "unit",
    "rank",
    "ranked",
    *(f"ref_{r}" for r in (RUHR, NRW, GERMANY)),
    "comparison",
]


def export_frame(rows: pd.DataFrame, region: Region) -> pd.DataFrame:
    """The profile as rows for the downloads (values, references, provenance)."""
    out = rows.assign(region=region.ags, name=region.name)
    return out[EXPORT_COLUMNS + compare.PROVENANCE_COLUMNS].rename(columns={"comparison": "Vergleich"})


def years_text(rows: pd.DataFrame) -> str:
    """The years of the shown values: "2015–2016"."""
    return fmt.year_range(rows["year"].astype(int).tolist()) if len(rows) else ""


def file_title(rows: pd.DataFrame, region: Region) -> str:
    """Download name with the real year range: "Steckbrief Herne 2019–2024"."""
    return f"Steckbrief {region.name} {years_text(rows)}".strip()
