"""Many area returns → national tables, each return checked first.

The national statistician's run: which of the 42 areas (and, from 2022-23, the National Security Division)
are present, missing or present twice; each file validated as `validate` would; then the national tables of
the year (sums of the areas that were counted), the area table with each area's population aged 10+ and RSO
rate, and the population check the Ministry calls crucial (the areas add up to the file's England and Wales
row). Nothing is summed that was not read as a number: a national cell with any unknown part is unknown.
Rendering lives in `national.py`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mappa_stats.definitions.templates import TableDef, Template, load_template, schemas_dir
from mappa_stats.errors import InputError, MappaError
from mappa_stats.model import AreaTables

if TYPE_CHECKING:
    from mappa_stats.io.population import NationalRow, PopulationFile
    from mappa_stats.io.population_rate import Rate
    from mappa_stats.validate import FileReport

NATIONAL = "England and Wales"
NSD_ID = 43
NSD_FROM = "2022-23"  # the first year with Category 4, reported by the National Security Division
# Inputs read from a folder; a file named on the command line is read whatever its name.
FOLDER_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".csv")
# 43 returns is the national set; far more is a wrong folder, refused before anything is read.
MAX_FILES = 1000

# File statuses.
COUNTED = "counted"  # in the national tables
IDENTICAL = "identical"  # the same bytes as a file already counted: counted once
DUPLICATE = "duplicate"  # a second, different file for an area: neither is counted
OTHER_YEAR = "other year"
UNKNOWN_AREA = "unknown area"
UNREADABLE = "unreadable"


@cache
def layout() -> dict[str, Any]:
    """The Ministry's table numbers and the Category 4 column (schemas/national.json): data, not code."""
    loaded: dict[str, Any] = json.loads((schemas_dir() / "national.json").read_text(encoding="utf-8"))
    return loaded


def field_of_role(template: Template, role: str) -> str | None:
    """The field code of the cell that plays a role in the year (the RSO count, the grand total)."""
    ref = template.role(role)
    return template.field_of(ref) if ref is not None else None


@dataclass(frozen=True)
class FileEntry:
    """One input file: what it is, and whether it counts towards the national tables."""

    path: str
    status: str
    note: str = ""
    area: str | None = None  # the Ministry's area name
    area_id: int | None = None
    year: str | None = None
    sha256: str | None = None
    report: FileReport | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class AreaLine:
    """One area of the national set: its file, verdict, figures, population and rate."""

    area_id: int
    area: str  # the Ministry's name
    status: str  # "pass", "fail", "error", "missing", "duplicate"
    path: str = ""
    errors: int = 0
    warnings: int = 0
    values: dict[str, float | None] = field(default_factory=dict, compare=False)
    population: int | None = None  # aged 10+
    rate: Rate | None = field(default=None, compare=False)
    rate_note: str = ""  # why there is no rate, or how it compares with the stated one
    rsos: float | None = None  # Category 1 on 31 March (the year's 'rsos' role)
    total: float | None = None  # every MAPPA offender on 31 March (the grand total, or its own grid's)
    # The row labels the return's form gives (its breakdown rows): (table id, row id, label).
    row_labels: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)

    @property
    def counted(self) -> bool:
        """True when the area's figures are in the national tables."""
        return self.status in ("pass", "fail")

    @property
    def population_rounded(self) -> int | None:
        """The population aged 10+ rounded to the nearest 100, as the area table publishes it."""
        return None if self.population is None else (self.population + 50) // 100 * 100


@dataclass(frozen=True)
class NationalCell:
    """One cell of a national table: a number, or why there is none ('[z]' not applicable, '[x]' unknown)."""

    value: int | None
    marker: str = ""
    field: str = ""


@dataclass(frozen=True)
class NationalTable:
    """A national table: the year's table summed over the counted areas (Category 4 beside Category 3)."""

    number: str
    table: TableDef
    columns: tuple[tuple[str, str], ...]  # (column id, label)
    rows: tuple[tuple[str, str, tuple[NationalCell, ...]], ...]  # (row id, label, cells)

    @property
    def title(self) -> str:
        """The table's printed title."""
        return self.table.display_title


