"""A claims file judged against a combine run's national and area figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from mappa_stats.combine.long import long_rows
from mappa_stats.combine.result import Combined
from mappa_stats.definitions.constants import NATIONAL
from mappa_stats.rules.claims.judge import check_claims


def judge_claims(combined: Combined, claims: Sequence[Any]) -> Combined:
    """The run with a claims file judged against its figures: England and Wales claims (`national_rate` …)
    against the national rows, an area's against its row. While the set is incomplete the national figures
    are partial sums, and each England and Wales claim says so (a claim judged on them is not yet judged on
    the national figure). `combined` itself is left as it is: a new value is returned."""
    figures = {(area, y, code): value for area, y, code, value in long_rows(combined)}
    results = check_claims(list(claims), figures)
    if not combined.complete:
        counted = sum(1 for a in combined.areas if a.counted)
        partial = f" (PARTIAL: {counted} of {len(combined.areas)} returns counted, not the national figure)"
        results = [
            replace(r, message=r.message + partial) if r.claim.area == NATIONAL else r for r in results
        ]
    return replace(combined, claims=[*combined.claims, *results])
