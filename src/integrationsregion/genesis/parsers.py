"""Parse GENESIS flat-file CSV (ffcsv) and map it to observation rows of the snapshot schema.

The layout was taken from recorded web-service answers (CorrelAid/pystatis test cassettes, e.g.
`tests/cassettes/11111-02-01-4.yaml`, Regionalstatistik, April 2025, and `12411-01-01-4.yaml`, June 2025):

* The body of `data/tablefile?format=ffcsv` is a ZIP (`Content-Type: application/zip`) holding one member
  `<code>_<millis>_de_flat.csv`, UTF-8 with BOM, `;`-separated, LF line ends, no footer.
* Current ("v5") header, the same for `language=de` and `en`::

    statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;
    1_variable_attribute_code;1_variable_attribute_label;[2_variable_... ;]value;value_unit;
    value_variable_code;value_variable_label[;value_q]

  one value per row (long format); `time` is `YYYY-MM-DD` for `STAG` (Stichtag) and `YYYY` for `JAHR`.
  The regional level is one of the variables: `DINSG` (attribute `DG`), `DLAND` (`05`), `REGBEZ`, `KREISE`
  (`05112`), `GEMEIN`. A classifier with an empty attribute code is its total ("Insgesamt").
* Older ("v4") answers (2023 cassettes, e.g. `DE_13111-01-03-4.yaml`) used German headers
  (`Statistik_Code;...;Zeit;1_Merkmal_Code;...;1_Auspraegung_Code;...`), one column per value variable
  named `CODE__Label__Unit`, `Zeit` as `DD.MM.YYYY`, ISO-8859-1, indented labels and a footer of
  `__________` lines. Both layouts are read into the same `FlatRow` list.
* Values: decimal comma; `-` (nothing / unit not valid at that date), `.` (unknown or withheld), `x` (not
  meaningful), `...` (not yet available), `/` (not reliable) are *missing*, never zero.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

from integrationsregion.genesis.errors import GenesisFormatError

MISSING_CODES = frozenset({"-", ".", "x", "...", "/", "", "…"})
REGIONAL_VARIABLES = {
    "DINSG": "DG",
    "DG": "DG",
    "DLAND": None,
    "REGBEZ": None,
    "KREISE": None,
    "GEMEIN": None,
    "FKREISE": None,
    "FDLAND": None,
}
V5_REQUIRED = (
    "statistics_code",
    "time_code",
    "time",
    "value",
    "value_unit",
    "value_variable_code",
    "value_variable_label",
)
V4_REQUIRED = ("Statistik_Code", "Zeit_Code", "Zeit")
VALUE_RE = re.compile(r"^-?\d+(,\d+)?$")
TOTAL_CODES = frozenset({"", "INSGESAMT"})
"""Attribute codes of a classifier's total: empty, or explicit in newer answers (`NAT01` … `INSGESAMT`)."""
MAX_CSV_BYTES = 128 * 1024 * 1024
"""Largest unpacked table accepted (the largest recorded one, 12531-0043, is 33.5 MB)."""


@dataclass(frozen=True)
class FlatRow:
    """One value of a flat table."""

    statistic: str
    time_code: str
    time: str
    region_variable: str
    region: str
    region_label: str
    classifiers: tuple[tuple[str, str, str], ...]  # (variable code, attribute code, attribute label)
    value_variable: str
    value_label: str
    unit: str
    raw: str
    value: float | None
    line: int


@dataclass
class FlatTable:
    rows: list[FlatRow] = field(default_factory=list)
    layout: str = "v5"


# --------------------------------------------------------------------------------------------- decoding


def decode_payload(body: bytes, name: str = "") -> str:
    """The CSV text of an answer: unpacks a ZIP, rejects HTML pages and JSON, decodes UTF-8/Latin-1."""
    where = f"{name}: " if name else ""
    if not body:
        raise GenesisFormatError(f"{where}leere Antwort", f"{where}empty answer")
    if body[:4] == b"PK\x03\x04":
        body = _unzip(body, where)
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        raise GenesisFormatError(
            f"{where}HTML-/XML-Seite statt CSV erhalten (Wartung oder Fehlerseite)",
            f"{where}got an HTML/XML page instead of CSV (maintenance or error page)",
        )
    if head.startswith(b"{"):
        raise GenesisFormatError(f"{where}JSON statt CSV erhalten", f"{where}got JSON instead of CSV")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252")
    except UnicodeDecodeError:
        raise GenesisFormatError(
            f"{where}Zeichenkodierung weder UTF-8 noch Windows-1252",
            f"{where}encoding neither UTF-8 nor cp1252",
        ) from None


