"""Build the generated inputs of the golden corpus (tests/golden/inputs/gen/), deterministically.

Uses only openpyxl, fpdf2, csv, the year definitions in schemas/templates/ (data, read as JSON) and the
program's own `template` command run as a subprocess: never mappa_stats' internals, whose module paths
are about to change. Every year 2014-15 … 2024-25 gets an area workbook (the `template` filled in) and a
tidy CSV, both holding Kent's 2014-15 published figures where the year has the cell and consistent small
numbers elsewhere; 2023-24 and 2024-25 get the Ministry's area return and the National Security
Division's return; a few files of each form have one mistyped cell. Run from the repository root:

    python tools/golden_inputs.py

then `python tools/golden.py --write` if an input changed (and say so in the commit).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF
from openpyxl import load_workbook

from mappa_stats.definitions.inherit import resolve

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "golden" / "inputs" / "gen"
SCHEMAS = ROOT / "schemas" / "templates"
YEARS = [f"20{y}-{y + 1}" for y in range(14, 25)]
RETURN_YEARS = ["2023-24", "2024-25"]
INPUT_FILLS = {"00FFF2CC", "00D9D9D9"}  # yellow input cells and grey not-applicable cells of a template

# Kent's 2014-15 published figures (the seed report) and consistent small numbers for the later tables,
# by (table, row, column); a total is worked out from its parts below.
AREA: dict[str, dict[tuple[str, str], Any]] = {
    "snapshot": {
        ("level1", "cat1"): 1548,
        ("level1", "cat2"): 787,
        ("level2", "cat1"): 12,
        ("level2", "cat2"): 6,
        ("level2", "cat3"): 4,
    },
    "yearly": {
        ("level2", "cat1"): 18,
        ("level2", "cat2"): 7,
        ("level2", "cat3"): 7,
        ("level3", "cat1"): 1,
        ("level3", "cat2"): 2,
    },
    "custody_licence": {("level2", "cat1"): 6, ("level2", "cat2"): 3, ("level2", "cat3"): 1},
    "breach_notification": {
        ("value", "value"): 37,
        ("level1", "cautioned"): 10,
        ("level1", "convicted"): 20,
        ("level2", "cautioned"): 1,
        ("level2", "convicted"): 4,
        ("level3", "convicted"): 2,
    },
    "restrictive_orders": {("sopo", "value"): 134, ("shpo", "value"): 134, ("no", "value"): 3},
    "rsos_per_100k": {("value", "value"): 100},
    "commentary": {("level1_share", "value"): 0.99},
    "notification_revoked": {("value", "value"): 4},
    "sro_breaches": {("value", "value"): 2},
    "sfo_charged": {
        ("level1", "cat1"): 3,
        ("level1", "cat2"): 2,
        ("level2", "cat1"): 1,
        ("level2", "cat2"): 1,
    },
    "sfo_convicted": {("level1", "cat1"): 2, ("level1", "cat2"): 1, ("level2", "cat1"): 1},
    "sfo_still_charged": {("level1", "cat1"): 1, ("level2", "cat2"): 1},
    "sfo_other": {("level1", "cat2"): 1},
    "serious_case_reviews": {("level2", "cat1"): 1},
    "breakdown_age": {
        ("row2", "cat1l2"): 5,
        ("row3", "cat1l2"): 7,
        ("row3", "cat2l2"): 6,
        ("row3", "cat3l2"): 4,
    },
    "breakdown_sex": {
        ("row1", "cat1l2"): 1,
        ("row2", "cat1l2"): 11,
        ("row2", "cat2l2"): 6,
        ("row2", "cat3l2"): 4,
    },
    "breakdown_ethnicity": {("row5", "cat1l2"): 12, ("row5", "cat2l2"): 6, ("row5", "cat3l2"): 4},
}
# The National Security Division's return (Category 4 only).
NSD: dict[str, dict[tuple[str, str], Any]] = {
    "snapshot": {("level1", "cat4"): 150, ("level2", "cat4"): 20, ("level3", "cat4"): 5},
    "yearly": {("level2", "cat4"): 30, ("level3", "cat4"): 8},
    "custody_licence": {("level2", "cat4"): 4, ("level3", "cat4"): 1},
    "sfo_charged": {("level1", "cat4"): 2, ("level2", "cat4"): 1},
    "sfo_convicted": {("level1", "cat4"): 1},
    "sfo_still_charged": {("level1", "cat4"): 1},
    "sfo_other": {("level2", "cat4"): 1},
    "breakdown_age": {("row2", "cat4l2"): 8, ("row3", "cat4l2"): 12, ("row3", "cat4l3"): 5},
    "breakdown_sex": {("row1", "cat4l2"): 2, ("row2", "cat4l2"): 18, ("row2", "cat4l3"): 5},
    "breakdown_ethnicity": {("row5", "cat4l2"): 20, ("row5", "cat4l3"): 5},
}


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def definition(year: str, form: str = "area") -> dict[str, Any]:
    """The year's whole definition: its file with the `extends` chain resolved, as the tool loads it."""
    folder = SCHEMAS / "nsd" if form == "nsd" else SCHEMAS
    spec: dict[str, Any] = resolve(folder / f"{year}.json", _read)
    return spec


