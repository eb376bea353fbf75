"""The national run: read and validate each return, decide which counts for each area, sum, rate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from mappa_stats.combine.check import check_national
from mappa_stats.combine.files import expand, expected_areas, identify
from mappa_stats.combine.long import area_values, own_totals
from mappa_stats.combine.national import national
from mappa_stats.combine.rates import national_rates
from mappa_stats.combine.result import (
    COUNTED,
    DUPLICATE,
    IDENTICAL,
    OTHER_YEAR,
    UNKNOWN_AREA,
    UNREADABLE,
    AreaLine,
    Combined,
    FileEntry,
    Problem,
    field_of_role,
)
from mappa_stats.definitions.constants import NSD_ID
from mappa_stats.definitions.load import load_template
from mappa_stats.definitions.templates import Template
from mappa_stats.errors import InputError, MappaError
from mappa_stats.io.areas import find_area
from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population.embedded import year_population
from mappa_stats.io.population_rate import Rate
from mappa_stats.io.readers import read_area
from mappa_stats.io.ret import moj_area_ids
from mappa_stats.model import BLANK_ZERO, AreaTables
from mappa_stats.rules.rate import area_aged_10_plus, refuse_other_mid_year, workbook_rate
from mappa_stats.rules.registry import rules_for
from mappa_stats.rules.rule import RATE
from mappa_stats.validate import FileReport, load_checker, read_files, validate_areas


def _read(path: Path, year: str | None) -> AreaTables:
    """Read a file as the given year, or failing that as whatever year it is (to say so, not to fail it)."""
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
    """Refuse a population file of another mid-year than the year's rates divide by (rules.rate decides)."""
    refuse_other_mid_year(template, population)


def _without_rate(tables: Sequence[AreaTables]) -> set[str]:
    """Every rule of the returns' years but the rate's, which combine checks itself."""
    return {
        r.id
        for t in {id(a.template): a.template for a in tables}.values()
        for r in rules_for(t)
        if r.stage != RATE
    }


def combine(
    paths: Sequence[Path],
    *,
    year: str | None = None,
    population: PopulationFile | Callable[[], PopulationFile] | None = None,
    progress: Callable[[int, int, Path], None] | None = None,
) -> Combined:
    """Read, check and combine the returns: the whole national run (see the module docstring).

    `population` may be a function that reads the file: it is then read while the returns are (an ONS
    workbook needs openpyxl, and so numpy, which takes time to load). `progress(n, total, path)` is told of
    each file as it is read."""
    files, skipped = expand(paths)
    read, loaded = _read_returns(files, year, population, progress)
    tables = [a for a in read if isinstance(a, AreaTables)]
    chosen = _year_of_set(read, tables, len(files), year)
    template = load_template(chosen)
    _check_vintage(loaded, template)
    # The rate is combine's own check (each area's line, below): the returns are validated without the rate
    # rules, so a stated rate that does not match is one problem, not also an error of its file.
    entries = _file_entries(read, validate_areas(tables, rules=_without_rate(tables)), chosen)
    loaded = year_population(loaded, template)  # without --population: the shipped ONS estimates
    by_file = {a.meta.path: a for a in tables}
    problems = _file_problems(entries)
    lines: list[AreaLine] = []
    for number, name in expected_areas(chosen).items():
        lines.append(_area_verdict(number, name, entries, by_file, loaded, problems))
    national_tables = national(template, [line for line in lines if line.counted])
    check_national(chosen, national_tables, lines)  # before anything is written: a broken table stops here
    rates = national_rates(lines, template, national_tables, loaded)
    return Combined(
        year=chosen,
        template=template,
        files=entries,
        skipped=skipped,
        areas=lines,
        tables=national_tables,
        problems=[*problems, *rates.problems],
        population=rates.check,
        population_path=None if loaded is None else loaded.path,
        national_rate=rates.rate,
        national_population=rates.population,
        not_checked=list(rates.not_checked),
    )


def _read_returns(
    files: Sequence[Path],
    year: str | None,
    population: PopulationFile | Callable[[], PopulationFile] | None,
    progress: Callable[[int, int, Path], None] | None,
) -> tuple[list[AreaTables | FileEntry], PopulationFile | None]:
    """Every file read: its tables, or an entry saying it is unreadable; and the population file, read
    alongside the returns when given as a function. A population file of another mid-year is refused as
    soon as the year is known (before any file is read, when --year gives it)."""
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
    return read, loaded


