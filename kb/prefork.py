"""Worker processes for `kb serve`: several forked copies of one server on one port.

The parent has bound the listening socket; run() forks `count` workers, each of which runs
`work()` (it opens the index itself and serves until a signal stops it), and each new
connection goes to one of them (kb.web._listeners says how). A search is pure-Python CPU
work under one GIL, so processes, not threads, are what use a second core. The parent
serves nothing; it supervises:

- SIGINT (Ctrl+C) or SIGTERM: each worker is sent SIGTERM (uvicorn lets the requests in
  flight finish), given GRACE seconds, then killed; run() returns once all are reaped.
- A worker that dies while serving is replaced by a new fork (a second later when it died
  young, so a worker that fails on every start does not spin).
- A worker that cannot start (exit code STARTUP_FAILED, e.g. the index is gone) stops them
  all: run() returns that code.
- If the parent itself is killed (SIGKILL), no worker outlives it: each holds the read end
  of a pipe only the parent writes to, and stops itself (SIGTERM) at its end of file.

POSIX only (fork); `kb serve` runs one process where there is no fork.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable

STARTUP_FAILED = 3  # a worker's exit code: it could not start, and neither would a replacement
GRACE = 10.0  # seconds the workers have to finish their requests once told to stop
YOUNG = 1.0  # a worker that died sooner than this after its start is replaced after this long
STOPS = (signal.SIGINT, signal.SIGTERM)


def run(count: int, work: Callable[[], int], grace: float = GRACE) -> int:
    """Run work() in `count` forked workers until SIGINT or SIGTERM (then 0), or until a
    worker could not start (then STARTUP_FAILED). Returns once no worker is left."""
    lifeline_r, lifeline_w = os.pipe()  # workers see its end of file when the parent is gone
    wake_r, wake_w = os.pipe()  # signals wake the supervising loop (signal.set_wakeup_fd)
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    parent_fds = (lifeline_w, wake_r, wake_w)
    stops: list[int] = []

    def on_signal(sig: int, frame) -> None:
        if sig in STOPS:
            stops.append(sig)

    handled = (*STOPS, signal.SIGCHLD)  # SIGCHLD only wakes the loop
    previous = {sig: signal.signal(sig, on_signal) for sig in handled}
    previous_wakeup = signal.set_wakeup_fd(wake_w)
    workers: dict[int, float] = {}  # pid: when it was forked
    due: list[float] = []  # when each replacement may be forked
    code = 0

    def fork() -> None:
        pid = os.fork()
        if pid:
            workers[pid] = time.monotonic()
            return
        status = 1
        try:  # the worker: never returns into the caller's stack
            signal.set_wakeup_fd(-1)
            for sig in handled:
                signal.signal(sig, signal.SIG_DFL)
            for fd in parent_fds:
                os.close(fd)
            threading.Thread(target=_stop_when_orphaned, args=(lifeline_r,), daemon=True).start()
            status = work()
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)

    try:
        for _ in range(count):
            fork()
        while not stops:
            for pid, status in _reap(workers):
                started = workers.pop(pid)
                if os.waitstatus_to_exitcode(status) == STARTUP_FAILED:
                    code = STARTUP_FAILED
                elif not code:
                    young = time.monotonic() - started < YOUNG
                    due.append(time.monotonic() + (YOUNG if young else 0.0))
            if code:
                break
            now = time.monotonic()
            while not stops and due and due[0] <= now:
                due.pop(0)
                fork()
            if not stops:
                timeout = max(0.0, due[0] - now) if due else None
                select.select([wake_r], [], [], timeout)
                _drain(wake_r)
    finally:
        _stop(workers, grace)
        signal.set_wakeup_fd(previous_wakeup)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for fd in (lifeline_r, *parent_fds):
            os.close(fd)
    if code == 0 and stops:
        signal.raise_signal(stops[0])  # as uvicorn does: exit as that signal would, now handled as before
    return code


def _reap(workers: dict[int, float]) -> list[tuple[int, int]]:
    """The workers that have exited (pid, wait status), without waiting."""
    done = []
    while workers:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        if pid in workers:
            done.append((pid, status))
    return done


def _stop(workers: dict[int, float], grace: float) -> None:
    """SIGTERM to every worker; SIGKILL to any still running after `grace` seconds; all reaped."""
    for pid in workers:
        _kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while workers and time.monotonic() < deadline:
        for pid, _ in _reap(workers):
            workers.pop(pid)
        if workers:
            time.sleep(0.05)
    for pid in list(workers):
        _kill(pid, signal.SIGKILL)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        workers.pop(pid)


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _stop_when_orphaned(lifeline: int) -> None:
    """In a worker: block until the parent is gone (end of file), then stop as SIGTERM stops it."""
    try:
        while os.read(lifeline, 1):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)
