"""Reading claims: a claims file's lines, each checked against the year's definition and the MAPPA areas
as it is read (an unknown kind, year, area or field is refused, naming the file and line), and the area a
name means."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.definitions.load import figure_years, figures_template, schemas_dir
from mappa_stats.errors import InputError
from mappa_stats.io import guard
from mappa_stats.io.areas import area_key, find_area, suggest_areas
from mappa_stats.io.report_claims import read_sentences
from mappa_stats.rules.claims import forms
from mappa_stats.rules.claims.claim import ClaimLine, Stated, parse_stated
from mappa_stats.rules.claims.fields import POPULATION_FIELD, category_years, year_fields

HEADER = ("kind", "area", "year", "from_year", "stated")
KINDS = (
    "level1_share",
    "category_share:catN",
    "rate",
    "one_in_n",
    "change:FIELD",
    "national_rate",
    "relative:FIELD",
    "parts:FIELD",
    "rank:FIELD",
)
# The kinds whose stated text is more than a number (forms.py): relative to England and Wales, parts of a
# whole, rankings among the areas.
COMPARED = ("relative", "parts", "rank")
MAX_CLAIMS = 10_000


@cache
def _ministry_names() -> dict[str, str]:
    """The Ministry's area names (schemas/moj_areas.json, the National Security Division too), by key."""
    spec = json.loads((schemas_dir() / "moj_areas.json").read_text(encoding="utf-8"))
    return {area_key(name): name for name in spec["ids"].values()}


def canonical_area(name: str) -> str | None:
    """The MAPPA area a name means ('Kent Police' → 'Kent'), 'England and Wales', the National Security
    Division (a return of its own, under the Ministry's name), or None."""
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
    if base in ("change", *COMPARED) and target:
        code = target.strip().upper()
        for checked in (year, from_year):
            if checked is None:
                continue
            if code not in figures_template(checked).field_refs and (
                code != POPULATION_FIELD or base == "relative"
            ):
                raise _refuse(
                    where,
                    f"{raw!r}: {code} is not a field code of the {checked} tables "
                    "(mappa-stats rules and docs/templates.md list them)",
                )
        return f"{base}:{code}"
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


def parse_claim(where: str, row: Sequence[str]) -> ClaimLine:
    """One line of a claims file (kind, area, year, from_year, stated) as a ClaimLine, or InputError."""
    kind_text, area_text, year, from_text, stated_text = (cell.strip() for cell in row[:5])
    years = figure_years()
    if year not in years:
        raise _refuse(where, f"unknown year {year!r}; give a reporting year {years[0]} … {years[-1]}")
    from_year = from_text or None
    if from_year is not None and from_year not in years:
        raise _refuse(
            where, f"unknown from_year {from_text!r}; give a reporting year {years[0]} … {years[-1]}"
        )
    kind = _kind(where, kind_text, year, from_year)
    if kind.split(":", 1)[0] in COMPARED:
        if from_year is not None:
            raise _refuse(where, f"from_year is only for change: claims, not {kind}; leave it empty")
        return _compared(where, kind, area_text, year, stated_text)
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
            from mappa_stats.definitions.constants import NSD_ID
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
    return ClaimLine(kind, area, year, from_year, stated, where)


def _compared(where: str, kind: str, area_text: str, year: str, stated_text: str) -> ClaimLine:
    """A relative, parts or rank claim: its area checked for the kind, its stated text read (forms.py)."""
    base = kind.split(":", 1)[0]
    area = canonical_area(area_text) if area_text else None
    if area_text and area is None:
        hint = suggest_areas(area_text)
        raise _refuse(where, f"unknown area {area_text!r}" + (f"; did you mean {hint}?" if hint else ""))
    try:
        if base == "relative":
            stated, detail = forms.relative(stated_text)
        elif base == "rank":
            stated, detail = forms.rank(stated_text)
        else:
            stated, detail = forms.parts(stated_text, _mappa_area)
    except ValueError as exc:
        raise _refuse(where, str(exc)) from None
    if base in ("relative", "rank") and (area is None or find_area(area) is None):
        raise _refuse(where, f"{kind} is about a MAPPA area: give its name in the area column")
    if base == "rank" and detail.group != NATIONAL and _country(area or "") != detail.group:
        raise _refuse(where, f"{area} is not in {detail.group}: its rank there means nothing")
    if (
        base == "parts"
        and area is None
        and (not detail.whole or any(value is not None for _, value in detail.parts))
    ):
        raise _refuse(
            where,
            "with no area, the parts must be areas and the whole stated ('Gwent + South Wales = 1,234'); "
            "or give the area the parts make up",
        )
    return ClaimLine(kind, area or "", year, None, stated, where, detail)


def _mappa_area(name: str) -> str | None:
    """A MAPPA area's name, for a part that is an area."""
    found = find_area(name)
    return found.name if found is not None else None


def _country(name: str) -> str:
    found = find_area(name)
    return found.country if found is not None else ""


def _is_share(kind: str) -> bool:
    return kind == "level1_share" or kind.startswith("category_share")


def _prose(data: bytes) -> bool:
    """True for a report's text rather than a claims file: its first line is not a CSV header of a claims
    file (no 'kind' and 'stated' in it) and the text holds sentences."""
    first = data[:2048].split(b"\n", 1)[0].decode("utf-8", errors="replace").casefold()
    return (
        not ("kind" in first and "stated" in first) and re.search(rb"[a-z]\.\s", data[:100_000]) is not None
    )


def _sentences(display: str, data: bytes) -> list[ClaimLine]:
    """The claims a report's text states (io/report_claims.py), each judged as a claims file's line."""
    found = read_sentences(display, data, figure_years(), _mappa_area)
    return [parse_claim(where, list(row)) for where, row in found[:MAX_CLAIMS]]


def read_claims(path: Path | str) -> list[ClaimLine]:
    """Every claim of a claims file, or InputError naming the file and line of the first bad one."""
    display = guard.display_name(path)
    data = guard.read_input(path, "area")
    if data.startswith(b"%PDF") or _prose(data):
        return _sentences(display, data)
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
