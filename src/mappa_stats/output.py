"""Write outputs completely or not at all, never over an input, a device or someone else's file.

Every file mappa-stats writes goes through write_atomic: a temporary `.NAME.*.part` file beside the
target, renamed into place when complete, removed on an error, Ctrl+C, SIGTERM or SIGHUP. The file gets the
permissions an ordinary file create would give it (the umask applies), and an existing file is
replaced only when mappa-stats wrote it (recognised by its content) or with --force.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import BinaryIO

from mappa_stats.errors import OutputError
from mappa_stats.safetext import shown
from mappa_stats.version import PRODUCER

# Most file systems allow 255 bytes in one file name (NAME_MAX on Linux, NTFS: 255 UTF-16 units).
NAME_MAX = 255
# How much of an existing file is read to recognise it as one of ours: its first few kilobytes.
_SNIFF_BYTES = 8192
_SNIFF_PART_BYTES = 1_000_000

# The file name endings each output format is written under.
EXTENSIONS = {
    ".xlsx": "xlsx",
    ".ods": "ods",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".json": "json",
    ".txt": "text",
    # Formats mappa-stats does not write: naming one is refused rather than given text or a workbook.
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "doc",
    ".odt": "odt",
    ".xls": "xls",
    ".xlsm": "xlsm",
}
_SUFFIX = {"xlsx": ".xlsx", "ods": ".ods", "html": ".html", "markdown": ".md", "csv": ".csv", "json": ".json"}
# Formats that are files rather than text: their name must end as the format says.
_BINARY = ("xlsx", "ods")

# Text outputs mappa-stats writes, recognised by how they start (see is_own_output).
_OWN_TEXT = (
    re.compile(r'<meta name="generator" content="mappa-stats '),
    re.compile(r'"tool": \{\s*"name": "mappa-stats"'),
    re.compile(r"\bmappa-stats \d+\.\d+"),
    re.compile(r"\A(area,year,table,row,column,value,marker|area,rsos,population,)"),
    re.compile(r"\A[^\n]*(: PASS — |: FAIL — |: COULD NOT BE CHECKED| — MAPPA statistics, template )"),
    re.compile(r"\APopulation: [^\n]*\((ONS|area table)"),
    # rate's text and Markdown: the population line, then the table's header (any population, built in too)
    re.compile(r"\APopulation: [^\n]*\r?\n\r?\n\|? *area +\|? *rsos +\|? *population"),
    re.compile(r"\A((# )?mappa-stats combine: \d{4}-\d{2}|area,year,field,value\r?\n)"),  # combine's outputs
    re.compile(r"\A(# MAPPA figures compared\r?\n|record,area,year,from_year,field,value,)"),  # compare's
    # validate -f csv (render/report.py FINDING_COLUMNS) and signoff -f csv (render/signoff.py): their headers
    re.compile(
        r"\A(path,area,template,status,rule,severity,cell,finding,suggestion|rule,description,severity,"
        r"result,detail)\r?\n"
    ),
)


def choose_format(given: str | None, output: Path | None, allowed: Iterable[str], default: str) -> str:
    """The output format: as given, else as the -o name implies; refuse a name that says otherwise."""
    allowed = tuple(allowed)
    suffix = output.suffix.lower() if output is not None else ""
    implied = EXTENSIONS.get(suffix)
    if given is None:
        if implied is None:
            return default
        if implied not in allowed:
            names = " or ".join(f"FILE{_SUFFIX.get(f, '.txt')}" for f in allowed)
            raise OutputError(
                f"{shown(output or '')}: this command cannot write {suffix} files; give -o {names}"
            )
        return implied
    if output is None:
        return given
    if implied is not None and implied != given:
        raise OutputError(
            f"{shown(output)}: the name ends in {suffix} but --format is {given}; "
            f"name it FILE{_SUFFIX.get(given, '.txt')} or leave out --format"
        )
    if given in _BINARY and implied is None and str(output) != "-":  # -o -: its bytes to standard output
        raise OutputError(f"{shown(output)}: --format {given} writes a spreadsheet: name it FILE.{given}")
    return given


def _is_device_path(output: Path) -> bool:
    """True for /dev/stdout, /proc/self/fd/1 and the like: streams and devices, not files."""
    real = os.path.realpath(output)
    return real.startswith(("/dev/", "/proc/")) or str(output).startswith(("/dev/", "/proc/"))


def _properties(path: Path) -> str | None:
    """An .xlsx's or .ods's document properties (docProps/custom.xml, meta.xml) as text; None when the file
    is not a zip, too big to be ours, or has none."""
    try:
        if path.stat().st_size > _SNIFF_PART_BYTES * 5:
            return None  # no output of ours is this big: not ours
        texts = []
        with zipfile.ZipFile(path) as archive:
            for part in ("docProps/custom.xml", "meta.xml"):
                try:
                    info = archive.getinfo(part)
                except KeyError:
                    continue
                if info.file_size > _SNIFF_PART_BYTES:
                    return None
                texts.append(archive.read(part).decode("utf-8", "replace"))
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, EOFError, zlib.error):
        return None
    return "\n".join(texts) if texts else None


def _sniff_zip(path: Path) -> bool:
    """An .xlsx or .ods whose document properties name mappa-stats as its producer."""
    text = _properties(path)
    if text is None:
        return False
    if 'name="Cells digest"' in text:
        # A template to fill in, or an annotated copy: ours only while nobody has typed into it.
        # lazy: only an existing template is looked at this closely
        from mappa_stats.publication.writer import is_unfilled_template

        return is_unfilled_template(path)
    return f">{PRODUCER}<" in text or f">{PRODUCER}/" in text


def _changed_since(path: Path) -> str | None:
    """What a workbook mappa-stats wrote and someone then changed is, in words ('an annotated copy
    mappa-stats wrote'); None for any other file. Called only for a file is_own_output refused."""
    text = _properties(path)
    if text is None or 'name="Cells digest"' not in text or f">{PRODUCER}<" not in text:
        return None
    if f'name="{PRODUCER} marks ' in text:  # the record of its marks (publication/annotate_marks.py)
        return "an annotated copy mappa-stats wrote"
    return "a workbook mappa-stats wrote"


def is_own_output(path: Path) -> bool:
    """True when an existing file is empty or was written by mappa-stats (recognised by its content)."""
    try:
        size = path.stat().st_size
        if size == 0:
            return True
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    text = head.decode("utf-8", "replace")
    return any(pattern.search(text) for pattern in _OWN_TEXT)


def _os_reason(exc: OSError) -> str:
    """What an operating-system error means for the person writing the file, and what to do."""
    code = exc.errno
    said = f" ({exc.strerror})" if exc.strerror else ""
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied{said}: the folder is read-only or not yours; write it to another folder"
    if code == errno.EROFS:
        return f"the disk is read-only{said}; write it to another folder"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
        return f"the disk is full{said}; free some space or write it to another disk"
    if code == errno.ENAMETOOLONG:
        return f"the file name is too long{said}; choose a shorter name (at most {NAME_MAX} bytes)"
    return f"cannot be written ({exc.strerror or exc}); check the folder and free space"


def _same_file(one: Path, other: Path) -> bool:
    """True when two paths are one file (its device and inode): a hard link or a symbolic link to an
    input is that input, whatever it is called."""
    try:
        return os.path.samestat(os.stat(one), os.stat(other))
    except (OSError, ValueError):
        return False


def refuse_an_input(output: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output that is one of the inputs (the same file, by device and inode): said first."""
    for source in inputs:
        if str(source) != "-" and _same_file(source, output):
            raise OutputError(
                f"{shown(output)}: is also an input file; the input is never overwritten, choose another name"
            )


def check_output_path(output: Path, inputs: Iterable[Path] = (), force: bool = False) -> None:
    """Refuse an output that is an input, a folder, a device, too long a name, or someone else's file."""
    name = shown(output)
    if len(os.fsencode(output.name)) > NAME_MAX:
        raise OutputError(
            f"{name}: the file name is {len(os.fsencode(output.name))} bytes long, more than the "
            f"{NAME_MAX} a file system allows; choose a shorter name"
        )
    if _is_device_path(output) or (output.exists() and not output.is_dir() and not output.is_file()):
        raise OutputError(
            f"{name}: is a device or stream, not a file; leave out -o to write to standard output, "
            "or give a file name"
        )
    if output.is_symlink() and not output.exists():
        raise OutputError(
            f"{name}: is a link to {shown(os.readlink(output))}, which does not exist; writing through it "
            "would create a file elsewhere: give the file's own name, or remove the link"
        )
    target = output.resolve()
    for source in inputs:
        if str(source) == "-":
            continue
        refuse_an_input(output, [source])  # each input in turn: a folder's own words come with the folder
        in_folder = source.is_dir() and _same_file(source, target.parent)
        if in_folder and output.exists() and not is_own_output(output):
            # A folder given as input: its files are inputs too, whatever --force says.
            raise OutputError(
                f"{name}: is a file in the input folder {shown(source)}; the inputs are never overwritten, "
                "even with --force: choose another name"
            )
    if output.is_dir():
        raise OutputError(f"{name}: is a folder; give a file name such as {shown(output / 'out.xlsx')}")
    if not target.parent.is_dir():
        raise OutputError(f"{name}: the folder {shown(output.parent)} does not exist; create it first")
    if output.exists() and not force and not is_own_output(output):
        what = _changed_since(output)
        if what is not None:  # ours once, typed into since: still the manager's work, not replaced
            raise OutputError(
                f"{name}: is {what}, changed since; give --force to replace it, or choose another name"
            )
        raise OutputError(
            f"{name}: already exists and was not written by mappa-stats; "
            "choose another name, or give --force to replace it"
        )


def _ordinary_mode(existing: Path) -> int:
    """The permissions a plain create would give: the existing file's, else 0666 less the umask."""
    try:
        return stat.S_IMODE(existing.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


class _Terminated(OutputError):
    """SIGTERM (or SIGHUP) arrived while a file was being written."""


# Signals that end the program while a file is written: SIGTERM (kill, a service stopping) and, where the
# system has it (not Windows), SIGHUP (the terminal or ssh session closed). Ctrl+C is KeyboardInterrupt.
_STOPPING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _terminate_cleanly(output: Path) -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception while writing, so the temporary file is removed as on
    Ctrl+C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        raise _Terminated(f"{shown(output)}: stopped ({name}) before it was complete; nothing was written")

    previous = {number: signal.signal(number, stop) for number in _STOPPING}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def write_atomic(
    output: Path, write: Callable[[Path], None], inputs: Iterable[Path] = (), force: bool = False
) -> None:
    """Call write() on a temporary file beside output, then rename it into place."""
    check_output_path(output, inputs, force)
    target = output.resolve()
    # Keep the temporary name short enough for a 255-byte limit whatever the output is called.
    stem = target.name[:40]
    with _terminate_cleanly(output):
        temp: Path | None = None
        try:
            handle, temp_name = tempfile.mkstemp(prefix=f".{stem}.", suffix=".part", dir=target.parent)
            os.close(handle)
            temp = Path(temp_name)
            write(temp)
            os.chmod(temp, _ordinary_mode(target))
            _replace(temp, target, output)
        except OSError as exc:
            raise OutputError(f"{shown(output)}: {_os_reason(exc)}") from exc
        finally:
            if temp is not None and temp.exists():
                temp.unlink()


def _replace(temp: Path, target: Path, output: Path) -> None:
    """Rename the finished file into place. On Windows a file open in Excel cannot be replaced (a
    PermissionError, sharing violation): that is said as what to do, not as a read-only folder."""
    try:
        os.replace(temp, target)
    except PermissionError as exc:
        if target.is_file():
            raise OutputError(
                f"{shown(output)}: it is open in another program (Excel, say) and cannot be replaced; "
                "close it in Excel and run again"
            ) from exc
        raise


def render_bytes(write: Callable[[Path], None], suffix: str) -> bytes:
    """What write() writes, as bytes: written whole to a private temporary folder and read back, so that a
    document for standard output (-o -) is complete before its first byte leaves."""
    with tempfile.TemporaryDirectory(prefix="mappa-stats-") as folder:
        temp = Path(folder) / f"document{suffix}"
        try:
            write(temp)
            return temp.read_bytes()
        except OSError as exc:
            raise OutputError(f"standard output: the document could not be made ({_os_reason(exc)})") from exc


def write_text_atomic(
    output: Path, text: str | Iterable[str], inputs: Iterable[Path] = (), force: bool = False
) -> None:
    """Write text (UTF-8) completely or not at all, whole or from its pieces as they are made; never under a
    spreadsheet's or document's name."""
    check_output_path(output, inputs, force)  # an input named as output is the first thing to say
    implied = EXTENSIONS.get(output.suffix.lower())
    if implied is not None and implied not in ("text", "markdown", "csv", "json", "html"):
        raise OutputError(
            f"{shown(output)}: this is a text report, not a {output.suffix} file; "
            "name it FILE.txt, FILE.md, FILE.json or FILE.csv"
        )

    def write(temp: Path) -> None:
        with temp.open("wb") as handle:
            write_pieces(handle, (text,) if isinstance(text, str) else text)

    write_atomic(output, write, inputs, force)


def write_pieces(handle: BinaryIO, pieces: Iterable[str]) -> None:
    """Text written to HANDLE as UTF-8, piece by piece. A file name with undecodable bytes may be quoted in
    the text: write it as '�', never crash."""
    for piece in pieces:
        handle.write(piece.encode("utf-8", "replace"))
