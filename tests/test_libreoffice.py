"""LibreOffice (headless, the system package) opens the publication workbooks and the template.

Runs when `soffice` is on the PATH (apt-get install libreoffice-calc-nogui); skipped otherwise, also
in CI, which does not install LibreOffice. Each file is converted by LibreOffice itself: to PDF (it
opened and laid out every sheet, no repair dialog in headless mode means a refusal, not a prompt),
and to CSV of its first sheet (the text it read is the text mappa-stats wrote).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import KENT_XLSX
from mappa_stats.cli.main import main

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _convert(source: Path, to: str, folder: Path) -> Path:
    """Convert with LibreOffice in its own profile (never the user's), return the converted file."""
    folder.mkdir(exist_ok=True)
    profile = (folder / "profile").as_uri()
    done = subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    converted = folder / f"{source.stem}.{to.split(':')[0]}"
    assert done.returncode == 0 and converted.is_file(), (done.stdout, done.stderr)
    return converted


def _write(tmp_path: Path, *args: str) -> Path:
    out = Path(args[-1])
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_libreoffice_opens_the_publication(tmp_path: Path, fmt: str) -> None:
    """The publication workbook converts to PDF and its cover reads back as written."""
    book = _write(tmp_path, "tables", str(KENT_XLSX), "-o", str(tmp_path / f"kent.{fmt}"))
    pdf = _convert(book, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    cover = _convert(book, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "csv")
    text = cover.read_text(encoding="utf-8")
    assert text.startswith('"MAPPA statistics: Kent, 2014-15"\n')
    assert "Reporting period: 1 April 2014 to 31 March 2015" in text


def test_libreoffice_opens_the_template(tmp_path: Path) -> None:
    """The empty template converts to PDF with its titles."""
    book = _write(tmp_path, "template", "--year", "2014-15", "-o", str(tmp_path / "area.xlsx"))
    pdf = _convert(book, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    sheet = _convert(book, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "csv")
    assert "MAPPA-eligible offenders on 31 March 2015" in sheet.read_text(encoding="utf-8")
