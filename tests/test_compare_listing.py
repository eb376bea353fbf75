"""compare's reports at any size (issue 23, item 7): the text, Markdown and HTML list at most MAX_LISTED large
changes and revisions and say how many more; the CSV and JSON, written in pieces, list every one, byte for
byte as when written whole; and a report that fails part-way writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mappa_stats.cli.main import main
from mappa_stats.compare.result import AreaComparison
from mappa_stats.compare.run import compare
from mappa_stats.render import compare as rendering
from mappa_stats.render import compare_data
from mappa_stats.render.as_json import as_json, json_pieces
from mappa_stats.render.compare_data import document

CELLS = ("CAT1L1", "CAT1L2", "CAT1L3", "CAT2L1", "CAT2L2")


def revised_csv(path: Path) -> Path:
    """Kent and Sussex 2014-15 in two releases (the second named in words with an accent), each of five
    cells revised in the second, and Kent's 2015-16 doubled: five revisions an area, and large changes."""
    lines = ["area,year,field,value,release"]
    for area in ("Kent", "Sussex"):
        for n, code in enumerate(CELLS):
            lines.append(f"{area},2014-15,{code},{100 + n},first")
            lines.append(f"{area},2014-15,{code},{101 + n},révisé")
            if area == "Kent":
                lines.append(f"{area},2015-16,{code},{400 + n},first")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> Result:
    """Invoke compare."""
    return CliRunner().invoke(main, ["compare", *args])


def test_the_human_formats_list_at_most_max_listed_revisions_and_say_how_many_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten revisions with room for three: three REVISED lines, then one that names the seven more and where
    every one is; the CSV and JSON still list all ten."""
    path = revised_csv(tmp_path / "long.csv")
    monkeypatch.setattr(rendering, "MAX_LISTED", 3)
    text = run(str(path)).stdout
    detail = [line for line in text.splitlines() if line.startswith("REVISED ") and " revised from " in line]
    assert len(detail) == 3
    more = "and 7 more revisions, not listed here: -f csv and -f json list every one (10 in all)"
    assert f"REVISED       {more}" in text
    assert f"| REVISED      | {more}" in run(str(path), "-f", "markdown").stdout
    assert more in run(str(path), "-f", "html").stdout
    rows = run(str(path), "-f", "csv").stdout.splitlines()
    assert sum(1 for row in rows if row.startswith("revision,")) == 10
    printed = json.loads(run(str(path), "-f", "json").stdout)
    assert sum(len(a["revisions"]) for a in printed["areas"]) == 10
    assert "more revisions" not in "".join(rows) + json.dumps(printed)


def test_large_changes_are_listed_up_to_the_same_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kent's figures doubled from one year to the next: one LARGE CHANGE line with room for one, then the
    count of the rest; at the default limit every one is listed and no such line is written."""
    path = revised_csv(tmp_path / "long.csv")
    (kent,) = [a for a in compare([path]).areas if a.area == "Kent"]
    large = len(kent.large_changes)
    assert large > 2
    whole = run(str(path)).stdout
    assert whole.count("LARGE CHANGE  Kent") == large and "more large changes" not in whole
    monkeypatch.setattr(rendering, "MAX_LISTED", 1)
    text = run(str(path)).stdout
    assert text.count("LARGE CHANGE  Kent") == 1
    assert (
        f"LARGE CHANGE  and {large - 1} more large changes, not listed here: -f csv and -f json list every "
        f"one ({large} in all)"
    ) in text


def test_the_json_written_in_pieces_is_the_document_written_whole(tmp_path: Path) -> None:
    """-f json (to standard output, -o - and -o FILE) is byte for byte json.dumps(indent=2) of `document`,
    non-ASCII kept, empty lists as []."""
    path = revised_csv(tmp_path / "long.csv")
    whole = json.dumps(document(compare([path])), indent=2, ensure_ascii=False) + "\n"
    assert '"population_base_changes": []' in whole and "révisé" in whole
    assert run(str(path), "-f", "json").stdout == whole
    assert run(str(path), "-f", "json", "-o", "-").stdout_bytes == whole.encode("utf-8")
    out = tmp_path / "out.json"
    assert run(str(path), "-f", "json", "-o", str(out)).exit_code == 1
    assert out.read_bytes() == whole.encode("utf-8")


def test_json_pieces_lay_out_iterators_as_json_dumps_lays_out_lists() -> None:
    """Nested iterators, empty ones, dicts holding them and strings with line breaks: the pieces joined are
    json.dumps(indent=2) of the same document with lists."""

    def lazy(value: object) -> object:
        if isinstance(value, list):
            return iter([lazy(v) for v in value])
        if isinstance(value, dict):
            return {k: lazy(v) for k, v in value.items()}
        return value

    documents: tuple[object, ...] = (
        {"a": [1, 2.5, {"b": [], "c": {"d": ["x\ny"]}}], "e": {}, "f": "é", "g": [[]], "h": None},
        [],
        [[{"k": []}]],
        {"only": []},
    )
    for doc in documents:
        assert "".join(json_pieces(lazy(doc))) == json.dumps(doc, indent=2, ensure_ascii=False)
        assert as_json(doc) == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def test_the_csv_written_in_pieces_is_the_same_whatever_the_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows handed on one at a time or all together make the same CSV."""
    path = revised_csv(tmp_path / "long.csv")
    together = run(str(path), "-f", "csv").stdout
    monkeypatch.setattr(compare_data, "_PIECE", 1)
    assert run(str(path), "-f", "csv").stdout == together
    assert together.count("\n") == len(together.splitlines()) > 20


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("where", ["stdout", "-", "file"])
def test_a_report_that_fails_part_way_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, where: str
) -> None:
    """The JSON or CSV stops after its first revision: nothing reaches standard output, -o - or the file
    (and no temporary file is left), exit 2."""

    def broken(a: AreaComparison) -> Iterator[dict[str, object]]:
        yield {"record": "revision", "year": "2014-15"}
        raise RuntimeError("stopped")

    monkeypatch.setattr(compare_data, "_revision_entries", broken)
    monkeypatch.setattr(compare_data, "_release_rows", broken)
    path = revised_csv(tmp_path / "long.csv")
    out = tmp_path / "out" / f"report.{fmt}"
    out.parent.mkdir()
    target = {"stdout": [], "-": ["-o", "-"], "file": ["-o", str(out)]}[where]
    result = run(str(path), "-f", fmt, *target)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "internal error (RuntimeError: stopped)" in result.stderr
    assert list(out.parent.iterdir()) == []


def test_the_listing_limit_is_documented() -> None:
    """docs/limits.md and docs/compare.md give the number the report lists at most."""
    root = Path(__file__).resolve().parents[1]
    limits = (root / "docs" / "limits.md").read_text(encoding="utf-8")
    assert (
        f"at most **{rendering.MAX_LISTED:,}** large changes and {rendering.MAX_LISTED:,} revisions" in limits
    )
    said = (root / "docs" / "compare.md").read_text(encoding="utf-8")
    assert (
        f"**At most {rendering.MAX_LISTED:,}** large changes and {rendering.MAX_LISTED:,} revisions" in said
    )
