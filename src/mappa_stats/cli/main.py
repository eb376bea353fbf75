"""The mappa-stats command line: parse options, call the library, render, map errors to exit codes.

Nothing heavy is imported at module level, so `mappa-stats --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from mappa_stats.cli.commands.check_publication import check_publication
from mappa_stats.cli.commands.combine import combine
from mappa_stats.cli.commands.compare import compare
from mappa_stats.cli.commands.rate import rate
from mappa_stats.cli.commands.rules import rules
from mappa_stats.cli.commands.signoff import signoff
from mappa_stats.cli.commands.tables import tables
from mappa_stats.cli.commands.template import template
from mappa_stats.cli.commands.templates import templates_command
from mappa_stats.cli.commands.validate import validate
from mappa_stats.errors import MappaError
from mappa_stats.version import __version__


class _Group(click.Group):
    """Turn the project's own errors into one line on stderr and exit 2; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MappaError as exc:
            if ctx.meta.get("debug"):
                raise
            _fail(str(exc), exc.exit_code)
        except click.UsageError as exc:
            if ctx.meta.get("debug"):
                raise
            # One line, as for every other refusal; the command's --help is named for the rest.
            command = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            _fail(f"{exc.format_message()} (see '{command} --help')", exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            _fail("interrupted (Ctrl+C)", INTERRUPTED)
        except BrokenPipeError:
            _closed_pipe()
        except Exception as exc:  # the last line of defence: never a traceback without --debug
            if ctx.meta.get("debug"):
                raise
            _fail(f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it", 2)


BROKEN_PIPE = 141  # 128 + SIGPIPE, as the shell reports a command whose reader went away
INTERRUPTED = 130  # 128 + SIGINT, as the shell reports a command stopped with Ctrl+C


def _closed_pipe() -> NoReturn:
    """The reader of our output closed it (`| head`): stop quietly, as Unix tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout at exit
    except (OSError, ValueError):
        pass
    sys.exit(BROKEN_PIPE)


def reader_gone(stream: object) -> bool:
    """True when STREAM is a pipe whose reader has closed it (`| head -c 10` took its bytes and left):
    what was written after that was lost, as when a write fails. Where poll() does not exist (Windows),
    False."""
    import select
    import stat

    try:
        descriptor = stream.fileno()  # type: ignore[attr-defined]
        if not stat.S_ISFIFO(os.fstat(descriptor).st_mode) or not hasattr(select, "poll"):
            return False
        poller = select.poll()
        poller.register(descriptor, select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def _fail(message: str, code: int) -> NoReturn:
    from mappa_stats.safetext import terminal

    # Messages quote the input (a label, a sheet name): its escape sequences must not reach the terminal.
    click.echo(f"mappa-stats: error: {terminal(message)}", err=True)
    sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="mappa-stats")
@click.option("--debug", is_flag=True, help="Show the full traceback when something goes wrong.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Check and publish MAPPA annual report statistics.

    Read an area's workbook (.xlsx, .ods) or tidy CSV, print its standard tables, validate them,
    and reproduce the registered sexual offenders rate from ONS population files.

    Start with: mappa-stats validate samples/kent_2015.xlsx
    """
    ctx.meta["debug"] = debug
    for stream in (sys.stdout, sys.stderr):
        # A console or file in a legacy encoding (Windows cp1252) must not turn '→' into a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


main.add_command(tables)
main.add_command(template)
main.add_command(validate)
main.add_command(rules)
main.add_command(templates_command)
main.add_command(signoff)
main.add_command(rate)
main.add_command(compare)
main.add_command(combine)
main.add_command(check_publication)


def run() -> NoReturn:
    """The `mappa-stats` command: the group, in a process of its own."""
    if "hypothesis" not in sys.modules:
        # pandera imports hypothesis, when it is installed, for data synthesis the command never does:
        # about 0.3 s of every run. Only this entry point does it, never a process that imports the library.
        sys.modules["hypothesis"] = None  # type: ignore[assignment]
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        click.echo(code, err=True)
        code = 1
    # Every output is complete (written atomically) by now. Tearing down pandas' and pandera's module graph
    # takes 0.1-0.25 s that no one waits for on purpose: flush and leave without it.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = BROKEN_PIPE
    if reader_gone(sys.stdout):
        code = BROKEN_PIPE  # the reader left part-way: the output was not all read, whatever the verdict
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))


if __name__ == "__main__":  # pragma: no cover
    run()
