"""Claims: the sentences written around the tables ("99% this year", "up 3.5 per cent"), checked.

A claims file (docs/claims.md) is a CSV with the header `kind,area,year,from_year,stated`, one statement a
line. Each is judged against figures given by field code — {(area, year, field): value}, the shape of the
long CSV `combine` writes and of `frame.wide` — at the precision it was stated in ("3.5%" to one decimal,
"42%" to a whole number), rounded half up as published figures are. The same judgement (`judge`) serves the
stated Level 1 share a workbook's commentary holds (`checks.claim_check`): one engine, two sources of claims.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from mappa_stats.definitions.constants import NATIONAL, NSD_ID
from mappa_stats.errors import InputError
from mappa_stats.numbers import half_up, judge

# Figures the long CSV carries beside the year's field codes (combine writes them; docs/compare.md).
POPULATION_FIELD = "POP10PLUS"
HEADER = ("kind", "area", "year", "from_year", "stated")
KINDS = ("level1_share", "category_share:catN", "rate", "one_in_n", "change:FIELD", "national_rate")

REPRODUCES, DOES_NOT, NOT_CHECKED = "reproduces", "does not reproduce", "cannot be checked"
# A stated figure is a few characters; longer text is not one (and Decimal must not expand 1e999999999).
MAX_STATED_CHARS = 30
MAX_CLAIMS = 10_000
MAX_DECIMALS = 6

Figures = Mapping[tuple[str, str, str], float]

_PERCENT_WORDS = re.compile(r"\s*(%|per\s*cent|percent|pc)\s*$", re.I)
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")


@dataclass(frozen=True)
class YearFields:
    """The field codes claims and compare need for a year, found by the roles of its definition (never by
    a year's own ids): the RSOs, Level 1, the 31 March total, the rate, the category totals, the 31 March
    Level 2 and 3 totals, and the yearly Level 2 and 3 totals."""

    rsos: str
    level1_total: str
    grand_total: str
    rate: str
    categories: dict[str, str]  # '1' → the Category 1 total on 31 March
    key: tuple[tuple[str, str], ...]  # (field code, label) of the figures compare shows year by year
    words: dict[str, str]  # field code → plain words ('Total, Category 1')
    # Categories no area's return holds, another form's (the NSD's Category 4, 2022-23 on): '4' → CAT4TOT.
    # Combine adds them to the England and Wales figures; an area's figures never have them.
    national_categories: dict[str, str] = field(default_factory=dict)


@cache
def year_fields(year: str) -> YearFields:
    """The fields of a year's definition that claims and compare use, by role."""
    from mappa_stats.definitions.load import form_years, load_template
    from mappa_stats.definitions.templates import FORMS

    template = load_template(year)

    def role(name: str) -> tuple[str, str, str]:
        ref = template.role(name)
        if ref is None:
            raise InputError(f"the {year} definition names no {name} (roles in docs/templates.md)")
        return ref

    grand = role("grand_total")
    snapshot = template.table(grand[0])
    total_row, total_column = grand[1], grand[2]
    rsos = template.field_of(role("rsos"))
    level1 = role("level1_total")
    categories: dict[str, str] = {}
    key: list[tuple[str, str]] = []
    for column in snapshot.columns:
        if column.is_total:
            continue
        code = snapshot.fields[(total_row, column.id)]
        number = column.short.rsplit(" ", 1)[-1]
        categories[number] = code
        key.append((code, f"{column.short}{' (RSOs)' if code == rsos else ''}, 31 March"))
    key.append((template.field_of(grand), "Total, 31 March"))
    for row in snapshot.rows:
        if not row.is_total and row.id != level1[1]:
            key.append((snapshot.fields[(row.id, total_column)], f"{row.label}, 31 March"))
    # The yearly totals: the table the year's relations hold never below the 31 March grid, row by row.
    for relation in template.relations:
        for comparison in relation.comparisons:
            left, right = comparison.left[0], comparison.right[0]
            if (
                comparison.op != ">="
                or right[0] != snapshot.id
                or left[0] == snapshot.id
                or left[1] != right[1]
            ):
                continue
            yearly = template.table(left[0])
            total = next((c for c in yearly.columns if c.is_total), None)
            if total is not None and (left[1], total.id) in yearly.fields:
                key.append((yearly.fields[(left[1], total.id)], f"{yearly.row(left[1]).label}, yearly total"))
    rate = template.field_of(role("stated_rate"))
    key.append((rate, "RSOs per 100,000 aged 10+"))
    words = {code: label for code, label in key}
    for table in template.tables:
        for (row_id, column_id), code in table.fields.items():
            if code not in words and table.kind == "grid":
                words[code] = f"{table.row(row_id).label}, {table.column(column_id).short}"
    words[template.field_of(level1)] = "Level 1, 31 March"
    words[POPULATION_FIELD] = "the population aged 10+"
    national_categories: dict[str, str] = {}
    for form in FORMS:
        if form == "area" or year not in form_years(form):
            continue
        other = load_template(year, form)
        if not any(t.id == snapshot.id for t in other.tables):
            continue
        grid = other.table(snapshot.id)
        total = next(r for r in grid.rows if r.is_total)
        for column in grid.columns:
            number = column.short.rsplit(" ", 1)[-1]
            if not column.is_total and number not in categories and (total.id, column.id) in grid.fields:
                national_categories[number] = grid.fields[(total.id, column.id)]
                words[grid.fields[(total.id, column.id)]] = f"{column.short}, 31 March"
    return YearFields(
        rsos,
        template.field_of(level1),
        template.field_of(grand),
        rate,
        categories,
        tuple(key),
        words,
        national_categories,
    )


def category_years(number: str) -> tuple[str, ...]:
    """The years whose figures have this category at all (in an area's return or, nationally, another's)."""
    from mappa_stats.definitions.load import available_years

    return tuple(
        y
        for y in available_years()
        if number in year_fields(y).categories or number in year_fields(y).national_categories
    )


def field_words(code: str, year: str) -> str:
    """Plain words for a field code: 'CAT1TOT (Category 1 (RSOs), 31 March)'."""
    words = year_fields(year).words.get(code)
    return f"{code} ({words})" if words else code


@dataclass(frozen=True)
class Stated:
    """A figure as written: its value, the decimals it was given to, and whether it carried % or a sign."""

    text: str
    value: Decimal
    decimals: int
    percent: bool
    signed: bool

    @property
    def shown(self) -> str:
        """The value as a percentage or number at its own precision: '3.5%', '1,003'."""
        return f"{self.value:,.{self.decimals}f}" + ("%" if self.percent else "")


def parse_stated(text: str) -> Stated | None:
    """'3.5%', '+3.5 per cent', '−2%', '1,003', '1003', '99' → a Stated; None when it is not a number."""
    body = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    if not body or len(body) > MAX_STATED_CHARS:
        return None
    percent = bool(_PERCENT_WORDS.search(body))
    body = _PERCENT_WORDS.sub("", body).strip()
    sign = ""
    if body[:1] in "+-" and body:
        sign, body = body[0], body[1:].strip()
    if _THOUSANDS.match(body):
        body = body.replace(",", "")
    if not _NUMBER.match(body):
        return None
    try:
        number = Decimal(body)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return None
    decimals = len(body.split(".", 1)[1]) if "." in body else 0
    if decimals > MAX_DECIMALS or len(body.split(".", 1)[0]) > 12:
        return None  # no statement gives more; and Decimal's 28 digits must hold the rounding
    return Stated(text.strip(), -number if sign == "-" else number, decimals, percent, bool(sign))


@dataclass(frozen=True)
class Claim:
    """One line of a claims file: what is claimed, of which area and year, and the figure as stated."""

    kind: str  # as written, folded: 'level1_share', 'category_share:cat1', 'change:CAT1TOT'
    area: str  # the MAPPA area's name (schemas/areas.json), or 'England and Wales'
    year: str
    from_year: str | None
    stated: Stated
    where: str  # 'claims.csv:3'

    @property
    def base(self) -> str:
        """The kind without its argument: 'change' for 'change:CAT1TOT'."""
        return self.kind.split(":", 1)[0]

    @property
    def target(self) -> str:
        """The kind's argument: the field code of a change, the category of a share."""
        return self.kind.split(":", 1)[1] if ":" in self.kind else ""

    def describe(self) -> str:
        """'Kent 2014-15 Level 1 share "99%"'."""
        what = {
            "level1_share": "Level 1 share",
            "category_share": f"Category {self.target[3:]} share",
            "rate": "rate per 100,000",
            "one_in_n": "one for every N aged 10+",
            "change": f"change in {self.target} from {self.from_year}",
            "national_rate": "national rate per 100,000",
        }[self.base]
        return f"{self.area} {self.year} {what} {self.stated.text!r}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "area": self.area,
            "year": self.year,
            "from_year": self.from_year,
            "stated": self.stated.text,
            "where": self.where,
        }