@dataclass(frozen=True)
class PopulationCheck:
    """Do the areas of the population file add up to its England and Wales row?"""

    path: str
    vintage: str | None
    areas_aged_10_plus: int
    areas_all_ages: int | None
    national: NationalRow | None
    short: tuple[str, ...]  # areas the file lacks

    @property
    def matches(self) -> bool | None:
        """True when the areas add up exactly; None when the file has no England and Wales row."""
        if self.national is None or self.national.aged_10_plus is None:
            return None
        if self.short:
            return False
        same_all = self.national.all_ages is None or self.areas_all_ages in (None, self.national.all_ages)
        return self.areas_aged_10_plus == self.national.aged_10_plus and same_all

    def message(self) -> str:
        """One line: the sums, and by how much and which areas are short when they differ."""
        areas = f"the {42 - len(self.short)} areas add up to {self.areas_aged_10_plus:,} aged 10+"
        if self.areas_all_ages is not None:
            areas += f" ({self.areas_all_ages:,} all ages)"
        if self.national is None or self.national.aged_10_plus is None:
            return f"{areas}; the file has no England and Wales row to check them against"
        row = f"the England and Wales row ({self.national.where}) has {self.national.aged_10_plus:,}"
        if self.national.all_ages is not None:
            row += f" ({self.national.all_ages:,} all ages)"
        if self.matches:
            return f"{areas}; {row}: they match exactly"
        gap = self.national.aged_10_plus - self.areas_aged_10_plus
        short = f"; areas missing from the file: {', '.join(self.short)}" if self.short else ""
        return f"{areas}; {row}: short by {gap:,} aged 10+{short}"


@dataclass(frozen=True)
class Problem:
    """A finding about the set as a whole (an area missing, twice, of another year …): one line each."""

    kind: str
    message: str
    area: str | None = None


@dataclass
class Combined:
    """Everything combine found: the files, the areas, the national tables and the verdict."""

    year: str
    template: Template
    files: list[FileEntry]
    skipped: list[str]
    areas: list[AreaLine]
    tables: list[NationalTable]
    problems: list[Problem]
    population: PopulationCheck | None = None
    population_path: str | None = None
    national_rate: Rate | None = None
    national_population: int | None = None
    not_checked: list[str] = field(default_factory=list)
    # The claims of a --claims file judged against the national and area figures (claims.ClaimResult).
    claims: list[Any] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every expected area is counted exactly once."""
        return all(a.counted for a in self.areas)

    @property
    def unreadable(self) -> int:
        """Files that could not be read at all."""
        return sum(1 for f in self.files if f.status == UNREADABLE)

    @property
    def status(self) -> str:
        """'pass', 'fail' (findings) or 'error' (a file could not be read)."""
        if self.unreadable:
            return "error"
        return "fail" if self.problems else "pass"

    @property
    def exit_code(self) -> int:
        """0 complete and every area passes, 1 findings (or a claim that does not reproduce), 2 a file could
        not be read."""
        code = {"pass": 0, "fail": 1, "error": 2}[self.status]
        return max(code, 1 if any(c.failed for c in self.claims) else 0)

    def national_value(self, code: str) -> int | None:
        """A national figure by field code, from the national tables."""
        for table in self.tables:
            for _, _, cells in table.rows:
                for cell in cells:
                    if cell.field == code:
                        return cell.value
        return None


# --- which files --------------------------------------------------------------------------------------


def expand(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The files to read (a folder's workbooks and CSVs), and a note for each one left out and why."""
    from mappa_stats.io.sniff import LOCK_FILE, is_lock_file

    files: list[Path] = []
    skipped: list[str] = []
    for path in paths:
        if is_lock_file(path):
            skipped.append(f"{path}: {LOCK_FILE}, not a return; skipped")
            continue
        if not path.is_dir():
            files.append(path)
            continue
        try:
            children = sorted(path.iterdir())
        except OSError as exc:
            raise InputError(f"{path}: the folder cannot be listed ({exc.strerror}); check it") from None
        for child in children:
            if is_lock_file(child):
                skipped.append(f"{child}: {LOCK_FILE}, not a return; skipped")
            elif child.name.startswith("."):
                skipped.append(f"{child}: a hidden file; skipped")
            elif child.is_dir():
                skipped.append(f"{child}: a folder; combine does not look inside folders within folders")
            elif child.suffix.casefold() not in FOLDER_SUFFIXES:
                skipped.append(f"{child}: not a workbook (.xlsx, .ods) or tidy CSV; skipped")
            elif not _regular(child):
                files.append(child)  # a device or a pipe is never opened here: the reader's guard refuses it
            elif _is_long_csv(child):
                skipped.append(f"{child}: a combine output (area,year,field,value), not a return; skipped")
            elif _is_national_workbook(child):
                skipped.append(f"{child}: the national workbook combine wrote, not a return; skipped")
            else:
                files.append(child)
            if len(files) > MAX_FILES:
                break
    if len(files) > MAX_FILES:
        raise InputError(
            f"more than {MAX_FILES:,} files to combine; a national set is 43 returns: "
            "give the folder of one year's returns"
        )
    if not files:
        if len(skipped) == 1 and len(paths) == 1 and not paths[0].is_dir():
            # One file named, and it is not a return: say what it is rather than "no returns found".
            raise InputError(skipped[0].removesuffix("; skipped") + "; give the year's returns")
        where = ", ".join(str(p) for p in paths[:3]) + ("…" if len(paths) > 3 else "")
        left = f"; {len(skipped):,} file{'s' * (len(skipped) != 1)} skipped" if skipped else ""
        raise InputError(
            f"{where}: no returns found (workbooks .xlsx or .ods, or tidy CSVs){left}; give the folder of "
            "the year's returns or the files themselves"
        )
    return files, skipped


