"""The progress line: which of a long run's files is being read, on standard error."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click


class Progress:
    """Files read so far, on standard error, for runs of more than three files: one line per file in a log
    ('[12/43] returns/kent.xlsx'), one line rewritten in place on a terminal, cleared when reading is done."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.live = sys.stderr.isatty()

    def __call__(self, number: int, path: Path) -> None:
        if self.total <= 3:
            return
        from mappa_stats.safetext import terminal

        line = f"[{number}/{self.total}] {terminal(str(path))}"
        if not self.live:
            click.echo(line, err=True)
            return
        width = max(20, shutil.get_terminal_size().columns - 1)
        if len(line) > width:  # keep the count and the file's name; cut the folder's path from the left
            head = f"[{number}/{self.total}] …"
            line = head + line[len(line) - (width - len(head)) :]
        click.echo("\r\x1b[K" + line, nl=False, err=True)
        if number == self.total:
            click.echo("\r\x1b[K", nl=False, err=True)