@dataclass(frozen=True)
class ClaimResult:
    """How one claim fared: reproduces, does not reproduce, or cannot be checked (naming what is missing)."""

    claim: Claim
    status: str
    message: str  # one line, starting with where the claim was stated
    computed: str | None = None  # the value the figures give, at the stated precision ('4.7%')
    exact: str | None = None  # the same to two decimals ('4.67%')
    needs: str | None = None  # what the stated value would need of the figures
    missing: tuple[str, ...] = ()  # field codes the check needed and did not have
    basis: str = ""  # the figures used, in words

    @property
    def failed(self) -> bool:
        """True when the figures contradict the claim."""
        return self.status == DOES_NOT

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (docs/claims.md)."""
        return {
            **self.claim.to_dict(),
            "status": self.status,
            "computed": self.computed,
            "exact": self.exact,
            "needs": self.needs,
            "missing": list(self.missing),
            "basis": self.basis,
            "message": self.message,
        }


# --- reading a claims file ----------------------------------------------------------------------------


@cache
def _ministry_names() -> dict[str, str]:
    """The Ministry's area names (schemas/moj_areas.json, the National Security Division too), by key."""
    import json

    from mappa_stats.definitions.load import schemas_dir
    from mappa_stats.io.areas import area_key

    spec = json.loads((schemas_dir() / "moj_areas.json").read_text(encoding="utf-8"))
    return {area_key(name): name for name in spec["ids"].values()}