def _regular(path: Path) -> bool:
    """True for a regular file (a symlink to one included): never a device, pipe or socket, which opening
    to look inside could block on or read without end."""
    import stat

    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _is_national_workbook(path: Path) -> bool:
    """True for the national publication workbook combine writes (it may sit in the folder of returns)."""
    if path.suffix.casefold() not in (".xlsx", ".ods"):
        return False
    from mappa_stats.io.publication import publication_properties

    properties = publication_properties(path)
    return properties is not None and properties.get("MAPPA area") == NATIONAL


def _is_long_csv(path: Path) -> bool:
    """True for the long CSV combine writes: it may sit in the folder of returns, and is not one."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"area,year,field,value")


# --- areas ----------------------------------------------------------------------------------------------


def expected_areas(year: str) -> dict[int, str]:
    """The Ministry's area id → name expected for the year: the 42, and the NSD from 2022-23."""
    from mappa_stats.io.ret import moj_area_ids

    ids = moj_area_ids()
    return {i: n for i, n in ids.items() if i != NSD_ID or year >= NSD_FROM}


@cache
def _moj_names() -> dict[str, tuple[int, str]]:
    """The Ministry's (id, name) by the folded name of its MAPPA area, and by its own folded name."""
    from mappa_stats.io.areas import area_key, find_area
    from mappa_stats.io.ret import moj_area_ids

    out: dict[str, tuple[int, str]] = {}
    for number, moj in moj_area_ids().items():
        out[area_key(moj)] = (number, moj)
        found = find_area(moj)
        if found is not None:
            out[area_key(found.name)] = (number, moj)
    return out


@cache
def identify(name: str | None) -> tuple[int, str] | None:
    """The Ministry's (id, name) of an area however it is named ('Teesside' → 36 Cleveland), or None."""
    if not name:
        return None
    from mappa_stats.io.areas import area_key, find_area

    known = _moj_names()
    if area_key(name) in known:
        return known[area_key(name)]
    found = find_area(name)
    return known.get(area_key(found.name)) if found is not None else None


# --- reading and validating ------------------------------------------------------------------------------


def _read(path: Path, year: str | None) -> AreaTables:
    """Read a file as the given year, or failing that as whatever year it is (to say so, not to fail it)."""
    from mappa_stats.io.readers import read_area

    try:
        return read_area(path, year)
    except MappaError:
        if year is None:
            raise
        try:
            other = read_area(path, None)
        except MappaError:
            other = None
        if other is None or other.template.year == year:
            raise
        return other


def _differences(figures: Sequence[dict[str, float | None]]) -> str:
    """Where different returns for one area disagree: 'differing in CAT1L1 (1,548 / 1,584) and 2 other
    fields', so the statistician can tell which one to keep."""

    def shown(value: float | None) -> str:
        return "blank" if value is None else f"{value:,.0f}"

    codes = [c for c in figures[0] if len({f.get(c) for f in figures}) > 1]
    first = f"{codes[0]} ({' / '.join(shown(f.get(codes[0])) for f in figures)})"
    more = len(codes) - 1
    return f"differing in {first}" + (f" and {more} other field{'s' * (more != 1)}" if more else "")