def _year_of_set(
    read: Sequence[AreaTables | FileEntry], tables: Sequence[AreaTables], files: int, year: str | None
) -> str:
    """The year the run is for: --year, else the one most files are for; refused when no file could be read,
    or none is a return of that year."""
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
            f"--year {chosen}: none of the {files:,} files is a {chosen} return ({found}); "
            "give that year's returns, or leave --year out"
        )
    return chosen


def _file_entries(
    read: Sequence[AreaTables | FileEntry], reports: Sequence[FileReport], year: str
) -> list[FileEntry]:
    """One entry per file, in order: unreadable, or what its return is to the run (each readable file's
    report, in order, beside it)."""
    reports_left = iter(reports)
    entries: list[FileEntry] = []
    by_sha: dict[str, str] = {}
    for item in read:
        if isinstance(item, FileEntry):
            entries.append(item)
        else:
            entries.append(_entry(item, next(reports_left), year, by_sha))
    return entries


def _entry(tables: AreaTables, report: FileReport, year: str, by_sha: dict[str, str]) -> FileEntry:
    """What a readable file is to the run: another year's return, an unknown area's, the same bytes as a file
    counted already, or counted (and then remembered in `by_sha` by its SHA-256)."""
    name, sha = tables.meta.path, tables.meta.sha256
    own = tables.template.year
    if own != year:
        return FileEntry(name, OTHER_YEAR, f"a {own} return, not {year}: left out", year=own, sha256=sha)
    who = identify(tables.meta.area)
    if who is not None and who[0] not in expected_areas(year):
        who = None  # the National Security Division before it reported (2022-23)
    if who is None:
        said = f"names the area {tables.meta.area!r}" if tables.meta.area else "does not name its area"
        return FileEntry(
            name,
            UNKNOWN_AREA,
            f"{said}, not one of the {len(expected_areas(year))} areas of the Ministry's return: "
            "left out; correct the area name or id",
            year=own,
            sha256=sha,
            report=report,
        )
    if sha in by_sha:
        return FileEntry(
            name,
            IDENTICAL,
            f"the same file as {by_sha[sha]} (identical SHA-256): counted once",
            area=who[1],
            area_id=who[0],
            year=own,
            sha256=sha,
            report=report,
        )
    by_sha[sha] = name
    return FileEntry(name, COUNTED, "", who[1], who[0], own, sha, report)


def _file_problems(entries: Sequence[FileEntry]) -> list[Problem]:
    """A problem for each file left out: unreadable, of another year, or of an unknown area."""
    problems: list[Problem] = []
    for entry in entries:
        if entry.status in (UNREADABLE, OTHER_YEAR, UNKNOWN_AREA):
            # A reader's error names its file already; say the path once.
            note = entry.note if entry.note.startswith(f"{entry.path}:") else f"{entry.path}: {entry.note}"
            problems.append(Problem(entry.status, note))
    return problems


def _area_verdict(
    number: int,
    name: str,
    entries: list[FileEntry],
    by_file: dict[str, AreaTables],
    population: PopulationFile | None,
    problems: list[Problem],
) -> AreaLine:
    """An expected area's line: its one return counted, or why not (unreadable, missing, different returns).
    Files found to be the same return, or different returns for the area, are marked so in `entries`; what
    the area's line finds is added to `problems`."""
    mine = [e for e in entries if e.status == COUNTED and e.area_id == number]
    tried = [e for e in entries if e.status == UNREADABLE and e.area_id == number]
    if not mine and tried:  # its return came, and could not be read: said once, as unreadable
        return AreaLine(number, name, "error", path=", ".join(e.path for e in tried))
    if not mine:
        problems.append(Problem("missing", f"{name}: no return (area {number})", name))
        return AreaLine(number, name, "missing")
    if len(mine) > 1:
        mine = _same_figures_once(mine, entries, by_file)
    if len(mine) > 1:
        return _different_returns(number, name, mine, entries, by_file, problems)
    entry = mine[0]
    assert entry.report is not None
    return _area_line(number, name, entry, by_file[entry.path], entry.report, population, problems)


