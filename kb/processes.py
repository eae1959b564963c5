"""Child processes that never outlive the process that made them."""

from __future__ import annotations

import os
import sys
from functools import lru_cache

_forking = [0]  # the pid of the process forking right now (set just before each fork)
_in_fork = [False]  # between the first at-fork handler and the last, in the parent
_lost = [False]  # a Ctrl+C that arrived while this process forked


@lru_cache(maxsize=1)
def children_die_with_parent() -> None:
    """Every process this one forks from now on (the ingest pool, the store's analysis pool,
    whoosh's index writers) is killed when its parent dies, however it dies: a killed build leaves no worker behind,
    asleep on a queue nobody will fill; and is forked after freed memory is given back to the
    system. Linux only (prctl PR_SET_PDEATHSIG, glibc's malloc_trim); elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
    except (OSError, ImportError):
        return

    trim = getattr(libc, "malloc_trim", None)  # glibc's

    def before() -> None:
        _in_fork[0] = True
        _forking[0] = os.getpid()
        if trim is not None:
            # Memory a parser freed stays in the heap (glibc keeps it: 410 MB after a Word file
            # whose XML was 34 MB): given back now, the children are not forked holding it.
            trim(0)

    def arm() -> None:
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != _forking[0]:  # the parent died before the line above ran
            os._exit(1)
        if signal.getsignal(signal.SIGINT) in (signal.default_int_handler, _on_interrupt):
            # Ctrl+C reaches the whole process group: the parent stops the build and says
            # so; a worker just ends, instead of printing its KeyboardInterrupt traceback
            signal.signal(signal.SIGINT, _end_quietly)

    def after() -> None:
        _in_fork[0] = False

    os.register_at_fork(before=before, after_in_parent=after, after_in_child=arm)
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _on_interrupt)
    except ValueError:  # not the main thread: Ctrl+C is the main thread's to handle
        pass


def _end_quietly(signum: int, frame) -> None:
    os._exit(128 + signum)


def _on_interrupt(signum: int, frame) -> None:
    """Ctrl+C, as Python's own handler takes it, except while this process forks: Python runs
    a handler that fires then inside an at-fork handler, where a KeyboardInterrupt is printed
    ("Exception ignored in …") and dropped, and the build carried on. It is kept for
    stop_if_interrupted() instead."""
    if _in_fork[0]:
        _lost[0] = True
        return
    raise KeyboardInterrupt


def stop_if_interrupted() -> None:
    """Raise the KeyboardInterrupt of a Ctrl+C that arrived while this process forked."""
    if _lost[0]:
        _lost[0] = False
        raise KeyboardInterrupt