def _unreadable(path: Path, error: BaseException) -> FileEntry:
    """A file that could not be read, with the area it is for when the file says so plainly (a return whose
    area cells disagree gives its id), so the area is not also called missing. A file's name is not enough:
    last year's damaged 'kent_2023.xlsx' must not hide that this year's Kent return is missing."""
    from mappa_stats.io.ret import moj_area_ids

    area_id = getattr(error, "area_id", None)
    ids = moj_area_ids()
    if area_id not in ids:
        return FileEntry(str(path), UNREADABLE, str(error))
    return FileEntry(str(path), UNREADABLE, str(error), area=ids[area_id], area_id=area_id)


def _choose_year(areas: Iterable[AreaTables]) -> str:
    """The year most of the files are for (the latest, on a tie)."""
    counts = Counter(a.template.year for a in areas)
    best = max(counts.values())
    return max(y for y, n in counts.items() if n == best)


def _check_vintage(population: PopulationFile | None, template: Template) -> None:
    """Refuse a population file of another mid-year than the year's rates divide by."""
    wanted = f"mid-{template.population_mid_year}"
    if population is not None and population.vintage not in (None, wanted):
        raise InputError(
            f"{population.path}: the population file is {population.vintage}, but {template.year} rates "
            f"divide by the ONS {wanted} estimates; give that file"
        )


def _population_of(population: PopulationFile, area: str) -> int | None:
    try:
        return population.get(area).aged_10_plus
    except InputError:
        return None