def _same_figures_once(
    mine: Sequence[FileEntry], entries: list[FileEntry], by_file: dict[str, AreaTables]
) -> list[FileEntry]:
    """Files holding the same figures are one return (a workbook and its tidy CSV, a copy saved as .ods, its
    publication workbook): the first of each is kept, the others marked in `entries` as counted once with
    it."""
    groups: dict[tuple[tuple[str, float | None], ...], list[FileEntry]] = {}
    for e in mine:
        groups.setdefault(tuple(area_values(by_file[e.path]).items()), []).append(e)
    for same in groups.values():
        for e in same[1:]:
            note = f"the same figures as {same[0].path} (a different file): counted once"
            entries[entries.index(e)] = replace(e, status=IDENTICAL, note=note)
    return [same[0] for same in groups.values()]


def _different_returns(
    number: int,
    name: str,
    mine: Sequence[FileEntry],
    entries: list[FileEntry],
    by_file: dict[str, AreaTables],
    problems: list[Problem],
) -> AreaLine:
    """An area with different returns: none is counted; the problem says where they differ, so the
    statistician can keep one; each is marked in `entries` as one of them."""
    figures = [area_values(by_file[e.path]) for e in mine]
    paths_text = ", ".join(e.path for e in mine)
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
    return AreaLine(number, name, "duplicate", path=paths_text)


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
    if number == NSD_ID:  # its figures of the area table's totals, which its own form does not carry
        values |= own_totals(load_template(template.year), template, values)
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
    pop, rate, note = _population_and_rate(number, name, entry, tables, population, problems)
    if rate is not None and rate.matches is False:
        errors += 1  # the stated rate is wrong: an error of the return's
        status = "fail"
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


def _population_and_rate(
    number: int,
    name: str,
    entry: FileEntry,
    tables: AreaTables,
    population: PopulationFile | None,
    problems: list[Problem],
) -> tuple[int | None, Rate | None, str]:
    """An area's population aged 10+, its rate, and the note beside them (why there is no rate, or how it
    compares with the stated one); a stated rate that does not match, or an area the population file lacks,
    is added to `problems`."""
    if number == NSD_ID:
        return None, None, "no population (Category 4 only)"
    if population is None:
        return None, None, f"no population: mid-{tables.template.population_mid_year} estimates not shipped"
    pop = area_aged_10_plus(population, name)
    try:
        rate = workbook_rate(tables, population)
    except InputError as exc:
        if pop is None:
            problems.append(Problem("population", _not_in_population(name, population), name))
        return pop, None, str(exc)
    if rate.needs is not None:  # a file that names no mid-year checks no rate (rules.rate.needed_vintage)
        return pop, rate, rate.verdict()
    if rate.stated is None:
        return pop, rate, "no stated rate"
    if rate.matches:
        return pop, rate, "matches"
    problems.append(Problem("rate", _rate_differs(name, entry, tables, rate), name))
    return pop, rate, f"stated {rate.stated}, computed {rate.rounded}"


def _rate_differs(name: str, entry: FileEntry, tables: AreaTables, rate: Rate) -> str:
    """The problem of a stated rate that does not match the computed one, with the cell it was read from."""
    role = tables.template.role("stated_rate")
    stated = tables.cell(*role) if role else None
    where = f" in {entry.path}"
    if stated is not None:  # a CSV line names its file already; a workbook's cell does not
        own = stated.source.startswith(entry.path)
        where = f" ({stated.source})" if own else f" ({stated.source} in {entry.path})"
    return (
        f"{name}: the stated rate {rate.stated}{where} does not match {rate.rounded}, "
        f"{rate.rsos:,} ÷ {rate.population:,} aged 10+ × 100,000 = {rate.two_dp}"
    )


def _not_in_population(name: str, population: PopulationFile) -> str:
    """The problem of an area the population file lacks (or lacks some of the authorities of)."""
    area = find_area(name)
    lacking = population.lacking.get(area.name if area is not None else name)
    return (
        f"{name}: the population file {population.path} lacks {', '.join(lacking)}, of the "
        f"authorities {name} is made of"
        if lacking
        else f"{name}: not in the population file {population.path}"
    )


def _left_blank(tables: AreaTables) -> str:
    """The return's fields left blank and read as 0 (as the national pipeline reads them), said in a few words
    ('2 fields left blank, read as 0: CAT2L1 at 'Data entry'!D13, …'), or '' when none is. A national figure
    with such a 0 in it may be short of the truth, so the set does not pass until the area says it is 0."""
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
