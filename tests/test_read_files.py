"""validate.read_files: every file read in this process, in order, each result exactly a plain read's."""

from __future__ import annotations

from pathlib import Path

from combine_sets import returns_set
from mappa_stats.combine.files import expand
from mappa_stats.definitions.load import load_template
from mappa_stats.errors import MappaError
from mappa_stats.io.readers import read_area
from mappa_stats.validate import read_files


def test_returns_read_together_equal_a_plain_read(tmp_path: Path) -> None:
    """42 returns read together are equal to reading each alone, in order, each with this process's one
    definition object of its year (validate checks a year's files together by that object)."""
    returns_set(tmp_path / "returns")
    files, _ = expand([tmp_path / "returns"])
    heard: list[int] = []
    got = read_files(files, read_area, progress=lambda n, _path: heard.append(n))
    plain = [read_area(path) for path in files]
    assert len(got) == 42
    assert heard == list(range(1, 43))
    for mine, theirs in zip(got, plain, strict=True):
        assert not isinstance(mine, MappaError)
        assert mine.by_key == theirs.by_key
        assert mine.meta == theirs.meta
        assert mine.template is load_template(mine.template.year, mine.template.form)


def test_an_unreadable_file_is_its_error_in_place(tmp_path: Path) -> None:
    """A file that cannot be read gives its error at its place; the others are read."""
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing,here\n", encoding="utf-8")
    good = Path(__file__).resolve().parents[1] / "samples" / "kent_2015.xlsx"
    got = read_files([good, bad, good], read_area)
    assert isinstance(got[1], MappaError)
    assert not isinstance(got[0], MappaError)
