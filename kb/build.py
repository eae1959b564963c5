"""Build: an index brought up to date with its files, catalog → ingest → store.

    build     every file read again, into a new generation
    update    only the files new or changed since the catalog was written; those gone are
              dropped (a full build when the index is missing, damaged, or of another pipeline)
    refresh   update from the paths the index was built from, leaving out what was removed
    remove    one document dropped

Each holds the index's writer lock while it works and returns a BuildReport. The store swaps
the new generation in whole (kb.store.generations): a build that fails or is killed leaves
the index as it was.
"""

from __future__ import annotations

import os
import time
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import ingest, questions
from .catalog import Catalog
from .errors import IndexCorruptError, KbError
from .ingest import INGEST_CHUNK, Ingested, Source, collect, ingest_one, processes, read_all
from .model import BuildReport, Progress, ProgressStep, Skipped
from .processes import Pool
from .store import IndexStore

PARALLEL_INDEX = 2000  # passages: fewer are analysed in this process (kb.store.fields)


def silent(_: str) -> None:
    pass


def _waiting(progress: Progress) -> Callable[[], None]:
    return lambda: progress("waiting for another kb writing this index …")


def build(store: IndexStore, paths: Iterable[str | os.PathLike], progress: Progress = silent,
          workers: int | None = None) -> BuildReport:
    """Index files and folders into a new generation of the store's index (all or nothing)."""
    with store.writing(waiting=_waiting(progress)):
        started = time.perf_counter()
        inputs = [Path(p) for p in paths]
        sources, skipped = collect(inputs)
        if len(sources) >= ingest.PARALLEL_INGEST:
            return _streamed(store, inputs, sources, skipped, progress, processes(workers), started)
        done, failed = read_all(sources, progress, workers)
        skipped += failed
        done = _with_questions(inputs, done, progress)
        if not done:
            _nothing(skipped)
        catalog = Catalog.made(inputs, done, skipped)
        passages = sum(len(d.passages) for d in done)
        procs = processes(workers) if passages >= PARALLEL_INDEX else 1
        store.write((p for d in done for p in d.passages), catalog.to_meta(), procs=procs,
                    progress=_writing(progress, passages))
        return BuildReport(len(done), passages, tuple(skipped), time.perf_counter() - started,
                           added=tuple(d.source.name for d in done), indexed=passages)