def _items(spec: Any, labels: dict[str, Any]) -> list[dict[str, Any]]:
    return list(labels[spec] if isinstance(spec, str) else spec)


def kent_rate(year: str) -> int:
    """The rate Kent's figures give on the ONS estimates of the year's mid-year shipped with mappa-stats
    (schemas/population/ons_mye2_mappa_areas.csv, read as data): Category 1 on 31 March (1,548 + 12 =
    1,560) × 100,000 ÷ Kent's population aged 10+, half up; 100 (the seed's) for a year not shipped."""
    mid_year = str(definition(year)["population_mid_year"])
    table = ROOT / "schemas" / "population" / "ons_mye2_mappa_areas.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        kent = [r for r in csv.DictReader(handle) if r["mid_year"] == mid_year and r["area"] == "Kent"]
    if not kent:
        return 100
    rsos = sum(v for (_, column), v in AREA["snapshot"].items() if column == "cat1")
    exact = Decimal(rsos) * 100_000 / Decimal(kent[0]["aged_10_plus"])
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cells(year: str, form: str = "area") -> list[tuple[str, str, str, Any, str]]:
    """Every cell of the year's tables in order: (table, row, column, value or None, marker); the stated
    rate is the one the year's shipped population gives (kent_rate), so every year's rate reproduces."""
    d = definition(year, form)
    base = NSD if form == "nsd" else {**AREA, "rsos_per_100k": {("value", "value"): kent_rate(year)}}
    out = []
    for table in d["tables"]:
        rows, cols = _items(table["rows"], d["labels"]), _items(table["columns"], d["labels"])
        na = {(n["row"], n["column"]): n["printed"] for n in table.get("not_applicable") or []}
        given = base.get(table["id"], {})
        grid: dict[tuple[str, str], Any] = {}
        for r in rows:
            for c in cols:
                if (r["id"], c["id"]) not in na and not r.get("total_of") and not c.get("total_of"):
                    grid[(r["id"], c["id"])] = given.get((r["id"], c["id"]), 0)
        for r in rows:  # row totals, then total rows (over every column, totals included)
            for c in cols:
                if c.get("total_of") and not r.get("total_of") and (r["id"], c["id"]) not in na:
                    grid[(r["id"], c["id"])] = sum(grid.get((r["id"], p), 0) for p in c["total_of"])
        for r in rows:
            for c in cols:
                if r.get("total_of") and (r["id"], c["id"]) not in na:
                    grid[(r["id"], c["id"])] = sum(grid.get((p, c["id"]), 0) for p in r["total_of"])
        for r in rows:
            for c in cols:
                key = (r["id"], c["id"])
                if key in na:
                    out.append((table["id"], r["id"], c["id"], None, na[key] or "blank"))
                else:
                    out.append((table["id"], r["id"], c["id"], grid[key], ""))
    return out


def run_template(args: list[str], target: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "mappa_stats", "template", *args, "-o", str(target), "--force"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )


