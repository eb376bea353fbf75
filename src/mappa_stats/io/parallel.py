"""Read many files on two cores: a helper process reads from the front of the list while this process loads
the checker (pandas and pandera, about half a second), then this process reads from the back until the two
meet.

The helper only saves time; it never changes a result. What comes back is exactly what reading each file
here, in turn, gives: a file the helper could not read (an error, a result that cannot be sent) is read again
here, so its error is raised where a plain read raises it, with its own message; if the helper dies, this
process reads what is left. The helper is started only where that is safe and pays: on Linux (fork), before
pandas or numpy is loaded (no threads to inherit), with two cores or more, and enough files; never under
`--debug`, so that a fault is met in this process with its traceback.
"""

from __future__ import annotations

import contextlib
import copyreg
import io
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
J = TypeVar("J")

MIN_JOBS = 4  # below this the fork and the hand-over cost more than they save
_HEADER = struct.Struct("<Q")


def usable(jobs: int) -> bool:
    """True when a helper process is safe and worth it here (see the module docstring)."""
    if sys.platform != "linux" or jobs < MIN_JOBS or os.environ.get("MAPPA_STATS_NO_HELPER"):
        return False
    if "numpy" in sys.modules:  # forking after numpy's thread pools exist is not safe
        return False
    if not hasattr(os, "memfd_create"):  # pragma: no cover - every Python on Linux has it
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):  # pragma: no cover - every Linux has it
        return False


def _template_by_name(template: Any) -> Any:
    """How a year's definition is sent: by year and form when it is the one `load_template` gives
    (the receiver then uses its own, one object for every file, as a plain read does); otherwise whole."""
    from mappa_stats.definitions.templates import load_template

    try:
        shipped = load_template(template.year, template.form) is template
    except Exception:
        shipped = False
    return (load_template, (template.year, template.form)) if shipped else template.__reduce_ex__(5)


def _pickler(buffer: io.BytesIO) -> pickle.Pickler:
    from mappa_stats.definitions.templates import Template

    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # Only Template objects are reduced by hand (a dispatch table, not a hook called for every cell).
    pickler.dispatch_table = {**copyreg.dispatch_table, Template: _template_by_name}
    return pickler


def _frame(index: int, value: Any) -> bytes:
    """One result, framed: its length, then (index, sent, value); a value pickle cannot carry is not sent."""
    buffer = io.BytesIO()
    try:
        _pickler(buffer).dump((index, True, value))
    except Exception:  # the receiver works that job out itself
        buffer = io.BytesIO()
        _pickler(buffer).dump((index, False, None))
    payload = buffer.getvalue()
    return _HEADER.pack(len(payload)) + payload


def _end_with_parent(parent: int) -> None:
    """Ask Linux to end the helper when the process that started it ends (killed, not only stopped): it would
    otherwise read on to the end of its list."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl: it ends with its list
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def _helper(jobs: Sequence[J], work: Callable[[J], T], out: int, parent: int) -> None:
    """The helper's whole life: each job in order, one framed result each, then exit without cleanup."""
    code = 0
    try:
        _end_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the helper says nothing; the receiver reports
        for index, job in enumerate(jobs):
            try:
                frame = _frame(index, work(job))
            except Exception:  # a bad file, or a fault: the receiver reads it again, to raise it there
                frame = _HEADER.pack(0)
            view = memoryview(frame)
            while view:  # a write to a file may be partial: the rest follows
                view = view[os.write(out, view) :]
    except BaseException:  # a signal, a full disk, anything: just stop; the receiver reads the rest
        code = 1
    os._exit(code)  # never the parent's atexit handlers or its buffered output, twice


