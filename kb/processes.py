"""Child processes that never outlive the process that made them, and a Ctrl+C that stops a
build cleanly whenever it lands, the instant a worker is forked included."""

from __future__ import annotations

import os
import sys
from functools import lru_cache

_owner = [0]  # the pid of the process forking (set just before each fork) or in a forking() block
_in_fork = [False]  # between the first at-fork handler and the last, in the parent
_section = [0]  # forking() blocks open in this process (nested)
_held = [False]  # a Ctrl+C that arrived while this process forked or was in a forking() block
_stoppable = [0]  # stoppable() blocks open in this process's main thread (nested)
_dropped = [False]  # a Ctrl+C whose KeyboardInterrupt Python would have dropped, in a stoppable() block
_unraisable = [None]  # the sys.unraisablehook an open stoppable() block stands in front of

STOP_WAIT = 5.0  # seconds a worker has to end once terminated, then again once killed


@lru_cache(maxsize=1)
def children_die_with_parent() -> None:
    """Every process this one forks from now on (the build's pool, the store's analysis pool)
    is killed when its parent dies, however it dies: a killed build leaves no worker behind,
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
        _owner[0] = os.getpid()
        if trim is not None:
            # Memory a parser freed stays in the heap (glibc keeps it: 410 MB after a Word file
            # whose XML was 34 MB): given back now, the children are not forked holding it.
            trim(0)

    def arm() -> None:
        if _section[0]:
            # forked inside kb's forking(): Ctrl+C is its parent's to handle, which stops it
            # (a worker that ended on its own share of the signal, or printed a traceback, raced
            # the parent: the interrupt can land before the parent has recorded the child)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            _section[0] = 0
        elif signal.getsignal(signal.SIGINT) in (signal.default_int_handler, _on_interrupt):
            # Ctrl+C reaches the whole process group: the parent stops the build and says
            # so; a worker just ends, instead of printing its KeyboardInterrupt traceback
            signal.signal(signal.SIGINT, _end_quietly)
        _in_fork[0] = _held[0] = False
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != _owner[0]:  # the parent died before the line above ran
            os._exit(1)

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
    """Ctrl+C, as Python's own handler takes it, except while this process forks or is in a
    forking() block. Python runs a handler that fires while forking inside an at-fork handler,
    where a KeyboardInterrupt is printed ("Exception ignored in …") and dropped, and the build
    carried on; one raised inside multiprocessing's start() after the fork leaves a child its
    parent has not recorded, and cannot stop. It is held for the block's end (or for
    stop_if_interrupted()) instead."""
    if _in_fork[0] or _section[0]:
        if os.getpid() == _owner[0]:
            _held[0] = True
        elif not _section[0]:  # a child forked a moment ago, outside kb's forking(): it ends, as armed
            _end_quietly(signum, frame)
        return  # a child of kb's forking(), before arm() set it to ignore Ctrl+C
    raise KeyboardInterrupt


def stop_if_interrupted() -> None:
    """Raise the KeyboardInterrupt of a Ctrl+C that arrived while this process forked, or that
    Python dropped in a stoppable() block."""
    if (_held[0] or _dropped[0]) and not _section[0]:
        _held[0] = _dropped[0] = False
        raise KeyboardInterrupt


class stoppable:
    """A block a Ctrl+C must stop wherever it lands (a build, while it holds the writer lock).
    Python runs a signal's handler at its next check, and that check can be inside a __del__
    or a weakref callback (the pool's pipe, released as Pool.map returns, a moment after the
    Ctrl+C): there its KeyboardInterrupt is printed ("Exception ignored in …") and dropped, and
    the build went on to the end and published its generation (3 runs in 100 of a test, under
    load). In this block Python's hook for what it drops keeps it instead, unprinted, for the
    next stop_if_interrupted()."""

    def __enter__(self) -> stoppable:
        import threading

        # Ctrl+C is the main thread's: a block in another thread keeps nothing
        self._keeps = threading.current_thread() is threading.main_thread()
        if self._keeps:
            if not _stoppable[0]:
                _dropped[0] = False  # a Ctrl+C before the block is not the block's
                _unraisable[0] = sys.unraisablehook
                sys.unraisablehook = _keep_interrupt
            _stoppable[0] += 1
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if not self._keeps:
            return
        _stoppable[0] -= 1
        if not _stoppable[0]:
            if sys.unraisablehook is _keep_interrupt:
                sys.unraisablehook = _unraisable[0]
            _unraisable[0] = None
            if kind is None:
                stop_if_interrupted()  # one kept after the last check (as Python would raise it there)
            _dropped[0] = False


def _keep_interrupt(unraisable) -> None:
    """sys.unraisablehook in a stoppable() block: a KeyboardInterrupt (the main thread's, where
    Python runs the signal's handler) is kept; the rest goes on to the hook as it was."""
    import threading

    if isinstance(unraisable.exc_value, KeyboardInterrupt) and threading.current_thread() is threading.main_thread():
        _dropped[0] = True
    else:
        (_unraisable[0] or sys.__unraisablehook__)(unraisable)


class forking:
    """A block of kb's own code that forks workers (a Pool's map): a
    Ctrl+C that arrives in it is held and raised as it ends, once the children forked are
    recorded where their owner can stop them, and those children ignore Ctrl+C (their owner
    ends them: Pool)."""

    def __enter__(self) -> forking:
        import threading

        children_die_with_parent()
        # Ctrl+C is the main thread's: a block in another thread holds nothing
        self._holds = threading.current_thread() is threading.main_thread()
        if self._holds:
            _owner[0] = os.getpid()
            _section[0] += 1
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if not self._holds:
            return
        _section[0] -= 1
        if kind is None:
            stop_if_interrupted()
        elif not _section[0]:
            _held[0] = False  # the block failed: its exception is what goes on (a held Ctrl+C included)


def stop(children: list, wait: float = STOP_WAIT) -> None:
    """End these multiprocessing children (a failed or interrupted build's workers) and reap
    them, bounded: terminated, then killed if still running after `wait` seconds."""
    for p in children:
        try:
            p.terminate()
        except Exception:  # never started, or already reaped
            pass
    for p in children:
        try:
            p.join(wait)
            if p.is_alive():
                p.kill()
                p.join(wait)
        except Exception:
            pass


class Pool:
    """`procs` forked workers that map a function over items, in order, and that a Ctrl+C
    never leaves behind, nor waits for. kb's own, not concurrent.futures': that pool's
    threads feed and read its workers through pipes, and a worker ended mid-message (by its
    share of a Ctrl+C, or by its parent) leaves one of those threads blocked for good, which
    exiting Python then waits for (kb hung at a Ctrl+C as its pool forked). Here the workers
    are forked holding the items (only a chunk's number goes to them), the parent reads
    their results itself, with no thread, and ends them on any failure, an interrupt
    included: killed, then reaped. The workers ignore Ctrl+C (forked inside forking())."""

    AHEAD = 2  # chunks a worker is given before its first result comes back

    def __init__(self, procs: int):
        children_die_with_parent()
        self._procs = procs
        self._workers: list = []  # (process, connection)
        self._read_all = True  # every result received: the workers are idle

    def map(self, fn, items, chunksize: int = 1):
        """fn over items, its results in order (as an iterator, read as they come in). The
        workers are forked now, holding items and fn (nothing of them is pickled)."""
        import multiprocessing

        items = list(items)
        chunks = [items[i:i + chunksize] for i in range(0, len(items), chunksize)]
        context = multiprocessing.get_context("fork")
        procs = max(1, min(self._procs, len(chunks)))
        self._read_all = False
        with forking():
            for _ in range(procs):
                mine, theirs = context.Pipe()
                worker = context.Process(target=_work, args=(theirs, fn, chunks), daemon=True)
                self._workers.append((worker, mine))
                worker.start()
                theirs.close()
        return self._results(chunks)

    def _results(self, chunks):
        """Each chunk's results in order. A result is taken off its worker's pipe as soon as it
        is sent, also while the caller works through an earlier chunk's items (a worker that
        has sent nothing is asked between two items), and the worker given its next chunk: a
        worker whose result waited in its pipe until the caller asked for that chunk sat idle
        meanwhile. At most AHEAD chunks a worker are received and not yet handed on."""
        from concurrent.futures.process import BrokenProcessPool
        from multiprocessing.connection import wait

        due = iter(range(len(chunks)))
        given: dict = {conn: [] for _, conn in self._workers}  # connection: chunks it is working on
        done: dict = {}
        held = len(given) * self.AHEAD
        received = 0

        def take(ready) -> None:
            nonlocal received
            for conn in ready:
                try:
                    i, ok, out = conn.recv()
                except (EOFError, OSError):
                    raise BrokenProcessPool("a worker process ended before its work was done") from None
                given[conn].remove(i)
                if not ok:
                    raise out
                done[i] = out
                received += 1
                self._read_all = received == len(chunks)  # the workers are idle
            while len(done) < held:  # the next chunks, one a worker in turn
                free = [conn for conn, todo in given.items() if len(todo) < self.AHEAD]
                if not free:
                    return
                for conn in free:
                    j = next(due, None)
                    if j is None:
                        return
                    conn.send(j)
                    given[conn].append(j)

        take(())
        for want in range(len(chunks)):
            while want not in done:  # given to a worker: the chunks before it are handed on
                take(wait([c for c, todo in given.items() if todo]))
            for item in done.pop(want):
                yield item
                take([c for c, todo in given.items() if todo and c.poll(0)])

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        workers, self._workers = self._workers, []
        if kind is None and self._read_all:
            for worker, conn in workers:
                try:
                    conn.send(None)  # done: the worker ends
                except OSError:
                    pass
            for worker, _ in workers:
                worker.join(STOP_WAIT)
        else:
            for worker, _ in workers:
                try:
                    worker.kill()  # mid-message or not: no thread of this process reads its pipe
                except Exception:  # never started, or already reaped
                    pass
        stop([w for w, _ in workers if w.is_alive()])
        for _, conn in workers:
            conn.close()


def _take(numbers, n: int) -> list[int]:
    return [i for _, i in zip(range(n), numbers)]


def _work(conn, fn, chunks) -> None:
    """A Pool's worker: the chunks it is told, fn over each, until told None."""
    while True:
        try:
            i = conn.recv()
        except EOFError:  # the parent is gone
            return
        if i is None:
            return
        try:
            conn.send((i, True, [fn(x) for x in chunks[i]]))
        except Exception as exc:  # handed to the parent, which raises it
            try:
                conn.send((i, False, exc))
            except Exception:
                conn.send((i, False, RuntimeError(f"{type(exc).__name__}: {exc}")))