def area_workbook(year: str, target: Path, mistype: dict[tuple[str, str, str], Any] | None = None) -> None:
    """The year's empty template (from the program) with every input cell typed in, in table order."""
    run_template(["--year", year], target)
    book = load_workbook(target)
    sheet = book.worksheets[0]
    sheet["H1"] = "Kent"
    slots = []
    for row in sheet.iter_rows(min_row=3):
        found = [c for c in row[1:8] if c.fill is not None and c.fill.fgColor.rgb in INPUT_FILLS]
        if found:
            slots.append(found)
    # The area workbook holds the published report's tables only: the return's breakdowns (optional grids
    # named breakdown_*) are not in it.
    breakdowns = {
        t["id"]
        for t in definition(year)["tables"]
        if t.get("required") is False and t.get("kind") == "grid" and t["id"].startswith("breakdown")
    }
    wanted = [cell for cell in cells(year) if cell[0] not in breakdowns]
    by_row: list[list[tuple[str, str, str, Any, str]]] = []
    for cell in wanted:
        if by_row and by_row[-1][0][:2] == cell[:2]:
            by_row[-1].append(cell)
        else:
            by_row.append([cell])
    if len(slots) != len(by_row):
        raise SystemExit(f"{year}: {len(slots)} rows of input cells, {len(by_row)} rows in the definition")
    for found, row_cells in zip(slots, by_row, strict=True):
        for slot, (table, r, c, value, marker) in zip(found, row_cells, strict=True):
            if marker:
                continue  # the template already holds the printed marker
            value = (mistype or {}).get((table, r, c), value)
            slot.value = value
    book.save(target)


def tidy_csv(year: str, target: Path, mistype: dict[tuple[str, str, str], Any] | None = None) -> None:
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["area", "year", "table", "row", "column", "value", "marker"])
        for table, r, c, value, marker in cells(year):
            value = (mistype or {}).get((table, r, c), value)
            if table == "commentary" and value is not None:
                value = f"{round(value * 100)}%"
            writer.writerow(["Kent", year, table, r, c, "" if value is None else value, marker])


def return_workbook(
    year: str,
    target: Path,
    form: str = "area",
    mistype: dict[str, Any] | None = None,
    area: str = "Kent",
    factor: int = 1,
) -> None:
    """The Ministry's return from `template --form return`, its fields and breakdown blocks filled in, with
    the values Excel would have saved in the data sheet's formulas."""
    run_template(["--year", year, "--form", "return", "--area", "NSD" if form == "nsd" else area], target)
    d = definition(year, form)
    values: dict[str, Any] = {}
    breakdown: dict[tuple[str, str, str], Any] = {}
    for table, r, c, value, _marker in cells(year, form):
        spec = next(t for t in d["tables"] if t["id"] == table)
        code = (spec.get("fields") or {}).get(r, {}).get(c)
        value = None if value is None else value * factor
        if code:
            values[code] = value
        if table.startswith("breakdown_"):
            breakdown[(table, r, c)] = value
    values.update(mistype or {})
    book = load_workbook(target)
    entry = book["Data entry"]
    rows: dict[str, int] = {}
    blocks: list[tuple[str, int, dict[int, Any]]] = []
    for row in entry.iter_rows(min_row=5):
        assert row[0].row is not None
        code = row[0].value
        if isinstance(code, str) and re.fullmatch(r"[A-Z0-9_]+", code):
            rows[code] = row[0].row
            if code in values and values[code] is not None:
                entry.cell(row[0].row, 4, values[code])
        elif isinstance(code, str) and " by " in code:
            kind = "breakdown_" + code.rsplit(" by ", 1)[1].removesuffix("(optional)").strip().lower()
            header = {c.column: c.value for c in entry[row[0].row + 1] if c.value}
            blocks.append((kind, row[0].row + 2, header))
    for kind, first, header in blocks:
        spec = next(t for t in d["tables"] if t["id"] == kind)
        col_ids = {c["label"]: c["id"] for c in spec["columns"]}
        for n, row_spec in enumerate(_items(spec["rows"], d["labels"])):
            for column, label in header.items():
                value = breakdown.get((kind, row_spec["id"], col_ids.get(label, "")))
                if value is not None:
                    entry.cell(first + n, column, value)
    book.save(target)
    data_name = book.sheetnames[1]
    data = book[data_name]
    cached = {}
    for cell in data[2]:
        match = re.fullmatch(r"='Data entry'!([A-Z]+)(\d+)", str(cell.value or ""))
        if match:
            cached[cell.coordinate] = entry[match.group(1) + match.group(2)].value
    _save_values(target, f"xl/worksheets/sheet{book.sheetnames.index(data_name) + 1}.xml", cached)


