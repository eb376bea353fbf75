"""Output files: written completely or not at all, never over a device, an input or someone else's file.

Each refusal is exit 2 with one line naming the path and the fix; the target is left as it was.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from conftest import KENT_XLSX, ROOT, SAMPLES, sha256
from mappa_stats import output
from mappa_stats.cli.main import main
from mappa_stats.render.registry import Document, choices

POPULATION = SAMPLES / "ons_mid2014.csv"
SWAPPED = SAMPLES / "errors" / "swapped_digits.xlsx"


def invoke(*args: str) -> Result:
    """Run mappa-stats in-process."""
    return CliRunner().invoke(main, list(args))


def one_line_error(result: Result, code: int = 2) -> str:
    """The whole stderr, asserting it is one 'mappa-stats: error:' line and the exit code."""
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mappa-stats: error: "), result.stderr
    return lines[0]


def no_part_files(folder: Path) -> bool:
    """True when no temporary .NAME.*.part file was left in the folder."""
    return not [p for p in folder.iterdir() if p.name.endswith(".part")]


# Where the output goes ---------------------------------------------------------------------------


def test_a_device_is_refused_and_never_replaced(tmp_path: Path) -> None:
    """-o onto a device node: one line, exit 2, and the node is still a device.

    The node is a private copy of /dev/null made in tmp_path, so a broken build can never replace the
    system's own device.
    """
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    line = one_line_error(invoke("tables", str(KENT_XLSX), "-f", "csv", "-o", str(device)))
    assert line == (
        f"mappa-stats: error: {device}: is a device or stream, not a file; leave out -o to write to "
        "standard output, or give a file name"
    )
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_dev_stdout_is_refused(tmp_path: Path) -> None:
    """-o /dev/stdout (a pipe here, in a subprocess): refused, leave out -o to print."""
    done = subprocess.run(
        [sys.executable, "-m", "mappa_stats", "tables", str(KENT_XLSX), "-f", "csv", "-o", "/dev/stdout"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "mappa-stats: error: /dev/stdout: is a device or stream, not a file; leave out -o to write to "
        "standard output, or give a file name\n"
    )


def test_a_fifo_is_refused_without_waiting_for_a_reader(tmp_path: Path) -> None:
    """A named pipe as -o: refused at once (in a subprocess, so a hang would fail, not block)."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "mappa_stats", "tables", str(KENT_XLSX), "-o", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert (
        done.stderr == f"mappa-stats: error: {fifo}: is a device or stream, not a file; leave out -o to "
        "write to standard output, or give a file name\n"
    )
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_read_only_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder refuses the file (simulated: root may write anywhere): one line, nothing left behind."""

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    out = tmp_path / "pack.md"
    line = one_line_error(invoke("signoff", str(KENT_XLSX), "-o", str(out)))
    assert line == (
        f"mappa-stats: error: {out}: permission denied (Permission denied): the folder is read-only or not "
        "yours; write it to another folder"
    )
    assert not out.exists()
    assert no_part_files(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_real_read_only_folder(tmp_path: Path) -> None:
    """A folder without write permission (as an ordinary user): one line, exit 2."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        line = one_line_error(invoke("tables", str(KENT_XLSX), "-o", str(folder / "k.xlsx")))
        assert "permission denied" in line
        assert "write it to another folder" in line
    finally:
        folder.chmod(0o700)