def canonical_area(name: str) -> str | None:
    """The MAPPA area a name means ('Kent Police' → 'Kent'), 'England and Wales', the National Security
    Division (a return of its own, under the Ministry's name), or None."""
    from mappa_stats.io.areas import area_key, find_area

    key = area_key(name)
    if key in (area_key(NATIONAL), "national"):
        return NATIONAL
    found = find_area(name)
    if found is not None:
        return found.name
    return _ministry_names().get(key) if key else None


def _refuse(where: str, message: str) -> InputError:
    return InputError(f"{where}: {message}; see docs/claims.md")


def _kind(where: str, text: str, year: str, from_year: str | None) -> str:
    """The kind, checked against the year's definition; InputError naming the line otherwise."""
    from mappa_stats.definitions.load import load_template

    raw = text.strip()
    base, _, target = raw.partition(":")
    base = base.strip().casefold()
    if base in ("level1_share", "rate", "one_in_n", "national_rate") and not target:
        return base
    if base == "category_share" and target:
        category = target.strip().casefold()
        match = re.fullmatch(r"cat(?:egory)?\s*(\d)", category)
        if not match:
            raise _refuse(where, f"{raw!r} names no category; write category_share:cat1 (cat2, cat3 …)")
        number = match.group(1)
        fields = year_fields(year)
        if number not in fields.categories and number not in fields.national_categories:
            years = category_years(number)
            since = f" (Category {number} is in the figures of {years[0]} on)" if years else ""
            raise _refuse(where, f"{raw!r}: the {year} tables have no Category {number} total{since}")
        return f"category_share:cat{number}"
    if base == "change" and target:
        code = target.strip().upper()
        for checked in (year, from_year):
            if checked is None:
                continue
            if code not in load_template(checked).field_refs and code != POPULATION_FIELD:
                raise _refuse(
                    where,
                    f"{raw!r}: {code} is not a field code of the {checked} tables "
                    "(mappa-stats rules and docs/templates.md list them)",
                )
        return f"change:{code}"
    raise _refuse(where, f"unknown kind {raw!r}; use one of {', '.join(KINDS)}")


