"""What a file is, whatever it is called: 'xlsx', 'ods', 'csv', 'pdf' or 'report-text' — told from its bytes,
with a one-line refusal for a legacy .xls, a password-protected workbook, a damaged zip or binary content.
"""

from __future__ import annotations

from pathlib import Path

from mappa_stats.errors import InputError
from mappa_stats.io import archive, guard
from mappa_stats.io.report_lines import looks_like_report


def is_lock_file(path: Path) -> bool:
    """An Office lock file: Excel's '~$…' or LibreOffice's '.~lock.…#', kept beside a workbook while it is
    open. It is never a workbook (and under its name it looks like one)."""
    return path.name.startswith("~$") or (path.name.startswith(".~lock.") and path.name.endswith("#"))


LOCK_FILE = "an Office lock file (Excel or LibreOffice keeps one beside a workbook while it is open)"


def sniff(path: Path, data: bytes) -> str:
    """What the bytes are, whatever the file is called: 'xlsx', 'ods', 'csv', 'pdf' or 'report-text'."""
    display = guard.display_name(path)
    # issue 14 hook: a published report, as a PDF or as the text a PDF gives (mappa_stats.io.published).
    if data.startswith(b"%PDF-") or (b"%PDF-" in data[:1024] and data[:2] != b"PK" and data[:1] != b"\xd0"):
        return "pdf"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data:
            raise InputError(
                f"{display}: the workbook is password-protected; save an unprotected copy and check that"
            )
        raise InputError(
            f"{display}: a legacy Excel 97-2003 (.xls) file; open it and save as .xlsx (Excel Workbook)"
        )
    if data[:4] == b"PK\x03\x04":
        kind = archive.check_zip(display, data, "area")
        if kind == "zip":
            raise InputError(f"{display}: a zip archive, but not a spreadsheet; save the workbook as .xlsx")
        return kind
    if data[:2] == b"PK":
        raise InputError(f"{display}: the file is damaged (truncated workbook); save it again")
    sample = data[:4096]
    if b"\x00" in sample:
        raise InputError(f"{display}: not a spreadsheet or CSV file (binary content); check the file")
    if path.suffix.lower() in {".xlsx", ".xlsm", ".ods", ".xls"}:
        raise InputError(
            f"{display}: named {path.suffix} but holds plain text (a CSV?); "
            "rename it to .csv, or save the workbook again from Excel"
        )
    guard.check_text(display, data, "area")
    # issue 14 hook: report text (a .txt, or any text holding a table title at the start of a line).
    if looks_like_report(data, path.name):
        return "report-text"
    return "csv"
