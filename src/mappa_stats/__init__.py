"""mappa-stats: check and publish MAPPA annual report statistics.

For a statistician's own pandas code: `read(path)` gives a file's wide frame (one row: `area`, `year` and a
column per field code) and `schema(year)` the year's pandera schema, so that a frame of many returns can be
checked at once with `schema("2014-15").validate(frame, lazy=True)` (docs/api.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mappa_stats.version import __version__

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

__all__ = ["__version__", "read", "schema"]


def schema(year: str = "2014-15") -> pa.DataFrameSchema:
    """The pandera schema of a reporting year's wide frame: whole numbers, not-applicable fields, totals
    and relations."""
    from mappa_stats.rules.frame import schema as _schema

    return _schema(year)


def read(path: Any, year: str | None = None) -> pd.DataFrame:
    """A file's wide frame: one row with `area`, `year` and one column per field code."""
    from mappa_stats.rules.frame import read as _read

    return _read(path, year)
