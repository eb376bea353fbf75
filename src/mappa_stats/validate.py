"""Run the rules over areas' tables and gather one report per file.

Files of one year are checked together: their wide frame goes through the year's pandera schema once
(vectorised over every return), then each return's rules turn what the schema found into findings, the
locator attaches its diagnosis, and each rule's status is counted from that final list of findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from mappa_stats.definitions.templates import Severity
from mappa_stats.errors import MappaError
from mappa_stats.findings import Finding
from mappa_stats.io.population import PopulationFile
from mappa_stats.io.population.embedded import year_population
from mappa_stats.model import AreaTables
from mappa_stats.rules.rate import refuse_other_mid_year
from mappa_stats.rules.registry import rules_for
from mappa_stats.rules.rule import Context, Given, Rule


class Status(StrEnum):
    """How a rule fared on a file; a str, so that it prints and goes into JSON as the words themselves."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    # A rule about something the input's form never holds (a return has no stated rate or commentary):
    # neither passed nor "could not be checked", so --strict does not fail it.
    NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class RuleResult:
    """How one rule fared on one file."""

    id: str
    severity: Severity
    status: Status
    findings: int
    note: str = ""


NOT_CROSS_CHECKED = "Not cross-checked"  # a return's note: fields nothing reaches
BOUND_ONLY = "Checked only against a bound"  # a return's note: fields only a relation's bound reaches


@dataclass(frozen=True)
class FileReport:
    """Everything validate has to say about one input file."""

    path: str
    sha256: str | None
    template: str | None
    area: str | None
    findings: tuple[Finding, ...] = ()
    rules: tuple[RuleResult, ...] = ()
    error: str | None = None
    raw_findings: tuple[Finding, ...] = field(default=(), repr=False)
    provisional: bool = False
    notes: tuple[str, ...] = ()  # how the input was read, when a reader should know (the area's source)
    annotated: tuple[str, str] | None = None  # the annotated copy beside a sign-off pack: name, relative link

    @property
    def errors(self) -> int:
        """Number of error findings."""
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Number of warning findings."""
        return sum(1 for f in self.findings if f.severity == Severity.WARNING)

    @property
    def unchecked(self) -> int:
        """Number of rules that could not be checked (skipped, with the reason in their note)."""
        return sum(1 for r in self.rules if r.status == Status.SKIPPED)

    def status(self, strict: bool = False) -> str:
        """'error' (could not be read), 'fail' or 'pass'; strict fails a warning or a rule not checked."""
        if self.error is not None:
            return "error"
        if self.errors or (strict and (self.warnings or self.unchecked)):
            return "fail"
        return "pass"


def rule_results(
    rules: Sequence[Rule],
    findings: Sequence[Finding],
    skipped: dict[str, str],
    not_applicable: dict[str, str] | None = None,
) -> list[RuleResult]:
    """Each rule's status and count, from the final findings: a rule failed when a finding shows it broken."""
    not_applicable = not_applicable or {}
    counts = {r.id: 0 for r in rules}
    for f in findings:
        for rule_id in f.rules:
            if rule_id in counts:
                counts[rule_id] += 1
    results = []
    for r in rules:
        if counts[r.id]:
            status = Status.FAILED
        elif r.id in not_applicable:
            status = Status.NOT_APPLICABLE
        elif r.id in skipped:
            status = Status.SKIPPED
        else:
            status = Status.PASSED
        note = not_applicable.get(r.id) or skipped.get(r.id, "")
        results.append(RuleResult(r.id, r.severity, status, counts[r.id], note))
    return results


def validate_areas(
    areas: Sequence[AreaTables],
    *,
    level1_share: str | None = None,
    suggest: bool = True,
    given: Given | None = None,
    rules: Iterable[str] | None = None,
) -> list[FileReport]:
    """Validate many areas: one pass of each year's schema over all of that year's returns."""
    found = _schema_failures(areas)
    wanted = set(rules) if rules is not None else None
    given = given or Given()
    if given.claims:
        given = replace(given, claim_figures=_claim_figures(areas, given.population))
    reports = []
    for i, area in enumerate(areas):
        ctx = Context(area=area, level1_share=level1_share, given=given, failures=found.get(i, {}))
        chosen = [r for r in rules_for(area.template) if wanted is None or r.id in wanted]
        if given.claims:
            from mappa_stats.rules.claims.rule import claims_file  # lazy: only with --claims

            chosen.append(claims_file)
        reports.append(_report(area, ctx, chosen, suggest))
    return reports