def _unzip(body: bytes, where: str) -> bytes:
    """The one CSV member of a ZIP answer; sizes are checked before and while reading (no ZIP bombs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise GenesisFormatError(
                    f"{where}ZIP enthält {len(members)} CSV-Dateien statt einer",
                    f"{where}ZIP holds {len(members)} CSV files instead of one",
                )
            if members[0].file_size > MAX_CSV_BYTES:
                raise _csv_too_large(where)
            out = bytearray()
            with archive.open(members[0]) as member:
                while chunk := member.read(1 << 20):
                    out += chunk
                    if len(out) > MAX_CSV_BYTES:
                        raise _csv_too_large(where)
            return bytes(out)
    except (
        zipfile.BadZipFile,
        EOFError,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise GenesisFormatError(
            f"{where}ZIP-Antwort beschädigt oder unvollständig ({type(exc).__name__})",
            f"{where}ZIP answer damaged or truncated ({type(exc).__name__})",
        ) from None


def _csv_too_large(where: str) -> GenesisFormatError:
    return GenesisFormatError(
        f"{where}entpackte Tabelle größer als {MAX_CSV_BYTES // 2**20} MB – abgebrochen",
        f"{where}unpacked table larger than {MAX_CSV_BYTES // 2**20} MB – aborted",
    )


def parse_value(raw: str, *, where: str = "") -> float | None:
    """A ffcsv value: None for the missing codes, float for `123` / `12,5`; anything else is an error."""
    text = raw.strip()
    if text in MISSING_CODES:
        return None
    if not VALUE_RE.match(text):
        raise GenesisFormatError(
            f"{where}unerwarteter Wert {text[:20]!r}", f"{where}unexpected value {text[:20]!r}"
        )
    return float(text.replace(",", "."))


def parse_time(time_code: str, time: str) -> tuple[int, str]:
    """(year, ISO date or year) of a time cell: `2023`, `2023-12-31`, `31.12.2023`, `2023/24`."""
    t = time.strip()
    if re.fullmatch(r"\d{4}", t):
        return int(t), t
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
        d = date(int(m[1]), int(m[2]), int(m[3]))
        return d.year, d.isoformat()
    if m := re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", t):
        d = date(int(m[3]), int(m[2]), int(m[1]))
        return d.year, d.isoformat()
    if m := re.fullmatch(r"(\d{4})/(\d{2}|\d{4})", t):
        return int(m[1]), m[1]
    if m := re.fullmatch(
        r"(\d{4})-(\d{2})P\d+[MYD]", t
    ):  # a period, e.g. 2023-10P6M (6 months from Oct 2023)
        return int(m[1]), t
    raise GenesisFormatError(
        f"unbekanntes Zeitformat {time_code}={t[:20]!r}", f"unknown time format {time_code}={t[:20]!r}"
    )


# --------------------------------------------------------------------------------------------- parsing


def parse_ffcsv(text: str, name: str = "") -> FlatTable:
    """Parse ffcsv text (v5 long or v4 wide layout) into FlatRows; strict about the layout.

    A header-only file is a valid empty table: the service answers so for a regional level without data."""
    where = f"{name}: " if name else ""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise GenesisFormatError(f"{where}CSV ohne Inhalt", f"{where}CSV without content")
    reader = csv.reader(lines, delimiter=";", quotechar='"')
    try:
        header = [h.strip() for h in next(reader)]
        if all(c in header for c in V5_REQUIRED):
            rows = _parse_v5(header, reader, where)
            layout = "v5"
        elif all(c in header for c in V4_REQUIRED):
            rows = _parse_v4(header, reader, where)
            layout = "v4"
        else:
            raise GenesisFormatError(
                f"{where}unbekannter Spaltenaufbau ({';'.join(header[:6])[:80]} …)",
                f"{where}unknown column layout ({';'.join(header[:6])[:80]} …)",
            )
    except csv.Error as exc:
        raise GenesisFormatError(
            f"{where}unbekannter Spaltenaufbau (CSV nicht lesbar: {exc})",
            f"{where}unknown column layout (CSV not readable: {exc})",
        ) from None
    return FlatTable(rows, layout)  # header only: the level has no data (the caller decides)


def _variables(header: list[str], code: str, attr: str, label: str) -> list[tuple[int, int, int]]:
    found = []
    k = 1
    while f"{k}_{code}" in header:
        found.append((header.index(f"{k}_{code}"), header.index(f"{k}_{attr}"), header.index(f"{k}_{label}")))
        k += 1
    return found


def _split_region(
    cells: list[str], variables: list[tuple[int, int, int]], where: str, line: int
) -> tuple[str, str, str, tuple[tuple[str, str, str], ...]]:
    region: tuple[str, str, str] | None = None
    classifiers = []
    for vi, ai, li in variables:
        var, code, label = cells[vi].strip(), cells[ai].strip(), cells[li].strip()
        if var in REGIONAL_VARIABLES and region is None:
            region = (var, REGIONAL_VARIABLES[var] or code, label)
        else:
            classifiers.append((var, code, label))
    if region is None:
        raise GenesisFormatError(
            f"{where}Zeile {line}: kein Regionalmerkmal", f"{where}line {line}: no regional variable"
        )
    return region[0], region[1], region[2], tuple(classifiers)


def _parse_v5(header: list[str], reader, where: str) -> list[FlatRow]:
    variables = _variables(header, "variable_code", "variable_attribute_code", "variable_attribute_label")
    if not variables:
        raise GenesisFormatError(f"{where}keine Merkmalsspalten", f"{where}no variable columns")
    ix = {c: header.index(c) for c in V5_REQUIRED}
    rows = []
    for n, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            raise GenesisFormatError(
                f"{where}Zeile {n} hat {len(cells)} statt {len(header)} Felder (abgeschnitten oder Aufbau geändert)",
                f"{where}line {n} has {len(cells)} instead of {len(header)} fields (truncated or changed layout)",
            )
        region_var, region, region_label, classifiers = _split_region(cells, variables, where, n)
        raw = cells[ix["value"]]
        rows.append(
            FlatRow(
                statistic=cells[ix["statistics_code"]].strip(),
                time_code=cells[ix["time_code"]].strip(),
                time=cells[ix["time"]].strip(),
                region_variable=region_var,
                region=region,
                region_label=region_label,
                classifiers=classifiers,
                value_variable=cells[ix["value_variable_code"]].strip(),
                value_label=cells[ix["value_variable_label"]].strip(),
                unit=cells[ix["value_unit"]].strip(),
                raw=raw.strip(),
                value=parse_value(raw, where=f"{where}Zeile/line {n}: "),
                line=n,
            )
        )
    return rows


def _parse_v4(header: list[str], reader, where: str) -> list[FlatRow]:
    variables = _variables(header, "Merkmal_Code", "Auspraegung_Code", "Auspraegung_Label")
    if not variables:
        raise GenesisFormatError(f"{where}keine Merkmalsspalten", f"{where}no variable columns")
    value_cols = [(i, h) for i, h in enumerate(header) if "__" in h]
    if not value_cols:
        raise GenesisFormatError(f"{where}keine Wertspalten", f"{where}no value columns")
    ix = {c: header.index(c) for c in V4_REQUIRED}
    rows = []
    for n, cells in enumerate(reader, start=2):
        if not cells or cells[0].startswith("_") or not cells[0].strip()[:1].isdigit():
            if cells and cells[0].startswith("_"):
                break  # footer
            continue
        if len(cells) != len(header):
            raise GenesisFormatError(
                f"{where}Zeile {n} hat {len(cells)} statt {len(header)} Felder",
                f"{where}line {n} has {len(cells)} instead of {len(header)} fields",
            )
        region_var, region, region_label, classifiers = _split_region(cells, variables, where, n)
        for col, name in value_cols:
            parts = name.strip().split("__")
            code, label, unit = [*parts, "", "", ""][:3]
            raw = cells[col]
            rows.append(
                FlatRow(
                    statistic=cells[ix["Statistik_Code"]].strip(),
                    time_code=cells[ix["Zeit_Code"]].strip(),
                    time=cells[ix["Zeit"]].strip(),
                    region_variable=region_var,
                    region=region,
                    region_label=region_label,
                    classifiers=classifiers,
                    value_variable=code,
                    value_label=label.replace("_", " "),
                    unit=unit,
                    raw=raw.strip(),
                    value=parse_value(raw, where=f"{where}Zeile/line {n}: "),
                    line=n,
                )
            )
    return rows


# --------------------------------------------------------------------------------------------- mapping


def same_variable(spec: str, found: str) -> bool:
    """`NAT` in tables.toml also names its newer variant with explicit totals (`NAT01`, "inkl. insgesamt")."""
    return found == spec or re.fullmatch(re.escape(spec) + r"\d{2}", found) is not None


@dataclass(frozen=True)
class Series:
    """How one (indicator, breakdown) is read from a table (an entry of data/refresh/tables.toml)."""

    indicator: str
    breakdown: str
    unit: str
    value_variable: str = ""
    value_label: str = ""  # regex on value_variable_label, when the code is not pinned
    select: tuple[tuple[str, str], ...] = ()  # (variable code, attribute code) that must match
    match_label: str = ""  # regex: exactly one non-total classifier whose attribute label matches

    def matches(self, row: FlatRow) -> bool:
        if self.value_variable and row.value_variable != self.value_variable:
            return False
        if self.value_label and not re.search(self.value_label, row.value_label, re.IGNORECASE):
            return False
        selected = dict(self.select)
        rest = []
        for var, code, label in row.classifiers:
            wanted = next((c for v, c in selected.items() if same_variable(v, var)), None)
            if wanted is not None:
                if code != wanted:
                    return False
            elif code not in TOTAL_CODES:
                rest.append((var, code, label))
        if sum(1 for v in selected for var, _, _ in row.classifiers if same_variable(v, var)) < len(selected):
            return False
        if self.match_label:
            return len(rest) == 1 and re.search(self.match_label, rest[0][2], re.IGNORECASE) is not None
        return not rest


@dataclass(frozen=True)
class TableSpec:
    """One table of data/refresh/tables.toml."""

    code: str
    database: str
    title: str
    publisher: str
    source_label: str
    licence: str
    attribution: str
    time: str  # "year": ref_date = YYYY | "date": ref_date = the Stichtag | "MM-DD": fixed day
    levels: tuple[tuple[str, str], ...]  # (regionalvariable, regionalkey) per request
    series: tuple[Series, ...]
    note: str = ""
    source: str = "regio"  # CLI source group
    confirmed: bool = False  # codes checked against a real answer (`recording` names it)
    recording: str = ""


def ref_date_for(spec: TableSpec, row: FlatRow) -> tuple[int, str]:
    year, iso = parse_time(row.time_code, row.time)
    if spec.time == "year":
        return year, str(year)
    if spec.time == "date":
        return year, iso
    return year, f"{year}-{spec.time}"


def map_rows(
    spec: TableSpec,
    table: FlatTable,
    wanted_regions: set[str],
    years: range | None = None,
) -> tuple[dict[tuple[str, str, str, str], tuple[int, float | None, FlatRow]], list[str], dict[Series, int]]:
    """Observations found in a table: key (region, indicator, breakdown, ref_date) -> (year, value, row).

    A value of None means the table holds the cell but marks it missing (`-`, `.`, …). Problems (the same
    key twice with different values, a value that does not fit its unit) are returned as messages; the
    third result counts the rows each series matched (a series with none is an error for the caller).
    """
    found: dict[tuple[str, str, str, str], tuple[int, float | None, FlatRow]] = {}
    problems: list[str] = []
    matched = dict.fromkeys(spec.series, 0)
    for row in table.rows:
        if row.region not in wanted_regions:
            continue
        for s in spec.series:
            if not s.matches(row):
                continue
            year, ref_date = ref_date_for(spec, row)
            if years is not None and year not in years:
                continue
            matched[s] += 1
            value = row.value
            if value is not None and s.unit == "percent" and not 0 <= value <= 100:
                problems.append(
                    f"{spec.code} {row.region} {s.indicator} {ref_date}: Anteil {value} außerhalb 0–100"
                )
                continue
            if value is not None and value < 0:
                problems.append(f"{spec.code} {row.region} {s.indicator} {ref_date}: negativer Wert {value}")
                continue
            key = (row.region, s.indicator, s.breakdown, ref_date)
            if key in found and found[key][1] != value:
                problems.append(
                    f"{spec.code} {'/'.join(key)}: zwei verschiedene Werte ({found[key][1]} und {value}) – "
                    "Auswahl in tables.toml nicht eindeutig"
                )
                continue
            found[key] = (year, value, row)
    return found, problems, matched


def seen_codes(table: FlatTable, limit: int = 8) -> str:
    """What a table holds (value variables and classifier values), for an error message on a series that matched nothing."""
    values = sorted({f"{r.value_variable} ({r.value_label})" for r in table.rows})
    classes = sorted({f"{v}={c or '∑'} ({lab})" for r in table.rows for v, c, lab in r.classifiers})
    return f"Werte: {_listing(values, limit)}; Merkmale: {_listing(classes, limit)}"


def _listing(items: list[str], limit: int) -> str:
    if not items:
        return "–"
    return ", ".join(items[:limit]) + (f" … (+{len(items) - limit})" if len(items) > limit else "")
