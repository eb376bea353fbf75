"""Compare figures over years and between releases: changes, large changes, revisions, the claims made.

Inputs are any of an area's files (workbook, the Ministry's return, tidy CSV, the published report) or the
long CSV `combine` writes (`area,year,field,value` and an optional `release`). Every figure becomes an
Observation (area, year, field code, value, release); each area is then compared on its own:
- year by year, the key figures with their change and percentage change, a change large for its size
  flagged (docs/compare.md: the thresholds and why), and a rate that falls while the count rises named as a
  change of population base, with the population each year implies;
- release by release, the same area, year and field given twice: a different value is a revision
  ("revised from X to Y (release A → B)"), the same value confirmed, identical files a duplicate.
"""
