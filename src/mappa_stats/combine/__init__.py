"""Many area returns → national tables, each return checked first.

The national statistician's run: which of the 42 areas (and, from 2022-23, the National Security Division)
are present, missing or present twice; each file validated as `validate` would; then the national tables of
the year (sums of the areas that were counted), the area table with each area's population aged 10+ and RSO
rate, and the population check the Ministry calls crucial (the areas add up to the file's England and Wales
row). Nothing is summed that was not read as a number: a national cell with any unknown part is unknown.
Rendering is the render layer's.
"""
