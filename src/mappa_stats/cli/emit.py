"""What every command writes besides its report: the report itself to standard output or -o, and notes
on standard error."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from mappa_stats.cli.options import INPUTS, STDOUT


def forced() -> bool:
    """True when --force was given to the running command."""
    return bool(click.get_current_context().meta.get("force"))


def read_files() -> list[Path]:
    """Every file the running command reads (its FILEs, --population, --claims, --template and a
    folder's files): the one list every -o check is made against."""
    return list(click.get_current_context().meta.get(INPUTS, []))


def also_read(paths: Iterable[Path]) -> None:
    """Files the command read besides those it was given (the files of a folder)."""
    click.get_current_context().meta.setdefault(INPUTS, []).extend(paths)


def to_stdout(output: Path | None) -> bool:
    """True for -o -: the document goes to standard output, the very bytes -o FILE would hold."""
    return output is not None and str(output) == STDOUT


def emit(text: str | Iterable[str], output: Path | None) -> None:
    """The report to standard output, or to -o (never over any file the command read); -o - writes the
    bytes the file would hold (UTF-8) to standard output, and nothing else goes there. A report in pieces
    (render.registry.pieces) is written as they are made, to a temporary file first, so that it too goes
    out whole or not at all."""
    if output is not None and not to_stdout(output):
        from mappa_stats.output import write_text_atomic
        from mappa_stats.safetext import shown

        write_text_atomic(output, text, read_files(), force=forced())
        click.echo(f"wrote {shown(output)}", err=True)
    elif isinstance(text, str):
        if output is None:
            click.echo(text, nl=False)
        else:
            _write_stdout(text.encode("utf-8", "replace"))
    elif output is None:
        _echo_spooled(text)
    else:
        _copy_spooled(text)


def _echo_spooled(pieces: Iterable[str]) -> None:
    """Pieces of text to standard output as click.echo writes text, once all of them are made."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogatepass", newline="") as spool:
        for piece in pieces:
            spool.write(piece)
        spool.seek(0)
        while block := spool.read(_BLOCK):
            click.echo(block, nl=False)


def _copy_spooled(pieces: Iterable[str]) -> None:
    """Pieces of text to standard output (-o -) as the bytes -o FILE would hold, once all are made."""
    from mappa_stats.output import write_pieces

    with tempfile.TemporaryFile() as spool:
        write_pieces(spool, pieces)
        spool.seek(0)
        stream = sys.stdout.buffer
        shutil.copyfileobj(spool, stream, _BLOCK)
        stream.flush()


# How much of a spooled report is read back and written at a time.
_BLOCK = 1 << 20


def write_document(output: Path, write: Callable[[Path], None], fmt: str) -> bool:
    """A workbook written whole to -o FILE, or (-o -) rendered whole first and then its bytes to standard
    output, never to a terminal (refused before any work: options.spreadsheet_output). True when it went
    to a file."""
    from mappa_stats.output import render_bytes, write_atomic

    if to_stdout(output):
        _write_stdout(render_bytes(write, f".{fmt}"))
        return False
    write_atomic(output, write, read_files(), force=forced())
    return True


def written(output: Path, fmt: str, note: str = "") -> None:
    """The line on standard error that says where a workbook went (standard output keeps only its bytes)."""
    from mappa_stats.safetext import shown

    where = f"the .{fmt} workbook to standard output" if to_stdout(output) else shown(output)
    click.echo(f"wrote {where}{note}", err=True)


def _write_stdout(data: bytes) -> None:
    """Bytes to standard output in one write (a reader that has gone: exit 141, as documented)."""
    stream = sys.stdout.buffer
    stream.write(data)
    stream.flush()


def unmatched_claims(claims: Sequence[Any], covered: set[tuple[str, str]]) -> int:
    """A note naming the claims no input was about: they were not checked, and must not look passed."""
    left = [c for c in claims if (c.area, c.year) not in covered]
    if left:
        named = ", ".join(f"{c.where} ({c.area} {c.year})" for c in left[:5])
        more = f" and {len(left) - 5} more" if len(left) > 5 else ""
        claims_word = f"{len(left)} claim{'s' * (len(left) != 1)}"
        note(f"{claims_word} not checked, no file given is about them: {named}{more}")
    return len(left)


def note(message: str | None) -> None:
    """A note on standard error: what the report assumed (an area taken from the file name)."""
    if message:
        from mappa_stats.safetext import terminal

        click.echo(f"mappa-stats: note: {terminal(message)}", err=True)


def unreachable_contact(contact: str | None, default: str) -> None:
    """A warning when a publication's cover gives no email address or telephone number to reach."""
    from mappa_stats.publication.sheets import reachable

    if not reachable(contact):
        from mappa_stats.safetext import terminal

        named = f"'{contact}'" if contact else f"({default}, by default)"
        click.echo(
            f"mappa-stats: warning: the cover's contact {terminal(named)} has no email address or telephone "
            "number; give --contact",
            err=True,
        )
