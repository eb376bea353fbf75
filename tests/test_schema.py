"""`mappa_stats.schema(year)` catches on the wide frame what `validate` catches: blank required cell, dropped
column, extra column, broken total, broken relation; the untouched Kent frame passes."""

from __future__ import annotations

from typing import cast

import pandas as pd
import pandera.pandas as pa
import pytest

import mappa_stats

SAMPLE = "samples/kent_2015.xlsx"


@pytest.fixture(scope="module")
def kent() -> pd.DataFrame:
    return mappa_stats.read(SAMPLE)


def failed_checks(frame: pd.DataFrame) -> set[str]:
    try:
        mappa_stats.schema("2014-15").validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return {str(c) for c in exc.failure_cases["check"]}
    return set()


def test_untouched_frame_passes(kent: pd.DataFrame) -> None:
    mappa_stats.schema("2014-15").validate(kent, lazy=True)


def test_blank_required_cell(kent: pd.DataFrame) -> None:
    frame = kent.copy()
    frame.loc[0, "CAT1L1"] = float("nan")
    assert "not_nullable" in failed_checks(frame)


def test_dropped_column(kent: pd.DataFrame) -> None:
    assert "column_in_dataframe" in failed_checks(kent.drop(columns=["CAT1L1"]))


def test_extra_column(kent: pd.DataFrame) -> None:
    frame = kent.copy()
    frame["SURPLUS"] = 1.0
    assert "column_in_schema" in failed_checks(frame)


def test_broken_total(kent: pd.DataFrame) -> None:
    frame = kent.copy()
    # A count, though pandas-stubs type a cell as any scalar.
    frame.loc[0, "LEVEL1TOT"] = cast(float, frame.loc[0, "LEVEL1TOT"]) + 1
    assert "totals.row" in failed_checks(frame)


def test_broken_relation(kent: pd.DataFrame) -> None:
    frame = kent.copy()
    # Level 2 category 1 seen during the year set below those on the snapshot date.
    # A count, though pandas-stubs type a cell as any scalar.
    frame.loc[0, "CAT1L2YEAR"] = cast(float, frame.loc[0, "CAT1L2"]) - 1
    assert "cross.yearly_ge_snapshot" in failed_checks(frame)


def test_failure_cases_name_area_row_and_fields(kent: pd.DataFrame) -> None:
    frame = kent.copy()
    # A count, though pandas-stubs type a cell as any scalar.
    frame.loc[0, "LEVEL1TOT"] = cast(float, frame.loc[0, "LEVEL1TOT"]) + 1
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        mappa_stats.schema("2014-15").validate(frame, lazy=True)
    cases = caught.value.failure_cases
    row = cases[cases["check"] == "totals.row"]
    assert list(row["index"]) == [0]
    assert "LEVEL1TOT" in row["failure_case"].iloc[0]
    assert frame.loc[row["index"].iloc[0], "area"] == "Kent"
