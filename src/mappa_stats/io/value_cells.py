"""Where a blank single value belongs: the cell it is typed in, not the one beside its label.

A filled single value (a list row, one figure under a title) is read from the first cell right of its label;
a blank one has no such cell, so it is named at the column the sheet's other single values are typed in (the
yellow input cells of the template), else at its grids' last (Total) column.
"""

from __future__ import annotations

from typing import Any

from mappa_stats.definitions.templates import Template
from mappa_stats.io.xlsx import cell_position
from mappa_stats.model import a1, sheet_ref


def blank_values_placed(records: list[dict[str, Any]], template: Template) -> list[dict[str, Any]]:
    """A blank single value (or list row) is named at the cell it belongs in, not at the one beside its
    label: the column the sheet's other single values are typed in, else its grids' last (Total) column."""
    kinds = {t.id: t.kind for t in template.tables}
    typed: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    for rec in records:
        column = cell_position(rec["cell"])[1]
        if kinds[rec["table"]] == "grid":
            last[rec["sheet"]] = max(last.get(rec["sheet"], 0), column)
        elif rec["raw"] != "":
            typed.setdefault(rec["sheet"], []).append(column)
    for rec in records:
        if kinds[rec["table"]] == "grid" or rec["raw"] != "":
            continue
        row, column = cell_position(rec["cell"])
        columns = typed.get(rec["sheet"])
        wanted = max(sorted(set(columns)), key=columns.count) if columns else last.get(rec["sheet"], 0)
        if wanted > column:
            ref = a1(row, wanted)
            rec.update(cell=ref, source=sheet_ref(rec["sheet"], ref))
    return records