def _schema_failures(areas: Sequence[AreaTables]) -> dict[int, dict[str, set[str]]]:
    """What each year's schema found broken, by the area's position: one pass over each year's returns."""
    from mappa_stats.rules.frame import failures, wide  # lazy: pandas and pandera take time to load

    found: dict[int, dict[str, set[str]]] = {}
    by_year: dict[int, list[int]] = {}
    for i, area in enumerate(areas):
        by_year.setdefault(id(area.template), []).append(i)
    for members in by_year.values():
        template = areas[members[0]].template
        for position, broken in failures(template, wide([areas[i] for i in members])).items():
            found[members[position]] = broken
    return found


def _claim_figures(
    areas: Sequence[AreaTables], population: PopulationFile | None
) -> dict[tuple[str, str, str], float]:
    """A claims file is judged against the figures of every file given (a change needs two years)."""
    from mappa_stats.rules.claims.judge import area_figures  # lazy: only a claims file needs it

    figures: dict[tuple[str, str, str], float] = {}
    for area in areas:
        # The year's population: the file given, else the shipped ONS estimates of the year's mid-year.
        figures.update(area_figures(area, year_population(population, area.template)))
    return figures


def _report(area: AreaTables, ctx: Context, chosen: Sequence[Rule], suggest: bool) -> FileReport:
    """One file's report: the chosen rules' findings (with the locator's diagnosis when `suggest`), and each
    rule's status counted from them."""
    raw: list[Finding] = []
    for r in chosen:
        raw.extend(r.check(ctx))
    raw = _unfilled_left_out(area, ctx, raw)
    shown = raw
    if suggest:
        from mappa_stats.rules.locate import explain_totals  # lazy: only a report that suggests needs it

        shown = explain_totals(area, raw)
    return FileReport(
        path=area.meta.path,
        sha256=area.meta.sha256,
        template=area.meta.template,
        area=area.meta.area,
        findings=tuple(shown),
        rules=tuple(rule_results(chosen, shown, ctx.skipped, ctx.not_applicable)),
        raw_findings=tuple(raw),
        provisional=area.template.provisional,
        notes=(*area.meta.notes, *ctx.claimed, *_not_cross_checked(area)),
    )


def _not_cross_checked(area: AreaTables) -> tuple[str, ...]:
    """For a return: the fields no total or relation of the year reaches, and those only a relation's bound
    reaches, so that a PASS is not read as more than it is (a Level 1 count typed 1132 for 1123 passes)."""
    from mappa_stats.definitions.equations import bound_only_return_fields, unreached_return_fields

    template = area.template
    notes = []
    for codes, head, why in (
        (unreached_return_fields(template), NOT_CROSS_CHECKED, "no total or relation of the year reaches"),
        (
            bound_only_return_fields(template),
            BOUND_ONLY,
            "only a bound (at most or at least another figure) reaches",
        ),
    ):
        where = [
            (code, cell) for code in codes if (cell := area.cell(*template.field_refs[code])) is not None
        ]
        if not where or not _is_return(where[0][1].sheet):
            continue
        named = ", ".join(f"{code} ({cell.source})" for code, cell in where)
        notes.append(
            f"{head}: {named}: {why} these fields of the return, so a mistyped figure there "
            f"{'passes' if head == NOT_CROSS_CHECKED else 'mostly passes'}; check them against your records"
        )
    return tuple(notes)


def source_kind(area: AreaTables) -> str:
    """What the figures were read from, as a sentence names it: 'the return', 'the workbook', 'the report',
    'the file' (a tidy CSV)."""
    if area.meta.source_format in ("pdf", "report-text"):
        return "the report"
    if area.meta.source_format == "csv":
        return "the file"
    first = next(iter(area.cells().values()), None)
    return "the return" if first is not None and first.sheet and _is_return(first.sheet) else "the workbook"


