"""Child processes that never outlive the process that made them."""

from __future__ import annotations

import os
import sys
from functools import lru_cache

_forking = [0]  # the pid of the process forking right now (set just before each fork)


@lru_cache(maxsize=1)
def children_die_with_parent() -> None:
    """Every process this one forks from now on (the ingest pool, the store's analysis pool) is
    killed when its parent dies, however it dies: a killed build leaves no worker behind,
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
        _forking[0] = os.getpid()
        if trim is not None:
            # Memory a parser freed stays in the heap (glibc keeps it: 410 MB after a Word file
            # whose XML was 34 MB): given back now, the children are not forked holding it.
            trim(0)

    def arm() -> None:
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != _forking[0]:  # the parent died before the line above ran
            os._exit(1)

    os.register_at_fork(before=before, after_in_child=arm)
