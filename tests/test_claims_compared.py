"""The claims that compare figures, each true and false, in a claims file and in a report's text: an area
against England and Wales ('15 per cent above the England and Wales rate', 'twice the national rate'), parts
of a whole ('1,560 registered sex offenders: 600 in the north …', the four Welsh areas), and rankings
('the highest rate in Wales', 'the third lowest of 42'), the ranking shown when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mappa_stats.cli.main import main
from mappa_stats.errors import InputError
from mappa_stats.io.areas import areas
from mappa_stats.rules.claims.claim import DOES_NOT, NOT_CHECKED, REPRODUCES, ClaimResult
from mappa_stats.rules.claims.judge import check_claims
from mappa_stats.rules.claims.parse import read_claims

HEADER = "kind,area,year,from_year,stated\n"
WALES = ("Dyfed-Powys", "Gwent", "North Wales", "South Wales")
# Kent 2014-15 as published (the seed report): 1,560 RSOs, a rate of 100. The rest are made up for the
# arithmetic: an England and Wales rate of 87 (100 ÷ 87 = 1.1494: 14.94% above, '15%' at whole numbers) and
# the Welsh areas' RSOs 500 + 450 + 550 + 500 = 2,000; the rates are in RATES.
FIGURES: dict[tuple[str, str, str], float] = {
    ("Kent", "2014-15", "CAT1TOT"): 1560,
    ("England and Wales", "2014-15", "RSORATE"): 87,
}
FIGURES.update({(area, "2014-15", "CAT1TOT"): n for area, n in zip(WALES, (500, 450, 550, 500), strict=True)})
# The 42 areas' rates: 60, 61, … 101 in the order of schemas/areas.json, then Kent's set to 100 and the
# Welsh four to 110, 90, 95, 100. Lowest first: 60 (Avon and Somerset), 61 (Bedfordshire), 62 (Cambridgeshire).
# Highest first: 110 (Dyfed-Powys), 101 (Wiltshire), then 100: Kent, South Wales and West Yorkshire, joint 3rd.
RATES = {a.name: 60.0 + i for i, a in enumerate(areas())}
RATES.update({"Kent": 100.0, **dict(zip(WALES, (110.0, 90.0, 95.0, 100.0), strict=True))})
FIGURES.update({(area, "2014-15", "RSORATE"): rate for area, rate in RATES.items()})


def judged(tmp_path: Path, *lines: str) -> list[ClaimResult]:
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return check_claims(read_claims(path), FIGURES)


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("relative:RSORATE,Kent,2014-15,,15% above the England and Wales rate", REPRODUCES),
        ("relative:RSORATE,Kent,2014-15,,10 per cent above", DOES_NOT),
        ("relative:RSORATE,Kent,2014-15,,15% below", DOES_NOT),  # it is above
        ("relative:RSORATE,Kent,2014-15,,1.1 times", REPRODUCES),  # 1.1494 → 1.1
        ("relative:RSORATE,Kent,2014-15,,twice the national rate", DOES_NOT),  # 1.1494 → 1, not 2
        ('parts:CAT1TOT,Kent,2014-15,,"1,560 = 600 north + 500 east + 460 west"', REPRODUCES),
        ('parts:CAT1TOT,Kent,2014-15,,"1,560 = 600 north + 500 east + 470 west"', DOES_NOT),  # 1,570
        ('parts:CAT1TOT,,2014-15,,"Dyfed-Powys + Gwent + North Wales + South Wales = 2,000"', REPRODUCES),
        ('parts:CAT1TOT,,2014-15,,"Dyfed-Powys + Gwent + North Wales + South Wales = 2,100"', DOES_NOT),
        ("rank:RSORATE,Gwent,2014-15,,lowest in Wales", REPRODUCES),
        ("rank:RSORATE,Gwent,2014-15,,highest in Wales", DOES_NOT),
        ("rank:RSORATE,Cambridgeshire,2014-15,,third lowest of 42", REPRODUCES),  # 60, 61, 62
        ("rank:RSORATE,Cambridgeshire,2014-15,,the second lowest of the 42 areas", DOES_NOT),
    ],
)
def test_each_compared_kind_is_judged_both_ways_in_a_claims_file(
    tmp_path: Path, line: str, status: str
) -> None:
    """A true and a false claim of each kind."""
    (result,) = judged(tmp_path, line)
    assert result.status == status, result.message


def test_a_failed_ranking_is_shown(tmp_path: Path) -> None:
    """'highest in Wales' of Gwent (90): the four Welsh rates are listed, highest first."""
    (result,) = judged(tmp_path, "rank:RSORATE,Gwent,2014-15,,highest in Wales")
    assert result.message.endswith(
        "Gwent is the 4th highest in Wales by RSORATE: 1 Dyfed-Powys 110, 2 South Wales 100, 3 North Wales 95, "
        "4 Gwent 90"
    )


def test_a_rank_with_areas_missing_is_not_checked_unless_already_wrong(tmp_path: Path) -> None:
    """With only Wales's rates given, 'third lowest of 42' cannot be checked; 'lowest of 42' for Dyfed-Powys
    (110, above three Welsh areas already) does not reproduce whatever the other areas hold."""
    wales_only = {k: v for k, v in FIGURES.items() if k[0] in WALES}
    path = tmp_path / "claims.csv"
    path.write_text(
        HEADER + "rank:RSORATE,Gwent,2014-15,,third lowest of 42\nrank:RSORATE,Dyfed-Powys,2014-15,,lowest\n",
        encoding="utf-8",
    )
    unknown, wrong = check_claims(read_claims(path), wales_only)
    assert unknown.status == NOT_CHECKED
    assert "needs RSORATE of 38 more of the 42 areas" in unknown.message
    assert wrong.status == DOES_NOT


def test_the_relative_rate_is_worked_out_from_rsos_and_population_when_not_stated(tmp_path: Path) -> None:
    """Kent 1,560 ÷ 1,565,295 × 100,000 = 99.66 (DOMAIN.md); England and Wales made up as 87,000 RSOs of
    100,000,000 aged 10+ = 87: 99.66 ÷ 87 = 1.1455, 14.55% above: '14.6%' reproduces, the basis says how."""
    figures = {
        ("Kent", "2014-15", "CAT1TOT"): 1560,
        ("Kent", "2014-15", "POP10PLUS"): 1565295,
        ("England and Wales", "2014-15", "CAT1TOT"): 87000,
        ("England and Wales", "2014-15", "POP10PLUS"): 100_000_000,
    }
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + "relative:RSORATE,Kent,2014-15,,14.6% above\n", encoding="utf-8")
    (result,) = check_claims(read_claims(path), figures)
    assert result.status == REPRODUCES, result.message
    assert "1,560 RSOs ÷ 1,565,295 aged 10+ × 100,000" in result.message


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("relative:RSORATE,Kent,2014-15,,a bit above", "is not one mappa-stats reads"),
        ("rank:RSORATE,Kent,2014-15,,highest in Wales", "Kent is not in Wales"),
        ("rank:RSORATE,England and Wales,2014-15,,highest", "is about a MAPPA area"),
        ('parts:CAT1TOT,,2014-15,,"418 = 137 central + 281 east"', "with no area, the parts must be areas"),
        ('parts:CAT1TOT,Kent,2014-15,,"418 = 137 central + Narnia"', "neither a figure with its name"),
        ("rank:RSORATE,Kent,2014-15,2013-14,highest", "from_year is only for change: claims"),
    ],
)
def test_bad_compared_claims_are_refused_naming_the_line(tmp_path: Path, line: str, words: str) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"claims\.csv:2: ") as caught:
        read_claims(path)
    assert words in str(caught.value)


REPORT = """Kent MAPPA Annual Report 2014-15

