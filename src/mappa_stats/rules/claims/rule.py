"""The rule claims.file: the claims of a --claims file about a workbook's area and year, judged against its
figures as its own stated shares are; a claim that does not reproduce is an error, one that cannot be
checked a warning, and one that reproduces a note."""

from __future__ import annotations

from collections.abc import Iterator

from mappa_stats.definitions.templates import Severity
from mappa_stats.findings import Finding
from mappa_stats.rules.claims.claim import DOES_NOT, REPRODUCES
from mappa_stats.rules.claims.judge import check_claims
from mappa_stats.rules.claims.parse import canonical_area
from mappa_stats.rules.rule import RATE, Context, finding, rule


@rule(
    "claims.file",
    Severity.ERROR,
    "Each claim of the --claims file about the area and year (a share, the rate, one for every N, a "
    "change) reproduces from the figures at the precision it was stated in.",
    RATE,
)
def claims_file(ctx: Context) -> Iterator[Finding]:
    """The claims of a --claims file about this file's area and year, judged as the workbook's own are."""
    claims = ctx.given.claims
    area = canonical_area(ctx.area.meta.area or "") or ctx.area.meta.area
    year = ctx.area.template.year
    mine = [c for c in claims if c.area == area and c.year == year]
    if not mine:
        ctx.skip("claims.file", f"no claim of the claims file is about {area or 'this area'} {year}")
        return
    figures = ctx.given.claim_figures
    for result in check_claims(mine, figures):
        said = result.message[len(result.claim.where) + 2 :]
        if result.status == REPRODUCES:
            ctx.claimed.append(result.message)
            continue
        yield finding(
            claims_file,
            None,
            said,
            expected=result.computed if result.status == DOES_NOT else "the figures named",
            actual=result.claim.stated.text,
            table=result.claim.where,
            suggestion=(
                f"state {result.computed}, or correct the figures"
                if result.status == DOES_NOT
                else "give the file or population that holds the figures named"
            ),
            severity=Severity.ERROR if result.status == DOES_NOT else Severity.WARNING,
        )
