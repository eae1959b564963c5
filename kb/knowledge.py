"""KnowledgeBase: the library's front door (build, open, search, ask, show, outline), delegating
to kb.build, kb.catalog (what the index holds), kb.search, kb.answer and kb.refs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from . import build as builder, refs
from .catalog import Catalog, Staleness
from .defaults import default_index, default_seeds
from .errors import IndexMissingError, KbError
from .model import KINDS, Answer, BuildReport, DocumentInfo, Hit, OutlineEntry, Passage, Progress
from .store import IndexStore

if TYPE_CHECKING:
    from .plan import QueryPlan
    from .search import SearchResult

__all__ = ["KINDS", "KnowledgeBase", "Progress", "default_index", "default_seeds"]  # the last two: for cli.py


class KnowledgeBase:
    """A searchable index of training documents.

    >>> kb = KnowledgeBase.build(["seeds"], "index")      # doctest: +SKIP
    >>> kb.search("客诉处理步骤", limit=3)[0].passage.ref  # doctest: +SKIP
    """

    def __init__(self, store: IndexStore, report: BuildReport | None = None):
        self.store = store
        self.report = report  # what the build, update or removal that made this did
        self._catalog: tuple[object, Catalog] | None = None  # (the manifest it was read from, it)
        self._by_doc: tuple[Path, dict[str, list[Passage]]] | None = None  # (generation, passages)

    # --- building and opening ----------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> "KnowledgeBase":
        """Open an existing index (default: `default_index()`); raises IndexMissingError /
        IndexCorruptError."""
        store = IndexStore(Path(default_index() if path is None else path))
        if not store.exists():
            raise IndexMissingError(f"no index at {store.root} (run `kb index` first)")
        store.engine_kind  # noqa: B018  (validates the generation, its metadata and that its engine is here, now)
        return cls(store)

    @classmethod
    def build(cls, paths: Iterable[str | os.PathLike], index: str | os.PathLike | None = None,
              progress: Progress = builder.silent, workers: int | None = None, engine: str | None = None,
              dense: bool | None = None) -> "KnowledgeBase":
        """Index files and folders into a new generation of `index` (default: `default_index()`;
        atomic: all or nothing). engine: "whoosh" or "tantivy" (kb.store.engines; by default the
        index's own, else $KB_ENGINE, else whoosh). dense: keep a vector of each passage for
        ranking by meaning (kb.dense, `pip install 'kb[dense]'`; by default as the index does)."""
        store = IndexStore(Path(default_index() if index is None else index), engine, dense)
        return cls(store, builder.build(store, paths, progress, workers))

    @classmethod
    def index(cls, paths: Iterable[str | os.PathLike], index: str | os.PathLike | None = None,
              progress: Progress = builder.silent, workers: int | None = None, engine: str | None = None,
              dense: bool | None = None) -> "KnowledgeBase":
        """Bring `index` (default: `default_index()`) up to date with these files and folders:
        re-index only the files whose content changed, add new ones, drop those that are gone.
        Builds from nothing when there is no usable index (none yet, another pipeline, a damaged
        one, another engine asked for, vectors asked for or against)."""
        store = IndexStore(Path(default_index() if index is None else index), engine, dense)
        return cls(store, builder.update(store, paths, progress, workers))

    def rebuild(self, progress: Progress = builder.silent, wait: float | None = None) -> "KnowledgeBase":
        """Bring the index up to date with the paths it was built from (only what changed).
        With wait (seconds), give up with IndexBusyError when another process is writing the
        index for longer (wait=0: only if nobody is)."""
        return KnowledgeBase(self.store, builder.refresh(self.store, progress, wait))

    def remove(self, doc: str) -> "KnowledgeBase":
        """Drop one document from the index (its file stays where it is, and is not re-added
        by the staleness check until it is indexed again)."""
        with self.store.writing():  # the name is resolved against the generation the lock re-read
            return KnowledgeBase(self.store, builder.remove(self.store, self.resolve_doc(doc)))

    @property
    def catalog(self) -> Catalog:
        """What the live generation was built from: its files, documents, skipped files (kb.catalog)."""
        manifest = self.store.manifest
        if self._catalog is None or self._catalog[0] is not manifest:
            self._catalog = (manifest, Catalog.from_meta(manifest.fields, self.store.root))
        return self._catalog[1]

    def staleness(self) -> Staleness:
        """Why the index no longer matches its files, typed (empty, and false, when it is fresh)."""
        return self.catalog.staleness()

    def stale_reasons(self) -> list[str]:
        """Why the index no longer matches its files, a line each (empty when it is fresh)."""
        return [str(r) for r in self.staleness().reasons]

    # --- reading -----------------------------------------------------------

    def documents(self) -> dict[str, DocumentInfo]:
        """Indexed documents by name: title, encoding, whether spun, outline."""
        return dict(self.catalog.documents)

    def resolve_doc(self, doc: str) -> str:
        """A document name from a full name or a unique prefix ('000' for '000_eada….txt'), with
        a format's suffix when one content is indexed in several ('000.pptx', '000.gbk.txt')."""
        return refs.resolve(list(self.catalog.documents), doc)

    def search(self, query: str, limit: int = 10, doc: str | None = None,
               kind: str | None = None, script: str | None = None) -> list[Hit]:
        """Ranked passages for a natural-language query in either script. script: the
        highlights' script, "hans" or "hant" ("auto": the query's; None: the file's own), as
        for ask(); passage text stays the file's own."""
        from .search import in_script

        return in_script(self.lookup(query, limit=limit, doc=doc, kind=kind).hits, query, script)

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

    def mean_length(self) -> float:
        """How many terms a passage holds on average."""
        return self.store.mean_length()

    def ask(self, question: str, script: str | None = "auto") -> Answer:
        """A short extractive answer with citations, or answered=False when the corpus does not say."""
        from .answer import ask

        return ask(self, question, script=script)

    def passages(self, doc: str | None = None) -> list[Passage]:
        """All passages in document order, or those of one document."""
        by_doc = self._passages_by_doc()
        return list(by_doc.get(self.resolve_doc(doc), [])) if doc else [p for ps in by_doc.values() for p in ps]

    def doc_passages(self, name: str) -> list[Passage]:
        """The passages of the document with this exact name, in order."""
        return self._passages_by_doc().get(name, [])

    def _passages_by_doc(self) -> dict[str, list[Passage]]:
        generation = self.store.generation  # a long-lived reader moves on when its generation is collected
        if self._by_doc is None or self._by_doc[0] != generation:
            by_doc: dict[str, list[Passage]] = {}
            for p in self.store.passages():
                by_doc.setdefault(p.doc, []).append(p)
            self._by_doc = (generation, by_doc)
        return self._by_doc[1]

    def passage(self, passage_id: str) -> Passage:
        """The passage with this id (as in Passage.id, e.g. '000_eada5ee40357fd85.txt#44')."""
        return refs.by_id(passage_id, self.doc_passages)

    def context(self, passage_id: str, around: int = 1) -> list[Passage]:
        """A passage with its neighbours in the same document, in order (its place in context)."""
        return refs.neighbours(passage_id, around, self.doc_passages)

    def show(self, ref: str) -> Passage:
        """The passage at a reference: its id (`DOC#N`, as search results carry it), `DOC:LINE`
        (as in Passage.ref, a trailing '(slide 12)' is allowed), or a place in the format's
        terms: `DOC:slide12`, `DOC:page3`, `DOC:¶14`, `DOC:row7`."""
        return refs.find(ref, self.resolve_doc, self.passages, self.passage)

    def outline(self, doc: str | None = None) -> list[OutlineEntry]:
        """The course / unit / section headings of one document, or of all."""
        docs = self.catalog.documents
        names = [self.resolve_doc(doc)] if doc else list(docs)
        return [OutlineEntry(name, depth, title, line) for name in names for depth, title, line in docs[name]["outline"]]

    def close(self) -> None:
        self.store.close()
        self._by_doc = self._catalog = None

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