def _save_values(path: Path, part: str, cached: dict[str, Any]) -> None:
    """Put the values Excel would have saved into the formula cells (openpyxl writes none)."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}

    def fill(match: re.Match[str]) -> str:
        ref, formula = match.group(1), match.group(2)
        value = cached.get(ref)
        if value is None:
            return match.group(0)
        return f'<c r="{ref}"><f>{formula}</f><v>{value}</v></c>'

    parts[part] = re.sub(
        r'<c r="([A-Z]+\d+)"><f>(.*?)</f><v\s*/>(?:</c>)?', fill, parts[part].decode()
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, content)


def _normalise_zip(path: Path) -> None:
    """Fixed entry times and no created/modified dates, so a rebuilt input is byte for byte the same."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    core = "docProps/core.xml"
    if core in parts:
        parts[core] = re.sub(
            rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
            rb"\g<1>2020-01-01T00:00:00Z\3",
            parts[core],
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, content)


REPORT_TABLES: list[tuple[str, Sequence[tuple[str, Sequence[object]]]]] = [
    (
        "MAPPA-eligible offenders on 31 March 2015",
        [
            ("Level 1", [1548, 787, None, 2335]),
            ("Level 2", [12, 6, 4, 22]),
            ("Level 3", [0, 0, 0, 0]),
            ("Total", [1560, 793, 4, 2357]),
        ],
    ),
    (
        "MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)",
        [("Level 2", [18, 7, 7, 32]), ("Level 3", [1, 2, 0, 3]), ("Total", [19, 9, 7, 35])],
    ),
]
HEADER = [
    "Category 1: Registered sex offenders",
    "Category 2: Violent offenders",
    "Category 3: Other dangerous offenders",
    "Total",
]