def _streamed(store: IndexStore, inputs: list[Path], sources: list[Source], skipped: list[Skipped],
              progress: Progress, procs: int, started: float) -> BuildReport:
    """A build of many files, streamed: each file is read, cut and its passages analysed in
    one worker process (of `procs`), and its passages go to the store as they come back, so
    no more than a few files' passages are ever held, and the catalog is made as the files
    come in. Progress counts the files (each one told once its passages are written)."""
    rows, warnings = questions.load(inputs)
    planned, unused = questions.plan(rows, [s.name for s in sources])
    for w in warnings + unused:
        progress(f"warning: {w}")
    read: list[Ingested] = []  # the documents written, each without its passages (kb.ingest.Ingested.light)
    work = partial(_read_ready, store.preparer(), planned)

    def passages() -> Iterator[tuple]:
        n = len(sources)
        # the workers end as the last file comes back, before the engine commits (or when the
        # store closes this generator on a failure or Ctrl+C: the pool ends them then)
        with Pool(procs) if procs > 1 else nullcontext() as pool:
            chunk = max(1, min(len(sources) // (procs * 8), INGEST_CHUNK))
            results = pool.map(work, sources, chunksize=chunk) if pool is not None else map(work, sources)
            for i, (source, (result, ready, notes)) in enumerate(zip(sources, results), 1):
                for w in notes:
                    progress(f"warning: {w}")
                if isinstance(result, Skipped):
                    skipped.append(result)
                    if source.name in planned:
                        progress(f"warning: {source.name} was not indexed; its typical questions are not used")
                    progress(ProgressStep(f"[{i}/{n}] skipped {result.reason}", "reading", i, n))
                    continue
                yield from zip(result.passages, ready)
                read.append(result.light())
                progress(ProgressStep(f"[{i}/{n}] {source.name}: {len(result.passages)} passages", "reading", i, n))
        if not read:
            _nothing(skipped)

    def meta() -> dict:
        return Catalog.made(inputs, read, skipped).to_meta()

    store.write(passages(), meta, procs=procs, analysed=True, progress=_saving(progress))
    passages_count = store.manifest.passages or 0
    return BuildReport(len(read), passages_count, tuple(skipped), time.perf_counter() - started,
                       added=tuple(d.source.name for d in read), indexed=passages_count)


def _read_ready(prepare: Callable, planned: dict, source: Source) -> tuple:
    """One file read, cut, given its typical questions and its passages analysed for the
    store (a streamed build's worker runs it): (Ingested or Skipped, each passage's
    Prepared, warnings)."""
    result = ingest_one(source)
    if isinstance(result, Skipped):
        return result, [], []
    result, notes = questions.attach_to(result, planned.get(source.name, ()))
    return result, [prepare(p) for p in result.passages], notes


def update(store: IndexStore, paths: Iterable[str | os.PathLike], progress: Progress = silent,
           workers: int | None = None) -> BuildReport:
    """Bring the index up to date with these files and folders: only the files whose content
    changed are read again, new ones added, those gone dropped. Builds from nothing when there
    is no usable index (none yet, another pipeline, a damaged one, another engine asked for,
    vectors asked for or against)."""
    inputs = [Path(p) for p in paths]
    with store.writing(waiting=_waiting(progress)):
        try:
            catalog = Catalog.from_meta(store.meta, store.root) if store.exists() else None
            if catalog is not None and catalog.builds_like_now(inputs) and store.asked_engine in (None, store.engine_name) \
                    and store.asked_dense in (None, bool(store.manifest.dense)):
                store.verify()  # a damaged generation is rebuilt whole, not updated
                return _update(store, catalog, inputs, progress, workers)
        except (IndexCorruptError, OSError):
            store.close()
        return build(store, inputs, progress, workers)


def refresh(store: IndexStore, progress: Progress = silent, wait: float | None = None) -> BuildReport:
    """Update the index from the paths it was built from, leaving out the documents removed
    from it. With wait (seconds), give up with IndexBusyError when another process is writing
    the index for longer (wait=0: only if nobody is)."""
    with store.writing(**({} if wait is None else {"wait": wait})):
        # the lock re-read the live generation: what another writer did meanwhile is not redone
        catalog = Catalog.from_meta(store.meta, store.root)
        if not catalog.builds_like_now(catalog.input_paths):  # every passage may change
            store.close()
            return build(store, catalog.input_paths, progress)
        return _update(store, catalog, catalog.input_paths, progress, None, excluded=catalog.excluded)


def remove(store: IndexStore, name: str) -> BuildReport:
    """Drop the document of this exact name (its file stays where it is, and is not re-added
    by a refresh until it is indexed again)."""
    with store.writing():
        started = time.perf_counter()
        catalog = Catalog.from_meta(store.meta, store.root).without(name)
        store.update({name}, (), catalog.to_meta())
        return BuildReport(len(catalog.documents), store.manifest.passages or 0, (), time.perf_counter() - started,
                           rebuilt=False, removed=(name,))


def _update(store: IndexStore, catalog: Catalog, inputs: list[Path], progress: Progress,
            workers: int | None, excluded: Iterable[str] = ()) -> BuildReport:
    started = time.perf_counter()
    sources, skipped = collect(inputs)
    diff = catalog.compare(sources, excluded)
    skipped += diff.failing
    if not diff.todo and not diff.removed:
        return BuildReport(len(diff.fresh), store.manifest.passages or 0, tuple(skipped),
                           time.perf_counter() - started, rebuilt=False)
    done, failed = read_all(list(diff.todo), progress, workers)
    skipped += failed
    fresh = [s.name for s in diff.fresh]
    done = _with_questions(inputs, done, progress, fresh)
    if not done and not fresh:
        _nothing(skipped)
    new = Catalog.made(inputs, done, skipped, kept=catalog, keep=fresh, excluded=excluded)
    for name in diff.removed:
        progress(f"removed {name}")
    indexed = sum(len(d.passages) for d in done)
    store.update(set(diff.removed) | {s.name for s in diff.changed}, (p for d in done for p in d.passages),
                 new.to_meta(), progress=_writing(progress, indexed))
    added = {s.name for s in diff.added}
    return BuildReport(len(fresh) + len(done), store.manifest.passages or 0, tuple(skipped),
                       time.perf_counter() - started, rebuilt=False,
                       added=tuple(d.source.name for d in done if d.source.name in added),
                       changed=tuple(d.source.name for d in done if d.source.name not in added),
                       removed=diff.removed, indexed=indexed)


def _nothing(skipped: list[Skipped]) -> None:
    reasons = "; ".join(s.reason for s in skipped) or "no files found"
    raise KbError(f"nothing to index ({reasons}); the existing index is unchanged")


def _with_questions(inputs: list[Path], done: list[Ingested], progress: Progress,
                    kept: Iterable[str] = ()) -> list[Ingested]:
    """The documents with the typical questions of their folders' typical_questions.txt."""
    rows, warnings = questions.load(inputs)
    done, unused = questions.attach(done, rows, kept)
    for w in warnings + unused:
        progress(f"warning: {w}")
    return done


def _embedding(n: int) -> str:
    return f"embedding {n} passages for ranking by meaning (--dense) …"


def _saving(progress: Progress) -> Callable[[str, int], None]:
    """The store's count of passages written, told only as the index is saved (a streamed
    build tells its files instead: it cannot know its passages' total before the end)."""
    def told(phase: str, n: int) -> None:
        if phase == "saving":
            progress(ProgressStep(f"saving the index ({n} passages) …", "saving", n, n))
        elif phase == "embedding":
            progress(_embedding(n))

    return told


def _writing(progress: Progress, total: int) -> Callable[[str, int], None]:
    """The store's count of passages written, told as progress: about every 1% of `total`,
    then once as the index is saved."""
    every = max(1, -(-total // 100))

    def told(phase: str, n: int) -> None:
        if phase == "saving":
            progress(ProgressStep(f"saving the index ({n} passages) …", "saving", n, n))
        elif phase == "embedding":
            progress(_embedding(n))
        elif n % every == 0 or n == total:  # 0 too: the analyzer may take a moment to load
            progress(ProgressStep(f"indexed {n}/{total} passages", "indexing", n, total))

    return told
