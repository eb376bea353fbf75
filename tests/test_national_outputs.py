"""The national publication workbook combine writes (.xlsx and .ods), as a national statistician reads and
prints it: the returns received, the page setup, the rate chart.

Each workbook is read as a spreadsheet program sees it (openpyxl for the .xlsx, the XML parts of the .ods),
never through mappa-stats. Figures come from tests/combine_sets.py: area i's return is Kent's × i, the
National Security Division's holds 150 + 20 + 5 in Category 4, populations are ONS mid-2014 aged 10+.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from combine_sets import population_table, populations, rate, returns_set, tidy_set
from conftest import SAMPLES
from mappa_stats.cli.main import main
from returns import NSD, make_return

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "chart": "urn:oasis:names:tc:opendocument:xmlns:chart:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
}
RETURNS_HEADER = [
    "Area",
    "Area number",
    "Status",
    "Errors",
    "Warnings",
    "Category 1 on 31 March",
    "Total MAPPA offenders on 31 March",
    "Population aged 10+ (to the nearest 100)",
    "RSOs per 100,000 aged 10+",
    "Rate check",
    "Findings",
]
# The count columns of the Returns worksheet: errors, warnings, Category 1, total, population, rate.
COUNT_COLUMNS = (3, 4, 5, 6, 7, 8)


def q(name: str) -> str:
    """'table:name' as ElementTree's {uri}name."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def national_2024(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 42 returns of 2023-24 and the NSD's, combined with the population into both workbooks."""
    root = tmp_path_factory.mktemp("national")
    folder = root / "2023-24"
    returns_set(folder)
    make_return(
        folder / "nsd.xlsx", "2023-24", NSD, area_id=43, area_name="National Security Division", form="nsd"
    )
    pop = population_table(root / "population_mid2023.csv")
    out = {}
    for fmt in ("xlsx", "ods"):
        out[fmt] = root / f"national.{fmt}"
        result = run("combine", folder, "--population", pop, "-o", out[fmt])
        assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def failing_2015(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """2014-15 tidy returns with Durham's missing and Kent's the sample with two digits swapped (C5 reads
    778 for 787), published with --publish-failing into both workbooks."""
    root = tmp_path_factory.mktemp("failing")
    folder = root / "2014-15"
    tidy_set(folder, skip=(5, 17))
    shutil.copy(SAMPLES / "errors" / "swapped_digits.xlsx", folder / "kent.xlsx")
    out = {}
    for fmt in ("xlsx", "ods"):
        out[fmt] = root / f"national.{fmt}"
        result = run(
            "combine",
            folder,
            "--population",
            SAMPLES / "ons_mid2014.csv",
            "-o",
            out[fmt],
            "--publish-failing",
        )
        assert result.exit_code == 1 and out[fmt].is_file(), result.output
    return out


def _ods_parts(path: Path) -> dict[str, ET.Element]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: ET.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".xml") and not name.startswith("META-INF")
        }


def _ods_rows(path: Path, sheet: str) -> list[list[tuple[Any, str]]]:
    """One worksheet of an .ods: each cell as (its value — a float for a number, else its text — and the
    number format it is shown with: '#,##0' for a grouped whole number, '' otherwise)."""
    parts = _ods_parts(path)
    content, styles = parts["content.xml"], parts["styles.xml"]
    cell_styles = {
        s.get(q("style:name")): s.get(q("style:data-style-name"))
        for root in (content, styles)
        for s in root.iter(q("style:style"))
    }
    grouped = {
        s.get(q("style:name"))
        for s in styles.iter(q("number:number-style"))
        if s.find(q("number:number")) is not None
        and s.find(q("number:number")).get(q("number:grouping")) == "true"  # type: ignore[union-attr]
        and s.find(q("number:number")).get(q("number:decimal-places")) == "0"  # type: ignore[union-attr]
    }
    table = next(t for t in content.iter(q("table:table")) if t.get(q("table:name")) == sheet)
    rows = []
    for row in table.iter(q("table:table-row")):
        cells = []
        for cell in row.findall(q("table:table-cell")):
            kind = cell.get(q("office:value-type"))
            text = "\n".join("".join(p.itertext()) for p in cell.findall(q("text:p")))
            value: Any = float(cell.get(q("office:value"), "nan")) if kind == "float" else text
            shown = "#,##0" if cell_styles.get(cell.get(q("table:style-name"))) in grouped else ""
            cells.append((value, shown))
        rows.append(cells)
    return rows


def _returns(path: Path) -> dict[str, list[tuple[Any, str]]]:
    """The Returns worksheet's table by area: (value, number format) per column, numbers as Python numbers."""
    if path.suffix == ".xlsx":
        sheet = load_workbook(path)["Returns"]
        rows = [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
    else:
        rows = [
            [(int(v) if isinstance(v, float) else v, f) for v, f in row] for row in _ods_rows(path, "Returns")
        ]
    top = next(i for i, row in enumerate(rows) if row and row[0][0] == "Area")
    assert [v for v, _ in rows[top]][: len(RETURNS_HEADER)] == RETURNS_HEADER
    return {str(row[0][0]): row for row in rows[top + 1 :] if row and row[0][0]}


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_returns_sheet_holds_numbers_as_numbers(national_2024: dict[str, Path], fmt: str) -> None:
    """Kent (area 17) holds Kent's figures × 17 as numbers shown #,##0: 1,560 × 17 = 26,520 in Category 1,
    2,357 × 17 = 40,069 in all, 1,565,295 aged 10+ shown to the nearest 100, and its rate; the NSD has no
    Category 1, population or rate ([z], not applicable) and 150 + 20 + 5 = 175 in all."""
    rows = _returns(national_2024[fmt])
    kent = rows["Kent"]
    assert [v for v, _ in kent[:10]] == [
        "Kent",
        17,
        "PASS",
        0,
        0,
        26_520,
        40_069,
        1_565_300,
        rate(1560 * 17, 1_565_295),
        "no stated rate",
    ]
    assert populations()["Kent"] == 1_565_295
    for column in COUNT_COLUMNS:
        assert isinstance(kent[column][0], int) and kent[column][1] == "#,##0", RETURNS_HEADER[column]
    nsd = rows["National Security Division"]
    assert [v for v, _ in nsd[:9]] == [
        "National Security Division",
        43,
        "PASS",
        0,
        0,
        "[z]",
        175,
        "[z]",
        "[z]",
    ]
    assert nsd[6][1] == "#,##0"
    assert len(rows) == 43
    assert all(row[10][0] == "none" for row in rows.values())


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_returns_sheet_says_what_each_return_holds(failing_2015: dict[str, Path], fmt: str) -> None:
    """The findings column: Kent's one error named with its cell and what it reads, Durham's missing
    return, and 'none' for a clean return; a missing return's figures are [x], not zero."""
    rows = _returns(failing_2015[fmt])
    kent = [v for v, _ in rows["Kent"]]
    assert kent[2:5] == ["FAIL", 1, 0]
    assert kent[10].startswith(
        "1 error, 0 warnings: totals.row at 'Statistics'!C5: reads 778; 787 would make both the Level 1 row "
        "and the Category 2 column add up"
    )
    durham = [v for v, _ in rows["Durham"]]
    assert durham[2:] == ["MISSING", *(["[x]"] * 7), "no return (area 5)"]
    assert [v for v, _ in rows["Surrey"]][10] == "none"


def test_findings_taken_from_an_input_never_become_a_formula(
    national_2024: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings quote the input (labels, file names): a findings text that starts like a formula is written
    as text in both formats, with Excel's leading apostrophe."""
    from mappa_stats.publication import national

    monkeypatch.setattr(national, "findings_text", lambda combined, line: '=HYPERLINK("x","y")')
    folder = national_2024["xlsx"].parent / "2023-24"
    pop = national_2024["xlsx"].parent / "population_mid2023.csv"
    for fmt in ("xlsx", "ods"):
        out = tmp_path / f"national.{fmt}"
        assert run("combine", folder, "--population", pop, "-o", out).exit_code == 0
        kent = _returns(out)["Kent"]
        assert kent[10][0] == '\'=HYPERLINK("x","y")'
    sheet = load_workbook(tmp_path / "national.xlsx")["Returns"]
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_national_workbook_keeps_the_gss_checklist(national_2024: dict[str, Path], fmt: str) -> None:
    """As the area publication (tests/test_gss_checklist.py): every item of the checklist but the contact's
    (the default names a team, not an address), with a chart (this set has a population), and the count
    cells of every table #,##0."""
    from mappa_stats.checklist import Verdict, check_publication
    from mappa_stats.io.book import read_book

    checked = check_publication(national_2024[fmt])
    failing = {o.item.id: o.problems for o in checked.outcomes if o.verdict is Verdict.FAIL}
    assert failing == {"cover.contact": ("the contact has no email address or telephone number",)}
    book = read_book(national_2024[fmt])
    assert [kind for kind, alt in book.drawings if alt.startswith("Horizontal bar chart")] == ["chart"]
    for sheet in (s for s in book.sheets if s.name.startswith("Table_")):
        numbers = [c for c in sheet.cells.values() if c.numeric]
        assert numbers and all(c.grouped for c in numbers), sheet.name


def _count(value: int | None) -> int:
    """A page count the file must give when it fits to pages."""
    assert value is not None
    return value


def _xlsx_pages(path: Path) -> dict[str, dict[str, Any]]:
    """Each worksheet's page setup as the .xlsx holds it."""
    book = load_workbook(path)
    out = {}
    for ws in book.worksheets:
        setup = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr is not None
        out[ws.title] = {
            "orientation": setup.orientation,
            "paper": "A4" if str(setup.paperSize) == "9" else str(setup.paperSize),
            "pages wide": _count(setup.fitToWidth) if ws.sheet_properties.pageSetUpPr.fitToPage else None,
            "pages tall": _count(setup.fitToHeight) if ws.sheet_properties.pageSetUpPr.fitToPage else None,
            "repeated rows": ws.print_title_rows,
            "repeated columns": ws.print_title_cols,
            "margins (in)": tuple(
                float(getattr(ws.page_margins, side)) for side in ("top", "bottom", "left", "right")
            ),
        }
    return out


def _length_in(length: str) -> float:
    value, unit = float(length[:-2]), length[-2:]
    return round({"in": value, "cm": value / 2.54, "mm": value / 25.4, "pt": value / 72}[unit], 3)


def _ods_pages(path: Path) -> dict[str, dict[str, Any]]:
    """Each worksheet's page setup as the .ods holds it: its table style's master page's page layout, and
    the rows it repeats (table:table-header-rows), numbered as a spreadsheet numbers them ('$5:$5')."""
    parts = _ods_parts(path)
    content, styles = parts["content.xml"], parts["styles.xml"]
    table_styles = {s.get(q("style:name")): s for s in content.iter(q("style:style"))}
    masters = {m.get(q("style:name")): m for m in styles.iter(q("style:master-page"))}
    layouts = {p.get(q("style:name")): p for p in styles.iter(q("style:page-layout"))}
    out: dict[str, dict[str, Any]] = {}
    for table in content.iter(q("table:table")):
        style = table_styles[table.get(q("table:style-name"))]
        master = masters[style.get(q("style:master-page-name"))]
        props = layouts[master.get(q("style:page-layout-name"))].find(q("style:page-layout-properties"))
        assert props is not None
        assert master.find(q("style:header")) is None
        size = (props.get(q("fo:page-width")), props.get(q("fo:page-height")))
        rows = list(table.iter(q("table:table-row")))
        header = table.find(q("table:table-header-rows"))
        repeated = None
        if header is not None:
            first = rows.index(header.findall(q("table:table-row"))[0]) + 1
            repeated = f"${first}:${first + len(header) - 1}"
        name = table.get(q("table:name"))
        assert name is not None
        out[name] = {
            "orientation": props.get(q("style:print-orientation")),
            "paper": "A4" if size == ("29.7cm", "21.0cm") else str(size),
            "pages wide": int(props.get(q("style:scale-to-X"), "0")) or None,
            "pages tall": int(props.get(q("style:scale-to-Y"), "0")),
            "repeated rows": repeated,
            "repeated columns": "$A:$A" if table.find(q("table:table-header-columns")) is not None else None,
            "margins (in)": tuple(
                _length_in(props.get(q(f"fo:margin-{side}"), "0in"))
                for side in ("top", "bottom", "left", "right")
            ),
        }
    return out


def test_the_ods_has_the_page_setup_of_the_xlsx(national_2024: dict[str, Path]) -> None:
    """Every worksheet of both editions: landscape A4, Excel's default margins, the table's header row
    repeated on every page; the chart's worksheet on one page so the chart is never cut; one page wide, but
    the area table (25 columns, 604 characters) four, the Returns table (287) and each breakdown (eight
    category and level columns and a total) two, each page repeating
    the first column, rather than shrunk below three quarters (183 characters a page at 0.75)."""
    xlsx, ods = _xlsx_pages(national_2024["xlsx"]), _ods_pages(national_2024["ods"])
    assert ods == xlsx
    assert len(xlsx) == 23
    # The breakdowns (Tables A3-A5): eight category and level columns and a total, two pages wide.
    wide = {"Area_table": 4, "Returns": 2, "Table_A3": 2, "Table_A4": 2, "Table_A5": 2}
    for sheet, setup in xlsx.items():
        expected_tall = 1 if sheet == "Chart_rate" else 0
        assert (setup["orientation"], setup["paper"], setup["pages wide"], setup["pages tall"]) == (
            "landscape",
            "A4",
            wide.get(sheet, 1),
            expected_tall,
        ), sheet
        assert setup["repeated columns"] == ("$A:$A" if sheet in wide else None), sheet
        assert setup["margins (in)"] == (1.0, 1.0, 0.75, 0.75)
    # Title, three lines, then the header row (row 5) of the Returns table.
    assert xlsx["Returns"]["repeated rows"] == "$5:$5"
    assert xlsx["Cover"]["repeated rows"] is None


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_printed_by_libreoffice_both_editions_take_the_same_pages(
    national_2024: dict[str, Path], tmp_path: Path
) -> None:
    """LibreOffice prints the .ods on as many A4 landscape pages as the .xlsx (without a page setup the .ods
    printed 69 pages, portrait and cut across, for the .xlsx's 24), draws the rate chart in both, and prints
    the wide area table several pages wide with its Area column on each."""
    import subprocess

    import pypdfium2

    pages = {}
    for fmt, path in national_2024.items():
        done = subprocess.run(
            [
                str(SOFFICE),
                f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path / fmt),
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        pdf = tmp_path / fmt / "national.pdf"
        assert done.returncode == 0 and pdf.is_file(), (done.stdout, done.stderr)
        document = pypdfium2.PdfDocument(pdf)
        pages[fmt] = len(document)
        width, height = document[0].get_size()
        assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
        # The chart's page (the last but one) names each area twice: in the table and on the chart's axis.
        texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
        chart = next(t for t in texts if t.startswith("Chart 1"))
        assert chart.count("Warwickshire") == 2 and chart.count("Avon and Somerset") == 2, fmt
        # The area table's 25 columns print four pages wide, each page naming the areas it shows (the Area
        # column repeated), rather than shrunk onto one unreadable page.
        last_column = [t for t in texts if "Serious case reviews" in t and "Avon and Somerset" in t]
        assert last_column, fmt
        document.close()
    sheets = len(load_workbook(national_2024["xlsx"]).sheetnames)
    assert pages["ods"] == pages["xlsx"] > sheets


def _expected_description() -> str:
    """The chart's alternative text, worked out here: area i's rate is 1,560 × i RSOs over its population
    aged 10+; England and Wales 1,560 × 903 over 50,351,333."""
    from combine_sets import AREAS

    pops = populations()
    rates = {name: rate(1560 * i, pops[name]) for i, name in AREAS.items()}
    high = max(rates, key=lambda name: rates[name])
    low = min(rates, key=lambda name: rates[name])
    return (
        "Horizontal bar chart of registered sexual offenders per 100,000 people aged 10 and over, 2023-24: "
        "one bar for each of the 42 areas with a rate, in the order of the table beside it. The highest is "
        f"{high} ({rates[high]:,}), the lowest {low} ({rates[low]:,}). The England and Wales rate is "
        f"{rate(1560 * 903, 50_351_333):,}. The table beside the chart holds every value it shows."
    )


def test_the_xlsx_chart_has_alternative_text(national_2024: dict[str, Path]) -> None:
    """The rate chart's drawing carries a description (Excel's Alt Text) beside its title: what it shows, the
    highest and lowest areas (Warwickshire 12,133; Avon and Somerset 107) and the England and Wales rate."""
    description = _expected_description()
    assert "The highest is Warwickshire (12,133), the lowest Avon and Somerset (107)." in description
    with zipfile.ZipFile(national_2024["xlsx"]) as archive:
        drawings = [n for n in archive.namelist() if n.startswith("xl/drawings/drawing")]
        assert len(drawings) == 1
        drawing = ET.fromstring(archive.read(drawings[0]))
    frames = list(drawing.iter("{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}cNvPr"))
    assert [(f.get("name"), f.get("descr")) for f in frames] == [("Chart 1", description)]
    # openpyxl keeps a read sheet's charts only in _charts, which its stubs leave out.
    chart = load_workbook(national_2024["xlsx"])["Chart_rate"]._charts[0]  # type: ignore[attr-defined]
    assert chart.title is not None


def test_the_ods_draws_the_same_chart_with_the_same_text(national_2024: dict[str, Path]) -> None:
    """The .ods carries the chart too: a bar chart object drawing the table's cells (areas in A5:A46, rates
    in B5:B46 under the header in row 4), its title and description as the .xlsx's, and its data."""
    parts = _ods_parts(national_2024["ods"])
    table = next(
        t for t in parts["content.xml"].iter(q("table:table")) if t.get(q("table:name")) == "Chart_rate"
    )
    frames = list(table.iter(q("draw:frame")))
    assert len(frames) == 1
    frame = frames[0]
    assert frame.findtext(q("svg:title")) == "RSOs per 100,000 aged 10+ by area, 2023-24"
    assert frame.findtext(q("svg:desc")) == _expected_description()
    drawn = frame.find(q("draw:object"))
    assert drawn is not None
    href = drawn.get(q("xlink:href"))
    assert href is not None
    chart = parts[f"{href.removeprefix('./')}/content.xml"].find(f".//{q('chart:chart')}")
    assert chart is not None
    assert chart.get(q("chart:class")) == "chart:bar"
    assert chart.findtext(f"{q('chart:title')}/{q('text:p')}") == "RSOs per 100,000 aged 10+ by area, 2023-24"
    plot = chart.find(q("chart:plot-area"))
    assert plot is not None
    assert plot.get(q("table:cell-range-address")) == "Chart_rate.A5:Chart_rate.B47"
    categories = plot.find(f".//{q('chart:categories')}")
    series = plot.find(q("chart:series"))
    assert categories is not None
    assert series is not None
    assert categories.get(q("table:cell-range-address")) == "Chart_rate.A6:Chart_rate.A47"
    assert series.get(q("chart:values-cell-range-address")) == "Chart_rate.B6:Chart_rate.B47"
    rows = _ods_rows(national_2024["ods"], "Chart_rate")
    shown = [(r[0][0], int(r[1][0])) for r in rows[5:47]]
    pops = populations()
    from combine_sets import AREAS

    assert shown == [(name, rate(1560 * i, pops[name])) for i, name in AREAS.items()]
    local = [
        ["".join(c.itertext()) for c in row.findall(q("table:table-cell"))]
        for row in chart.iter(q("table:table-row"))
    ]
    assert local[1:] == [[name, str(value)] for name, value in shown]


def test_combine_judges_a_category_4_share_of_england_and_wales(national_2024: dict[str, Path]) -> None:
    """combine --claims in 2023-24: the NSD's 175 in Category 4 of the national 2,357 × 903 + 175 = 2,128,546
    (0.0082%) reproduces as '0.01%', and Category 3's 4 × 903 = 3,612 (0.17%) as '0.17%'."""
    import json

    root = national_2024["xlsx"].parent
    claims = root / "claims.csv"
    claims.write_text(
        "kind,area,year,from_year,stated\n"
        "category_share:cat4,England and Wales,2023-24,,0.01%\n"
        "category_share:cat3,England and Wales,2023-24,,0.17%\n",
        encoding="utf-8",
    )
    result = run("combine", root / "2023-24", "--claims", claims, "-f", "json")
    judged = json.loads(result.stdout)["claims"]
    assert [c["status"] for c in judged] == ["reproduces", "reproduces"]
    assert judged[0]["basis"] == "Category 4 175 of 2,128,546 on 31 March"
    assert judged[1]["basis"] == "Category 3 3,612 of 2,128,546 on 31 March"


def _texts(path: Path) -> dict[str, list[str]]:
    """Every text cell of every worksheet of an .xlsx, by worksheet."""
    book = load_workbook(path)
    return {
        ws.title: [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        for ws in book.worksheets
    }


def test_the_population_is_named_by_its_estimates_not_its_folder(national_2024: dict[str, Path]) -> None:
    """The cover and the area table say which population the rates divide by (the ONS estimates' mid-year and
    the file's name); the statistician's folder, which the area table printed, is in no cell."""
    texts = _texts(national_2024["xlsx"])
    line = "Population: ONS mid-2023 population estimates, aged 10 and over (population_mid2023.csv)."
    assert line in texts["Cover"]
    assert any(t.endswith(line) for t in texts["Area_table"])
    folder = str(national_2024["xlsx"].parent)
    assert not any(folder in t for sheet in texts.values() for t in sheet)


def test_the_notes_spell_out_every_abbreviation_and_category_4(
    national_2024: dict[str, Path], failing_2015: dict[str, Path]
) -> None:
    """The tables' titles use RSO, SHPO, SFO …: the Notes spell out the year's abbreviations, as the area
    publication does, and from 2022-23 say what Category 4 and the NSD are; 2014-15 has no Category 4."""
    book = load_workbook(national_2024["xlsx"])["Notes"]
    notes = {row[0]: row[1] for row in book.iter_rows(values_only=True) if row[0] and len(row) > 1 and row[1]}
    assert notes["SHPO"] == "Abbreviation: Sexual Harm Prevention Order"
    assert notes["SFO"] == "Abbreviation: serious further offence"
    assert notes["RSO"] == "Abbreviation: registered sexual offender"
    assert notes["NSD"] == "Abbreviation: National Security Division"
    assert isinstance(notes["Note 4"], str)
    assert notes["Note 4"].startswith("Category 4: terrorist and terrorism-risk offenders, reported by the")
    old = load_workbook(failing_2015["xlsx"])["Notes"]
    items = [row[0] for row in old.iter_rows(values_only=True)]
    assert "SOPO" in items
    assert "Note 4" not in items
    assert "NSD" not in items


def test_the_chart_of_an_incomplete_set_does_not_call_its_sum_the_national_rate(
    failing_2015: dict[str, Path],
) -> None:
    """Durham missing: the chart's text calls the sum of the 41 areas counted what the tables call it, not
    the England and Wales rate; it is 1,560 × (903 − 17 − 5) + 1,560 (Kent's own sample) RSOs over the 41
    areas' population."""
    pops = populations()
    national = rate(1560 * (903 - 17 - 5) + 1560, 50_351_333 - pops["Durham"])
    with zipfile.ZipFile(failing_2015["xlsx"]) as archive:
        drawing = archive.read("xl/drawings/drawing1.xml").decode("utf-8")
    assert f"The England and Wales (PARTIAL: 41 of 42 returns counted) rate is {national:,}." in drawing


def test_the_area_tables_rows_add_up_to_england_and_wales(tmp_path: Path) -> None:
    """The 42 returns and the NSD's: in every count column of the area table the rows add up to the England
    and Wales row. The NSD's row shows its own yearly, custody and serious further offence figures (30 + 8,
    4 + 1, …), not [z] over figures it sent, and [z] only where Category 4 has nothing (Category 1 …)."""
    from mappa_stats.combine.run import combine
    from mappa_stats.render import national

    folder = tmp_path / "set"
    returns_set(folder)
    make_return(
        folder / "nsd.xlsx", "2023-24", NSD, area_id=43, area_name="National Security Division", form="nsd"
    )
    header, rows = national.area_table(combine([folder]))
    *areas, england_and_wales = rows
    nsd = next(r for r in areas if r[0] == "National Security Division")
    column = {name: i for i, name in enumerate(header)}
    yearly = next(name for name in header if name.startswith("MAPPA-eligible offenders in Levels 2 and 3"))
    assert nsd[column[yearly]] == NSD["CAT4L2YEAR"] + NSD["CAT4L3YEAR"] == 38
    assert nsd[column["Category 1 on 31 March"]] == "[z]"
    for i, name in enumerate(header[1:-2], start=1):
        numbers = [r[i] for r in areas if isinstance(r[i], int)]
        assert sum(numbers) == england_and_wales[i], name


def test_the_national_cover_says_when_and_who(national_2024: dict[str, Path], tmp_path: Path) -> None:
    """The GSS checklist asks a cover for its release date, next release and contact: the national workbook's
    give the defaults a national release has, or what --release-date, --next-release, --contact and --source
    say (text from the command line is never a formula)."""
    from mappa_stats.publication.sheets import today

    cover = [c.value for c in load_workbook(national_2024["xlsx"])["Cover"]["A"] if c.value]
    assert f"Released: {today()}." in cover
    assert "Next release: To be announced (the national tables are published once a year)." in cover
    assert "Contact: The Ministry of Justice's MAPPA statistics team." in cover
    given = tmp_path / "national.xlsx"
    folder = national_2024["xlsx"].parent / "2023-24"
    result = run(
        "combine", folder, "--population", national_2024["xlsx"].parent / "population_mid2023.csv",
        "-o", given, "--release-date", "30 July 2026", "--next-release", "July 2027",
        "--contact", "=mappa.statistics@justice.gov.uk", "--source", "MAPPA area returns, 2023-24",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = load_workbook(given)
    lines = [c.value for c in book["Cover"]["A"] if c.value]
    assert "Released: 30 July 2026." in lines
    assert "Next release: July 2027." in lines
    assert any(
        str(line).startswith("Contact: ") and "mappa.statistics@justice.gov.uk" in line for line in lines
    )
    assert not any(str(line).startswith("=") for line in lines)
    assert "Source: MAPPA area returns, 2023-24" in lines


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_national_cover_speaks_to_the_public(national_2024: dict[str, Path], fmt: str) -> None:
    """The cover and the tables' source lines name the returns, not the tool: 'mappa-stats' and its version
    are on the Checks worksheet (issue 25: "combined with mappa-stats 0.1.0" was on the cover). (The Returns
    worksheet, the statistician's record of each return, names the command that lists a return's findings.)"""
    from mappa_stats.io.book import read_book
    from mappa_stats.version import __version__

    book = read_book(national_2024[fmt])
    for sheet in book.sheets:
        text = " ".join(sheet.text(r, c) for r in range(1, sheet.last_row + 1) for c in range(1, 3))
        if sheet.name == "Checks":
            assert f"mappa-stats {__version__}" in text
        elif sheet.name == "Cover" or sheet.name.startswith("Table_"):
            assert "mappa-stats" not in text, sheet.name
    cover = book.sheets[0]
    assert any(
        cover.text(r, 1) == "Source: The MAPPA area returns for 2023-24, added up to England and Wales."
        for r in range(1, cover.last_row + 1)
    )
