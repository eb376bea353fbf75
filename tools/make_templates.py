"""Write the definitions of 2015-16 to 2024-25 from 2014-15 and what is known of each later year.

    python tools/make_templates.py

What is verified and what is carried forward comes from shared/research/moj-return.md: the Ministry of
Justice's production code fixes the area return's field codes for 2023-24 and 2024-25 (verified); the
area reports' printed labels after 2014-15 are not public, so earlier years are provisional. The files
written are the data; review the diff before committing. This script is a convenience for keeping the
shared parts of ten years consistent, not a place where a year's rules live.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "schemas" / "templates"
MONTHS_END = "31 March"

MOJ_CODE = (
    "Ministry of Justice MAPPA production code, moj-analytical-services/OMPPG, MAPPA/2023-2024 and "
    "MAPPA/2024-2025 (field codes of the area return; shared/research/moj-return.md)"
)
CARRIED = (
    "Area-report tables carried forward from the Kent MAPPA Annual Report 2014-15: the printed titles and "
    "labels of later area reports are not verified"
)
CATS = {"cat1": "CAT1", "cat2": "CAT2", "cat3": "CAT3"}


def grid_fields(
    rows: list[str], suffix: str, grand: str, *, level_tot: str = "LEVEL{n}{s}TOT"
) -> dict[str, Any]:
    """Field codes of a category × level grid: CAT1L2{suffix}, LEVEL2{suffix}TOT, CAT1{suffix}TOT, grand."""
    out: dict[str, dict[str, str]] = {}
    for r in [*rows, "total"]:
        out[r] = {}
        for c in [*CATS, "total"]:
            if r != "total" and c != "total":
                out[r][c] = f"{CATS[c]}L{r[-1]}{suffix}"
            elif r != "total":
                out[r][c] = level_tot.format(n=r[-1], s=suffix)
            elif c != "total":
                out[r][c] = f"{CATS[c]}{suffix}TOT"
            else:
                out[r][c] = grand
    return out


def sfo_table(table_id: str, title: str, suffix: str) -> dict[str, Any]:
    """A serious-further-offence grid: Levels 1–3 × Categories 1–3, no Category 3 at Level 1."""
    return {
        "id": table_id,
        "kind": "grid",
        "title": title,
        "match": [title],
        "rows": "levels_123",
        "columns": "categories",
        "not_applicable": [
            {
                "row": "level1",
                "column": "cat3",
                "printed": "",
                "why": "Category 3 offenders are by definition managed at Level 2 or 3",
            }
        ],
        "fields": grid_fields(["level1", "level2", "level3"], suffix, f"{suffix}TOT"),
    }


def value_table(table_id: str, title: str, code: str) -> dict[str, Any]:
    """A table of one number."""
    return {
        "id": table_id,
        "kind": "value",
        "title": title,
        "match": [title],
        "rows": [{"id": "value", "label": "Number"}],
        "columns": [{"id": "value", "label": "Number"}],
        "fields": {"value": {"value": code}},
    }


BREAKDOWN_CODES = ("CAT1L2", "CAT1L3", "CAT2L2", "CAT2L3", "CAT3L2", "CAT3L3")
# The return's breakdown blocks of 31 March Level 2 and 3 offenders on 'Data entry': found by the label in
# column B of their first row, counts in columns C to H (shared/research/moj-return.md). Only the first row's
# label is public: the rows are read as they stand, by position.
BLOCKS = (
    ("breakdown_age", "Level 2 and 3 offenders on 31 March by age", "Under 18", 9, "AGE"),
    ("breakdown_sex", "Level 2 and 3 offenders on 31 March by sex", "Female", 5, "SEX"),
    (
        "breakdown_ethnicity",
        "Level 2 and 3 offenders on 31 March by ethnicity",
        "White - Scottish",
        40,
        "ETH",
    ),
)


def breakdown_table(table_id: str, title: str, anchor: str, rows: int, prefix: str) -> dict[str, Any]:
    """A breakdown block of the return: rows by position (the first labelled `anchor`), a column a cell."""
    return {
        "id": table_id,
        "kind": "grid",
        "title": title,
        "match": [title],
        "required": False,
        "rows": [{"id": f"row{n}", "label": anchor if n == 1 else f"Row {n}"} for n in range(1, rows + 1)],
        "columns": [
            {"id": code.lower(), "label": f"Category {code[3]}, Level {code[5]}"} for code in BREAKDOWN_CODES
        ],
        "fields": {
            f"row{n}": {code.lower(): f"{prefix}{n}_{code}" for code in BREAKDOWN_CODES}
            for n in range(1, rows + 1)
        },
        "publication": {
            "description": f"Numbers of people: {title[0].lower()}{title[1:]}.",
            "unit": "people",
            "row_header": title.rsplit(" by ", 1)[-1].capitalize(),
        },
    }


def return_fields(start: int) -> list[str]:
    """The area return's data-sheet fields in the Ministry's order (69 in 2023-24, 72 in 2024-25)."""
    cells = ["CAT1L1", "CAT1L2", "CAT1L3", "CAT2L1", "CAT2L2", "CAT2L3", "CAT3L2", "CAT3L3"]
    yearly = [f"CAT{c}L{n}YEAR" for c in (1, 2, 3) for n in (2, 3)]
    if start >= 2024:
        breaches = [f"CAT1L{n}CAUT" for n in (1, 2, 3)] + [f"CAT1L{n}CON" for n in (1, 2, 3)]
    else:
        breaches = [f"CAT1L{n}CAUTCON" for n in (1, 2, 3)]
    orders = ["SOPOGRANT", "NOGRANT", "FTOGRANT"]
    licence = [f"CAT{c}L{n}LICBREACH" for c in (1, 2, 3) for n in (2, 3)]
    sopo = ["CAT1L2SOPOBREACH", "CAT1L3SOPOBREACH"]
    sfo = [f"{cell}SFO" for cell in cells]
    outcomes = [f"{cell}SFO{outcome}" for outcome in ("CONV", "CHARGE", "OTHER") for cell in cells]
    scr = [f"CAT{c}L{n}SCR" for c in (1, 2, 3) for n in (2, 3)]
    return [
        "AREAID",
        *cells,
        *yearly,
        *breaches,
        *orders,
        *licence,
        *sopo,
        *sfo,
        *outcomes,
        *scr,
        "SROBREACH",
        "RSOREVOKE",
    ]


RETURN_TYPOS = {
    "CAT3L3SFOCONVICT": "CAT3L3SFOCONV",
    "CAT1L3SFOCHARGED": "CAT1L3SFOCHARGE",
    "CAT2L2SFOTHER": "CAT2L2SFOOTHER",
}
# Tables of the area report that a return does not carry: the stated rate and the commentary's share.
REPORT_ONLY = ("rsos_per_100k", "commentary")


def _label_set(spec: dict[str, Any], labels: Any) -> list[dict[str, Any]]:
    return list(spec["labels"][labels] if isinstance(labels, str) else labels)


def typed_fields(spec: dict[str, Any]) -> list[str]:
    """The cells someone types, in table order: no totals, no not-applicable cells, no report-only table."""
    out = []
    for table in spec["tables"]:
        if table["id"] in REPORT_ONLY:
            continue
        na = {(x["row"], x["column"]) for x in table.get("not_applicable", [])}
        for row in _label_set(spec, table["rows"]):
            for column in _label_set(spec, table["columns"]):
                if "total_of" in row or "total_of" in column or (row["id"], column["id"]) in na:
                    continue
                out.append(table["fields"][row["id"]][column["id"]])
    return out


def _year_words(text: str, start: int) -> str:
    """2014-15 wording carried to another year: its snapshot date and its population estimate."""
    return text.replace(f"{MONTHS_END} 2015", f"{MONTHS_END} {start + 1}").replace("mid-2014", f"mid-{start}")


def year_of(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def build(start: int, base: dict[str, Any]) -> dict[str, Any]:
    """The definition of the reporting year that starts in April of `start`."""
    spec = copy.deepcopy(base)
    end = start + 1
    year = year_of(start)
    spec["template"] = year
    spec["period_end"] = f"{MONTHS_END} {end}"
    spec["population_mid_year"] = start
    spec["description"] = f"MAPPA annual report statistical tables, 1 April {start} to 31 March {end}."
    publication = _year_words(json.dumps(spec.get("publication", {})), start)
    spec["publication"] = json.loads(publication)
    spec["publication"]["abbreviations"].update(
        SHPO="Sexual Harm Prevention Order",
        SRO="Sexual Risk Order",
        FTR="Foreign Travel Restriction",
        SFO="serious further offence",
    )
    changes: list[str] = []
    tables = {t["id"]: t for t in spec["tables"]}
    tables["snapshot"]["title"] = f"MAPPA-eligible offenders on {MONTHS_END} {end}"
    # From 2015-16 (Anti-social Behaviour, Crime and Policing Act 2014) SHPOs replace SOPOs; the Ministry
    # keeps its SOPOGRANT/NOGRANT/FTOGRANT codes ("SOPOs/SHPOs", "Notification Orders", "FTO/FTR within SHPO
    # or SRO").
    orders = tables["restrictive_orders"]
    orders["title"] = "Restrictive orders for Category 1 offenders"
    orders["subtitle"] = "SHPOs, NOs and FTOs imposed by the courts"
    orders["rows"] = [
        {
            "id": "shpo",
            "label": "SHPOs",
            "aliases": ["SHPO", "Sexual Harm Prevention Orders", "SOPOs/SHPOs", "SOPOs", "SOPO"],
        },
        {"id": "no", "label": "NOs", "aliases": ["NO", "Notification Orders", "Notification Order"]},
        {
            "id": "fto",
            "label": "FTOs",
            "aliases": ["FTO", "Foreign Travel Orders", "FTO/FTR within SHPO or SRO"],
        },
    ]
    orders["fields"] = {
        "shpo": {"value": "SOPOGRANT"},
        "no": {"value": "NOGRANT"},
        "fto": {"value": "FTOGRANT"},
    }
    custody = tables["custody_sopo"]
    custody["section"] = "Breach of SHPO"
    custody["section_aliases"] = [
        "Breach of SHPO/SOPO",
        "Breach of SOPO/SHPO",
        "Breach of SOPO",
        "Breach of SHPOs",
        "SHPO breach",
    ]
    for na in custody["not_applicable"]:
        na["why"] = "only Category 1 offenders can be subject to a SHPO or SOPO"
    if start == 2015:
        changes.append("SHPOs (and SROs) replace SOPOs; returned to custody for breach of a SHPO or SOPO")
    extra: list[dict[str, Any]] = []
    extra.append(
        value_table(
            "notification_revoked",
            "Registered sexual offenders whose indefinite notification requirements were revoked on "
            "application",
            "RSOREVOKE",
        )
    )
    if start == 2015:
        changes.append("indefinite notification requirements revoked on application first counted")
    relations = spec["relations"]
    if start >= 2016:
        extra += [
            sfo_table(
                "sfo_charged", "MAPPA-eligible offenders charged with a serious further offence", "SFO"
            ),
            sfo_table("sfo_convicted", "Serious further offence charges: convicted", "SFOCONV"),
            sfo_table(
                "sfo_still_charged", "Serious further offence charges: still awaiting an outcome", "SFOCHARGE"
            ),
            sfo_table("sfo_other", "Serious further offence charges: other outcome", "SFOOTHER"),
        ]
        relations.append(
            {
                "rule": "cross.sfo_outcomes",
                "severity": "error",
                "description": "Serious further offences convicted, still charged and with another outcome "
                "add up to those charged, cell by cell (inferred from the return's fields: the Ministry sums "
                "them separately).",
                "message": "{left} serious further offences convicted, still charged or otherwise concluded "
                "at {row}, {column}, but {right} charged ({right_source})",
                "suggestion": "the outcomes of the charges at each level and category add up to the charges",
                "compare": [
                    {
                        "left": [
                            ["sfo_convicted", "*", "*"],
                            ["sfo_still_charged", "*", "*"],
                            ["sfo_other", "*", "*"],
                        ],
                        "op": "==",
                        "right": ["sfo_charged", "*", "*"],
                    }
                ],
            }
        )
        if start == 2016:
            changes.append(
                "serious further offences charged, by category and level (Level 1 included, not Category 3 "
                "at Level 1), with their outcomes"
            )
    if start >= 2017:
        extra.append(value_table("sro_breaches", "Breaches of Sexual Risk Orders", "SROBREACH"))
        extra.append(
            {
                "id": "serious_case_reviews",
                "kind": "grid",
                "title": "Serious case reviews",
                "match": ["Serious case reviews", "Serious Case Reviews"],
                "rows": "levels_23",
                "columns": "categories",
                "fields": grid_fields(["level2", "level3"], "SCR", "SCRTOT"),
            }
        )
        relations.append(
            {
                "rule": "cross.scr_le_yearly",
                "severity": "error",
                "description": "Serious case reviews at a level and category are at most the yearly count at "
                "that level and category.",
                "message": "{left} serious case reviews of {row} {column} offenders, but only {right} were "
                "managed at {row} in the year ({right_source})",
                "suggestion": "check both cells: reviews cannot exceed the yearly count",
                "compare": [
                    {
                        "left": ["serious_case_reviews", "level2", "*"],
                        "op": "<=",
                        "right": ["yearly", "level2", "*"],
                    },
                    {
                        "left": ["serious_case_reviews", "level3", "*"],
                        "op": "<=",
                        "right": ["yearly", "level3", "*"],
                    },
                ],
            }
        )
        if start == 2017:
            changes.append("breaches of Sexual Risk Orders and serious case reviews reported")
    if start == 2022:
        changes.append(
            "Category 4 (terrorist and terrorism-risk offenders) reported by the National Security Division, "
            "not in area tables"
        )
    breach = tables["breach_notification"]
    if start >= 2023:
        # The 2023-24 return gives the breaches by level: CAT1L1CAUTCON … CAT1L3CAUTCON.
        breach["rows"] = "levels_123"
        if start == 2023:
            breach["kind"] = "list"
            breach["columns"] = [{"id": "value", "label": "Number", "aliases": ["Cautioned or convicted"]}]
            breach["fields"] = {
                "level1": {"value": "CAT1L1CAUTCON"},
                "level2": {"value": "CAT1L2CAUTCON"},
                "level3": {"value": "CAT1L3CAUTCON"},
                "total": {"value": "CAT1CAUTCON"},
            }
            changes.append(
                "breaches of notification by level (CAT1L1CAUTCON …), as the 2023-24 return gives them"
            )
        else:
            breach["kind"] = "grid"
            breach["title"] = "RSOs cautioned or convicted for breach of notification requirements"
            breach["columns"] = [
                {"id": "cautioned", "label": "Cautioned", "aliases": ["Cautions"]},
                {"id": "convicted", "label": "Convicted", "aliases": ["Convictions"]},
                {
                    "id": "total",
                    "label": "Total",
                    "aliases": ["Cautioned or convicted"],
                    "total_of": ["cautioned", "convicted"],
                },
            ]
            breach["fields"] = {
                f"level{n}": {
                    "cautioned": f"CAT1L{n}CAUT",
                    "convicted": f"CAT1L{n}CON",
                    "total": f"CAT1L{n}CAUTCON",
                }
                for n in (1, 2, 3)
            }
            breach["fields"]["total"] = {
                "cautioned": "CAT1CAUT",
                "convicted": "CAT1CON",
                "total": "CAT1CAUTCON",
            }
            changes.append("breaches of notification split into caution and conviction, by level")
    for table in tables.values():
        if "publication" in table:
            table["publication"] = json.loads(_year_words(json.dumps(table["publication"]), start))
    orders["publication"] = {
        "description": "Numbers of orders imposed by the courts in the year on Category 1 offenders: "
        "Sexual Harm Prevention Orders (SHPO), Notification Orders (NO) and Foreign Travel Orders or "
        "Restrictions (FTO) within a SHPO or SRO.",
        "unit": "orders",
        "row_header": "Order",
        "value_header": "Number of orders",
    }
    custody["publication"] = {
        "description": "Numbers of people managed at Level 2 or 3 returned to custody for breach of a "
        "Sexual Harm Prevention Order (SHPO) or a Sexual Offences Prevention Order (SOPO) in the year; only "
        "Category 1 offenders can hold one.",
        "unit": "people",
        "row_header": "Management level",
    }
    for table in extra:
        table["publication"] = {
            "description": f"Numbers: {table['title']}, in the year to {MONTHS_END} {end}.",
            "unit": "people"
            if table["id"] in ("notification_revoked", "serious_case_reviews")
            else "offences"
            if table["id"].startswith("sfo")
            else "breaches",
            "row_header": "Management level" if table["kind"] == "grid" else "Measure",
        }
    spec["tables"] = list(tables.values()) + extra
    if start >= 2023:
        spec["tables"] += [breakdown_table(*block) for block in BLOCKS]
        relations.append(
            {
                "rule": "cross.breakdown_adds_up",
                "severity": "error",
                "description": "Each column of the age, sex and ethnicity breakdowns of the return adds up "
                "to the 31 March count of its category and level.",
                "message": "the {left_table} column {column} adds up to {left}, but {right} were at that "
                "category and level on 31 March ({right_source})",
                "suggestion": "every offender at Levels 2 and 3 on 31 March is in each breakdown once",
                "compare": [
                    {
                        "left": [[table_id, f"row{n}", code.lower()] for n in range(1, rows + 1)],
                        "op": "==",
                        "right": code,
                    }
                    for table_id, _title, _anchor, rows, _prefix in BLOCKS
                    for code in BREAKDOWN_CODES
                ],
            }
        )
        spec["return"] = {
            "sheet": f"{start % 100:02d}-{end % 100:02d} data",
            "fields": return_fields(start),
            # Header typos in real returns that the Ministry's code repairs by hand (CAT2L2SFOTHER it uses
            # as it is; CAT4L3SFOCHARGED is the National Security Division's).
            "header_typos": dict(RETURN_TYPOS),
        }
    if start < 2023:
        # No return of these years is public; a two-row field-code sheet of the year's own fields can still
        # be given ('YY-YY data', row 1 codes, row 2 values), as the 2023-24 return lays them out.
        spec["return"] = {
            "sheet": f"{start % 100:02d}-{end % 100:02d} data",
            "fields": ["AREAID", *typed_fields(spec)],
            "header_typos": {typo: code for typo, code in RETURN_TYPOS.items() if code in typed_fields(spec)},
        }
    verified = start >= 2023
    spec["status"] = "verified" if verified else "provisional"
    spec["sources"] = [MOJ_CODE] if verified else [CARRIED, MOJ_CODE + " for the field codes carried back"]
    if verified:
        spec["sources"].append(CARRIED + " (titles and labels used to read an area workbook)")
    spec["changes"] = changes or ["no change known from the year before"]
    return spec


NSD_SOURCES = [
    "Ministry of Justice MAPPA production code, moj-analytical-services/OMPPG, MAPPA/2023-2024 and "
    "MAPPA/2024-2025: the National Security Division's return NSD.xlsx, columns A:T, 20 fields "
    "(shared/research/moj-return.md)"
]
CAT4 = {
    "id": "cat4",
    "label": "Category 4: Terrorist and terrorism-risk offenders",
    "aliases": ["Category 4", "Cat 4", "Cat4", "C4", "Terrorist offenders", "Terrorism-risk offenders"],
}


def nsd_return_fields() -> list[str]:
    """The National Security Division's data-sheet fields in the Ministry's order (20, columns A:T)."""
    levels = ("L1", "L2", "L3")
    return [
        "AREAID",
        *[f"CAT4{n}" for n in levels],
        "CAT4L2YEAR",
        "CAT4L3YEAR",
        "CAT4L2LICBREACH",
        "CAT4L3LICBREACH",
        *[f"CAT4{n}SFO" for n in levels],
        *[f"CAT4{n}SFO{outcome}" for outcome in ("CONV", "CHARGE", "OTHER") for n in levels],
    ]


def nsd_grid(table_id: str, title: str, rows: str, suffix: str, description: str) -> dict[str, Any]:
    """A Category 4 table by level: CAT4L2{suffix} …, and the Category 4 total CAT4{suffix}TOT."""
    names = ["level1", "level2", "level3"] if rows == "levels_123" else ["level2", "level3"]
    fields = {r: {"cat4": f"CAT4L{r[-1]}{suffix}"} for r in names}
    fields["total"] = {"cat4": f"CAT4{suffix}TOT" if suffix else "CAT4TOT"}
    return {
        "id": table_id,
        "kind": "grid",
        "title": title,
        "match": [title],
        "rows": rows,
        "columns": "category4",
        "fields": fields,
        "publication": {"description": description, "unit": "people", "row_header": "Management level"},
    }


def build_nsd(start: int, area: dict[str, Any]) -> dict[str, Any]:
    """The National Security Division's return of the year: Category 4 only (from 2022-23)."""
    end = start + 1
    year = year_of(start)
    verified = start >= 2023
    period = f"{MONTHS_END} {end}"
    outcome = "convicted, still charged and with another outcome"
    tables = [
        nsd_grid(
            "snapshot",
            f"Category 4 offenders on {period}",
            "levels_123",
            "",
            f"Numbers of people: Category 4 offenders managed by the National Security Division on {period}, "
            "by management level.",
        ),
        nsd_grid(
            "yearly",
            "Category 4 offenders managed at Level 2 and 3 in the year",
            "levels_23",
            "YEAR",
            f"Numbers of people: Category 4 offenders managed at Level 2 or 3 at any time in the year to "
            f"{period}.",
        ),
        nsd_grid(
            "custody_licence",
            "Category 4 offenders returned to custody for breach of licence",
            "levels_23",
            "LICBREACH",
            "Numbers of people: Category 4 offenders at Level 2 or 3 returned to custody for breach of "
            "licence.",
        ),
        nsd_grid(
            "sfo_charged",
            "Category 4 offenders charged with a serious further offence",
            "levels_123",
            "SFO",
            "Numbers of offences: Category 4 offenders charged with a serious further offence, by level.",
        ),
        nsd_grid(
            "sfo_convicted",
            "Category 4 serious further offence charges: convicted",
            "levels_123",
            "SFOCONV",
            "Numbers of offences: serious further offence charges of Category 4 offenders that led to "
            "conviction.",
        ),
        nsd_grid(
            "sfo_still_charged",
            "Category 4 serious further offence charges: still awaiting an outcome",
            "levels_123",
            "SFOCHARGE",
            "Numbers of offences: serious further offence charges of Category 4 offenders still awaiting an "
            "outcome.",
        ),
        nsd_grid(
            "sfo_other",
            "Category 4 serious further offence charges: other outcome",
            "levels_123",
            "SFOOTHER",
            "Numbers of offences: serious further offence charges of Category 4 offenders with another "
            "outcome.",
        ),
    ]
    codes = ("CAT4L2", "CAT4L3")
    # The breakdown blocks are known from the 2023-24 form; 2022-23 is read as a two-row field-code sheet.
    blocks = BLOCKS if verified else ()
    for table_id, title, anchor, rows, prefix in blocks:
        block = breakdown_table(
            table_id, title.replace("Level 2 and 3", "Category 4 Level 2 and 3"), anchor, rows, prefix
        )
        block["match"] = [block["title"]]
        block["columns"] = [{"id": code.lower(), "label": f"Category 4, Level {code[5]}"} for code in codes]
        block["fields"] = {
            f"row{n}": {code.lower(): f"{prefix}{n}_{code}" for code in codes} for n in range(1, rows + 1)
        }
        tables.append(block)
    # The area's relations of the year, worded the same, over Category 4's cells.
    by_rule = {r["rule"]: r for r in area["relations"]}

    def like(rule: str, description: str, compare: list[Any], **wording: str) -> dict[str, Any]:
        relation = {**copy.deepcopy(by_rule[rule]), "description": description, "compare": compare}
        return {**relation, **wording}

    relations = [
        like(
            "cross.yearly_ge_snapshot",
            "The yearly Level 2 and Level 3 counts of Category 4 are at least the 31 March counts at that "
            "level.",
            [
                {
                    "left": ["yearly", f"level{n}", "cat4"],
                    "op": ">=",
                    "right": ["snapshot", f"level{n}", "cat4"],
                }
                for n in (2, 3)
            ],
        ),
        like(
            "cross.custody_le_yearly",
            "Category 4 offenders returned to custody at a level are at most the yearly count at that level.",
            [
                {
                    "left": ["custody_licence", f"level{n}", "cat4"],
                    "op": "<=",
                    "right": ["yearly", f"level{n}", "cat4"],
                }
                for n in (2, 3)
            ],
        ),
        like(
            "cross.sfo_outcomes",
            f"Category 4 serious further offences {outcome} add up to those charged, level by level "
            "(inferred from the return's fields: the Ministry sums them separately).",
            [
                {
                    "left": [
                        ["sfo_convicted", "*", "cat4"],
                        ["sfo_still_charged", "*", "cat4"],
                        ["sfo_other", "*", "cat4"],
                    ],
                    "op": "==",
                    "right": ["sfo_charged", "*", "cat4"],
                }
            ],
            suggestion="the outcomes of the charges at each level add up to the charges",
        ),
    ]
    if blocks:
        relations.append(
            like(
                "cross.breakdown_adds_up",
                "Each column of the age, sex and ethnicity breakdowns of the return adds up to the 31 March "
                "count of Category 4 at that level.",
                [
                    {
                        "left": [[table_id, f"row{n}", code.lower()] for n in range(1, rows + 1)],
                        "op": "==",
                        "right": code,
                    }
                    for table_id, _title, _anchor, rows, _prefix in blocks
                    for code in codes
                ],
            )
        )
    publication = copy.deepcopy(area["publication"])
    publication["source"] = "National Security Division MAPPA return {year}"
    publication["notes"] = [
        "Category 4: terrorist and terrorism-risk offenders, managed by the National Security Division (from "
        "2022-23); they are not in the 42 areas' tables.",
        publication["notes"][1],
        publication["notes"][3],
    ]
    publication.pop("rate_note", None)
    spec: dict[str, Any] = {
        "template": year,
        "form": "nsd",
        "status": "verified" if verified else "provisional",
        "sources": NSD_SOURCES
        if verified
        else [*NSD_SOURCES, "the 2023-24 return's fields carried back to 2022-23: not verified"],
        "changes": ["Category 4 first reported, by the National Security Division"]
        if start == 2022
        else ["no change known from the year before"],
        "description": f"National Security Division MAPPA return (Category 4), 1 April {start} to {period}.",
        "period_end": period,
        "population_mid_year": start,
        "rate_base": "aged_10_plus",
        "publication": publication,
        "labels": {
            "category4": [CAT4],
            "levels_123": area["labels"]["levels_123"],
            "levels_23": area["labels"]["levels_23"],
        },
        "tables": tables,
        "roles": {},
        "relations": relations,
        "claims": [],
        "return": {
            "sheet": f"{start % 100:02d}-{end % 100:02d} data",
            "fields": nsd_return_fields(),
            "header_typos": {"CAT4L3SFOCHARGED": "CAT4L3SFOCHARGE"},
        },
    }
    return spec


def main() -> None:
    """Write every later year's definition."""
    base = json.loads((FOLDER / "2014-15.json").read_text(encoding="utf-8"))
    for start in range(2015, 2025):
        spec = build(start, base)
        text = json.dumps(spec, indent=1, ensure_ascii=False) + "\n"
        (FOLDER / f"{year_of(start)}.json").write_text(text, encoding="utf-8")
        print(f"wrote {year_of(start)}.json ({spec['status']})")
        if start >= 2022:
            nsd = build_nsd(start, spec)
            (FOLDER / "nsd").mkdir(exist_ok=True)
            text = json.dumps(nsd, indent=1, ensure_ascii=False) + "\n"
            (FOLDER / "nsd" / f"{year_of(start)}.json").write_text(text, encoding="utf-8")
            print(f"wrote nsd/{year_of(start)}.json ({nsd['status']})")


if __name__ == "__main__":
    main()
