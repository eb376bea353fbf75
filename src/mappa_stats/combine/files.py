"""Which files a combine run reads (a folder's returns, lock files and combine's own outputs skipped),
and which of the Ministry's areas a return is for."""

from __future__ import annotations

import stat
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from mappa_stats.combine.result import FOLDER_SUFFIXES, MAX_FILES
from mappa_stats.definitions.constants import NATIONAL, NSD_ID
from mappa_stats.definitions.load import form_years
from mappa_stats.errors import InputError
from mappa_stats.io.areas import area_key, find_area
from mappa_stats.io.publication import publication_properties
from mappa_stats.io.ret import moj_area_ids
from mappa_stats.io.sniff import LOCK_FILE, is_lock_file


def _left_out(child: Path) -> str | None:
    """Why a file in a given folder is not read as a return, or None when it is read. A device or a pipe
    is read: never opened here, the reader's guard refuses it."""
    if is_lock_file(child):
        return f"{LOCK_FILE}, not a return; skipped"
    if child.name.startswith("."):
        return "a hidden file; skipped"
    if child.is_dir():
        return "a folder; combine does not look inside folders within folders"
    if child.suffix.casefold() not in FOLDER_SUFFIXES:
        return "not a workbook (.xlsx, .ods) or tidy CSV; skipped"
    if not _regular(child):
        return None
    if _is_long_csv(child):
        return "a combine output (area,year,field,value), not a return; skipped"
    if _is_national_workbook(child):
        return "the national workbook combine wrote, not a return; skipped"
    return None


def expand(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The files to read (a folder's workbooks and CSVs), and a note for each one left out and why."""
    files: list[Path] = []
    skipped: list[str] = []
    for path in paths:
        if is_lock_file(path):
            skipped.append(f"{path}: {LOCK_FILE}, not a return; skipped")
            continue
        if not path.is_dir():
            files.append(path)
            continue
        try:
            children = sorted(path.iterdir())
        except OSError as exc:
            raise InputError(f"{path}: the folder cannot be listed ({exc.strerror}); check it") from None
        for child in children:
            reason = _left_out(child)
            if reason:
                skipped.append(f"{child}: {reason}")
            else:
                files.append(child)
            if len(files) > MAX_FILES:
                break
    if len(files) > MAX_FILES:
        raise InputError(
            f"more than {MAX_FILES:,} files to combine; a national set is 43 returns: "
            "give the folder of one year's returns"
        )
    if not files:
        if len(skipped) == 1 and len(paths) == 1 and not paths[0].is_dir():
            # One file named, and it is not a return: say what it is rather than "no returns found".
            raise InputError(skipped[0].removesuffix("; skipped") + "; give the year's returns")
        where = ", ".join(str(p) for p in paths[:3]) + ("…" if len(paths) > 3 else "")
        left = f"; {len(skipped):,} file{'s' * (len(skipped) != 1)} skipped" if skipped else ""
        raise InputError(
            f"{where}: no returns found (workbooks .xlsx or .ods, or tidy CSVs){left}; give the folder of "
            "the year's returns or the files themselves"
        )
    return files, skipped


def _regular(path: Path) -> bool:
    """True for a regular file (a symlink to one included): never a device, pipe or socket, which opening
    to look inside could block on or read without end."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _is_national_workbook(path: Path) -> bool:
    """True for the national publication workbook combine writes (it may sit in the folder of returns)."""
    if path.suffix.casefold() not in (".xlsx", ".ods"):
        return False

    properties = publication_properties(path)
    return properties is not None and properties.get("MAPPA area") == NATIONAL


def _is_long_csv(path: Path) -> bool:
    """True for the long CSV combine writes: it may sit in the folder of returns, and is not one."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"area,year,field,value")


def expected_areas(year: str) -> dict[int, str]:
    """The Ministry's area id → name expected for the year: the 42, and the NSD from 2022-23."""
    ids = moj_area_ids()
    nsd_from = form_years("nsd")[0]  # the first year with a National Security Division definition
    return {i: n for i, n in ids.items() if i != NSD_ID or year >= nsd_from}


@cache
def _moj_names() -> dict[str, tuple[int, str]]:
    """The Ministry's (id, name) by the folded name of its MAPPA area, and by its own folded name."""
    out: dict[str, tuple[int, str]] = {}
    for number, moj in moj_area_ids().items():
        out[area_key(moj)] = (number, moj)
        found = find_area(moj)
        if found is not None:
            out[area_key(found.name)] = (number, moj)
    return out


@cache
def identify(name: str | None) -> tuple[int, str] | None:
    """The Ministry's (id, name) of an area however it is named ('Teesside' → 36 Cleveland), or None."""
    if not name:
        return None

    known = _moj_names()
    if area_key(name) in known:
        return known[area_key(name)]
    found = find_area(name)
    return known.get(area_key(found.name)) if found is not None else None
