"""Population files: the populations of the MAPPA areas, aged 10 and over and all ages, read from ONS files
as ONS published them (.xls, .xlsx, .ods, CSV), or taken from the ONS estimates mappa-stats ships
(docs/population.md).

Three layouts are read, detected from the header row: the ONS MYE2 table (one row per geography,
Code, Name, [Geography], All ages, 0 … 89, 90+), the ONS long layout (code, name, sex, age,
population_YYYY …) and an area table (one row per MAPPA area with a population aged 10+, all ages or
single years of age). MYE2 files hold aggregate rows (country, region, county): an area is always the
sum of its own upper-tier authorities, never of every row.

model.py: what a file gives; rows.py: a file's rows (CSV or a workbook's MYE2 sheet); read.py: the
layouts and the areas; embedded.py: the shipped estimates, the default when no file is given.
"""

from mappa_stats.io.population.model import (
    AGGREGATE_PREFIXES,
    LEVELS,
    AreaPopulation,
    NationalRow,
    PopulationFile,
)
from mappa_stats.io.population.read import england_and_wales, read_population, roll_up

__all__ = [
    "AGGREGATE_PREFIXES",
    "LEVELS",
    "AreaPopulation",
    "NationalRow",
    "PopulationFile",
    "england_and_wales",
    "read_population",
    "roll_up",
]
