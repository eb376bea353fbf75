"""The cache of resolved definitions (definitions/cache.py): it gives what resolving gives, and never a
definition one of its files no longer says."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from mappa_stats.definitions import cache, load
from mappa_stats.definitions.inherit import resolve

TEMPLATES = load.schemas_dir() / "templates"


@pytest.fixture
def years(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two shipped years (2015-16 extends 2014-15) copied to a folder of their own, the cache in another."""
    folder = tmp_path / "years"
    folder.mkdir()
    for year in ("2014-15", "2015-16"):
        shutil.copy(TEMPLATES / f"{year}.json", folder / f"{year}.json")
    monkeypatch.setenv("MAPPA_STATS_CACHE", str(tmp_path / "cache"))
    return folder


def _refuse_reading(path: Path) -> Any:
    raise AssertionError(f"{path} was read, though the cache holds it")


def test_a_cached_definition_is_the_resolved_one(years: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    child = years / "2015-16.json"
    resolved = resolve(child, load._read_json)
    assert load._resolve_shipped(child) == resolved  # resolved, and kept
    assert len(list((years.parent / "cache" / "definitions").glob("*.json"))) == 1
    monkeypatch.setattr(load, "_read_json", _refuse_reading)
    again = load._resolve_shipped(child)  # from the cache: no file is read
    assert again == resolved
    assert json.dumps(again) == json.dumps(resolved)  # keys in the same order too


def test_an_edited_parent_is_never_served_stale(years: Path) -> None:
    child, parent = years / "2015-16.json", years / "2014-15.json"
    before = load._resolve_shipped(child)
    assert cache.cached(child) == before
    spec = json.loads(parent.read_text(encoding="utf-8"))
    spec["edited"] = "after the cache was written"  # a key 2015-16 does not write: inherited
    parent.write_text(json.dumps(spec), encoding="utf-8")
    stat = parent.stat()
    os.utime(parent, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a later save
    assert cache.cached(child) is None
    after = load._resolve_shipped(child)
    assert after["edited"] == "after the cache was written"
    assert after != before


def test_a_same_sized_edit_is_seen_by_its_time(years: Path) -> None:
    """A change that keeps the file's size (one digit for another) is seen by its modification time."""
    child = years / "2015-16.json"
    load._resolve_shipped(child)
    text = child.read_text(encoding="utf-8")
    assert '"2015-16"' in text
    stat = child.stat()
    child.write_text(text.replace('"title"', '"Title"', 1), encoding="utf-8")
    assert child.stat().st_size == stat.st_size
    os.utime(child, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert cache.cached(child) is None


def test_a_damaged_entry_is_resolved_again(years: Path) -> None:
    child = years / "2015-16.json"
    resolved = load._resolve_shipped(child)
    (entry,) = (years.parent / "cache" / "definitions").glob("*.json")
    entry.write_text('{"format": 1, "file": ', encoding="utf-8")  # cut short, as by a power cut
    assert cache.cached(child) is None
    assert load._resolve_shipped(child) == resolved
    assert cache.cached(child) == resolved  # written whole again


def test_the_cache_turned_off_or_unwritable(years: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    child = years / "2015-16.json"
    resolved = resolve(child, load._read_json)
    monkeypatch.setenv("MAPPA_STATS_CACHE", "off")
    assert load._resolve_shipped(child) == resolved
    assert cache.cache_folder() is None
    assert not (years.parent / "cache").exists()
    blocker = years.parent / "a file, not a folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("MAPPA_STATS_CACHE", str(blocker))
    assert load._resolve_shipped(child) == resolved  # nothing kept, and no error
    assert cache.cached(child) is None


def test_every_shipped_year_from_the_cache_is_the_resolved_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAPPA_STATS_CACHE", str(tmp_path))
    for year in load.shipped_years():
        path = TEMPLATES / f"{year}.json"
        load._resolve_shipped(path)
        assert cache.cached(path) == resolve(path, load._read_json), year


def test_no_home_folder_is_no_error(years: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process with no findable home folder (a service account) resolves the year and keeps nothing."""
    child = years / "2015-16.json"
    monkeypatch.delenv("MAPPA_STATS_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert load._resolve_shipped(child) == resolve(child, load._read_json)
    assert cache.cached(child) is None
