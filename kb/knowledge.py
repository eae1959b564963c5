"""KnowledgeBase: the library's front door (build, open, search, show, outline, ask)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from . import analysis, questions
from .errors import IndexCorruptError, IndexMissingError, KbError, QueryError, ReadError, ReferenceError_
from .store import FORMAT, IndexStore
from .processes import children_die_with_parent, stop_if_interrupted
from .ingest import Ingested, Source, collect, ingest
from .model import Answer, BuildReport, DocumentInfo, Hit, OutlineEntry, Passage, ProgressStep, Skipped

KINDS = ("steps", "script", "technique", "case", "outline", "text")

Progress = Callable[[str], None]

if TYPE_CHECKING:
    from .query import QueryPlan
    from .search import SearchResult


def default_index() -> Path:
    """Where the index lives when none is named: per user, never in the working directory, so
    that a search from any folder finds the same library and leaves nothing behind there.
    `$XDG_DATA_HOME/kb/index`, by default `~/.local/share/kb/index` (a relative
    XDG_DATA_HOME is ignored, as the XDG base directory spec says)."""
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "kb" / "index"


def default_seeds() -> Path:
    """seeds/ in the working directory, else the seeds that ship beside the package."""
    here = Path("seeds")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "seeds"


def _silent(_: str) -> None:
    pass


class KnowledgeBase:
    """A searchable index of training documents.

    >>> kb = KnowledgeBase.build(["seeds"], "index")      # doctest: +SKIP
    >>> kb.search("客诉处理步骤", limit=3)[0].passage.ref  # doctest: +SKIP
    """

    def __init__(self, store: IndexStore, report: BuildReport | None = None):
        self.store = store
        self.report = report
        self._by_doc: dict[str, list[Passage]] | None = None
        self._by_doc_of: Path | None = None  # the generation _by_doc was read from

    # --- building and opening ----------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> "KnowledgeBase":
        """Open an existing index (default: `default_index()`); raises IndexMissingError /
        IndexCorruptError."""
        path = default_index() if path is None else path
        store = IndexStore(Path(path))
        if not store.exists():
            raise IndexMissingError(f"no index at {path} (run `kb index` first)")
        store.engine_kind  # noqa: B018  (validates the generation, its metadata and that its engine is here, now)
        return cls(store)

    @classmethod
    def build(cls, paths: Iterable[str | os.PathLike], index: str | os.PathLike | None = None,
              progress: Progress = _silent, workers: int | None = None, engine: str | None = None) -> "KnowledgeBase":
        """Index files and folders into a new generation of `index` (default: `default_index()`;
        atomic: all or nothing). engine: "whoosh" or "tantivy" (kb.store.engines; by default the
        index's own, else $KB_ENGINE, else whoosh)."""
        index = default_index() if index is None else index
        with IndexStore(Path(index), engine).writing(waiting=lambda: progress("waiting for another kb writing this index …")):
            return cls._build(paths, index, progress, workers, engine)

    @classmethod
    def _build(cls, paths, index, progress: Progress, workers: int | None, engine: str | None = None) -> "KnowledgeBase":
        started = time.perf_counter()
        inputs = [Path(p) for p in paths]
        sources, skipped = collect(inputs)
        done = _with_questions(inputs, _ingest_all(sources, skipped, progress, workers), progress)
        if not done:
            reasons = "; ".join(s.reason for s in skipped) or "no files found"
            raise KbError(f"nothing to index ({reasons}); the existing index is unchanged")
        store = IndexStore(Path(index), engine)
        passages = sum(len(d.passages) for d in done)
        procs = _procs(workers) if passages >= PARALLEL_INDEX else 1
        store.write((p for d in done for p in d.passages), _meta(inputs, done, skipped), procs=procs,
                    progress=_writing(progress, passages))
        report = BuildReport(len(done), passages, tuple(skipped), time.perf_counter() - started)
        return cls(store, report)

    @classmethod
    def index(cls, paths: Iterable[str | os.PathLike], index: str | os.PathLike | None = None,
              progress: Progress = _silent, workers: int | None = None, engine: str | None = None) -> "KnowledgeBase":
        """Bring `index` (default: `default_index()`) up to date with these files and folders:
        re-index only the files whose content changed, add new ones, drop those that are gone.
        Builds from nothing when there is no usable index (none yet, another analyzer, a damaged
        one, another engine asked for)."""
        index = default_index() if index is None else index
        store = IndexStore(Path(index))
        with store.writing(waiting=lambda: progress("waiting for another kb writing this index …")):
            try:
                meta = store.meta if store.exists() else {}
                if (meta.get("analyzer") == analysis.fingerprint() and meta.get("format") == FORMAT
                        and meta.get("questions", "") == questions.fingerprint([Path(p) for p in paths])
                        and engine in (None, store.engine_name)):
                    store.verify()  # a damaged generation is rebuilt whole, not updated
                    return cls(store)._update([Path(p) for p in paths], progress, workers)
            except (IndexCorruptError, OSError):
                store.close()
            return cls.build(paths, index, progress, workers, engine)

    def _update(self, inputs: list[Path], progress: Progress, workers: int | None,
                excluded: set[str] = frozenset()) -> "KnowledgeBase":
        started = time.perf_counter()
        meta = self.store.meta
        sources, skipped = collect(inputs)
        sources = [s for s in sources if str(s.path) not in excluded]
        recorded = {s["name"]: s for s in meta.get("sources", [])}
        fresh = [s for s in sources if s.name in recorded and recorded[s.name]["path"] == str(s.path)
                 and not _changed(s.path, recorded[s.name])]
        fresh_names = {s.name for s in fresh}
        failed = _still_failing(meta)
        todo = [s for s in sources if s.name not in fresh_names and str(s.path) not in failed]
        skipped += [Skipped(path, failed[path]["reason"]) for path in failed
                    if any(str(s.path) == path for s in sources)]
        gone = set(recorded) - {s.name for s in sources}
        if not todo and not gone:
            self.report = BuildReport(len(fresh), meta.get("passages", 0), tuple(skipped),
                                      time.perf_counter() - started, rebuilt=False)
            return self
        done = _with_questions(inputs, _ingest_all(todo, skipped, progress, workers), progress, fresh_names)
        if not done and not fresh:
            reasons = "; ".join(s.reason for s in skipped) or "no files found"
            raise KbError(f"nothing to index ({reasons}); the existing index is unchanged")
        kept_docs = {name: meta["documents"][name] for name in fresh_names}
        kept_sources = [recorded[name] for name in fresh_names]
        new_meta = {**_meta(inputs, done, skipped, kept_sources, kept_docs), "excluded": sorted(excluded)}
        remove = gone | {s.name for s in todo if s.name in recorded}
        for name in sorted(gone):
            progress(f"removed {name}")
        self.store.update(remove, (p for d in done for p in d.passages), new_meta,
                          progress=_writing(progress, sum(len(d.passages) for d in done)))
        passages = self.store.meta["passages"]
        report = BuildReport(len(fresh) + len(done), passages, tuple(skipped),
                             time.perf_counter() - started, rebuilt=False, refreshed=len(done), dropped=len(gone))
        return KnowledgeBase(self.store, report)

    def remove(self, doc: str) -> "KnowledgeBase":
        """Drop one document from the index (its file stays where it is, and is not re-added
        by the staleness check until it is indexed again)."""
        with self.store.writing():
            return self._remove(doc)

    def _remove(self, doc: str) -> "KnowledgeBase":
        name = self.resolve_doc(doc)
        meta = self.store.meta
        sources = [s for s in meta["sources"] if s["name"] != name]
        removed = [s["path"] for s in meta["sources"] if s["name"] == name]
        new_meta = {
            **{k: v for k, v in meta.items() if k not in ("format", "passages", "built")},
            "sources": sources,
            "documents": {k: v for k, v in meta["documents"].items() if k != name},
            "excluded": sorted(set(meta.get("excluded", [])) | set(removed)),
        }
        if not new_meta["documents"]:
            raise KbError(f"{name} is the only indexed document; index something else first")
        self.store.update({name}, (), new_meta)
        return KnowledgeBase(self.store)

    def stale_reasons(self) -> list[str]:
        """Why the index no longer matches its files (empty when it is fresh)."""
        meta = self.store.meta
        reasons = []
        if meta.get("analyzer") != analysis.fingerprint() or meta.get("format") != FORMAT:
            reasons.append("the analyzer or index format changed since the index was built")
        if meta.get("questions", "") != questions.fingerprint([Path(p) for p in meta.get("inputs", [])]):
            reasons.append(f"the typical questions ({questions.QUESTIONS_FILE}) changed")
        recorded = {s["path"]: s for s in meta.get("sources", [])}
        inputs = [Path(p) for p in meta.get("inputs", [])]
        missing_inputs = [str(p) for p in inputs if not p.exists()]
        if missing_inputs:
            reasons.append(f"indexed path(s) gone: {', '.join(missing_inputs)}")
            return reasons
        try:
            sources, _ = collect(inputs)
        except KbError as exc:
            return reasons + [str(exc)]
        excluded = set(meta.get("excluded", []))
        current = {str(s.path): s for s in sources if str(s.path) not in excluded}
        # a file that could not be read stays skipped until it changes: not new each time
        failed = _still_failing(meta)
        current = {p: s for p, s in current.items() if p not in failed}
        added = sorted(set(current) - set(recorded))
        removed = sorted(set(recorded) - set(current))
        changed = [p for p in set(current) & set(recorded) if _changed(Path(p), recorded[p])]
        if added:
            reasons.append(f"{len(added)} new file(s), e.g. {Path(added[0]).name}")
        if removed:
            reasons.append(f"{len(removed)} file(s) removed, e.g. {Path(removed[0]).name}")
        if changed:
            reasons.append(f"{len(changed)} file(s) changed, e.g. {Path(sorted(changed)[0]).name}")
        return reasons

    def rebuild(self, progress: Progress = _silent, wait: float | None = None) -> "KnowledgeBase":
        """Bring the index up to date with the paths it was built from (only what changed).
        With wait (seconds), give up with IndexBusyError when another process is writing the
        index for longer (wait=0: only if nobody is)."""
        with self.store.writing(**({} if wait is None else {"wait": wait})):
            meta = self.store.meta
            inputs = [Path(p) for p in meta.get("inputs", [])]
            if (meta.get("analyzer") != analysis.fingerprint() or meta.get("format") != FORMAT
                    or meta.get("questions", "") != questions.fingerprint(inputs)):  # each passage may change
                self.store.close()
                return KnowledgeBase.build(inputs, self.store.root, progress)
            # the lock re-read the live generation: what another writer did meanwhile is not redone
            return self._update(inputs, progress, None, excluded=set(meta.get("excluded", [])))

    # --- reading -----------------------------------------------------------

    def documents(self) -> dict[str, DocumentInfo]:
        """Indexed documents by name: title, encoding, whether spun, outline."""
        return self.store.meta.get("documents", {})

    def resolve_doc(self, doc: str) -> str:
        """A document name from a full name or a unique prefix ('000' for '000_eada….txt'), with
        a format's suffix when one content is indexed in several ('000.pptx', '000.gbk.txt')."""
        names = list(self.documents())
        if doc in names:
            return doc
        prefix, dot, suffix = doc.partition(".")
        matches = [n for n in names if n.startswith(doc) or Path(n).stem == doc
                   or (dot and prefix and n.startswith(prefix) and n.endswith(dot + suffix))]
        if len(matches) > 1 and dot:  # '000.txt' beside '000_….gbk.txt': the one whose suffix is exactly that
            matches = [n for n in matches if n.partition(".")[2] == suffix] or matches
        if len(matches) == 1:
            return matches[0]
        listing = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
        if not matches:
            raise KbError(f"no indexed document {doc!r}; indexed: {listing}")
        raise KbError(f"{doc!r} names several documents: {', '.join(matches[:5])}")

    def search(self, query: str, limit: int = 10, doc: str | None = None,
               kind: str | None = None, script: str | None = None) -> list[Hit]:
        """Ranked passages for a natural-language query in either script. script: the
        highlights' script, "hans" or "hant" ("auto": the query's; None: the file's own), as
        for ask(); passage text stays the file's own."""
        hits = self.lookup(query, limit=limit, doc=doc, kind=kind).hits
        if script is None or script == "original":
            return hits
        from dataclasses import replace

        from .script import HANS, HANT, convert, detect_script

        if script not in ("auto", HANS, HANT):
            raise KbError(f"unknown script {script!r}; one of: auto, hans, hant, original")
        out = detect_script(query) if script == "auto" else script
        return [replace(h, highlight=convert(h.highlight, out)) for h in hits]

    def lookup(self, query: str, limit: int = 10, doc: str | None = None,
               kind: str | None = None, fix: bool = False) -> "SearchResult":
        """search() with how the query was understood, and the spelling fix it ran (with
        fix=True, or by itself when the query as typed found nothing)."""
        from .search import search

        if kind is not None and kind not in KINDS:
            raise KbError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
        return search(self.store, query, limit=limit, doc=self.resolve_doc(doc) if doc else None,
                      kind=kind, fix=fix)

    def explain(self, query: str) -> "QueryPlan":
        """How a query is analysed: its words, their weighted stand-ins, spelling fixes."""
        from .query import understand

        return understand(query, self.store)

    def doc_count(self) -> int:
        """How many passages the index holds: what a term's idf is measured against."""
        return self.store.doc_count()

    def doc_frequency(self, term: str) -> int:
        """How many passages hold the term (in text, heading, breadcrumb, or a spun text's repair)."""
        return self.store.doc_frequency(term)

    def ask(self, question: str, script: str | None = "auto") -> Answer:
        """A short extractive answer with citations, or answered=False when the corpus does not say."""
        from .answer import ask

        return ask(self, question, script=script)

    def passages(self, doc: str | None = None) -> list[Passage]:
        """All passages in document order, or those of one document."""
        generation = self.store.generation  # a long-lived reader moves on when its generation is collected
        if self._by_doc is None or self._by_doc_of != generation:
            by_doc: dict[str, list[Passage]] = {}
            for p in self.store.passages():
                by_doc.setdefault(p.doc, []).append(p)
            self._by_doc, self._by_doc_of = by_doc, generation
        if doc:
            return list(self._by_doc.get(self.resolve_doc(doc), []))
        return [p for ps in self._by_doc.values() for p in ps]

    def doc_passages(self, name: str) -> list[Passage]:
        """The passages of the document with this exact name, in order."""
        self.passages()
        return (self._by_doc or {}).get(name, [])

    def passage(self, passage_id: str) -> Passage:
        """The passage with this id (as in Passage.id, e.g. '000_eada5ee40357fd85.txt#44')."""
        doc, _, _ = (passage_id or "").rpartition("#")  # a file name may hold '#' (C#入门.txt)
        for p in self.doc_passages(doc):
            if p.id == passage_id:
                return p
        raise ReferenceError_(f"no passage {passage_id!r} in the index")

    def context(self, passage_id: str, around: int = 1) -> list[Passage]:
        """A passage with its neighbours in the same document, in order (its place in context)."""
        if around < 0:
            raise QueryError(f"around must be 0 or more (neighbours on each side), not {around}")
        target = self.passage(passage_id)
        doc = self.doc_passages(target.doc)
        i = doc.index(target)
        return doc[max(0, i - around): i + around + 1]

    def show(self, ref: str) -> Passage:
        """The passage at a reference: its id (`DOC#N`, as search results carry it), `DOC:LINE`
        (as in Passage.ref, a trailing '(slide 12)' is allowed), or a place in the format's
        terms: `DOC:slide12`, `DOC:page3`, `DOC:¶14`."""
        if re.fullmatch(r".+#\d+", (ref or "").strip(), re.S):  # the name may hold '#' or ':' (C#入门.txt)
            doc, _, number = ref.strip().rpartition("#")
            return self.passage(f"{self.resolve_doc(doc)}#{number}")
        m = re.fullmatch(r"\s*(.+?):(\d+)(?:-\d+)?(?:\s*\([^()]*\))?\s*", ref or "", re.S)
        if not m:
            return self._show_place(ref)
        name = self.resolve_doc(m.group(1))
        last = max((p.line_end for p in self.passages(name)), default=0)
        if len(m.group(2)) > 9 or int(m.group(2)) > last:  # bounded before it is a number
            raise ReferenceError_(f"line {m.group(2)[:12]}{'…' if len(m.group(2)) > 12 else ''} is out of range: "
                                  f"the last indexed line of {name} is {last}")
        line = int(m.group(2))
        holding = [p for p in self.passages(name) if p.line_start <= line <= p.line_end]
        if holding:
            return min(holding, key=lambda p: (p.line_end - p.line_start, p.line_start))
        nearest = min(self.passages(name), key=lambda p: min(abs(p.line_start - line), abs(p.line_end - line)))
        raise ReferenceError_(
            f"line {line} of {name} holds no indexed text (boilerplate or blank); nearest passage: {nearest.ref}"
        )

    def _show_place(self, ref: str) -> Passage:
        """The passage at DOC:slide12, DOC:page3, DOC:¶14 (DOC:p14 is a page in a PDF, a paragraph elsewhere)."""
        from . import location

        name, _, spec = (ref or "").rpartition(":")
        span = location.parse(spec)
        if not name.strip() or not span:
            raise ReferenceError_(f"bad reference {ref!r}: use DOC:LINE or DOC:slide12, DOC:page3, DOC:¶14; e.g. 000:415")
        name = self.resolve_doc(name.strip())
        return location.find(self.passages(name), span, lambda p: p.location, name, lambda p: p.ref)

    def outline(self, doc: str | None = None) -> list[OutlineEntry]:
        """The course / unit / section headings of one document, or of all."""
        docs = self.documents()
        names = [self.resolve_doc(doc)] if doc else list(docs)
        return [
            OutlineEntry(name, depth, title, line)
            for name in names
            for depth, title, line in docs[name]["outline"]
        ]

    def close(self) -> None:
        self.store.close()
        self._by_doc = None

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _source_meta(d: Ingested) -> dict:
    st = d.source.path.stat()
    return {
        "path": str(d.source.path),
        "name": d.source.name,
        "sha256": d.sha256,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
    }


def _changed(path: Path, recorded: dict) -> bool:
    try:
        st = path.stat()
    except OSError:
        return True
    if st.st_size == recorded.get("size") and st.st_mtime_ns == recorded.get("mtime_ns"):
        return False
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest() != recorded.get("sha256")


PARALLEL_INGEST = 16  # files: fewer are read in this process (a pool costs more than it saves)
PARALLEL_INDEX = 2000  # passages: fewer are analysed in this process (kb.store.fields)
INGEST_CHUNK = 8  # files a worker reads between reports (a larger chunk is reported when all of it is read)


def _procs(workers: int | None) -> int:
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


def _ingest_one(source: Source) -> Ingested | str:
    try:
        return ingest(source)
    except ReadError as exc:
        return str(exc)
    except RecursionError:  # a document nested thousands deep (hostile HTML): skipped, the build goes on
        return f"{source.path}: nested too deeply to read"
    except Exception as exc:  # one file a reader cannot take never stops the others
        return f"{source.path}: cannot read ({type(exc).__name__}: {str(exc)[:120]})"


def _ingest_all(sources: list[Source], skipped: list[Skipped], progress: Progress,
                workers: int | None) -> list[Ingested]:
    """Read, clean and cut every file, on all cores when there are many; failures are skipped."""
    procs = _procs(workers)
    if procs > 1 and len(sources) >= PARALLEL_INGEST:
        children_die_with_parent()
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(procs, mp_context=multiprocessing.get_context("fork")) as pool:
                # told as each file is read (in order), not all at once when the last one is
                chunk = max(1, min(len(sources) // (procs * 8), INGEST_CHUNK))
                done = _read_out(sources, pool.map(_ingest_one, sources, chunksize=chunk), skipped, progress)
        except BrokenProcessPool:  # its workers ended at a Ctrl+C this process took while forking
            stop_if_interrupted()
            raise
        stop_if_interrupted()  # a Ctrl+C as the pool forked
        return done
    return _read_out(sources, map(_ingest_one, sources), skipped, progress)


def _read_out(sources: list[Source], results: Iterable[Ingested | str], skipped: list[Skipped],
              progress: Progress) -> list[Ingested]:
    """The files read, telling progress as each result comes in; failures go to skipped."""
    done, n = [], len(sources)
    for i, (source, result) in enumerate(zip(sources, results), 1):
        if isinstance(result, str):
            skipped.append(Skipped(str(source.path), result))
            progress(ProgressStep(f"[{i}/{n}] skipped {result}", "reading", i, n))
        else:
            done.append(result)
            progress(ProgressStep(f"[{i}/{n}] {source.name}: {len(result.passages)} passages", "reading", i, n))
    return done


def _writing(progress: Progress, total: int) -> Callable[[str, int], None]:
    """The store's count of passages written, told as progress: about every 1% of `total`,
    then once as the index is saved."""
    every = max(1, -(-total // 100))

    def told(phase: str, n: int) -> None:
        if phase == "saving":
            progress(ProgressStep(f"saving the index ({n} passages) …", "saving", n, n))
        elif n % every == 0 or n == total:  # 0 too: the analyzer may take a moment to load
            progress(ProgressStep(f"indexed {n}/{total} passages", "indexing", n, total))

    return told


def _meta(inputs: list[Path], done: list[Ingested], skipped: list[Skipped],
          kept_sources: list[dict] = (), kept_docs: dict | None = None) -> dict:
    documents = dict(kept_docs or {})
    documents.update({
        d.source.name: {"title": d.title, "encoding": d.encoding, "spun": d.spun, "outline": d.outline}
        for d in done
    })
    return {
        "analyzer": analysis.fingerprint(),
        "inputs": [str(p.resolve()) for p in inputs],
        "sources": list(kept_sources) + [_source_meta(d) for d in done],
        "documents": documents,
        "skipped": [{"path": s.path, "reason": s.reason, **_stat(s.path)} for s in skipped],
        "questions": questions.fingerprint(inputs),
    }


def _with_questions(inputs: list[Path], done: list[Ingested], progress: Progress,
                    kept: Iterable[str] = ()) -> list[Ingested]:
    """The documents with the typical questions of their folders' typical_questions.txt."""
    rows, warnings = questions.load(inputs)
    done, unused = questions.attach(done, rows, kept)
    for w in warnings + unused:
        progress(f"warning: {w}")
    return done


def _stat(path: str) -> dict:
    try:
        st = Path(path).stat()
    except OSError:
        return {}
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _still_failing(meta: dict) -> dict[str, dict]:
    """Files the last build skipped that have not changed since (by size and time)."""
    out = {}
    for entry in meta.get("skipped", []):
        if "size" in entry and _stat(entry["path"]) == {"size": entry["size"], "mtime_ns": entry["mtime_ns"]}:
            out[entry["path"]] = entry
    return out
