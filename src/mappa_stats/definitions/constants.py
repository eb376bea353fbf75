"""The return's fixed names and numbers, written once: a reporting year's shape, the area-id field, the
National Security Division's id, and the names and code of England and Wales.

Everything else a year holds (its tables, fields, relations, and which years have an NSD definition) is
data under schemas/templates/; these are the few facts code needs by name.
"""

from __future__ import annotations

import re

# A reporting year as written: '2014-15'.
YEAR = re.compile(r"^\d{4}-\d{2}$")
# The return's field holding the Ministry's area id: first on its data sheet, not a figure.
AREAID = "AREAID"
# The National Security Division's id among the Ministry's areas (schemas/moj_areas.json). The first year
# it reported (Category 4, 2022-23) is data: the first definition under schemas/templates/nsd/.
NSD_ID = 43
# The national figures' name, as a combine run and a claims file write it.
NATIONAL = "England and Wales"
# The ONS code of England and Wales: a population file's national row.
ENGLAND_AND_WALES_CODE = "K04000001"
