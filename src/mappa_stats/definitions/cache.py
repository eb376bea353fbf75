"""Resolved definitions kept on disk between runs, so that a process reading one return does not follow and
merge a year's whole `extends` chain again (about 2 ms of a first read: bench/README.md).

An entry holds the resolved JSON of one shipped definition file and, for every file its resolving read (the
chain, and `inherit.py`, whose rules the merge follows), the file's modification time (in nanoseconds) and
size. It is used only while every one of them is unchanged, so an edited year, a new release or a change of
the merge rules never meets a stale entry; anything unreadable is ignored and resolved again. Entries are
plain JSON written whole (a temporary file then `os.replace`, which Windows allows too); a cache that cannot
be written is no error. The folder: `MAPPA_STATS_CACHE` when set (`off` turns the cache off), else the user's
cache folder (`%LOCALAPPDATA%\\mappa-stats\\Cache` on Windows, `~/Library/Caches/mappa-stats` on macOS,
`$XDG_CACHE_HOME/mappa-stats` or `~/.cache/mappa-stats` elsewhere).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mappa_stats.definitions import inherit

OFF = "off"
_FORMAT = 1  # the entry's own layout; bump it when the layout changes


def cache_folder() -> Path | None:
    """Where entries are kept, or None when the cache is turned off."""
    given = os.environ.get("MAPPA_STATS_CACHE")
    if given:
        return None if given.strip().lower() == OFF else Path(given) / "definitions"
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "mappa-stats" / "Cache" / "definitions" if base else None
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "mappa-stats" / "definitions"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mappa-stats" / "definitions"


def _entry(path: Path) -> Path | None:
    folder = cache_folder()
    if folder is None:
        return None
    key = hashlib.sha256(os.path.abspath(path).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return folder / f"{key}.json"


def stamp(path: Path) -> list[Any]:
    """What an entry records of a file it came from: its path, modification time (ns) and size."""
    found = path.stat()
    return [str(path), found.st_mtime_ns, found.st_size]


def stamp_or_none(path: Path) -> list[Any] | None:
    """The stamp of a file, or None when it cannot be taken (then nothing is kept)."""
    try:
        return stamp(path)
    except OSError:
        return None


def cached(path: Path) -> Any | None:
    """The resolved definition of `path` kept from an earlier run, or None when there is none, or any file
    it came from has changed since."""
    try:
        entry = _entry(path)
        if entry is None:
            return None
        kept = json.loads(entry.read_bytes())
        if kept.get("format") != _FORMAT or kept.get("file") != str(path):
            return None
        for kept_stamp in kept["files"]:
            if stamp(Path(kept_stamp[0])) != kept_stamp:
                return None
        return kept["spec"]
    # RuntimeError: Path.home() when the user's home cannot be found (no HOME, no account entry).
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RuntimeError):
        return None


def keep(path: Path, stamps: Sequence[list[Any] | None], spec: Any) -> None:
    """Keep the resolved definition of `path`, made from the files whose `stamps` were taken before they
    were read; silently not when it cannot."""
    try:
        entry = _entry(path)
        if entry is None or None in stamps:
            return
        files = [stamp(Path(inherit.__file__)), *stamps]
        text = json.dumps({"format": _FORMAT, "file": str(path), "files": files, "spec": spec})
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, entry)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except (OSError, ValueError, TypeError, RuntimeError):
        return