def test_a_250_character_name_is_written(tmp_path: Path) -> None:
    """A long but legal name works: the temporary name is kept short enough for the file system."""
    out = tmp_path / ("k" * 245 + ".xlsx")
    result = invoke("tables", str(KENT_XLSX), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert no_part_files(tmp_path)


def test_a_name_too_long_for_any_file_system_is_refused(tmp_path: Path) -> None:
    """Over 255 bytes: one line naming the limit, exit 2."""
    out = tmp_path / ("k" * 300 + ".md")
    line = one_line_error(invoke("signoff", str(KENT_XLSX), "-o", str(out)))
    assert line.endswith(
        "the file name is 303 bytes long, more than the 255 a file system allows; choose a shorter name"
    )


def test_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No space left (simulated in the middle of writing): one line, no partial file, no .part file."""
    from mappa_stats.publication import area

    real = area.write_xlsx

    def half_then_full(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(area, "write_xlsx", half_then_full)
    out = tmp_path / "k.xlsx"
    line = one_line_error(invoke("tables", str(KENT_XLSX), "-o", str(out)))
    assert line == (
        f"mappa-stats: error: {out}: the disk is full (No space left on device); free some space or write "
        "it to another disk"
    )
    assert not out.exists()
    assert no_part_files(tmp_path)


def test_input_and_output_names_with_byte_0xff(tmp_path: Path) -> None:
    """A file name that is not UTF-8: read, written and named (as '�') without a crash."""
    folder = os.fsencode(tmp_path)
    source = folder + b"/kent\xff.xlsx"
    with open(source, "wb") as handle:
        handle.write(KENT_XLSX.read_bytes())
    target = folder + b"/pack\xff.html"
    done = subprocess.run(
        [sys.executable, "-m", "mappa_stats", "signoff", source, "--area", "Kent", "-o", target],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode("utf-8") == f"wrote {tmp_path}/pack\ufffd.html\n"
    page = Path(os.fsdecode(target)).read_text(encoding="utf-8")
    assert "kent\ufffd.xlsx" in page
    done = subprocess.run(
        [sys.executable, "-m", "mappa_stats", "tables", source, "-f", "csv", "-o", folder + b"/t\xff.csv"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode("utf-8") == f"wrote {tmp_path}/t\ufffd.csv\n"
    assert os.path.exists(folder + b"/t\xff.csv")


def test_input_name_with_byte_0xff_in_the_publication(tmp_path: Path) -> None:
    """The Checks worksheet names the source file; an undecodable byte becomes '�', not a broken workbook."""
    folder = os.fsencode(tmp_path)
    source = folder + b"/kent_2015\xff.xlsx"
    with open(source, "wb") as handle:
        handle.write(KENT_XLSX.read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "mappa_stats", "tables", source, "-o", folder + b"/k.xlsx"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    checks = [c.value for c in load_workbook(tmp_path / "k.xlsx")["Checks"]["B"]]
    assert any(isinstance(v, str) and "kent_2015\ufffd.xlsx" in v for v in checks)


# Permissions and signals -------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_ordinary_permissions(tmp_path: Path, umask: int, mode: int) -> None:
    """Like any new file: 0666 less the umask (the temporary file's 0600 is not kept)."""
    out = tmp_path / "k.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "mappa_stats", "tables", str(KENT_XLSX), "-o", str(out)],
        capture_output=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.umask(umask),
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_replacing_a_file_keeps_its_permissions(tmp_path: Path) -> None:
    """Replacing one of our own outputs keeps the mode the user gave it, as an editor would."""
    out = tmp_path / "report.json"
    assert invoke("validate", str(KENT_XLSX), "-f", "json", "-o", str(out)).exit_code == 0
    out.chmod(0o640)
    assert invoke("validate", str(KENT_XLSX), "-f", "json", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


SLOW_WRITE = """
import sys, time
from mappa_stats.publication import area
from mappa_stats.cli.main import main

real = area.write_xlsx

def slow(tables, path, *args, **kwargs):
    real(tables, path, *args, **kwargs)
    print("writing", flush=True)
    time.sleep(60)

area.write_xlsx = slow
main(["tables", sys.argv[1], "-o", sys.argv[2]])
"""


@pytest.mark.parametrize(
    "name",
    [
        "SIGTERM",
        pytest.param(
            "SIGHUP",
            marks=pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="Windows has no SIGHUP"),
        ),
    ],
)
def test_sigterm_while_writing_leaves_no_part_file(tmp_path: Path, name: str) -> None:
    """SIGTERM (or SIGHUP: a closed terminal) in the middle of a write: the .part file is removed,
    nothing is written, one line, exit 2 (issue 23 #11: SIGHUP left .part files)."""
    out = tmp_path / "k.xlsx"
    with subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, str(KENT_XLSX), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tempfile.gettempdir(),
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "writing\n"
        assert not no_part_files(tmp_path)  # the temporary file exists while writing
        process.send_signal(getattr(signal, name))
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert err == (
        f"mappa-stats: error: {out}: stopped ({name}) before it was complete; nothing was written\n"
    )
    assert not out.exists()
    assert no_part_files(tmp_path)


# Never over someone else's file ------------------------------------------------------------------

COMMANDS = {
    "validate": ["validate", str(KENT_XLSX)],
    "validate-json": ["validate", str(KENT_XLSX), "-f", "json"],
    "validate-markdown": ["validate", str(KENT_XLSX), "-f", "markdown"],
    "tables-text": ["tables", str(KENT_XLSX), "-f", "text"],
    "tables-markdown": ["tables", str(KENT_XLSX), "-f", "markdown"],
    "tables-csv": ["tables", str(KENT_XLSX), "-f", "csv"],
    "tables-json": ["tables", str(KENT_XLSX), "-f", "json"],
    "tables-xlsx": ["tables", str(KENT_XLSX), "-f", "xlsx"],
    "tables-ods": ["tables", str(KENT_XLSX), "-f", "ods"],
    "signoff-markdown": ["signoff", str(KENT_XLSX), "-f", "markdown"],
    "signoff-html": ["signoff", str(KENT_XLSX), "-f", "html"],
    "rate": ["rate", "--population", str(POPULATION), str(KENT_XLSX)],
    "rate-csv": ["rate", "--population", str(POPULATION), str(KENT_XLSX), "-f", "csv"],
    "rate-markdown": ["rate", "--population", str(POPULATION), str(KENT_XLSX), "-f", "markdown"],
    "template": ["template"],
}
SUFFIX = {"xlsx": ".xlsx", "ods": ".ods", "html": ".html", "csv": ".csv", "json": ".json", "markdown": ".md"}


def _name(key: str) -> str:
    if key == "template":
        return "out.xlsx"
    return "out" + SUFFIX.get(key.split("-")[-1], ".txt")


@pytest.mark.parametrize("key", sorted(COMMANDS))
def test_each_command_replaces_its_own_output_but_not_a_stranger(tmp_path: Path, key: str) -> None:
    """Run twice: the second run replaces the first's output. Over a file of the user's: exit 2, untouched."""
    out = tmp_path / _name(key)
    args = [*COMMANDS[key], "-o", str(out)]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert invoke(*args).exit_code == 0
    stranger = tmp_path / ("mine" + out.suffix)
    stranger.write_bytes(KENT_XLSX.read_bytes() if out.suffix in (".xlsx", ".ods") else b"my own notes\n")
    before = sha256(stranger)
    line = one_line_error(invoke(*COMMANDS[key], "-o", str(stranger)))
    assert line == (
        f"mappa-stats: error: {stranger}: already exists and was not written by mappa-stats; choose another "
        "name, or give --force to replace it"
    )
    assert sha256(stranger) == before
    assert invoke(*COMMANDS[key], "-o", str(stranger), "--force").exit_code == 0
    assert sha256(stranger) != before


COMPARE = ["compare", str(KENT_XLSX), str(SAMPLES / "kent_2015.csv")]


@pytest.mark.parametrize("command", ["compare", "combine"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json"])
def test_every_format_is_recognised_as_ours(tmp_path: Path, command: str, fmt: str) -> None:
    """issue 23 #12: `compare -f markdown -o F` (and -f csv) run twice was refused as 'not written by
    mappa-stats'. Every format every command writes replaces itself."""
    out = tmp_path / ("out" + SUFFIX.get(fmt, ".txt"))
    args = [*(COMPARE if command == "compare" else ["combine", str(KENT_XLSX)]), "-f", fmt, "-o", str(out)]
    first = invoke(*args)
    assert first.exit_code in (0, 1) and out.exists(), first.output
    assert output.is_own_output(out)
    again = invoke(*args)
    assert again.exit_code == first.exit_code, again.output


# Every command that writes with -o, the document it writes, and what it is asked about (combine of Kent alone
# is an incomplete set: its workbooks need --publish-failing).
WRITERS = {
    "validate": (Document.VALIDATION, [str(KENT_XLSX)]),
    "tables": (Document.TABLES, [str(KENT_XLSX)]),
    "rate": (Document.RATE, [str(KENT_XLSX), "--population", str(POPULATION)]),
    "compare": (Document.COMPARISON, [str(KENT_XLSX), str(SAMPLES / "kent_2015.csv")]),
    "combine": (Document.NATIONAL, [str(KENT_XLSX), "--publish-failing"]),  # only with a workbook
    "signoff": (Document.SIGNOFF, [str(KENT_XLSX)]),
}


@pytest.mark.parametrize(
    ("command", "fmt"),
    [(command, fmt) for command, (document, _) in WRITERS.items() for fmt in choices(document)],
)
def test_every_format_of_every_command_replaces_itself(tmp_path: Path, command: str, fmt: str) -> None:
    """issue 23 #12, for every format the registry offers (issue 20 added csv and html to several commands,
    and their files were then refused as 'not written by mappa-stats' on the second run)."""
    out = tmp_path / ("out" + SUFFIX.get(fmt, ".txt"))
    _document, given = WRITERS[command]
    args = [command, *given, "-f", fmt, "-o", str(out)]
    if fmt not in ("xlsx", "ods"):  # --publish-failing goes with a workbook only
        args = [arg for arg in args if arg != "--publish-failing"]
    first = invoke(*args)
    assert first.exit_code in (0, 1) and out.exists(), first.output
    assert output.is_own_output(out), out.read_bytes()[:200]
    again = invoke(*args)
    assert again.exit_code == first.exit_code, again.output


TEXT_FORMATS = ("text", "markdown", "csv", "json", "html")


@pytest.mark.parametrize(
    ("command", "fmt"),
    [
        (command, fmt)
        for command, (document, _) in WRITERS.items()
        for fmt in choices(document)
        if fmt in TEXT_FORMATS
    ],
)
def test_the_o_name_chooses_the_format_in_every_command(tmp_path: Path, command: str, fmt: str) -> None:
    """`-o report.csv` without --format writes CSV in every command (validate, rate and compare wrote their
    text report under any name), and a name that says another format than --format is refused, one line."""
    _document, given = WRITERS[command]
    given = [arg for arg in given if arg != "--publish-failing"]
    out = tmp_path / ("out" + SUFFIX.get(fmt, ".txt"))
    by_name = invoke(command, *given, "-o", str(out))
    assert by_name.exit_code in (0, 1), by_name.output
    asked = invoke(command, *given, "-f", fmt)
    assert out.read_text(encoding="utf-8") == asked.stdout
    other = "json" if fmt != "json" else "csv"
    wrong = tmp_path / ("wrong" + SUFFIX[other])
    line = one_line_error(invoke(command, *given, "-f", fmt, "-o", str(wrong)))
    assert f"the name ends in {SUFFIX[other]} but --format is {fmt}" in line
    assert not wrong.exists()


@pytest.mark.parametrize("name", ["out.txt", "out.md"])
def test_rate_on_the_built_in_estimates_replaces_itself(tmp_path: Path, name: str) -> None:
    """`rate kent_2015.xlsx -o ra.txt` (the built-in mid-2014 estimates, no --population) run twice was
    refused as 'not written by mappa-stats': its first line names the estimates, not a file."""
    out = tmp_path / name
    assert invoke("rate", str(KENT_XLSX), "-o", str(out)).exit_code == 0
    assert output.is_own_output(out)
    assert invoke("rate", str(KENT_XLSX), "-o", str(out)).exit_code == 0


def test_template_never_replaces_a_filled_in_template(tmp_path: Path) -> None:
    """An untouched template is replaced; once a number is typed into it, it is the user's: refused."""
    out = tmp_path / "area.xlsx"
    assert invoke("template", "-o", str(out)).exit_code == 0
    assert invoke("template", "-o", str(out)).exit_code == 0
    wb = load_workbook(out)
    wb["Statistics"]["B5"] = 1548
    wb.save(out)
    before = sha256(out)
    line = one_line_error(invoke("template", "-o", str(out)))
    assert line.endswith(
        "area.xlsx: is a workbook mappa-stats wrote, changed since; give --force to replace it, "
        "or choose another name"
    )  # it was 'not written by mappa-stats', which was untrue
    assert sha256(out) == before


def test_template_refuses_a_filled_workbook(tmp_path: Path) -> None:
    """The issue's case, on a copy of the sample (a test never writes into the tree): refused, untouched."""
    filled = tmp_path / "kent_2015.xlsx"
    filled.write_bytes(KENT_XLSX.read_bytes())
    before = sha256(filled)
    line = one_line_error(invoke("template", "-o", str(filled)))
    assert line.endswith(
        "already exists and was not written by mappa-stats; choose another name, or give --force to replace it"
    )
    assert sha256(filled) == before


def test_template_must_be_xlsx(tmp_path: Path) -> None:
    """template -o area.ods: refused (it writes .xlsx only), nothing written."""
    line = one_line_error(invoke("template", "-o", str(tmp_path / "area.ods")))
    assert line.endswith(
        "area.ods: the name ends in .ods but --format is xlsx; name it FILE.xlsx or leave out --format"
    )
    assert not (tmp_path / "area.ods").exists()


def test_an_input_is_never_the_output(tmp_path: Path) -> None:
    """Even with --force, the input is not overwritten."""
    source = tmp_path / "kent.xlsx"
    source.write_bytes(KENT_XLSX.read_bytes())
    line = one_line_error(invoke("tables", str(source), "-f", "xlsx", "-o", str(source), "--force"))
    assert line.endswith("is also an input file; the input is never overwritten, choose another name")


def test_root_sample_folder_is_untouched_by_the_suite() -> None:
    """No test wrote into the tree: the samples folder holds no output of ours."""
    assert not [p for p in (ROOT / "samples").iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("name", ["report.xlsx", "report.ods", "report.pdf", "report.docx"])
def test_a_text_report_is_never_written_under_a_spreadsheet_name(tmp_path: Path, name: str) -> None:
    """validate -o report.xlsx would make a 'workbook' Excel cannot open: refused, one line."""
    out = tmp_path / name
    line = one_line_error(invoke("validate", str(KENT_XLSX), "-o", str(out)))
    assert line.endswith(
        f"{name}: this command cannot write {out.suffix} files; give -o FILE.txt or FILE.json or FILE.md or "
        "FILE.csv or FILE.html"
    )
    assert not out.exists()


def _corrupt_zip(path: Path) -> Path:
    """A zip whose properties part claims to be ours but whose compressed bytes are broken."""
    import zipfile

    text = (
        '<Properties><property name="Producer"><vt:lpwstr>mappa-stats</vt:lpwstr></property></Properties>'
        * 20
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("docProps/custom.xml", text)
    data = bytearray(path.read_bytes())
    start = data.index(b"docProps/custom.xml") + len(b"docProps/custom.xml")
    for i in range(start + 5, start + 40):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def test_a_broken_zip_is_neither_ours_nor_a_publication(tmp_path: Path) -> None:
    """Bad compressed bytes in the properties part: not recognised, never an internal error."""
    from mappa_stats.io.publication import publication_properties

    broken = _corrupt_zip(tmp_path / "broken.xlsx")
    assert output.is_own_output(broken) is False
    assert publication_properties(broken) is None
    line = one_line_error(invoke("template", "-o", str(broken)))
    assert "already exists and was not written by mappa-stats" in line


def test_a_reader_that_closes_the_pipe_is_not_an_error() -> None:
    """A reader gone before the output comes (`| true`; `| head` at scale): no error, exit 141 as the shell's."""
    import subprocess
    import sys

    done = subprocess.run(
        f'{sys.executable} -m mappa_stats templates | true; echo "${{PIPESTATUS[0]}}"',
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stderr == ""
    assert done.stdout.splitlines()[-1] == "141"


@pytest.mark.skipif(not hasattr(__import__("select"), "poll"), reason="poll() is POSIX")
def test_a_pipe_whose_reader_left_is_seen() -> None:
    """issue 23 #13: `validate … -f json | head -c 10` exited 0 (combine 1) when every write had gone into
    the pipe before head left: at exit, a pipe whose reader has closed it means exit 141."""
    from mappa_stats.cli.main import reader_gone

    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        writer.write(b"0123456789" * 100)
        writer.flush()
        assert reader_gone(writer) is False  # the reader is still there
        os.read(read_end, 10)
        os.close(read_end)
        assert reader_gone(writer) is True
