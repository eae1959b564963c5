"""Generations: an index directory's versions, the atomic swap between them, and the
writer lock. Engine-neutral: a generation is a directory whose files belong to whoever
wrote them (records, vocabulary, the engine's own).

    index/
      CURRENT            name of the live generation (replaced atomically)
      HIGHEST            the highest generation number ever made live (written after CURRENT)
      gen-000003/        the live generation
      gen-000002/        the previous one, kept for readers still on it
      building-xxxx/     a generation being written (or left by a build that died)

A build writes a new generation beside the live one and then swaps CURRENT, so a failed
build never breaks the index and a reader never sees half of one. Generation numbers only
grow: a CURRENT older than HIGHEST (put back from a backup, or edited by hand) is noticed,
not served as if it were the index.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..errors import IndexBusyError, IndexCorruptError, IndexMissingError, IndexRolledBackError, IndexWriteError

CURRENT = "CURRENT"
HIGHEST = "HIGHEST"
WRITER_LOCK = ".kb-writer.lock"  # held by the one process writing the index (Generations.writing)
WRITER_WAIT = 300.0  # seconds a writer waits for another before giving up with a clear message

_HELD: dict[str, int] = {}  # index roots whose writer lock this process holds, and how deep


def exists(root: Path) -> bool:
    """Whether `root` holds an index (a live generation named), sound or not."""
    return (Path(root) / CURRENT).is_file()


def _number(name: str) -> int | None:
    """A generation's number: gen-000012 -> 12."""
    digits = name[4:]
    return int(digits) if name.startswith("gen-") and digits.isdigit() else None


def live_name(root: Path) -> str:
    """The name of the live generation, read afresh (FileNotFoundError when there is none)."""
    return (Path(root) / CURRENT).read_text("utf-8").strip()


def _lock(handle, wait: float, waiting: Callable[[], None] | None, root: Path) -> None:
    """flock the writer lock, polling until `wait` runs out (no fcntl: no lock, as on Windows)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise IndexBusyError(f"another kb is writing the index at {root}; try again when it is done") from None
            if waiting and not told:
                waiting()
                told = True
            time.sleep(0.05)


def write_error(root: Path, exc: OSError) -> IndexWriteError:
    return IndexWriteError(f"cannot write the index at {root} ({exc.strerror or exc}); the index is unchanged")


class Generations:
    """The generations of one index directory."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def exists(self) -> bool:
        return exists(self.root)

    def live(self) -> Path:
        """The live generation's directory. Raises IndexMissingError or IndexCorruptError."""
        current = self.root / CURRENT
        if not current.is_file():
            raise IndexMissingError(f"no index at {self.root} (run `kb index` first)")
        highest = self._highest()  # before CURRENT: a swap between the two reads only raises CURRENT
        try:
            name = current.read_text("utf-8").strip()
        except OSError as exc:
            raise IndexCorruptError(f"index at {self.root} is unreadable: {exc}") from exc
        gen = self.root / name
        if not name.startswith("gen-") or not gen.is_dir():
            raise IndexCorruptError(f"index at {self.root} is corrupt (missing {name or 'generation'}); rebuild it with `kb index --full`")
        number = _number(name)
        if number is not None and number < highest:
            raise IndexRolledBackError(
                f"index at {self.root} has gone back: CURRENT names {name}, but gen-{highest:06d} was live "
                f"after it (CURRENT put back from a backup, or edited), so it would answer from old data; "
                f"rebuild it with `kb index --full`, or, to keep it as it is, delete {self.root / HIGHEST}")
        return gen

    def _highest(self) -> int:
        """The highest generation number made live here (0 when none was recorded)."""
        try:
            return int((self.root / HIGHEST).read_text("utf-8").strip() or 0)
        except (OSError, ValueError):  # none yet (an index kb wrote before HIGHEST), or unreadable
            return 0

    def live_changed(self, reading: Callable[[], Path]) -> bool | None:
        """Whether another generation than the one `reading()` names is live now: True, False,
        or None when CURRENT cannot be read just now (answer from the one open). Raises
        IndexMissingError when the index is gone."""
        try:
            live = live_name(self.root)
        except FileNotFoundError:
            raise IndexMissingError(f"the index at {self.root} is gone; rebuild it with `kb index --full`") from None
        except OSError:
            return None
        return live != reading().name

    @contextmanager
    def writing(self, wait: float = WRITER_WAIT, waiting: Callable[[], None] | None = None,
                held: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the index's writer lock: writers take turns, readers never take it. Waits up to
        `wait` seconds for another writer (calling `waiting` once if it has to), then raises
        IndexBusyError; re-entrant within a process. `held` is called once the lock is taken,
        before dead builds are cleared."""
        key = str(self.root.resolve())
        if _HELD.get(key):
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = open(self.root / WRITER_LOCK, "a+b")
        except OSError as exc:  # a read-only folder or disk: nothing can be written here
            raise write_error(self.root, exc) from exc
        try:
            _lock(handle, wait, waiting, self.root)
            _HELD[key] = 1
            if held:
                held()
            self.clear_dead_builds()  # even when this writer ends up with nothing to write
            try:
                yield
            finally:
                _HELD.pop(key, None)
        finally:
            handle.close()  # releases the lock

    def building(self) -> Path:
        """A new, empty build directory beside the live generation (IndexWriteError if none
        can be made)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            gen = Path(tempfile.mkdtemp(prefix="building-", dir=self.root))
            # mkdtemp makes it 0700: a generation is readable by whoever may read the index
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(gen, 0o777 & ~mask)
        except OSError as exc:
            raise write_error(self.root, exc) from exc
        return gen

    def publish(self, building: Path) -> Path:
        """Rename a finished build to the next generation and make it live."""
        final = self.root / self._next_name()
        os.rename(building, final)
        self._swap(final.name)
        return final

    def collect(self) -> None:
        """Remove all but the live and the previous generation, and abandoned builds."""
        live = live_name(self.root)
        gens = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        keep = {live}
        older = [g.name for g in gens if g.name < live]
        if older:
            keep.add(older[-1])
        for g in gens:
            if g.name not in keep:
                shutil.rmtree(g, ignore_errors=True)
        self.clear_dead_builds()

    def clear_dead_builds(self) -> None:
        """Remove build directories that no process is writing: called with the writer lock
        held, when this writer has none or has just swapped its own in, so any is left by a
        build that died (killed, or its machine went down)."""
        for b in self.root.glob("building-*"):
            shutil.rmtree(b, ignore_errors=True)

    def _next_name(self) -> str:
        """One above every generation here and every one made live before (numbers never repeat)."""
        numbers = [n for n in (_number(p.name) for p in self.root.glob("gen-*")) if n is not None]
        return f"gen-{max(numbers + [self._highest()], default=0) + 1:06d}"

    def _swap(self, name: str) -> None:
        tmp = self.root / f".{CURRENT}.{os.getpid()}"
        tmp.write_text(name + "\n", "utf-8")
        os.replace(tmp, self.root / CURRENT)
        # then the high-water mark: a reader that reads it before CURRENT never sees CURRENT below it
        try:
            mark = self.root / f".{HIGHEST}.{os.getpid()}"
            mark.write_text(f"{_number(name)}\n", "utf-8")
            os.replace(mark, self.root / HIGHEST)
        except OSError:  # the new generation is live; a mark left lower only weakens the check
            pass
