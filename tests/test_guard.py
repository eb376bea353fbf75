"""The input guard: every hostile file of the catalogue (tests/hostile.py) is one line, exit 2, the input
unchanged, and — in a measuring subprocess — within docs/limits.md's 10 s and 500 MB."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import KENT_XLSX, ROOT, sha256
from hostile import CASES, POPULATION, command
from mappa_stats.cli.main import main
from mappa_stats.io.guard import LIMITS, check_text, read_input

SECONDS = 10
PEAK_BYTES = 500 * 1024 * 1024


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    """Run the CLI in-process, colour off."""
    return CliRunner(env={"NO_COLOR": "1"}).invoke(main, list(args), input=stdin)


def _one_line(result: Result, kind: str) -> str:
    """The refusal: exit 2 and exactly one line saying why, no traceback, no internal error."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    if kind == "area":  # validate reports an unreadable file in its report, one ERROR line
        lines = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
    else:
        lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize(("name", "kind", "build", "words"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_refused_in_one_line(
    tmp_path: Path, name: str, kind: str, build: object, words: tuple[str, ...]
) -> None:
    """Each catalogued hostile file: exit 2, one line naming the file and the limit, input unchanged."""
    path = build(tmp_path)  # type: ignore[operator]
    before = sha256(path) if path.is_file() else None
    line = _one_line(invoke(*command(kind, path)), kind)
    assert str(path) in line, line
    for word in words:
        assert word in line, line
    if before is not None:
        assert sha256(path) == before


_DRIVER = r"""
import contextlib, io, json, re, sys, time
sys.setrecursionlimit(10000)
from mappa_stats.cli.main import main

def peak():
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1)) * 1024

out = []
import mappa_stats.io.readers, mappa_stats.io.population, pandas, openpyxl  # imported before measuring
for args in json.loads(sys.argv[1]):
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak-memory mark: each case is measured on its own
    start = time.monotonic()
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        try:
            main(args, standalone_mode=False)
            code = 0
        except SystemExit as exc:
            code = exc.code
        except Exception as exc:
            code = repr(exc)
    out.append({"args": args, "code": code, "seconds": time.monotonic() - start, "peak": peak()})
print(json.dumps(out))
"""


def _limit_memory() -> None:
    # A safety net for the machine should the guard regress: a bomb then fails, not the host.
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc to measure peaks")
def test_every_refusal_is_within_the_time_and_memory_limits(tmp_path: Path) -> None:
    """All catalogued cases in one measuring subprocess: each refused within 10 s and 500 MB."""
    runs = []
    for name, kind, build, _words in CASES:
        folder = tmp_path / name
        folder.mkdir()
        runs.append(command(kind, build(folder)))
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(runs)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 0, done.stderr
    for run in json.loads(done.stdout):
        assert run["code"] == 2, run
        assert run["seconds"] < SECONDS, run
        assert run["peak"] < PEAK_BYTES, run


def test_a_bad_file_in_a_batch_does_not_stop_the_others(tmp_path: Path) -> None:
    """validate good bad good: the bad one is refused in its report, the good ones are still checked."""
    from hostile import bad_crc, deflate64, encrypted_part

    bad = [encrypted_part(tmp_path), bad_crc(tmp_path), deflate64(tmp_path)]
    result = invoke("validate", str(KENT_XLSX), *map(str, bad), str(KENT_XLSX))
    assert result.exit_code == 2, result.output
    assert result.output.count(f"{KENT_XLSX} (Kent, template 2014-15): PASS") == 2
    assert result.output.count("COULD NOT BE CHECKED") == 3
    assert "5 files: 2 passed, 0 failed, 3 could not be checked" in result.output


def test_endless_standard_input_is_cut_off() -> None:
    """'-' fed from /dev/zero: refused once the budget is read, in bounded time and memory."""
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [sys.executable, "-m", "mappa_stats", "validate", "-"],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            preexec_fn=_limit_memory,
        )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "standard input: more than 20,971,520 bytes" in done.stdout
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < PEAK_BYTES


def test_a_population_file_twenty_times_the_real_one_reads_in_bounded_memory(tmp_path: Path) -> None:
    """The real ONS MYE2 file of every geography repeated 20 times (~6 MB): Kent's rate as from the real one."""
    real = ROOT / "tests" / "data" / "ons_mye2_mid2014_uk_persons.csv"
    lines = real.read_bytes().splitlines(keepends=True)
    header_at = next(i for i, line in enumerate(lines) if line.lower().startswith(b"code,"))
    big = tmp_path / "mye2_x20.csv"
    with big.open("wb") as out:
        out.writelines(lines)
        for copy in range(1, 20):
            # Copies under codes no MAPPA area uses, so they are read and then left aside.
            out.writelines(b"Z%02d" % copy + line for line in lines[header_at + 1 :] if line[:1].isalnum())
    assert big.stat().st_size > 20 * real.stat().st_size * 0.9
    runs = [["rate", "--population", str(big), str(KENT_XLSX), "-f", "json"]]
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(runs)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)
    assert run["code"] == 0 and run["peak"] < PEAK_BYTES, run
    result = invoke("rate", "--population", str(big), str(KENT_XLSX), "-f", "json")
    assert json.loads(result.output)["rates"][0]["population"] == 1_326_907 + 238_388


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are made with os.mkfifo (POSIX)")
def test_guard_api_for_readers_to_come(tmp_path: Path) -> None:
    """read_input(path, kind) is what a new reader calls: bytes of a regular file, or InputError."""
    from mappa_stats.errors import InputError

    report = tmp_path / "report.txt"
    report.write_text("MAPPA annual report\n", encoding="utf-8")
    assert read_input(report, "report") == b"MAPPA annual report\n"
    os.mkfifo(tmp_path / "p")
    with pytest.raises(InputError, match="a named pipe"):
        read_input(tmp_path / "p", "report")
    with pytest.raises(InputError, match="lines"):
        check_text("x.txt", b"\n" * (LIMITS["report"].lines + 1), "report")
    with pytest.raises(ValueError, match="unknown input kind"):
        read_input(report, "pdf-ish")


def test_limits_doc_lists_every_limit() -> None:
    """docs/limits.md gives each budget's number, as the guard enforces it."""
    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for budget in LIMITS.values():
        for field in (
            "file_bytes",
            "unpacked_bytes",
            "part_bytes",
            "parts",
            "sheets",
            "rows",
            "columns",
            "grid",
            "cells",
            "lines",
            "line_bytes",
        ):
            number = getattr(budget, field)
            if number:
                assert f"{number:,}" in text, (budget.what, field, number)


def test_population_sample_still_reads() -> None:
    """The guard does not refuse the real sample."""
    result = invoke("rate", "--population", str(POPULATION), str(KENT_XLSX))
    assert result.exit_code == 0
    assert "Matches." in result.output
