"""Claims: the sentences written around the tables ("99% this year", "up 3.5 per cent"), checked.

A claims file (docs/claims.md) is a CSV with the header `kind,area,year,from_year,stated`, one statement a
line (`parse`). Each is judged (`judge`) against figures given by field code — {(area, year, field): value},
the shape of the long CSV `combine` writes and of `frame.wide` — at the precision it was stated in ("3.5%" to
one decimal, "42%" to a whole number), rounded half up as published figures are. The fields a year's claims
name are found by role (`fields`); `validate --claims` reports them as the rule claims.file (`rule`). The same
judgement (`numbers.judge`) serves the stated Level 1 share a workbook's commentary holds (`rules.shares`):
one engine, two sources of claims.
"""
