"""tantivy behind kb's Engine protocol (kb.store.engine), through tantivy-py's public API only
(`pip install 'kb[fast]'`).

kb scores BM25 itself (kb.store.scoring) from each term's postings: its own idf and b (fitted
at 0.4), and a term's weight in a passage summed over the boosts of the parts it stands in
(kb.store.fields). tantivy's own BM25 takes neither (k1 and b are fixed, a term counts whole
occurrences), and tantivy-py answers searches, not postings: a hit carries no term frequency.
So a passage is given to tantivy as kb analysed it, pre-tokenised (nothing of tantivy's
analysis runs), one token per distinct term with the term's weight joined to it
(`客户\\x1f2.3`); a term's postings are then the hits of each of its weights, which tantivy's
term dictionary lists (`terms_with_prefix`). Weights are kept at single precision, as whoosh
keeps them, so both engines hand the store the same postings.

`doc` and `kind` are exact-match filters; `seq` numbers the passages in the order they were
added (kept across updates), which is the order of the store's passage numbers; `length` is
the passage's count of tokens; the record and searchable text are stored beside them. The
index lives in its own folder of the generation: tantivy's table of segments is called
meta.json, as the store's manifest is.
"""

from __future__ import annotations

import json
import os
from array import array
from pathlib import Path
from typing import Callable, TypeVar

from ..model import Passage
from .fields import TEXT, Fields

NAME = "tantivy"
FOLDER = "tantivy"  # the engine's folder inside a generation
FIELD = TEXT
WEIGHT = "\x1f"  # between a term and its weight: never in a term (analysis drops control characters)
LOCKS = (".tantivy-writer.lock", ".tantivy-meta.lock")  # tantivy's lock files: never linked into a new generation
HEAP = 128_000_000  # bytes the writer buffers before it writes a segment
T = TypeVar("T")


def prepare(fields: Fields) -> tuple[int, list[str]]:
    """A passage's analysed fields as tantivy is given them: its count of tokens, and each
    distinct term joined to its weight there (a worker may run it)."""
    weights: dict[str, float] = {}
    for p in fields[TEXT]:
        weights[p.term] = weights.get(p.term, 0.0) + p.boost
    single = array("f", weights.values())  # the weights at single precision
    return len(fields[TEXT]), [f"{term}{WEIGHT}{w!r}" for term, w in zip(weights, single.tolist())]


