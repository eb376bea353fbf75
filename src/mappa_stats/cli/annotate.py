"""--annotate OUT (validate and signoff): the copy of the manager's workbook with its findings marked.

The checks are made before anything is read (one workbook, OUT of the same kind, never any file the command
reads); the copy is written whole or not at all by output.write_atomic, after the file was
checked; signoff's pack then links to it.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import click

from mappa_stats.cli.emit import forced, read_files
from mappa_stats.safetext import shown

KINDS = (".xlsx", ".ods")


def check_annotate(files: tuple[Path, ...], out: Path) -> None:
    """One .xlsx or .ods workbook in, a copy of the same kind out (so never the -o report, which is text),
    never over any file the command reads (said before anything is read)."""
    from mappa_stats.output import check_output_path

    if len(files) != 1 or str(files[0]) == "-" or files[0].is_dir():
        raise click.UsageError("--annotate writes a copy of one workbook: give one FILE (.xlsx or .ods)")
    source = files[0]
    if str(out) == "-":
        raise click.UsageError(
            "--annotate -: standard output holds the report; the marked copy is a workbook: give OUT"
            f"{source.suffix.lower() or '.xlsx'}"
        )
    kind = source.suffix.lower()
    if kind not in KINDS:
        raise click.UsageError(
            f"--annotate marks the cells of an .xlsx or .ods workbook; {shown(source.name)} is not one"
        )
    if out.suffix.lower() != kind:
        raise click.UsageError(
            f"--annotate {shown(out)}: the copy is an {kind} workbook as {shown(source.name)} is; "
            f"name it {shown(out.stem)}{kind}"
        )
    check_output_path(out, [source, *read_files()], forced())


def write_annotated(source: Path, report: Any, out: Path, strict: bool) -> None:
    """The copy of the workbook with its findings marked, written whole or not at all."""
    from mappa_stats.output import write_atomic
    from mappa_stats.publication.annotate import annotate  # lazy: only --annotate needs it
    from mappa_stats.publication.annotate_ods import annotate_ods

    write = annotate_ods if source.suffix.lower() == ".ods" else annotate
    inputs = [source, *read_files()]
    write_atomic(out, lambda temp: write(source, report, temp, strict), inputs, force=forced())
    click.echo(f"wrote {shown(out)} (the workbook with its findings marked)", err=True)


def link_from(out: Path, report: Path | None) -> str:
    """The annotated copy as a relative link from the pack's folder (from the working folder when the pack
    goes to standard output): forward slashes, every other character percent-encoded."""
    folder = os.path.dirname(os.path.abspath(report)) if report is not None else os.getcwd()
    try:
        relative = os.path.relpath(os.path.abspath(out), folder)
    except ValueError:  # Windows: another drive, no relative path
        relative = out.name
    return quote(PurePath(relative).as_posix(), safe="/")