def _check_range(where: str, kind: str, stated: Stated) -> None:
    """Refuse a stated figure that cannot be what its kind states (a share over 100%, a rate as %), or
    that could be either of two shares (0.99: a fraction, 99%, or 0.99%)."""
    if _is_share(kind):
        if stated.value < 0 or stated.value > 100:
            raise _refuse(where, f"the stated share {stated.text!r} is not a percentage between 0 and 100")
        if not stated.percent and 0 < stated.value <= 1:
            # A workbook's 0.99 under a % format, and --level1-share 0.99, are 99%; a share is also often
            # below 1% (Category 3: 4 of 2,357 is 0.17%). Written bare, the line could mean either.
            fraction = f"{(stated.value * 100).normalize():f}%"
            raise _refuse(
                where,
                f"the stated share {stated.text!r} is ambiguous: write {fraction} for a fraction of "
                f"the whole (as a workbook's {stated.text} shown as a percentage is), or {stated.text}% for "
                "under one per cent",
            )
    elif kind in ("rate", "national_rate"):
        if stated.percent or stated.value < 0 or stated.value > 100_000:
            raise _refuse(
                where, f"the stated rate {stated.text!r} is not a rate per 100,000 (write it as 100)"
            )
    elif kind == "one_in_n" and (stated.percent or stated.value < 1):
        raise _refuse(
            where,
            f"the stated 'one for every N' {stated.text!r} is not a number of people (write it as 1,003)",
        )


def parse_claim(where: str, row: Sequence[str]) -> Claim:
    """One line of a claims file (kind, area, year, from_year, stated) as a Claim; InputError otherwise."""
    from mappa_stats.definitions.load import available_years
    from mappa_stats.io.areas import suggest_areas

    kind_text, area_text, year, from_text, stated_text = (cell.strip() for cell in row[:5])
    years = available_years()
    if year not in years:
        raise _refuse(where, f"unknown year {year!r}; give a reporting year {years[0]} … {years[-1]}")
    from_year = from_text or None
    if from_year is not None and from_year not in years:
        raise _refuse(
            where, f"unknown from_year {from_text!r}; give a reporting year {years[0]} … {years[-1]}"
        )
    kind = _kind(where, kind_text, year, from_year)
    if kind.startswith("change:"):
        if from_year is None:
            raise _refuse(where, f"{kind} needs from_year, the year the change is measured from")
        if from_year >= year:
            raise _refuse(where, f"from_year {from_year} is not before year {year}")
    elif from_year is not None:
        raise _refuse(where, f"from_year is only for change: claims, not {kind}; leave it empty")
    if kind == "national_rate" and not area_text:
        area: str | None = NATIONAL
    else:
        area = canonical_area(area_text)
    if area is None:
        hint = suggest_areas(area_text) if area_text else None
        raise _refuse(
            where,
            f"unknown area {area_text!r}"
            + (f"; did you mean {hint}?" if hint else f"; give a MAPPA area's name or {NATIONAL!r}"),
        )
    if kind == "national_rate" and area != NATIONAL:
        raise _refuse(where, f"national_rate is about {NATIONAL}, not {area}; use rate for an area")
    if kind.startswith("category_share:") and area != NATIONAL:
        number = kind[len("category_share:cat") :]
        if number in year_fields(year).national_categories:
            from mappa_stats.io.ret import moj_area_ids

            whose = (
                f"the National Security Division's return holds Category {number} only (its share is 100%)"
                if area == moj_area_ids()[NSD_ID]
                else f"an area's return has no Category {number} (the National Security Division reports it)"
            )
            raise _refuse(
                where, f"{kind}: {whose}; combine adds it to the {NATIONAL} figures: claim it of {NATIONAL}"
            )
    stated = parse_stated(stated_text)
    if stated is None:
        shown = stated_text if len(stated_text) <= 40 else stated_text[:40] + "…"
        raise _refuse(
            where, f"the stated figure {shown!r} is not a number (write it as 3.5%, +3.5 per cent or 1,003)"
        )
    _check_range(where, kind, stated)
    return Claim(kind, area, year, from_year, stated, where)