def _guarded(call: Callable[..., T], *args, **kwargs) -> T:
    """Call into tantivy. A damaged file can make its Rust code panic, which pyo3 raises as a
    BaseException of its own: it is raised on as an OSError, which the store reports as a
    corrupt index."""
    try:
        return call(*args, **kwargs)
    except (Exception, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        raise OSError(f"tantivy failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc


def _lockable(folder: Path) -> bool:
    """Whether tantivy can take its reader's lock here: it opens its lock file for writing
    (creating it if need be), which a read-only disk refuses."""
    lock = folder / LOCKS[1]
    return os.access(lock, os.W_OK) if lock.exists() else os.access(folder, os.W_OK)


def schema():
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("doc", tokenizer_name="raw", index_option="basic")
    b.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    b.add_text_field(FIELD, tokenizer_name="raw", index_option="basic")  # pre-tokenised: the weight is in the term
    b.add_unsigned_field("seq", fast=True)
    b.add_unsigned_field("length", fast=True)
    b.add_bytes_field("data", stored=True)
    b.add_bytes_field("norm", stored=True)
    return b.build()


class TantivyWriter:
    """Adds passages to a tantivy index in a build folder. tantivy's writer (and its indexing
    threads) starts at the first passage, after kb's analysis processes have forked; deletions
    wait for it."""

    def __init__(self, index, seq: int, threads: int):
        self._index = index
        self._seq = seq  # the next passage's place in the order of addition
        self._threads = max(1, threads)
        self._writer = None
        self._deletes: list[str] = []

    def _started(self):
        if self._writer is None:
            self._writer = _guarded(self._index.writer, heap_size=HEAP, num_threads=self._threads)
            for doc in self._deletes:
                _guarded(self._writer.delete_documents_by_term, "doc", doc)
        return self._writer

    def delete_doc(self, doc: str) -> None:
        self._deletes.append(doc)

    def add(self, passage: Passage, value: tuple[int, list[str]], record: bytes, norm: str) -> None:
        import tantivy

        length, tokens = value
        d = tantivy.Document()
        d.add_text("doc", passage.doc)
        d.add_text("kind", passage.kind)
        d.add_pre_tokenized_text(FIELD, tantivy.PreTokenizedString(
            "", [tantivy.Token(t, i, 0, 0) for i, t in enumerate(tokens)]))
        d.add_unsigned("seq", self._seq)
        d.add_unsigned("length", length)
        d.add_bytes("data", record)
        d.add_bytes("norm", norm.encode("utf-8"))
        self._seq += 1
        _guarded(self._started().add_document, d)

    def commit(self) -> None:
        """Commit, then wait for tantivy's merges: none may still write once the build folder
        is renamed into a generation."""
        writer = self._started()
        _guarded(writer.commit)
        self._writer = None
        _guarded(writer.wait_merging_threads)

    def stop(self) -> None:
        """Drop what a failed build added and wait for tantivy's threads, before the folder goes."""
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.rollback()
                writer.wait_merging_threads()
            except BaseException:  # noqa: BLE001  (a failed build: whatever tantivy says, the folder goes)
                pass


class TantivyEngine:
    """A generation's tantivy index, opened for reading. Passage numbers are the live passages
    in the order they were added; the table of them is read at first use."""

    name = NAME

    def __init__(self, gen: Path):
        import tantivy

        self._q = tantivy.Query
        self._copy = None
        folder = gen / FOLDER
        if not _lockable(folder):  # a read-only disk: tantivy opens a private copy
            import shutil
            import tempfile

            self._copy = tempfile.TemporaryDirectory(prefix="kb-tantivy-")  # removed at close, or at exit
            folder = Path(shutil.copytree(folder, Path(self._copy.name) / FOLDER,
                                          ignore=shutil.ignore_patterns(*LOCKS)))
        self._index = _guarded(tantivy.Index.open, str(folder))
        _guarded(self._index.config_reader, reload_policy="Manual")  # a generation never changes
        self._searcher = _guarded(self._index.searcher)
        self._schema = self._index.schema
        self._asc = tantivy.Order.Asc
        self._addresses: list | None = None  # by passage number
        self._numbers: list[list[int]] = []  # by segment, by the segment's own doc id

    def _table(self) -> list:
        if self._addresses is None:
            n = self.doc_count()
            hits = _guarded(self._searcher.search, self._q.all_query(), limit=max(n, 1), count=False,
                            order_by_field="seq", order=self._asc).hits if n else []
            addresses = [a for _, a in hits]
            numbers: list[list[int]] = []
            for number, a in enumerate(addresses):
                seg, doc = a.segment_ord, a.doc
                while len(numbers) <= seg:
                    numbers.append([])
                column = numbers[seg]
                if len(column) <= doc:
                    column.extend([-1] * (doc + 1 - len(column)))
                column[doc] = number
            self._addresses, self._numbers = addresses, numbers
        return self._addresses

    def postings(self, term: str) -> tuple[list[int], list[float]]:
        """The hits of each weight the term has somewhere, in passage order: one search for all
        of them, each weight's token scoring its place in the list (a passage holds one token
        of a term, so its score names its weight). A search per weight cost a query's new words
        three round trips each. The passages are sorted by number alone (a passage is hit once)
        and the weights follow: sorting (number, weight) pairs cost a tenth more."""
        prefix = term + WEIGHT
        found = _guarded(self._searcher.terms_with_prefix, FIELD, prefix)
        if not found:
            return [], []
        q, schema = self._q, self._schema
        weights = [float(token[len(prefix):]) for token, _ in found]
        if len(found) == 1:
            numbers = sorted(self._hits(q.term_query(schema, FIELD, found[0][0], index_option="basic"), found[0][1]))
            return numbers, weights * len(numbers)
        import tantivy

        query = q.boolean_query([(tantivy.Occur.Should,
                                  q.const_score_query(q.term_query(schema, FIELD, token, index_option="basic"), float(k)))
                                 for k, (token, _) in enumerate(found, 1)])
        hits = self._search(query, sum(count for _, count in found))
        found_numbers = self._numbers_of(hits)
        order = sorted(range(len(found_numbers)), key=found_numbers.__getitem__)
        return [found_numbers[i] for i in order], [weights[int(hits[i][0]) - 1] for i in order]

    def _hits(self, query, limit: int) -> list[int]:
        """The passage numbers of a query's hits."""
        return self._numbers_of(self._search(query, limit))

    def _search(self, query, limit: int) -> list:
        """A query's hits, (score, address) pairs."""
        self._table()
        return _guarded(self._searcher.search, query, limit=max(limit, 1), count=False).hits

    def _numbers_of(self, hits: list) -> list[int]:
        """The passage numbers of hits, in their order."""
        numbers = self._numbers
        if len(numbers) == 1:  # one segment (most indexes): no lookup of a segment a hit
            column = numbers[0]
            return [column[a.doc] for _, a in hits]
        return [numbers[a.segment_ord][a.doc] for _, a in hits]

    def lengths(self) -> list[int]:
        addresses = self._table()
        return list(_guarded(self._searcher.fast_field_values, "length", addresses)) if addresses else []

    def stored(self, number: int) -> tuple[dict, str]:
        doc = _guarded(self._searcher.doc, self._table()[number])
        return json.loads(doc.get_first("data")), doc.get_first("norm").decode("utf-8")

    def matching(self, doc: str | None, kind: str | None) -> set[int]:
        import tantivy

        terms = [self._q.term_query(self._schema, field, value, index_option="basic")
                 for field, value in (("doc", doc), ("kind", kind)) if value]
        query = terms[0] if len(terms) == 1 else self._q.boolean_query([(tantivy.Occur.Must, q) for q in terms])
        return set(self._hits(query, self.doc_count()))

    def doc_count(self) -> int:
        return _guarded(lambda: self._searcher.num_docs)

    def close(self) -> None:
        self._searcher = self._index = None
        self._addresses, self._numbers = None, []
        if self._copy is not None:
            self._copy.cleanup()
            self._copy = None


class Tantivy:
    """The tantivy engine kind (kb.store.engine.EngineKind)."""

    name = NAME
    prepare = staticmethod(prepare)

    def open(self, gen: Path) -> TantivyEngine:
        return TantivyEngine(gen)

    def create(self, building: Path, procs: int = 1) -> TantivyWriter:
        import tantivy

        folder = building / FOLDER
        folder.mkdir()
        return TantivyWriter(_guarded(tantivy.Index, schema(), path=str(folder), reuse=False), 0, procs)

    def extend(self, building: Path, live: Path, own: frozenset[str]) -> TantivyWriter:
        """tantivy never rewrites a segment file (deletions go in files of their own, its table
        is replaced whole): the live generation's are hard-linked, so an update costs what it
        changes. `own` (the store's files) lie beside the engine's folder, not in it."""
        import tantivy

        folder = building / FOLDER
        folder.mkdir()
        for f in (live / FOLDER).iterdir():
            if f.name not in LOCKS and f.is_file():
                os.link(f, folder / f.name)
        index = _guarded(tantivy.Index.open, str(folder))
        _guarded(index.config_reader, reload_policy="Manual")
        searcher = _guarded(index.searcher)
        last = _guarded(searcher.search, tantivy.Query.all_query(), limit=1, count=False,
                        order_by_field="seq", order=tantivy.Order.Desc).hits if searcher.num_docs else []
        return TantivyWriter(index, (last[0][0] + 1) if last else 0, 1)

    def files(self, gen: Path, data_only: bool = False) -> list[Path]:
        """tantivy's table (meta.json, .managed.json) and segment files; with data_only the
        segments alone (postings, fast fields, stored fields)."""
        folder = gen / FOLDER
        table = {"meta.json", ".managed.json"}
        return sorted(f for f in folder.iterdir() if f.is_file() and f.name not in LOCKS
                      and (f.name not in table if data_only else True))
