"""Every rule validate runs, in order: the code rules (the same every year: cells, totals, the rate) and,
for a year, the rules its definition adds (relations, stated shares). One entry and one line in
docs/rules.md for each."""

from __future__ import annotations

from mappa_stats.definitions.templates import Template
from mappa_stats.rules.rate import RATE_RULES
from mappa_stats.rules.relations import relation_rule
from mappa_stats.rules.rule import CELLS, RATE, Rule
from mappa_stats.rules.shares import share_rule
from mappa_stats.rules.totals import TOTAL_RULES
from mappa_stats.rules.values import CELL_RULES

# Rules written in code, the same every year; each year's relations and claims come from its definition.
RULES: dict[str, Rule] = {r.id: r for r in (*CELL_RULES, *TOTAL_RULES, *RATE_RULES)}


def rules_for(template: Template) -> list[Rule]:
    """Every rule validate runs for a year: code rules, the year's relations and claims, then the rate."""
    out = [r for r in RULES.values() if r.stage == CELLS]
    out += [relation_rule(r) for r in template.relations]
    out += [share_rule(c) for c in template.claims]
    if template.role("rsos") is not None:  # the NSD's Category 4 has no rate per 100,000
        out += [r for r in RULES.values() if r.stage == RATE]
    return out


def rule_ids(template: Template | None = None) -> list[str]:
    """Every rule id validate runs for a year (the code rules alone without one), in order."""
    if template is None:
        return list(RULES)
    return [r.id for r in rules_for(template)]