class _Receiver:
    """The receiving end: the helper's framed results, in job order, taken from the file it appends them to
    without ever waiting (a pipe would make the helper wait for this process, busy loading the checker)."""

    def __init__(self, pid: int, fd: int, sigchld: Any = None) -> None:
        self.pid = pid
        self.fd = fd
        self.sigchld = sigchld  # what SIGCHLD was before the helper: put back when it has gone
        self.offset = 0  # how far this process has read (with os.pread: the file offset is the helper's)
        self.buffer = bytearray()
        self.alive = True
        self.received = 0

    def poll(self) -> tuple[int, bool, Any] | None:
        """The next result if one has arrived whole, else None (this process reads a file meanwhile)."""
        while True:
            if len(self.buffer) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(self.buffer)
                end = _HEADER.size + size
                if len(self.buffer) >= end:
                    payload = bytes(self.buffer[_HEADER.size : end])
                    del self.buffer[:end]
                    self.received += 1
                    if not payload:  # the helper could not do this job: it is done here
                        return self.received - 1, False, None
                    index, ok, value = pickle.loads(payload)  # our own helper's, never a file's bytes
                    return int(index), bool(ok), value
            if not self._more():
                return None

    def _more(self) -> bool:
        """Take what the helper has written since; False when there is nothing new (and, once it has ended,
        nothing will come)."""
        if not self.alive:
            return False
        if self._take():
            return True
        try:
            ended, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:  # reaped already (by the system): it has ended all the same
            ended = self.pid
        if not ended:
            return False
        self.alive, self.pid = False, 0  # finished or died: what it wrote before it ended, and no more
        return self._take()

    def _take(self) -> bool:
        """Append to the buffer whatever the file holds beyond what was taken before; False if nothing."""
        size = os.fstat(self.fd).st_size
        if size <= self.offset:
            return False
        chunk = os.pread(self.fd, size - self.offset, self.offset)
        self.offset += len(chunk)
        self.buffer += chunk
        return bool(chunk)

    def stop(self) -> None:
        """End the helper (it may be reading a file this process has read already) and drop its file."""
        os.close(self.fd)
        if self.pid:
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):  # reaped already
                os.waitpid(self.pid, 0)
        _restore(self.sigchld)


def _restore(sigchld: Any) -> None:
    """Put SIGCHLD's handling back as it was before the helper (None: it was not changed)."""
    if sigchld is not None:
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGCHLD, sigchld)


def _start(jobs: Sequence[J], work: Callable[[J], T]) -> _Receiver | None:
    """Fork the helper on these jobs; None when the system will not give one (too many processes, no
    memfd): the caller then reads every file itself, as if no helper had been asked for."""
    sys.stdout.flush()
    sys.stderr.flush()
    # The results go to a file in memory, not a pipe: a pipe holds 64 KB, about one return's result, and
    # the helper would wait on it until this process had loaded the checker.
    try:
        results_file = os.memfd_create("mappa-stats-helper", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return None
    # The helper is waited for by its pid: a SIGCHLD this process was started ignoring would have the
    # system reap it first (and every wait then fail), so the default is restored while it lives.
    try:
        previous: Any = signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    except ValueError:  # not the main thread: signals are not this caller's to set (waits still cope)
        previous = None
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        os.close(results_file)
        _restore(previous)
        return None
    if pid == 0:  # pragma: no cover - the helper's side; its results are checked in the parent
        _helper(jobs, work, results_file, parent)
    return _Receiver(pid, results_file, previous)


def run_all(
    jobs: Sequence[J],
    work: Callable[[J], T],
    *,
    catch: tuple[type[BaseException], ...] = (Exception,),
    prepare: Callable[[], None] | None = None,
    done: Callable[[int, J], None] | None = None,
    helper: bool | None = None,
) -> list[T | BaseException]:
    """`work` of each job, in job order: its result, or the exception (one of `catch`) it raised.

    `prepare` runs in this process while the helper works (it loads what comes next); `done(index, job)` is
    told of each job as its result is in, in the order they come. `helper` None decides by `usable`."""
    jobs = list(jobs)
    results: list[Any] = [None] * len(jobs)

    def here(index: int) -> None:
        try:
            results[index] = work(jobs[index])
        except catch as exc:
            results[index] = exc
        if done is not None:
            done(index, jobs[index])

    use = usable(len(jobs)) if helper is None else helper
    receiver = _start(jobs, work) if use else None
    if receiver is None:  # no helper: asked for none, not worth it here, or the system would not give one
        if prepare is not None:
            prepare()
        for index in range(len(jobs)):
            here(index)
        return results
    again: list[int] = []
    try:
        if prepare is not None:
            prepare()
        front, back = 0, len(jobs)
        while front < back:
            taken = receiver.poll()
            if taken is not None:
                index, ok, value = taken
                if index != front:  # pragma: no cover - the helper sends in order
                    raise RuntimeError(f"helper sent result {index}, expected {front}")
                if ok:
                    results[index] = value
                    if done is not None:
                        done(index, jobs[index])
                else:
                    again.append(index)
                front += 1
                continue
            back -= 1
            here(back)
    finally:
        receiver.stop()
    for index in again:
        here(index)
    return results