def combine(
    paths: Sequence[Path],
    *,
    year: str | None = None,
    population: PopulationFile | Callable[[], PopulationFile] | None = None,
    progress: Callable[[int, int, Path], None] | None = None,
    helper: bool | None = None,
) -> Combined:
    """Read, check and combine the returns: the whole national run (see the module docstring).

    `population` may be a function that reads the file: it is then read while the returns are (an ONS
    workbook needs openpyxl, and so numpy, which a helper process must not inherit). `progress(n, total,
    path)` is told of each file as it is read. `helper` is ignored (every file is read in this process): it
    stays until the command line stops passing it."""
    from mappa_stats.validate import validate_areas

    files, skipped = expand(paths)
    loaded: PopulationFile | None = None if callable(population) else population

    def prepare() -> None:
        nonlocal loaded
        if callable(population):
            loaded = population()
            if year is not None:  # before any file's result is used, when the year is known
                _check_vintage(loaded, load_template(year))
        load_checker()

    if year is not None:
        _check_vintage(loaded, load_template(year))  # before any file is read, when the year is known
    from mappa_stats.validate import load_checker, read_files

    outcomes = read_files(
        files,
        lambda path: _read(path, year),
        progress=None if progress is None else (lambda n, path: progress(n, len(files), path)),
        prepare=prepare,
    )
    read: list[AreaTables | FileEntry] = [
        _unreadable(path, outcome) if isinstance(outcome, BaseException) else outcome
        for path, outcome in zip(files, outcomes, strict=True)
    ]
    tables = [a for a in read if isinstance(a, AreaTables)]
    if not tables:
        first = next(e for e in read if isinstance(e, FileEntry))
        raise InputError(
            f"none of the {len(read):,} files could be read as a return, area workbook or tidy CSV "
            f"(the first: {first.note}); give the year's returns"
        )
    chosen = year or _choose_year(tables)
    if not any(t.template.year == chosen for t in tables):
        found = ", ".join(f"{y}: {n:,}" for y, n in sorted(Counter(t.template.year for t in tables).items()))
        raise InputError(
            f"--year {chosen}: none of the {len(files):,} files is a {chosen} return ({found}); "
            "give that year's returns, or leave --year out"
        )
    template = load_template(chosen)
    _check_vintage(loaded, template)
    reports = iter(validate_areas(tables))
    entries: list[FileEntry] = []
    by_sha: dict[str, str] = {}
    for item in read:
        if isinstance(item, FileEntry):
            entries.append(item)
            continue
        report = next(reports)
        name, sha = item.meta.path, item.meta.sha256
        own = item.template.year
        if own != chosen:
            entries.append(
                FileEntry(name, OTHER_YEAR, f"a {own} return, not {chosen}: left out", year=own, sha256=sha)
            )
            continue
        who = identify(item.meta.area)
        if who is not None and who[0] not in expected_areas(chosen):
            who = None  # the National Security Division before it reported (2022-23)
        if who is None:
            said = f"names the area {item.meta.area!r}" if item.meta.area else "does not name its area"
            entries.append(
                FileEntry(
                    name,
                    UNKNOWN_AREA,
                    f"{said}, not one of the {len(expected_areas(chosen))} areas of the Ministry's return: "
                    "left out; correct the area name or id",
                    year=own,
                    sha256=sha,
                    report=report,
                )
            )
            continue
        if sha in by_sha:
            entries.append(
                FileEntry(
                    name,
                    IDENTICAL,
                    f"the same file as {by_sha[sha]} (identical SHA-256): counted once",
                    area=who[1],
                    area_id=who[0],
                    year=own,
                    sha256=sha,
                    report=report,
                )
            )
            continue
        by_sha[sha] = name
        entries.append(FileEntry(name, COUNTED, "", who[1], who[0], own, sha, report))
    by_file = {a.meta.path: a for a in tables}
    problems: list[Problem] = []
    for entry in entries:
        if entry.status in (UNREADABLE, OTHER_YEAR, UNKNOWN_AREA):
            # A reader's error names its file already; say the path once.
            note = entry.note if entry.note.startswith(f"{entry.path}:") else f"{entry.path}: {entry.note}"
            problems.append(Problem(entry.status, note))
    lines: list[AreaLine] = []
    for number, name in expected_areas(chosen).items():
        mine = [e for e in entries if e.status == COUNTED and e.area_id == number]
        tried = [e for e in entries if e.status == UNREADABLE and e.area_id == number]
        if not mine and tried:  # its return came, and could not be read: said once, as unreadable
            lines.append(AreaLine(number, name, "error", path=", ".join(e.path for e in tried)))
            continue
        if not mine:
            lines.append(AreaLine(number, name, "missing"))
            problems.append(Problem("missing", f"{name}: no return (area {number})", name))
            continue
        if len(mine) > 1:
            # Files holding the same figures are one return (a workbook and its tidy CSV, a copy saved as
            # .ods, its publication workbook): the first of each is kept, the others counted once with it.
            groups: dict[tuple[tuple[str, float | None], ...], list[FileEntry]] = {}
            for e in mine:
                groups.setdefault(tuple(area_values(by_file[e.path]).items()), []).append(e)
            for same in groups.values():
                for e in same[1:]:
                    note = f"the same figures as {same[0].path} (a different file): counted once"
                    entries[entries.index(e)] = replace(e, status=IDENTICAL, note=note)
            mine = [same[0] for same in groups.values()]
        if len(mine) > 1:
            figures = [area_values(by_file[e.path]) for e in mine]
            paths_text = ", ".join(e.path for e in mine)
            lines.append(AreaLine(number, name, "duplicate", path=paths_text))
            problems.append(
                Problem(
                    "duplicate",
                    f"{name}: {len(mine)} different returns ({paths_text}), {_differences(figures)}: "
                    f"{'neither' if len(mine) == 2 else 'none'} is counted; keep one",
                    name,
                )
            )
            for e in mine:
                note = f"one of {len(mine)} different returns for {name}"
                entries[entries.index(e)] = replace(e, status=DUPLICATE, note=note)
            continue
        entry = mine[0]
        assert entry.report is not None
        lines.append(_area_line(number, name, entry, by_file[entry.path], entry.report, loaded, problems))
    national_tables = national(template, [line for line in lines if line.counted])
    combined = Combined(
        year=chosen,
        template=template,
        files=entries,
        skipped=skipped,
        areas=lines,
        tables=national_tables,
        problems=problems,
    )
    _rates(combined, loaded)
    return combined


