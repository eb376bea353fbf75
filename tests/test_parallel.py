"""parallel.run_all: a helper process reads beside this one, and the results are exactly a plain read's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from combine_sets import returns_set
from mappa_stats.combine.files import expand
from mappa_stats.definitions.templates import load_template
from mappa_stats.errors import InputError, MappaError
from mappa_stats.io import parallel
from mappa_stats.io.readers import read_area

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the helper process is used on Linux only")
PARENT = os.getpid()


def in_helper() -> bool:
    """True in the helper process (forked from this test's process)."""
    return os.getpid() != PARENT


def helper_finishes_first(flag: Path) -> tuple[Any, Any]:
    """(prepare, mark): prepare waits until the helper has marked its last job, so that every result but
    those this process must make itself comes from the helper (not from this process reading from the back)."""

    def prepare() -> None:
        deadline = time.monotonic() + 20
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    def mark(n: int, last: int) -> None:
        if n == last and in_helper():
            flag.touch()

    return prepare, mark


def square(n: int) -> int:
    if n == 13:
        raise InputError(f"job {n}: unlucky")
    return n * n


def test_the_helper_gives_a_plain_reads_results_in_order() -> None:
    """Results (and the errors caught) are in job order, as reading one by one gives them; done() hears of
    each job once."""
    heard: list[int] = []
    jobs = list(range(40))
    got = parallel.run_all(jobs, square, catch=(MappaError,), done=lambda i, _j: heard.append(i), helper=True)
    plain = parallel.run_all(jobs, square, catch=(MappaError,), helper=False)
    assert [str(x) if isinstance(x, BaseException) else x for x in got] == [
        str(x) if isinstance(x, BaseException) else x for x in plain
    ]
    assert isinstance(got[13], InputError) and str(got[13]) == "job 13: unlucky"
    assert got[39] == 39 * 39
    assert sorted(heard) == jobs


def test_a_file_the_helper_could_not_read_is_read_again_here(tmp_path: Path) -> None:
    """An error in the helper is never sent as a result: this process reads that job itself, so the error
    is raised here (a traceback under --debug points at this process, not a dead helper)."""
    raised_here: list[int] = []
    prepare, mark = helper_finishes_first(tmp_path / "done")

    def work(n: int) -> int:
        mark(n, 7)
        if n == 2:
            if not in_helper():
                raised_here.append(n)
            raise InputError("two")
        return n

    got = parallel.run_all(list(range(8)), work, catch=(InputError,), prepare=prepare, helper=True)
    assert isinstance(got[2], InputError)
    assert raised_here == [2]


def test_an_error_not_caught_is_raised_in_this_process() -> None:
    """A fault (a bug, not a bad file) is re-raised here, whoever met it first."""

    def work(n: int) -> int:
        if n == 1:
            raise ZeroDivisionError("bug")
        return n

    with pytest.raises(ZeroDivisionError):
        parallel.run_all(list(range(8)), work, catch=(InputError,), helper=True)


def test_a_fault_met_only_in_the_helper_costs_nothing(tmp_path: Path) -> None:
    """Whatever goes wrong in the helper alone (an import it cannot make, say), the job is done here and
    the helper goes on with the next."""
    prepare, mark = helper_finishes_first(tmp_path / "done")
    done_here: list[int] = []

    def work(n: int) -> int:
        mark(n, 9)
        if n == 3:
            if in_helper():
                raise ImportError("not in the helper")
            done_here.append(n)
        return n

    assert parallel.run_all(list(range(10)), work, catch=(InputError,), prepare=prepare, helper=True) == list(
        range(10)
    )
    assert done_here == [3]


def test_when_the_helper_dies_this_process_reads_the_rest(tmp_path: Path) -> None:
    """A helper killed half-way (out of memory, a signal) costs time, never a result."""
    prepare, _ = helper_finishes_first(tmp_path / "died")

    def work(n: int) -> int:
        if n == 3 and in_helper():
            (tmp_path / "died").touch()
            os._exit(9)
        return n + 100

    got = parallel.run_all(list(range(30)), work, prepare=prepare, helper=True)
    assert got == [n + 100 for n in range(30)]


def test_a_result_that_cannot_be_sent_is_made_here(tmp_path: Path) -> None:
    """A result pickle cannot carry (a function) is worked out again in this process."""
    prepare, mark = helper_finishes_first(tmp_path / "done")
    made_here: list[int] = []

    def work(n: int) -> Any:
        mark(n, 9)
        if n == 4 and not in_helper():
            made_here.append(n)
        return (lambda: n) if n == 4 else n

    got = parallel.run_all(list(range(10)), work, prepare=prepare, helper=True)
    assert made_here == [4]
    assert callable(got[4]) and got[4]() == 4
    assert got[5] == 5


def test_prepare_runs_once_in_this_process() -> None:
    """prepare (loading the checker) runs here, once, with or without a helper."""
    for helper in (True, False):
        ran: list[int] = []

        def prepare(ran: list[int] = ran) -> None:
            ran.append(os.getpid())

        parallel.run_all(list(range(6)), lambda n: n, prepare=prepare, helper=helper)
        assert ran == [PARENT]


def test_returns_read_by_the_helper_share_this_process_definition(tmp_path: Path) -> None:
    """42 returns read beside this process are equal to a plain read's, and each uses the year's definition
    object of this process (validate checks a year's files together by that object)."""
    returns_set(tmp_path / "returns")
    files, _ = expand([tmp_path / "returns"])
    got = parallel.run_all(files, read_area, helper=True)
    plain = [read_area(path) for path in files]
    assert len(got) == 42
    for mine, theirs in zip(got, plain, strict=True):
        assert not isinstance(mine, BaseException)
        assert mine.by_key == theirs.by_key and mine.meta == theirs.meta
        assert mine.template is load_template(mine.template.year, mine.template.form)


@pytest.mark.parametrize(
    ("jobs", "platform", "variable", "numpy", "expected"),
    [
        (43, "linux", None, False, True),
        (parallel.MIN_JOBS - 1, "linux", None, False, False),
        (43, "win32", None, False, False),
        (43, "darwin", None, False, False),
        (43, "linux", "1", False, False),
        (43, "linux", None, True, False),
    ],
)
def test_when_a_helper_is_used(
    monkeypatch: pytest.MonkeyPatch, jobs: int, platform: str, variable: str | None, numpy: bool, expected: bool
) -> None:
    """Linux only (fork), enough files, not turned off, and never once numpy's threads exist."""
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    if variable is None:
        monkeypatch.delenv("MAPPA_STATS_NO_HELPER", raising=False)
    else:
        monkeypatch.setenv("MAPPA_STATS_NO_HELPER", variable)
    modules = dict(sys.modules)
    if not numpy:
        modules.pop("numpy", None)
    monkeypatch.setattr(sys, "modules", modules)
    assert parallel.usable(jobs) is expected


def test_one_core_reads_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one core there is nothing to share."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    monkeypatch.setattr(sys, "modules", {k: v for k, v in sys.modules.items() if k != "numpy"})
    monkeypatch.delenv("MAPPA_STATS_NO_HELPER", raising=False)
    assert parallel.usable(43) is False


def test_the_command_reaches_the_fork_without_numpy(tmp_path: Path) -> None:
    """Everything combine and validate import before they read is free of pandas and numpy, so the helper
    is used from the command (a module-level `import pandas` on that path turns it off silently); and the
    helper reads a return without them, or openpyxl, so it starts reading at once."""
    returns_set(tmp_path / "returns")
    code = (
        "import sys\n"
        "import mappa_stats.cli.main, mappa_stats.combine.run, mappa_stats.validate, mappa_stats.io.readers\n"
        "import mappa_stats.io.parallel, mappa_stats.io.population, mappa_stats.rules.claims, mappa_stats.rules.checks\n"
        "from mappa_stats.combine.files import expand\n"
        "from mappa_stats.combine.run import _read\n"
        "from pathlib import Path\n"
        "files, _ = expand([Path(sys.argv[1])])\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'pandera', 'openpyxl') if m in sys.modules))\n"
        "_read(files[0], None)\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'pandera', 'openpyxl') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "returns")], capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[:2] == ["[]", "[]"]


def test_the_command_says_the_same_with_and_without_the_helper(tmp_path: Path) -> None:
    """combine of 42 returns, one with an error and one unreadable, as the installed command runs it (a
    process of its own, so the helper is used): JSON byte for byte as when one process reads everything."""
    folder = tmp_path / "returns"
    returns_set(folder)
    (folder / "area_05.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    from combine_sets import scaled
    from returns import make_return

    values = scaled("2023-24", 34)
    values["CAT1L2YEAR"] = 0
    make_return(folder / "area_34.xlsx", "2023-24", values, area_id=34, area_name="Surrey")
    outputs = {}
    for helper in ("", "1"):
        env = {k: v for k, v in os.environ.items() if k != "MAPPA_STATS_NO_HELPER"}
        if helper:
            env["MAPPA_STATS_NO_HELPER"] = helper
        done = subprocess.run(
            [sys.executable, "-m", "mappa_stats", "combine", str(folder), "-f", "json"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 2, done.stderr  # a file that could not be read
        outputs[helper] = done.stdout
    assert outputs[""] == outputs["1"]
    assert '"status": "unreadable"' in outputs[""] and "Surrey: 3 errors" in outputs[""]


def test_the_helper_ends_when_the_command_is_killed(tmp_path: Path) -> None:
    """SIGKILL to the command (nothing it can catch): the helper ends with it, at once, rather than reading
    on until its next result finds the pipe closed. Here that would be 30 s; it must be gone long before."""
    script = tmp_path / "run.py"
    marker = tmp_path / "helper.pid"
    script.write_text(
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from mappa_stats.io import parallel\n"
        f"marker = Path({str(marker)!r})\n"
        "def work(n):\n"
        "    if not marker.exists():\n"
        "        marker.write_text(str(os.getpid()))\n"
        "    time.sleep(30)\n"
        "    return n\n"
        "parallel.run_all(list(range(8)), work, prepare=lambda: time.sleep(60), helper=True)\n",
        encoding="utf-8",
    )
    command = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.monotonic() + 20
        while not marker.exists() or not marker.read_text():
            assert time.monotonic() < deadline, "the helper never started"
            time.sleep(0.02)
        helper = int(marker.read_text())
        command.kill()
        command.wait()
        deadline = time.monotonic() + 5
        while Path(f"/proc/{helper}").exists() and "Z" not in _state(helper):
            assert time.monotonic() < deadline, "the helper outlived the command"
            time.sleep(0.02)
    finally:
        command.kill()


def _state(pid: int) -> str:
    """The process state letter from /proc (Z: ended, not yet reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_a_command_started_with_sigchld_ignored_still_reads_everything(tmp_path: Path) -> None:
    """A parent that ignores SIGCHLD passes that on through exec, and Linux then reaps the helper unasked:
    waiting for it must not fail the run ('No child processes'). The result is the plain read's."""
    returns_set(tmp_path / "returns")
    code = (
        "import os, signal, sys\n"
        "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
        "os.execv(sys.executable, [sys.executable, '-m', 'mappa_stats', 'combine', sys.argv[1], '-f', 'csv'])\n"
    )
    ignored = subprocess.run([sys.executable, "-c", code, str(tmp_path / "returns")], capture_output=True, text=True)
    plain = subprocess.run(
        [sys.executable, "-m", "mappa_stats", "combine", str(tmp_path / "returns"), "-f", "csv"],
        capture_output=True,
        text=True,
        env={**os.environ, "MAPPA_STATS_NO_HELPER": "1"},
    )
    assert (ignored.returncode, ignored.stdout) == (plain.returncode, plain.stdout) == (1, plain.stdout)
    assert "internal error" not in ignored.stderr


def test_no_helper_to_be_had_means_reading_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """fork refused (too many processes, a container's pids.max) or no memfd: every job is done here, as
    with no helper asked for; no file descriptor is left open."""
    before = len(os.listdir("/proc/self/fd"))

    def refuse(*_args: Any) -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    assert parallel.run_all(list(range(8)), lambda n: n * 2, helper=True) == [n * 2 for n in range(8)]
    assert len(os.listdir("/proc/self/fd")) == before
    monkeypatch.setattr(os, "memfd_create", lambda *_args: refuse())
    assert parallel.run_all(list(range(8)), lambda n: n * 3, helper=True) == [n * 3 for n in range(8)]