Kent Police, the Probation Service and HM Prison Service work together in Kent.
In 2014-15 the rate was {relative} the England and Wales rate.
It was the {rank} rate in England and Wales.
There were 1,560 registered sex offenders: 600 in the north, 500 in the east and {west} in the west.
"""
LONG = "area,year,field,value\n" + "".join(f"{a},{y},{f},{v:g}\n" for (a, y, f), v in FIGURES.items())


@pytest.mark.parametrize(
    ("relative", "rank", "west", "expected"),
    [
        ("15 per cent above", "highest", "460", ["CLAIM OK", "CLAIM WRONG", "CLAIM OK"]),
        ("twice", "third highest", "470", ["CLAIM WRONG", "CLAIM OK", "CLAIM WRONG"]),
    ],
)
def test_report_text_states_each_kind_and_each_is_judged(
    tmp_path: Path, relative: str, rank: str, west: str, expected: list[str]
) -> None:
    """The sentences of a report's text are read as claims (area Kent from 'Kent Police', year 2014-15) and
    judged as a claims file's: Kent's rate of 100 is joint 3rd highest (RATES), 100 ÷ 87 is 14.94% above
    (not twice), 600 + 500 + 460 = 1,560 and 600 + 500 + 470 = 1,570."""
    report = tmp_path / "kent_report.txt"
    report.write_text(REPORT.format(relative=relative, rank=rank, west=west), encoding="utf-8")
    figures = tmp_path / "figures.csv"
    figures.write_text(LONG, encoding="utf-8")
    result = CliRunner().invoke(main, ["compare", str(figures), "--claims", str(report)])
    lines = [x for x in result.output.splitlines() if "kent_report.txt:" in x]
    assert [x.split("  ")[0] for x in lines] == expected, result.output
    assert [x.split("kent_report.txt:")[1].split(":")[0] for x in lines] == ["4", "5", "6"]
