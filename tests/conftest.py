"""Shared fixtures: the repository's samples and small workbook builders."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
KENT_XLSX = SAMPLES / "kent_2015.xlsx"
KENT_CSV = SAMPLES / "kent_2015.csv"
SHARED = ROOT.parent / "shared"


def sha256(path: Path) -> str:
    """Hash of a file's bytes, to prove an input was not modified."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository root as working directory, as the README does."""
    monkeypatch.chdir(ROOT)
    return ROOT