def _area_line(
    number: int,
    name: str,
    entry: FileEntry,
    tables: AreaTables,
    report: FileReport,
    population: PopulationFile | None,
    problems: list[Problem],
) -> AreaLine:
    """An area's line: its verdict, its figures as the wide frame holds them, population and rate."""
    values = area_values(tables)
    template = tables.template
    status = report.status()
    errors, warnings = report.errors, report.warnings
    if errors:
        problems.append(
            Problem(
                "area",
                f"{name}: {errors} error{'s' * (errors != 1)} in {entry.path} (run validate on it)",
                name,
            )
        )
    blank = _left_blank(tables)
    if blank:
        said = f"{name}: {blank} in {entry.path}: confirm each is 0 with the area"
        problems.append(Problem("blank", said, name))
    pop = rate = None
    note = "" if population is not None else "no --population"
    if population is not None and number != NSD_ID:
        from mappa_stats.rules.rate import workbook_rate

        pop = _population_of(population, name)
        try:
            rate = workbook_rate(tables, population)
        except InputError as exc:
            note = str(exc)
        if rate is not None:
            if rate.stated is None:
                note = "no stated rate"
            elif rate.matches:
                note = "matches"
            else:
                note = f"stated {rate.stated}, computed {rate.rounded}"
                errors += 1
                status = "fail"
                role = template.role("stated_rate")
                stated = tables.cell(*role) if role else None
                where = f" in {entry.path}"
                if stated is not None:  # a CSV line names its file already; a workbook's cell does not
                    own = stated.source.startswith(entry.path)
                    where = f" ({stated.source})" if own else f" ({stated.source} in {entry.path})"
                problems.append(
                    Problem(
                        "rate",
                        f"{name}: the stated rate {rate.stated}{where} does not match {rate.rounded}, "
                        f"{rate.rsos:,} ÷ {rate.population:,} aged 10+ × 100,000 = {rate.two_dp}",
                        name,
                    )
                )
        elif pop is None:
            from mappa_stats.io.areas import find_area

            area = find_area(name)
            lacking = population.lacking.get(area.name if area is not None else name)
            said = (
                f"{name}: the population file {population.path} lacks {', '.join(lacking)}, of the "
                f"authorities {name} is made of"
                if lacking
                else f"{name}: not in the population file {population.path}"
            )
            problems.append(Problem("population", said, name))
    elif number == NSD_ID:
        note = "no population (Category 4 only)"
    rsos_code = field_of_role(template, "rsos")
    total_code = field_of_role(template, "grand_total") or _own_grand_total(tables)
    return AreaLine(
        number,
        name,
        status,
        rsos=values.get(rsos_code) if rsos_code else None,
        total=values.get(total_code) if total_code else None,
        path=entry.path,
        errors=errors,
        warnings=warnings,
        values=values,
        population=pop,
        rate=rate,
        rate_note=note,
        row_labels=tables.meta.row_labels,
    )


def _left_blank(tables: AreaTables) -> str:
    """The return's fields left blank and read as 0 (as the national pipeline reads them), said in a few words
    ('2 fields left blank, read as 0: CAT2L1 at 'Data entry'!D13, …'), or '' when none is. A national figure
    with such a 0 in it may be short of the truth, so the set does not pass until the area says it is 0."""
    from mappa_stats.model import BLANK_ZERO

    template = tables.template
    blanks = [
        f"{template.field_of(key)} at {cell.source}"
        for key, cell in tables.cells().items()
        if cell.issue == BLANK_ZERO
    ]
    if not blanks:
        return ""
    shown = ", ".join(blanks[:3]) + (f" and {len(blanks) - 3:,} more" if len(blanks) > 3 else "")
    return f"{len(blanks)} field{'s' * (len(blanks) != 1)} left blank, read as 0 ({shown})"


def _own_grand_total(tables: AreaTables) -> str | None:
    """A form without a grand-total role (the NSD's): the last cell of its first grid, its own total."""
    grid = next((t for t in tables.template.tables if t.kind == "grid"), None)
    if grid is None:
        return None
    return grid.fields.get((grid.rows[-1].id, grid.columns[-1].id))


def _rates(combined: Combined, population: PopulationFile | None) -> None:
    """England and Wales: national Category 1 ÷ the areas' summed population aged 10+; the population
    check."""
    if population is None:
        combined.not_checked.append("rates and the population check (no --population file given)")
        return
    from mappa_stats.io.areas import areas
    from mappa_stats.io.population import AreaPopulation, england_and_wales
    from mappa_stats.io.population_rate import compute_rate

    combined.population_path = population.path
    counted = [a for a in combined.areas if a.counted and a.area_id != NSD_ID]
    pops = [a.population for a in counted]
    code = field_of_role(combined.template, "rsos")
    rsos = combined.national_value(code) if code else None
    if counted and None not in pops and rsos is not None:
        total = sum(p for p in pops if p is not None)
        combined.national_population = total
        combined.national_rate = compute_rate(
            NATIONAL, rsos, AreaPopulation(NATIONAL, total, None), vintage=population.vintage
        )
    elif counted:
        without = [a.area for a in counted if a.population is None]
        why = (
            f"{', '.join(without[:3])}{' …' if len(without) > 3 else ''} without a population in the file"
            if without
            else "the national Category 1 is not known"
        )
        combined.not_checked.append(f"the {NATIONAL} rate ({why})")
    short = tuple(
        f"{a.name} (the file lacks {', '.join(population.lacking[a.name])})"
        if a.name in population.lacking
        else a.name
        for a in areas()
        if a.name not in population.by_area
    )
    present = [population.by_area[a.name] for a in areas() if a.name in population.by_area]
    everyone = [p.all_ages for p in present]
    check = PopulationCheck(
        path=population.path,
        vintage=population.vintage,
        areas_aged_10_plus=sum(p.aged_10_plus or 0 for p in present),
        areas_all_ages=None if None in everyone else sum(x for x in everyone if x is not None),
        national=england_and_wales(Path(population.path)),
        short=short,
    )
    combined.population = check
    if check.matches is False:
        combined.problems.append(Problem("population", check.message()))
    elif check.matches is None:
        combined.not_checked.append(f"the population check ({check.message()})")