def _is_share(kind: str) -> bool:
    return kind == "level1_share" or kind.startswith("category_share")


def read_claims(path: Path | str) -> list[Claim]:
    """Every claim of a claims file, or InputError naming the file and line of the first bad one."""
    from mappa_stats.io import guard
    display = guard.display_name(path)
    data = guard.read_input(path, "area")
    guard.check_text(display, data, "area")
    text = guard.decode_text(display, data)
    rows = guard.csv_rows(display, text, ",", "area")
    header = next(rows, None)
    folded = [h.strip().casefold() for h in header] if header else []
    if tuple(folded[:5]) != HEADER:
        raise InputError(
            f"{display}:1: a claims file starts with the header {','.join(HEADER)}"
            + (f" (this one has {','.join(folded[:5])!r})" if folded else " (the file has no lines)")
            + "; see docs/claims.md"
        )
    claims = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue  # blank lines and '# comments' let a claims file say where its sentences come from
        where = f"{display}:{number}"
        if len(row) < 5:
            raise _refuse(where, f"{len(row)} fields, a claim needs 5 ({','.join(HEADER)})")
        if len(row) > len(folded) and any(cell.strip() for cell in row[len(folded) :]):
            # "2,798" unquoted splits into two fields: reading the first would judge a claim of 2.
            raise _refuse(
                where,
                f"{len(row)} fields, more than the header's {len(folded)}: a number with a thousands "
                'separator must be quoted ("2,798"), or written without the comma',
            )
        claims.append(parse_claim(where, row))
        if len(claims) > MAX_CLAIMS:
            raise InputError(f"{display}: more than {MAX_CLAIMS:,} claims; is this the right file?")
    return claims


# --- checking claims against figures -------------------------------------------------------------------


class _Lookup:
    """Figures by (area, year, field), with area names folded so 'Devon & Cornwall' finds its figures."""

    def __init__(self, figures: Figures, national: Mapping[tuple[str, str], float] | None) -> None:
        self.values: dict[tuple[str, str, str], float] = {}
        # Whether any population was given at all: a POP10PLUS figure, or one marked NaN (area_figures: a
        # population file was given that has no figure for the area).
        self.population_given = any(code == POPULATION_FIELD for _, _, code in figures) or any(
            code == POPULATION_FIELD for _, code in (national or {})
        )
        for (area, year, code), value in figures.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            self.values[(canonical_area(area) or area, year, code)] = value
        for (year, code), value in (national or {}).items():
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                self.values[(NATIONAL, year, code)] = value

    def get(self, area: str, year: str, code: str) -> Decimal | None:
        value = self.values.get((area, year, code))
        return None if value is None else Decimal(repr(float(value))).normalize()


