"""The version, from the installed package's metadata (pyproject.toml is the one place it is written),
and the name mappa-stats signs its outputs with."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

PRODUCER = "mappa-stats"

try:
    __version__ = version(PRODUCER)
except PackageNotFoundError:  # pragma: no cover - a source tree on sys.path without an install
    __version__ = "0+unknown"