# --- national tables ----------------------------------------------------------------------------------


def _cat4(code: str) -> str:
    """The Category 4 field beside a Category 3 one (CAT3L2YEAR → CAT4L2YEAR), as the NSD return names it."""
    spec = layout()["category4"]
    return code.replace(spec["field_from"], spec["field_to"], 1)


def national_table_defs(template: Template) -> list[TableDef]:
    """The year's tables that add up nationally: counts, not the stated rate or the commentary."""
    return [t for t in template.tables if t.value_type == "count" and t.kind in ("grid", "list", "value")]


def national(template: Template, counted: Sequence[AreaLine]) -> list[NationalTable]:
    """Each table summed over the counted returns; a Category 4 column wherever a return carries it."""
    carried: dict[str, list[float | None]] = {}
    for line in counted:
        for code, value in line.values.items():
            carried.setdefault(code, []).append(value)

    def base(code: str) -> NationalCell:
        values = carried.get(code)
        if not values:
            return NationalCell(None, "[x]", code)
        if any(v is None for v in values):
            return NationalCell(None, "[x]", code)  # never a partial sum
        return NationalCell(int(sum(v for v in values if v is not None)), "", code)

    # A breakdown row's label is known only from the returns' forms: the one they all give, when they agree.
    given: dict[tuple[str, str], set[str]] = {}
    for line in counted:
        for table_id, row_id, label in line.row_labels:
            given.setdefault((table_id, row_id), set()).add(label)
    labels = {key: next(iter(found)) for key, found in given.items() if len(found) == 1}
    out: list[NationalTable] = []
    lettered = 0
    for table in national_table_defs(template):
        if not any(code in carried for code in table.fields.values()):
            continue
        number = layout()["moj_table_numbers"].get(table.id)
        if number is None:
            lettered += 1
            number = f"A{lettered}"
        columns = [(c.id, c.label) for c in table.columns]
        fields = dict(table.fields)
        totals_of_column = {c.id: list(c.total_of) for c in table.columns}
        column_ids = [c.id for c in table.columns]
        spec = layout()["category4"]
        cat3, cat4 = spec["beside_column"], spec["column"]
        if cat3 in column_ids and any(
            _cat4(fields[(r.id, cat3)]) in carried for r in table.rows if (r.id, cat3) in fields
        ):
            at = column_ids.index(cat3) + 1
            columns.insert(at, (cat4, spec["label"]))
            column_ids.insert(at, cat4)
            for r in table.rows:
                fields[(r.id, cat4)] = _cat4(fields[(r.id, cat3)])
            for members in totals_of_column.values():
                if cat3 in members:
                    members.append(cat4)
        cells: dict[tuple[str, str], NationalCell] = {}

        def applicable(row_id: str, column_id: str, table: TableDef = table, added: str = cat4) -> bool:
            return column_id == added or table.is_applicable(row_id, column_id)

        plain_rows = [r for r in table.rows if not r.is_total]
        total_rows = [r for r in table.rows if r.is_total]
        plain_columns = [c for c in column_ids if not totals_of_column.get(c)]
        total_columns = [c for c in column_ids if totals_of_column.get(c)]
        for r in plain_rows:
            for c in plain_columns:
                code = fields[(r.id, c)]
                cells[(r.id, c)] = base(code) if applicable(r.id, c) else NationalCell(None, "[z]", code)
            for c in total_columns:
                parts = [cells[(r.id, p)] for p in totals_of_column[c] if applicable(r.id, p)]
                cells[(r.id, c)] = _sum(parts, fields[(r.id, c)])
        for r in total_rows:
            for c in column_ids:
                code = fields[(r.id, c)]
                if not applicable(r.id, c):
                    cells[(r.id, c)] = NationalCell(None, "[z]", code)
                    continue
                parts = [cells[(p, c)] for p in r.total_of if applicable(p, c)]
                cells[(r.id, c)] = _sum(parts, code)
        out.append(
            NationalTable(
                number=number,
                table=table,
                columns=tuple(columns),
                rows=tuple(
                    (r.id, labels.get((table.id, r.id), r.label), tuple(cells[(r.id, c)] for c in column_ids))
                    for r in table.rows
                ),
            )
        )
    return out