def _n(value: Decimal) -> str:
    """A figure for a message: '52,770', '1,565,295', '99.5'."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def _pct(value: Decimal, decimals: int, signed: bool = False) -> str:
    return f"{value:{'+' if signed else ''},.{decimals}f}%"


def _count_range(
    gives: Callable[[Decimal], Decimal], guess: Decimal, stated: Stated
) -> tuple[int, int] | None:
    """The whole counts x near the guess for which gives(x) rounds to the stated figure, or None."""
    if not guess.is_finite() or abs(guess) > 10**12:
        return None
    centre = int(guess.to_integral_value())

    def ok(x: int) -> bool:
        return x >= 0 and judge(stated.value, stated.decimals, gives(Decimal(x)))[0]

    start = next((x for x in (centre, centre - 1, centre + 1) if ok(x)), None)
    if start is None:
        return None

    def edge(direction: int) -> int:
        # The counts that give the stated figure are one run (gives is monotonic): double the step until
        # it leaves the run, then halve back to its edge; a few dozen judgements however wide the run is.
        good, step = start, 1
        while True:
            bad = start + direction * step
            if not ok(bad):
                break
            good, step = bad, step * 2
            if step > 2**60:
                return good
        while abs(bad - good) > 1:
            middle = (good + bad) // 2
            if ok(middle):
                good = middle
            else:
                bad = middle
        return good

    return edge(-1), edge(1)


def _between(found: tuple[int, int] | None) -> str | None:
    if found is None:
        return None
    low, high = found
    return f"{low:,}" if low == high else f"{low:,} to {high:,}"


class _Checker:
    """Judge claims against one set of figures."""

    def __init__(self, lookup: _Lookup) -> None:
        self.lookup = lookup

    def no_population(self, claim: Claim, tail: str = "") -> ClaimResult:
        """Cannot be checked because no population was given at all: say so, and how to give one."""
        return ClaimResult(
            claim,
            NOT_CHECKED,
            f"{claim.where}: {claim.describe()} cannot be checked: no population file was given, so there is "
            f"no population aged 10+ ({POPULATION_FIELD}) of {claim.area} {claim.year}; give --population "
            f"to validate or combine (or {POPULATION_FIELD} rows in a long CSV){tail}",
            missing=(POPULATION_FIELD,),
        )

    def population_fix(self, claim: Claim) -> str:
        """Where the population the figures lack would come from."""
        if not self.lookup.population_given:
            return f" (give --population to validate or combine, or {POPULATION_FIELD} rows in a long CSV)"
        if claim.area == NATIONAL:
            return " (combine gives it when every area it counts is in the population file)"
        return " (the population given has none for it: the area is not in it, or it is of another mid-year)"

    def missing(self, claim: Claim, needed: Iterable[tuple[str, str]], fix: str = "") -> ClaimResult:
        """Cannot be checked: name every figure the claim needs and the figures lack."""
        names = [f"{field_words(code, year)} of {claim.area} {year}" for code, year in needed]
        codes = tuple(dict.fromkeys(code for code, _ in needed))
        return ClaimResult(
            claim,
            NOT_CHECKED,
            f"{claim.where}: {claim.describe()} cannot be checked: needs {', '.join(names)}, "
            f"which the figures lack{fix}",
            missing=codes,
        )

    def figures(
        self, claim: Claim, needed: Sequence[tuple[str, str]]
    ) -> tuple[list[Decimal], list[tuple[str, str]]]:
        """The figures (field, year) of the claim's area, and those of them the figures lack."""
        values = [self.lookup.get(claim.area, year, code) for code, year in needed]
        absent = [need for need, value in zip(needed, values, strict=True) if value is None]
        return [v for v in values if v is not None], absent

    def verdict(
        self,
        claim: Claim,
        exact: Decimal,
        basis: str,
        needs: str | None,
        *,
        percent: bool,
        half_even_too: bool = False,
        signed: bool = False,
    ) -> ClaimResult:
        stated = claim.stated
        ok, computed = judge(stated.value, stated.decimals, exact, half_even_too=half_even_too)
        if percent:
            shown_computed = _pct(computed, stated.decimals, signed)
            shown_exact = _pct(half_up(exact, 2), 2, signed)
        else:
            shown_computed = f"{computed:,.{stated.decimals}f}"
            shown_exact = f"{half_up(exact, 2):,.2f}"
        head = f"{claim.where}: {claim.describe()}"
        if ok:
            message = f"{head} reproduces: {basis} = {shown_exact}, {shown_computed} as stated"
            return ClaimResult(claim, REPRODUCES, message, shown_computed, shown_exact, None, (), basis)
        wanted = f"; {stated.shown} would need {needs}" if needs else ""
        message = (
            f"{head} does not reproduce: {basis} = {shown_exact}, which is {shown_computed} at the stated "
            f"precision{wanted}"
        )
        return ClaimResult(claim, DOES_NOT, message, shown_computed, shown_exact, needs, (), basis)

    def share(
        self, claim: Claim, part: str, whole: str, label: str, why: Mapping[str, str] | None = None
    ) -> ClaimResult:
        found, absent = self.figures(claim, [(part, claim.year), (whole, claim.year)])
        if absent:
            return self.missing(claim, absent, "".join((why or {}).get(code, "") for code, _ in absent))
        numerator, denominator = found
        if not denominator:
            return self.missing(claim, [(whole, claim.year)], " (it is 0: no share of nothing)")
        exact = numerator * 100 / denominator
        wanted = _count_range(
            lambda x: x * 100 / denominator, claim.stated.value * denominator / 100, claim.stated
        )
        needs = f"{label} of {_between(wanted)} of {_n(denominator)}" if wanted else None
        basis = f"{label} {_n(numerator)} of {_n(denominator)} on 31 March"
        return self.verdict(claim, exact, basis, needs, percent=True)

    def rate(self, claim: Claim) -> ClaimResult:
        fields = year_fields(claim.year)
        found, absent = self.figures(claim, [(fields.rsos, claim.year), (POPULATION_FIELD, claim.year)])
        if absent:
            stated_rate = self.lookup.get(claim.area, claim.year, fields.rate)
            tail = (
                f"; the tables state {_n(stated_rate)}"
                if stated_rate is not None and claim.area != NATIONAL
                else ""
            )
            if absent == [(POPULATION_FIELD, claim.year)]:
                if not self.lookup.population_given:
                    return self.no_population(claim, tail)
                return self.missing(claim, absent, self.population_fix(claim) + tail)
            fix = (
                f" (give --population to validate or combine, or {POPULATION_FIELD} rows in a long CSV)"
                if claim.area != NATIONAL
                else " (the England and Wales rows combine writes hold them)"
            )
            return self.missing(claim, absent, fix + tail)
        rsos, population = found
        if not population:
            return self.missing(claim, [(POPULATION_FIELD, claim.year)], " (it is 0)")
        exact = rsos * 100_000 / population
        wanted = _count_range(
            lambda x: x * 100_000 / population, claim.stated.value * population / 100_000, claim.stated
        )
        needs = f"{_between(wanted)} RSOs" if wanted else None
        basis = f"{_n(rsos)} RSOs ÷ {_n(population)} aged 10+ × 100,000"
        return self.verdict(claim, exact, basis, needs, percent=False, half_even_too=True)

    def one_in(self, claim: Claim) -> ClaimResult:
        fields = year_fields(claim.year)
        found, absent = self.figures(claim, [(fields.rsos, claim.year), (POPULATION_FIELD, claim.year)])
        if not absent:
            rsos, population = found
            if rsos:
                exact = population / rsos
                basis = f"{_n(population)} aged 10+ ÷ {_n(rsos)} RSOs"
                wanted = _count_range(
                    lambda x: population / x if x else Decimal(-1),
                    population / claim.stated.value,
                    claim.stated,
                )
                needs = f"{_between(wanted)} RSOs" if wanted else None
                return self.verdict(claim, exact, basis, needs, percent=False)
        stated_rate = self.lookup.get(claim.area, claim.year, fields.rate)
        if stated_rate is None or stated_rate <= Decimal("0.5"):
            tail = ", and no stated rate to check it against"
            if absent == [(POPULATION_FIELD, claim.year)] and not self.lookup.population_given:
                return self.no_population(claim, tail)
            if not absent:  # both given, and no RSOs: no N people to each of them
                return self.missing(claim, [(fields.rsos, claim.year)], f" (it is 0){tail}")
            fix = self.population_fix(claim) if (POPULATION_FIELD, claim.year) in absent else ""
            return self.missing(claim, absent, fix + tail)
        # Only the rounded rate is known: any rate within half a unit of it gives an N in this interval.
        low = half_up(Decimal(100_000) / (stated_rate + Decimal("0.5")), claim.stated.decimals)
        high = half_up(Decimal(100_000) / (stated_rate - Decimal("0.5")), claim.stated.decimals)
        centre = Decimal(100_000) / stated_rate
        fits = low <= claim.stated.value <= high
        interval = f"{low:,.{claim.stated.decimals}f} to {high:,.{claim.stated.decimals}f}"
        basis = f"the stated rate {_n(stated_rate)} (which gives one for every {interval})"
        head = f"{claim.where}: {claim.describe()}"
        computed = f"{half_up(centre, claim.stated.decimals):,.{claim.stated.decimals}f}"
        two_dp = f"{half_up(centre, 2):,.2f}"
        if fits:
            message = f"{head} reproduces: consistent with {basis}"
            return ClaimResult(claim, REPRODUCES, message, computed, two_dp, None, (), basis)
        needs = f"a rate of {half_up(Decimal(100_000) / claim.stated.value, 2):,.2f}"
        message = f"{head} does not reproduce: {basis}; {claim.stated.shown} would need {needs}"
        return ClaimResult(claim, DOES_NOT, message, computed, two_dp, needs, (), basis)

    def change(self, claim: Claim) -> ClaimResult:
        code = claim.target
        assert claim.from_year is not None
        found, absent = self.figures(claim, [(code, claim.from_year), (code, claim.year)])
        if absent:
            return self.missing(claim, absent)
        before, after = found
        if not before:
            return self.missing(
                claim, [(code, claim.from_year)], " (it is 0: no percentage change from nothing)"
            )
        exact = (after - before) * 100 / before
        wanted = _count_range(
            lambda x: (x - before) * 100 / before, before * (1 + claim.stated.value / 100), claim.stated
        )
        needs = f"{claim.year} {code} of {_between(wanted)} (from {_n(before)})" if wanted else None
        basis = f"{code} {_n(before)} ({claim.from_year}) → {_n(after)} ({claim.year})"
        return self.verdict(claim, exact, basis, needs, percent=True, signed=True)

    def check(self, claim: Claim) -> ClaimResult:
        base = claim.base
        fields = year_fields(claim.year)
        if base == "level1_share":
            return self.share(claim, fields.level1_total, fields.grand_total, "Level 1")
        if base == "category_share":
            number = claim.target[3:]
            if number in fields.categories:
                return self.share(claim, fields.categories[number], fields.grand_total, f"Category {number}")
            # Another form's category (the NSD's Category 4): only the England and Wales figures hold it.
            fix = " (the National Security Division's return was not counted)"
            code = fields.national_categories[number]
            return self.share(claim, code, fields.grand_total, f"Category {number}", {code: fix})
        if base in ("rate", "national_rate"):
            return self.rate(claim)
        if base == "one_in_n":
            return self.one_in(claim)
        return self.change(claim)