def _is_return(sheet: str) -> bool:
    """A cell of the Ministry's return: on its 'Data entry' form or its 'YY-YY data' sheet."""
    from mappa_stats.io.ret import DATA_SHEET, ENTRY

    return sheet.strip().lower() == ENTRY or DATA_SHEET.match(sheet) is not None


def _unfilled_left_out(area: AreaTables, ctx: Context, raw: list[Finding]) -> list[Finding]:
    """An optional table left wholly blank is one finding (cells.missing says it): the sums through it are
    not checked, so the rules that would have judged them are noted as not checked for that table, not
    failed once per cell."""
    blank = area.blank_optional()
    if not blank:
        return raw
    kept = []
    for f in raw:
        if f.table in blank and f.rule != "cells.missing":
            title = area.template.table(f.table).display_title
            ctx.skipped.setdefault(f.rule, f"{title!r} is not filled in")
            continue
        kept.append(f)
    return kept


def validate_area(
    area: AreaTables,
    *,
    level1_share: str | None = None,
    suggest: bool = True,
    given: Given | None = None,
    rules: Iterable[str] | None = None,
) -> FileReport:
    """Run every rule of the area's year (or those named) and return the file's report."""
    return validate_areas([area], level1_share=level1_share, suggest=suggest, given=given, rules=rules)[0]


Reader = Callable[[Path, str | None], AreaTables]


def validate_paths(
    paths: Sequence[Path],
    *,
    year: str | None = None,
    level1_share: str | None = None,
    suggest: bool = True,
    reader: Reader | None = None,
    given: Given | None = None,
    area_name: str | None = None,
    progress: Callable[[int, Path], None] | None = None,
) -> list[FileReport]:
    """Read and validate files; an unreadable file gives a report with status 'error', the rest go on.

    `progress(n, path)` is told of each file as it is read; every file is read in this process, one after
    another."""
    if reader is None:
        from mappa_stats.io.readers import read_area  # lazy: the readers take time to load

        reader = read_area
    chosen_reader = reader
    population = given.population if given is not None else None

    def read_for_population(path: Path) -> AreaTables:
        """The file's tables; a --population file of another mid-year than its year's is refused."""
        area = chosen_reader(path, year)
        refuse_other_mid_year(area.template, population)
        return area

    outcomes = read_files(paths, read_for_population, progress=progress, prepare=load_checker)
    read: list[AreaTables | FileReport] = []
    for path, outcome in zip(paths, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            read.append(FileReport(path=str(path), sha256=None, template=None, area=None, error=str(outcome)))
        else:
            read.append(outcome.with_area(area_name) if area_name else outcome)
    areas = [a for a in read if isinstance(a, AreaTables)]
    checked = iter(validate_areas(areas, level1_share=level1_share, suggest=suggest, given=given))
    return [next(checked) if isinstance(a, AreaTables) else a for a in read]


def read_files(
    paths: Sequence[Path],
    read: Callable[[Path], AreaTables],
    *,
    progress: Callable[[int, Path], None] | None = None,
    prepare: Callable[[], None] | None = None,
) -> list[AreaTables | MappaError]:
    """Read every file, in order, in this process: its tables, or the error that refused it. `prepare` runs
    first (it loads the checker); `progress(n, path)` is told of each file as it is read."""
    if prepare is not None:
        prepare()
    outcomes: list[AreaTables | MappaError] = []
    for number, path in enumerate(paths, start=1):
        try:
            outcomes.append(read(path))
        except MappaError as exc:
            outcomes.append(exc)
        if progress is not None:
            progress(number, path)
    return outcomes


def load_checker() -> None:
    """Import pandas and pandera and load pandera's backend (frame.load_checker)."""
    from mappa_stats.rules.frame import load_checker as load  # lazy: it loads pandas and pandera

    load()


def validate_path(
    path: Path,
    *,
    year: str | None = None,
    level1_share: str | None = None,
    suggest: bool = True,
    reader: Reader | None = None,
    given: Given | None = None,
    area_name: str | None = None,
) -> FileReport:
    """Read and validate one file; an unreadable file gives a report with status 'error'."""
    return validate_paths(
        [path],
        year=year,
        level1_share=level1_share,
        suggest=suggest,
        reader=reader,
        given=given,
        area_name=area_name,
    )[0]
