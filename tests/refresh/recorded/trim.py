"""How the fixtures in this folder were cut from the recorded cassettes (run once; output committed).

Usage (needs pyyaml): python tests/refresh/recorded/trim.py ../shared/genesis-recorded
Keeps the answers' bytes as they were (layout, labels, missing codes, JSON bodies); only rows outside
Germany / NRW / the Ruhr units (and, for the 3.2 MB background-job result, most countries) are dropped.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).parent
RUHR = {"05112", "05113", "05117", "05119", "05170", "05512", "05513", "05562",
        "05911", "05913", "05914", "05915", "05916", "05954", "05978"}  # fmt: skip
KEEP = RUHR | {"DG", "05"}


def interactions(cassette: Path) -> list[dict]:
    return yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]


def body(interaction: dict) -> str | bytes:
    return interaction["response"]["body"]["string"]


def unzip(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(z.namelist()[0]).decode("utf-8-sig")


def keep_rows(text: str, extra=lambda cells: True) -> str:
    lines = text.splitlines()
    kept = [lines[0]] + [
        line for line in lines[1:] if (c := line.split(";")) and c[7].strip() in KEEP and extra(c)
    ]
    return "\n".join(kept) + "\n"


def write(name: str, text: str) -> None:
    (HERE / name).write_text(text, encoding="utf-8")


def main(src: Path) -> None:
    for code in ("13111-01-03-4", "12411-01-01-4", "11111-02-01-4", "12531-0043"):
        for i in interactions(src / f"{code}.yaml"):
            uri, form = i["request"]["uri"], i["request"].get("body") or ""
            if uri.endswith("metadata/table") and "language=de" in form:
                write(f"{code}.metadata.json", body(i))
    first = interactions(src / "13111-01-03-4.yaml")[0]
    write("13111-01-03-4.2025.ffcsv", keep_rows(unzip(body(first))))
    old = interactions(src / "old-layout-85b09ac" / "13111-01-03-4.yaml")
    write("13111-01-03-4.2023-old-layout.csv", keep_rows(body(old[0])))
    write("13111-01-03-4.2023-old-layout.metadata.json", body(old[1]))
    first = interactions(src / "12411-01-01-4.yaml")[0]
    write("12411-01-01-4.ffcsv", keep_rows(unzip(body(first))))
    job = interactions(src / "12531-0043.yaml")
    write("12531-0043.status-98.json", body(job[0]))
    write("12531-0043.status-99.json", body(job[1]))
    write("12531-0043.results-104.json", body(job[2]))
    write("12531-0043.results-0.json", body(job[-3]))
    countries = {"ST475", "ST423", "ST438"}  # Syrien, Afghanistan, Irak
    write(
        "12531-0043.result.ffcsv",
        keep_rows(unzip(body(job[-2])), lambda c: c[7] == "05112" and c[19] in countries),
    )
    write("63121-0001.status-104.json", body(interactions(src / "63121-0001.yaml")[0]))
    write("61111-0021.status-minus-1.json", body(interactions(src / "61111-0021.yaml")[0]))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