def check_claims(
    claims: Iterable[Claim],
    figures: Figures,
    national: Mapping[tuple[str, str], float] | None = None,
) -> list[ClaimResult]:
    """Judge each claim against figures {(area, year, field code): value}; national figures may come apart
    as {(year, field code): value} or as rows of the area 'England and Wales'. One result per claim."""
    checker = _Checker(_Lookup(figures, national))
    return [checker.check(claim) for claim in claims]


def area_figures(area: Any, population: Any = None) -> dict[tuple[str, str, str], float]:
    """An area's figures by field code, for claims: every usable number of its tables, plus POP10PLUS from
    a population file when one is given (and the area is in it)."""
    from mappa_stats.rules.frame import wide

    row = wide([area]).iloc[0]
    name = area.meta.area or ""
    year = area.template.year
    out: dict[tuple[str, str, str], float] = {}
    for code in area.template.field_refs:
        value = row[code]
        if value == value:  # not NaN
            out[(name, year, code)] = float(value)
    if population is not None and name:
        try:
            base = population.get(name).aged_10_plus
        except InputError:
            base = None
        if base is not None and population.vintage in (None, f"mid-{area.template.population_mid_year}"):
            out[(name, year, POPULATION_FIELD)] = float(base)
        else:
            out[(name, year, POPULATION_FIELD)] = math.nan  # a population was given, with none for the area
    return out