def _sum(parts: Sequence[NationalCell], code: str) -> NationalCell:
    if any(p.value is None for p in parts) or not parts:
        return NationalCell(None, "[x]", code)
    return NationalCell(sum(p.value for p in parts if p.value is not None), "", code)


# --- claims -------------------------------------------------------------------------------------------


def judge_claims(combined: Combined, claims: Sequence[Any]) -> None:
    """Judge a claims file against the run's figures: England and Wales claims (`national_rate` …) against
    the national rows, an area's against its row. While the set is incomplete the national figures are
    partial sums, and each England and Wales claim says so (a claim judged on them is not yet judged on the
    national figure)."""
    from mappa_stats.rules.claims import check_claims

    figures = {(area, y, code): value for area, y, code, value in long_rows(combined)}
    results = check_claims(list(claims), figures)
    if not combined.complete:
        counted = sum(1 for a in combined.areas if a.counted)
        partial = f" (PARTIAL: {counted} of {len(combined.areas)} returns counted, not the national figure)"
        results = [
            replace(r, message=r.message + partial) if r.claim.area == NATIONAL else r for r in results
        ]
    combined.claims.extend(results)


# --- the agreed long form (compare reads it) ----------------------------------------------------------


def count_codes(template: Template) -> list[str]:
    """Field codes of the year that hold counts (not the stated rate or a stated share), in table order."""
    cached: list[str] | None = template.__dict__.get("_count_codes")
    if cached is None:
        cached = [
            code
            for t in template.tables
            for (r, _), code in t.fields.items()
            if t.value_type == "count" and t.cell_value_type(r) == "count"
        ]
        object.__setattr__(template, "_count_codes", cached)  # asked once per return: worked out once
    return cached


def area_values(tables: AreaTables) -> dict[str, float | None]:
    """Every count of a return by field code: the number where the cell holds a whole number of 0 or more
    (as the wide frame's schema judges it), None where it does not (blank, marker, text, decimal)."""
    from mappa_stats.model import summable

    cells = tables.cells()
    refs = tables.template.field_refs
    out: dict[str, float | None] = {}
    for code in count_codes(tables.template):
        cell = cells.get(refs[code])
        out[code] = cell.value if cell is not None and summable(cell.value, cell.issue) else None
    return out


def long_rows(combined: Combined) -> list[tuple[str, str, str, int | float]]:
    """(area, year, field, value): every figure of every counted area, then England and Wales.

    The format agreed with `compare`: the Ministry's area name, the year as YYYY-YY, a field code of the
    year (derived totals included), RSORATE and POP10PLUS; numbers only, never text or markers."""
    # The rate's code is the stated rate's (RSORATE), but the value is the one computed from the population.
    rate_code = field_of_role(combined.template, "stated_rate") or "RATE"
    rows: list[tuple[str, str, str, int | float]] = []
    for line in combined.areas:
        if not line.counted:
            continue
        for code, value in line.values.items():
            if value is not None:
                rows.append((line.area, combined.year, code, _number(value)))
        if line.rate is not None:
            rows.append((line.area, combined.year, rate_code, line.rate.rounded))
        if line.population is not None:
            rows.append((line.area, combined.year, "POP10PLUS", line.population))
    seen: set[str] = set()
    for table in combined.tables:
        for _, _, cells in table.rows:
            for cell in cells:
                if cell.value is not None and cell.field not in seen:
                    seen.add(cell.field)
                    rows.append((NATIONAL, combined.year, cell.field, cell.value))
    if combined.national_rate is not None:
        rows.append((NATIONAL, combined.year, rate_code, combined.national_rate.rounded))
    if combined.national_population is not None:
        rows.append((NATIONAL, combined.year, "POP10PLUS", combined.national_population))
    return rows


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