def report_pdf(target: Path, snapshot_l1_cat1: int = 1548) -> None:
    """Kent's 2014-15 statistics page as a published report's PDF (ruled tables), fixed creation date."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    pdf.set_auto_page_break(False)
    pdf.add_page()

    def line(text: str, size: int = 10, gap: float = 6) -> None:
        pdf.set_font("Helvetica", size=size)
        pdf.set_x(pdf.l_margin)
        pdf.cell(0, gap, text)
        pdf.ln(gap)

    line("Kent MAPPA Annual Report 2014-15", size=16, gap=10)
    line("MAPPA Statistics", size=14, gap=10)
    for n, (title, rows) in enumerate(REPORT_TABLES):
        line(title, size=11, gap=8)
        pdf.set_font("Helvetica", size=9)
        y = pdf.get_y()
        for i, label in enumerate(HEADER):
            pdf.set_xy(pdf.l_margin + 30 + i * 38, y)
            pdf.multi_cell(
                38, 5, label.replace(": ", ":\n", 1).replace(" offenders", "\noffenders"), border=1, align="C"
            )
        pdf.set_y(y + 16)
        for label, values in rows:
            y = pdf.get_y()
            pdf.set_xy(pdf.l_margin, y)
            pdf.cell(30, 7, label, border=1)
            for i, value in enumerate(values):
                if n == 0 and label == "Level 1" and i == 0:
                    value = snapshot_l1_cat1
                pdf.set_xy(pdf.l_margin + 30 + i * 38, y)
                pdf.cell(38, 7, "" if value is None else str(value), border=1, align="C")
            pdf.set_y(y + 7)
        pdf.ln(4)
    line("RSOs cautioned or convicted for breach of notification requirements          37")
    line("Restrictive orders for Category 1 offenders", size=11, gap=8)
    line("SOPOs, NOs & FTOs imposed by the courts")
    for label, value in (("SOPOs", 134), ("NOs", 3), ("FTOs", 0)):
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(30, 7, label, border=1)
        pdf.set_xy(pdf.l_margin + 30, y)
        pdf.cell(38, 7, str(value), border=1, align="C")
        pdf.set_y(y + 7)
    pdf.add_page()
    line("Level 2 and 3 offenders returned to custody", size=11, gap=8)
    for title, rows in (
        (
            "Breach of licence",
            [("Level 2", [6, 3, 1, 10]), ("Level 3", [0, 0, 0, 0]), ("Total", [6, 3, 1, 10])],
        ),
        (
            "Breach of SOPO",
            [("Level 2", [0, "-", "-", 0]), ("Level 3", [0, "-", "-", 0]), ("Total", [0, "-", "-", 0])],
        ),
    ):
        if title == "Breach of licence":
            pdf.set_font("Helvetica", size=9)
            y = pdf.get_y()
            for i, label in enumerate(HEADER):
                pdf.set_xy(pdf.l_margin + 30 + i * 38, y)
                pdf.multi_cell(
                    38, 5, label.replace(": ", ":\n", 1).replace(" offenders", "\noffenders"), border=1
                )
            pdf.set_y(y + 16)
        line(title, size=9, gap=7)
        pdf.set_font("Helvetica", size=9)
        for label, values in rows:
            y = pdf.get_y()
            pdf.set_xy(pdf.l_margin, y)
            pdf.cell(30, 7, label, border=1)
            for i, value in enumerate(values):
                pdf.set_xy(pdf.l_margin + 30 + i * 38, y)
                pdf.cell(38, 7, str(value), border=1, align="C")
            pdf.set_y(y + 7)
    pdf.ln(4)
    line("Total number of Registered Sexual Offenders per 100,000 population      100")
    pdf.set_font("Helvetica", size=7)
    pdf.multi_cell(
        0,
        4,
        "This figure has been calculated using the mid-2014 estimated resident population, published "
        "by the Office for National Statistics on 25 June 2015, excluding those aged less than ten years "
        "of age.",
    )
    pdf.output(str(target))


def combine_set(folder: Path, year: str = "2023-24") -> None:
    """The 42 areas' returns of the year, each Kent's figures × its id (a consistent return stays so), and
    the National Security Division's."""
    folder.mkdir(parents=True, exist_ok=True)
    areas = json.loads((ROOT / "schemas" / "moj_areas.json").read_text(encoding="utf-8"))["ids"]
    for key, name in areas.items():
        if int(key) != 43:
            return_workbook(year, folder / f"area_{int(key):02d}.xlsx", area=name, factor=int(key))
    return_workbook(year, folder / "nsd.xlsx", form="nsd")


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for year in YEARS:
        short = year[:4]
        area_workbook(year, OUT / f"kent_{short}.xlsx")
        tidy_csv(year, OUT / f"kent_{short}.csv")
    # One mistyped cell per form: a digit swapped in the 31 March grid, a total typed wrong.
    area_workbook("2014-15", OUT / "kent_2014_swapped.xlsx", {("snapshot", "level1", "cat1"): 1584})
    area_workbook("2024-25", OUT / "kent_2024_total.xlsx", {("yearly", "total", "total"): 53})
    tidy_csv("2019-20", OUT / "kent_2019_swapped.csv", {("snapshot", "level2", "cat1"): 21})
    for year in RETURN_YEARS:
        short = year[:4]
        return_workbook(year, OUT / f"return_kent_{short}.xlsx")
        return_workbook(year, OUT / f"return_nsd_{short}.xlsx", form="nsd")
    return_workbook("2024-25", OUT / "return_kent_2024_swapped.xlsx", mistype={"CAT1L2": 21})
    return_workbook("2023-24", OUT / "return_nsd_2023_total.xlsx", form="nsd", mistype={"CAT4L2": 2})
    report_pdf(OUT / "kent_2014_report.pdf")
    report_pdf(OUT / "kent_2014_report_swapped.pdf", snapshot_l1_cat1=1584)
    text = (ROOT / "samples" / "kent_2015_report.txt").read_text(encoding="utf-8")
    (OUT / "kent_2014_report_swapped.txt").write_text(text.replace("1548", "1584", 1), encoding="utf-8")
    combine_set(OUT / "returns_2023")
    for path in sorted(OUT.rglob("*.xlsx")):
        _normalise_zip(path)


if __name__ == "__main__":
    main()
