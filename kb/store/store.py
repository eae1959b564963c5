"""IndexStore: an index directory as kb reads and writes it, in passages, terms and scores.

It joins the store's parts: generations (kb.store.generations) for the swap and the writer
lock, passage records and the manifest (kb.store.records), the character pairs spelling
reads (kb.spelling), BM25 (kb.store.scoring), and an engine (kb.store.engine) for postings,
lengths, filters and stored fields. Only this package imports an engine.
"""

from __future__ import annotations

import json
import shutil
import struct
import time
import zlib
from collections import Counter
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Callable, Hashable, Iterable, Iterator, NamedTuple, TypeVar

from ..errors import IndexCorruptError, KbError
from ..model import Passage
from ..processes import stop_if_interrupted, stoppable
from ..spelling import PAIRS as CHAR_PAIRS, Speller, add_pairs, read_pair_counts, subtract, write_pairs
from . import engines, frequent, scoring, vectors, vocabulary
from .vectors import Vectors
from .engine import Engine, EngineKind, EngineWriter
from .fields import Prepared, analyse, prepare, prepared, terms
from .generations import WRITER_WAIT, Generations, live_name, write_error
from .records import (META, PASSAGES, Manifest, changed_files, count_lines, file_sums, line_doc, read_lines,
                      read_passages, searchable_text, text_part)

FORMAT = 5  # 5: kb analyses, the engine is given tokens, vocabulary.tsv; 4: passages carry the file's own text (original)
STORE_FILES = frozenset({PASSAGES, META, CHAR_PAIRS, vocabulary.VOCABULARY, frequent.FREQUENT, *vectors.FILES})  # a generation's files that are the store's, not the engine's

T = TypeVar("T")

# Postings a query's terms hold from which they are scored with numpy (a large library's
# common terms); below it, plain Python is faster than numpy's per-call cost. Both give the
# same BM25 (tests/test_index.py). numpy's cost grows with the index (it passes over every
# passage once), so a smaller index goes to numpy from fewer postings: from one for every
# VECTOR_PER passages, at least VECTOR_MIN. Measured per query, Python against numpy: DRCD
# (1,157 passages) 100-300 postings 58 / 57 µs, 300-1,000 130 / 72 µs; CMRC 200-400 72 / 55 µs,
# under 100 25 / 41 µs; x100 (14,341) 200-400 186 / 130 µs.
VECTOR_FROM = 2000
VECTOR_MIN = 200
VECTOR_PER = 50
POSTING_CACHE = 4096  # terms whose posting lists a searcher keeps in memory
STORED_CACHE = 4096  # passages a searcher keeps decoded (a candidate's stored fields cost ~60 µs to read)
DERIVED_CACHE = 1024  # what the query path made of a generation and kept (kept()): queries' plans

# Told how far a write has come: ("indexing", new passages written so far), then ("saving", all
# of them) while the engine commits and the generation is swapped in.
Written = Callable[[str, int], None]


OPTIONAL = frozenset({CHAR_PAIRS})  # a generation's files a reader does without (kb.spelling)


def _corrupt(root: Path, what: str) -> IndexCorruptError:
    return IndexCorruptError(f"index at {root} is corrupt ({what}); rebuild it with `kb index --full`")


def _stop(writer: EngineWriter | None) -> None:
    if writer is not None:
        writer.stop()


def _close(ready: Iterator | None) -> None:
    """Close a failed build's analysis now (kb.store.fields.prepared): its pool's workers end
    here, not whenever the generator is collected (the traceback keeps it alive, and exiting
    Python waits for every worker still running)."""
    close = getattr(ready, "close", None)
    if close is not None:
        close()


class Candidate(NamedTuple):
    """A passage the engine matched, its engine score and its normalised text; and its text
    normalised, the start of `norm` (None for a spun passage): what a highlight reads, without
    converting the text again (kb.store.records.text_part), read off once per passage read
    rather than at every query that shows it. A tuple: a query makes twenty of them, and a
    frozen dataclass's __init__ sets each field through object.__setattr__."""

    passage: Passage
    score: float
    norm: str
    text_norm: str | None


class IndexStore:
    """A generation-swapped index directory."""

    def __init__(self, root: Path, engine: str | None = None, dense: bool | None = None):
        """`engine`: the engine a new generation is written with (kb.store.engines); by
        default the live generation's, else $KB_ENGINE's, else whoosh. Readers always open a
        generation with the engine its manifest names. `dense`: whether a new generation keeps
        passage vectors (kb.dense); by default as the live generation does. (EngineMissingError
        or DenseMissingError at once when what is asked for is not installed, before any file
        is read.)"""
        self.root = Path(root)
        self.generations = Generations(self.root)
        if engine is not None:
            engines.kind(engine)
        if dense:
            from ..dense import require

            require()
        self._asked = engine
        self._asked_dense = dense
        self._vectors: Vectors | None | bool = False  # False: not read yet
        self._engine: Engine | None = None
        self._manifest: Manifest | None = None
        self._gen: Path | None = None
        self._df: Counter | None = None
        self._vocab: frozenset[str] | None = None
        self._speller: Speller | None = None
        self._lens: tuple[list[int], float] | None = None
        self._posting_cache: dict[str, tuple[list[int], list[float]]] = {}
        self._stored_cache: dict[int, tuple[Passage, str, str | None]] = {}
        self._np_cache: dict = {}
        self._np_lengths = None
        self._np_order = None
        self._norms: tuple = (None, [])  # (k1, b) and each passage's BM25 length normalisation
        self._np_norms: tuple = (None, None)  # the same as a numpy array
        self._np_divisors: dict = {}  # each term's BM25 divisors under those norms (_np_divisor)
        self._doc_order: list[int] | None = None
        self._derived: dict[Hashable, object] = {}
        self._frequent: frequent.Frequent | None | bool = False  # False: not read yet

    # --- reading -----------------------------------------------------------

    def exists(self) -> bool:
        return self.generations.exists()

    @property
    def generation(self) -> Path:
        """The generation this store reads. When a writer has collected it (two updates while
        a long-lived reader held it), the store lets go of it and reads the live one."""
        if self._gen is not None and not self._gen.is_dir():
            self.close()
        if self._gen is None:
            self._gen = self.generations.live()
        return self._gen

    def live_changed(self) -> bool | None:
        """Whether `kb index` has swapped in another generation than the one this store reads
        (None when that cannot be told just now). Raises IndexMissingError when the index is gone."""
        return self.generations.live_changed(lambda: self.generation)

    # How often a reader goes on to the live generation when the one it read CURRENT for is
    # collected as it opens it (two updates in between: kb.store.generations.collect)
    SUPERSEDED_RETRIES = 3

    def _superseded(self) -> bool:
        """Whether the generation this store was opening is no longer the live one (collected
        or replaced under it): then what it found there says nothing of the index."""
        gen = self._gen
        if gen is None or not gen.is_dir():
            return True
        try:
            return live_name(self.root) != gen.name
        except OSError:
            return False

    def _from_live(self, read: Callable[[], object]):
        """`read()`, again from the live generation when the one it read was collected or
        replaced as it read it (IndexCorruptError then says nothing of the index)."""
        for attempt in range(self.SUPERSEDED_RETRIES + 1):
            try:
                return read()
            except IndexCorruptError:
                if attempt == self.SUPERSEDED_RETRIES or not self._superseded():
                    raise
                self.close()
        raise AssertionError("unreachable")

    @property
    def manifest(self) -> Manifest:
        return self._from_live(self._read_manifest)

    def _read_manifest(self) -> Manifest:
        if self._manifest is None:
            try:
                manifest = Manifest.read(self.generation)
            except (OSError, ValueError) as exc:
                raise _corrupt(self.root, f"bad {META}") from exc
            # pairs.bin is spelling's statistics: without it a reader still answers (kb.spelling)
            changed = changed_files(self.generation, manifest.files or {}, full=False, optional=OPTIONAL)
            if changed:  # a file truncated, grown or gone since it was written
                raise _corrupt(self.root, f"{changed[0]} is not as it was written")
            self._manifest = manifest
        return self._manifest

    @property
    def meta(self) -> dict:
        return self.manifest.fields

    @property
    def engine_name(self) -> str:
        """The engine the live generation was written with."""
        return self.manifest.engine

    @property
    def asked_engine(self) -> str | None:
        """The engine this store was opened to write with, if one was asked for."""
        return self._asked

    @property
    def engine_kind(self) -> EngineKind:
        """The live generation's engine (EngineMissingError when it is not installed here)."""
        return engines.kind(self.engine_name, self.root)

    def _new_kind(self) -> EngineKind:
        """The engine of a full build: the one asked for, else the live generation's, else the default."""
        name = self._asked
        if name is None:
            live = self._written_manifest()
            name = live.engine if live else None
        return engines.kind(name or engines.default_name())

    def _written_manifest(self) -> Manifest | None:
        """The live generation's manifest as written, whether or not the generation's other files
        are as they were (a build that replaces a damaged generation keeps its engine and its
        vectors); None when there is none, or it is damaged too."""
        try:
            return Manifest.read(self.generation) if self.exists() else None
        except (OSError, ValueError, KbError):
            return None

    @property
    def asked_dense(self) -> bool | None:
        """Whether this store was opened to write passage vectors (None: as the live generation does)."""
        return self._asked_dense

    def _new_dense(self) -> bool:
        """Whether a full build keeps passage vectors: as asked, else as the live generation does."""
        if self._asked_dense is not None:
            return self._asked_dense
        live = self._written_manifest()
        return bool(live and live.dense)

    def vectors(self) -> Vectors | None:
        """The live generation's passage vectors (kb.dense), read once; None when it has none,
        or the model is not installed here (then it ranks as an index without them)."""
        if self._vectors is False:
            self._vectors = self._from_live(self._read_vectors)
        return self._vectors  # type: ignore[return-value]

    def _read_vectors(self) -> Vectors | None:
        from ..dense import MODEL, available

        model = self.manifest.dense
        if not model or model != MODEL or not available():
            return None
        try:
            return Vectors(self.generation)
        except (OSError, ValueError) as exc:
            raise _corrupt(self.root, f"bad {vectors.VECTORS}") from exc

    def engine(self) -> Engine:
        return self._from_live(self._open_engine)

    def _open_engine(self) -> Engine:
        if self._engine is None:
            if self.manifest.format != FORMAT:
                raise IndexCorruptError(f"index at {self.root} was built by an older kb; rebuild it with `kb index --full`")
            kind = self.engine_kind  # EngineMissingError when it is not installed: not a damaged index
            try:
                self._engine = kind.open(self.generation)
            except Exception as exc:  # an engine raises many kinds on a damaged directory
                raise _corrupt(self.root, type(exc).__name__) from exc
        return self._engine


    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        self._engine = None
        self._gen = self._manifest = None
        self._df = None
        self._vocab = None
        self._speller = None
        self._lens = None
        self._posting_cache = {}
        self._stored_cache = {}
        self._np_cache = {}
        self._np_lengths = None
        self._np_order = None
        self._norms = (None, [])
        self._np_norms = (None, None)
        self._np_divisors = {}
        self._doc_order = None
        self._derived = {}
        self._vectors = False
        if self._frequent:
            self._frequent.close()
        self._frequent = False

    def kept(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()`, kept under `key` with this generation's other caches: what a caller derives
        from the generation alone (a query's plan, read against its vocabulary), which a query
        typed again (the web page's next ten, a search after an ask) need not derive again.
        Dropped when the store lets go of the generation (an update through it, a generation
        collected under it), as its postings are; at most DERIVED_CACHE kept, the oldest going."""
        gen = self.generation  # first: a generation collected under this store drops what was kept
        derived = self._derived
        if key in derived:
            return derived[key]  # type: ignore[return-value]
        value = make()
        if self._gen is gen and derived is self._derived:  # not made across a change of generation
            if len(derived) >= DERIVED_CACHE:
                derived.pop(next(iter(derived)))
            derived[key] = value
        return value

    def passages(self) -> Iterator[Passage]:
        try:
            yield from read_passages(self.generation)
        except (OSError, ValueError, TypeError) as exc:
            raise _corrupt(self.root, f"bad {PASSAGES}") from exc

    def doc_frequency(self, term: str) -> int:
        """Passages holding the term (in text, heading, breadcrumb, or a spun text's repair)."""
        return self._frequencies().get(term, 0)

    def vocabulary(self) -> frozenset[str]:
        """Every term of the passages' text: what spelling suggestions are chosen from."""
        if self._vocab is None:
            self._vocab = frozenset(self._frequencies())
        return self._vocab

    def _frequencies(self) -> Counter:
        """The generation's vocabulary (kb.store.vocabulary), read once."""
        if self._df is None:
            if self.manifest.format != FORMAT:
                raise IndexCorruptError(f"index at {self.root} was built by an older kb; rebuild it with `kb index --full`")
            try:
                self._df = vocabulary.read(self.generation, self.manifest.vocabulary)
            except (OSError, ValueError) as exc:
                raise _corrupt(self.root, f"bad {vocabulary.VOCABULARY}") from exc
        return self._df

    def speller(self) -> Speller:
        """Spelling fixes over the live generation (kb.spelling): made once per opened store,
        each of its parts read or built on first use only."""
        if self._speller is None:
            self._speller = Speller(self, self.generation / CHAR_PAIRS)
        return self._speller

    def verify(self, full: bool = False) -> None:
        """Check that the live generation holds together: its metadata and its passages file
        agree on how many passages there are, and its vocabulary is the one written; with full, the engine agrees too and every
        term's postings and every passage's stored fields are read (opening the engine costs
        a tenth of a second at x100, which an update does not pay). Raises IndexCorruptError, or
        EngineMissingError when its engine is not installed here."""
        self.engine_kind  # noqa: B018  (installed?)
        changed = changed_files(self.generation, self.manifest.files or {}, full=full, optional=OPTIONAL)
        if changed:  # with full, every byte of every file against the checksum written with it
            raise _corrupt(self.root, f"{', '.join(changed[:3])} not as written")
        try:
            lines = count_lines(self.generation)
            self._frequencies()  # the vocabulary is the one written
            count = self.doc_count() if full else lines
            if full:
                engine = self.engine()
                for term, df in self._frequencies().items():
                    if len(self._postings(term)[0]) != df:
                        raise _corrupt(self.root, f"the engine and {vocabulary.VOCABULARY} disagree on {term!r}")
                for term in self._frequent.terms() if self._frequent else ():
                    if engine.postings(term) != self._postings(term):
                        raise _corrupt(self.root, f"the engine and {frequent.FREQUENT} disagree on {term!r}")
                for number in range(len(self._lengths()[0])):
                    Passage.from_json(engine.stored(number)[0])
                list(self.passages())
                if self.manifest.dense and len(Vectors(self.generation).row_of) != lines:
                    raise _corrupt(self.root, f"{vectors.VECTORS} and {PASSAGES} disagree")
        except IndexCorruptError:
            raise
        except Exception as exc:  # an engine raises many kinds on a damaged segment
            raise _corrupt(self.root, type(exc).__name__) from exc
        finally:
            self._posting_cache = {}
        if not lines or lines != count or lines != self.manifest.passages:
            raise _corrupt(self.root, f"{lines} passages listed, {count} indexed")

    def doc_count(self) -> int:
        return self.engine().doc_count()

    def mean_length(self) -> float:
        """The passages' mean token count, as BM25's length normalisation reads it."""
        return self._lengths()[1]

    def candidates(self, weighted_terms: dict[str, float], limit: int,
                   doc: str | None = None, kind: str | None = None,
                   k1: float = 1.2, b: float = 0.75) -> list[Candidate]:
        """Passages matching any of the terms, best BM25 first (an OR of terms, never parsed);
        k1 and b are BM25's term-frequency saturation and length normalisation.

        Scored here (kb.store.scoring) over whole posting lists instead of through an
        engine's matcher tree, whose per-posting method calls cost a hundred times more at
        x100 (see BENCHMARKS.md)."""
        try:
            lengths, average = self._lengths()
            n = len(lengths)
            allowed = self._filter(doc, kind)
            postings = {t: self._postings(t) for t in weighted_terms}
            idfs = {t: scoring.idf(n, len(ids)) * weighted_terms[t] for t, (ids, _) in postings.items() if ids}
            volume = sum(len(postings[t][0]) for t in idfs)
            order = self._order()
            if volume >= min(VECTOR_FROM, max(VECTOR_MIN, n // VECTOR_PER)):
                import numpy as np

                if self._np_lengths is None:
                    self._np_lengths = np.asarray(lengths, dtype=np.float64) / average
                    self._np_order = np.asarray(order, dtype=np.int64)
                if self._np_norms[0] != (k1, b):
                    self._np_norms = ((k1, b), k1 * (1 - b + b * self._np_lengths))
                    self._np_divisors = {}
                arrays = {t: self._np_postings(t, postings[t]) for t in idfs}
                top = scoring.top_vectorised(arrays, idfs, allowed, self._np_lengths, limit, k1, b, self._np_order,
                                             self._np_norms[1], {t: self._np_divisor(t, arrays[t]) for t in idfs})
            else:
                if self._norms[0] != (k1, b):
                    self._norms = ((k1, b), scoring.length_norms(lengths, average, k1, b))
                top = scoring.top_python(postings, idfs, allowed, lengths, average, limit, k1, b, order, self._norms[1])
            out = []
            for number, score in self._in_passage_order(top, order)[:limit]:
                passage, norm, text = self._stored(number)
                out.append(Candidate(passage, score, norm, text))
            return out
        except (KeyError, ValueError, OSError, EOFError, IndexError, zlib.error, struct.error) as exc:
            raise _corrupt(self.root, type(exc).__name__) from exc

    def _order(self) -> list[int]:
        """Each passage number's document, as its place among the generation's documents by
        name: what BM25's ties go by, so that they follow the passages and not the numbers an
        engine gave them (a single-process and a multi-process build, or two engines, number
        the same passages differently). Read once, from the passage records and the engine's
        document filter."""
        if self._doc_order is None:
            count = len(self._lengths()[0])
            docs = sorted({line_doc(line) for line in self._passage_lines()})
            order = [len(docs)] * count
            engine = self.engine()
            for place, doc in enumerate(docs):
                for number in engine.matching(doc, None):
                    if number < count:
                        order[number] = place
            self._doc_order = order
        return self._doc_order

    def _in_passage_order(self, top: list[tuple[int, float]], order: list[int]) -> list[tuple[int, float]]:
        """Passages of one document tied in score, put in their order in the document (an
        engine may number a document's passages out of it, as whoosh's writer processes did,
        taking batches of passages of which a document could straddle two)."""
        out, i = list(top), 0
        while i < len(out):
            j = i + 1
            while j < len(out) and out[j][1] == out[i][1] and order[out[j][0]] == order[out[i][0]]:
                j += 1
            if j - i > 1:
                out[i:j] = sorted(out[i:j], key=lambda ns: self._place_in_doc(ns[0]))
            i = j
        return out

    def _place_in_doc(self, number: int) -> tuple[int, int, str]:
        p = self._stored(number)[0]
        return p.line_start, p.line_end, p.id

    def _stored(self, number: int) -> tuple[Passage, str, str | None]:
        """A passage, its normalised text and that text's start that is the passage's own
        (text_part), decoded once per opened generation rather than at every query that ranks
        it (Passage is frozen: the hits of two queries may share it)."""
        cached = self._stored_cache.get(number)
        if cached is None:
            data, norm = self.engine().stored(number)
            passage = Passage.from_json(data)
            cached = (passage, norm, text_part(passage, norm))
            if len(self._stored_cache) >= STORED_CACHE:
                self._stored_cache.pop(next(iter(self._stored_cache)))
            self._stored_cache[number] = cached
        return cached

    def _np_divisor(self, term: str, arrays: tuple):
        """The term's BM25 divisors (kb.store.scoring.divisors) under the (k1, b) last scored
        with, kept with its postings: a fifth of numpy's scoring of a term, made once a term."""
        cached = self._np_divisors.get(term)
        if cached is None:
            if len(self._np_divisors) >= POSTING_CACHE:
                self._np_divisors.pop(next(iter(self._np_divisors)))
            cached = self._np_divisors[term] = scoring.divisors(arrays, self._np_norms[1])
        return cached

    def _np_postings(self, term: str, lists: tuple[list[int], list[float]]):
        cached = self._np_cache.get(term)
        if cached is None:
            import numpy as np

            if len(self._np_cache) >= POSTING_CACHE:
                self._np_cache.pop(next(iter(self._np_cache)))
            cached = self._np_cache[term] = (np.asarray(lists[0], dtype=np.int64), np.asarray(lists[1], dtype=np.float64))
        return cached

    def _lengths(self) -> tuple[list[int], float]:
        """Each passage's token count (for BM25's length normalisation), read once."""
        if self._lens is None:
            lens = [scoring.kept_length(n) for n in self.engine().lengths()]
            self._lens = (lens, (sum(lens) / len(lens)) if lens and sum(lens) else 1.0)
        return self._lens

    def _postings(self, term: str) -> tuple[list[int], list[float]]:
        """A term's posting list (passage numbers, weights), read once and kept: a frequent
        term's from the generation's file of them (kb.store.frequent), the others' from the engine."""
        cached = self._posting_cache.get(term)
        if cached is not None:
            return cached
        arrays = self._frequent_postings(term)
        if arrays is None:
            ids, weights = self.engine().postings(term)
        else:
            ids, weights = arrays[0].tolist(), arrays[1].tolist()
            if len(self._np_cache) >= POSTING_CACHE:
                self._np_cache.pop(next(iter(self._np_cache)))
            self._np_cache[term] = (arrays[0].astype("int64"), arrays[1].astype("float64"))
        if len(self._posting_cache) >= POSTING_CACHE:
            self._posting_cache.pop(next(iter(self._posting_cache)))
        self._posting_cache[term] = (ids, weights)
        return ids, weights

    def _frequent_postings(self, term: str):
        """The term's postings as arrays from the generation's file of frequent terms' (None
        when it is not one of them, or the generation has no such file)."""
        if self._frequent is False:
            gen = self.generation
            try:
                self._frequent = frequent.read(gen) if frequent.FREQUENT in (self.manifest.files or {}) else None
            except (OSError, ValueError) as exc:
                raise _corrupt(self.root, f"bad {frequent.FREQUENT}") from exc
        if self._frequent is None:
            return None
        try:
            return self._frequent.get(term)
        except ValueError as exc:
            raise _corrupt(self.root, f"bad {frequent.FREQUENT}") from exc

    def _filter(self, doc: str | None, kind: str | None) -> set[int] | None:
        if not doc and not kind:
            return None
        return self.engine().matching(doc, kind)

    # --- writing -----------------------------------------------------------

    @contextmanager
    def writing(self, wait: float = WRITER_WAIT, waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the index's writer lock: writers take turns, readers never take it. Waits up to
        `wait` seconds for another writer (calling `waiting` once if it has to), then raises
        IndexBusyError; re-entrant within a process. The store re-reads the live generation
        once the lock is held: what another writer made meanwhile is what this one builds on."""
        with self.generations.writing(wait, waiting, held=self.close), stoppable():
            yield

    def preparer(self) -> Callable[[Passage], Prepared]:
        """What a new generation's engine needs of a passage (kb.store.fields.prepare): for a
        build that analyses passages where it reads them (in its own worker processes) and
        hands them to `write(..., analysed=True)`. Ask it with the writer lock held."""
        return partial(prepare, self._new_kind().prepare)

    def write(self, passages: Iterable, meta: dict | Callable[[], dict], procs: int = 1,
              progress: Written | None = None, analysed: bool = False) -> Path:
        """Write a new generation holding these passages and make it live; returns its directory.

        The passages are written as they come (an iterator is never listed whole, so a build
        can stream them as it reads its files). With procs > 1, passages are analysed in that
        many processes (kb.store.fields), and the engine writes with as many where it can.
        With `analysed`, `passages` yields (Passage, Prepared) pairs already made by
        `preparer()`. `meta` may be a function, called once every passage is written (a
        streamed build knows its catalog only then). `progress` is told ("indexing", n) after
        each passage and ("saving", n) before the commit."""
        with self.writing():
            kind = self._new_kind()
            return self._new_generation(kind, lambda gen: kind.create(gen, procs), passages, set(), meta,
                                        procs=procs, progress=progress, analysed=analysed, dense=self._new_dense())

    def update(self, remove_docs: set[str], passages: Iterable[Passage], meta: dict,
               progress: Written | None = None) -> Path:
        """A new generation = the live one without `remove_docs`, plus these passages.

        The engine starts from the live generation's files (hard-linked when it can), so an
        update costs what it changes, and readers of the live generation see nothing until
        the swap."""
        with self.writing():
            return self._update(remove_docs, passages, meta, progress)

    def _update(self, remove_docs: set[str], passages: Iterable[Passage], meta: dict,
                progress: Written | None = None) -> Path:
        live = self.generation
        kept: list[bytes] = []
        removed: list[bytes] = []
        for line in self._passage_lines():
            (removed if line_doc(line) in remove_docs else kept).append(line)
        pairs = self._kept_pairs(kept, removed)
        counts = self._kept_frequencies(kept, removed)
        kind = self.engine_kind
        return self._new_generation(kind, lambda gen: kind.extend(gen, live, STORE_FILES),
                                    passages, remove_docs, meta, kept=kept, pairs=pairs, counts=counts,
                                    progress=progress, dense=bool(self.manifest.dense))

    def _kept_frequencies(self, kept: list[bytes], removed: list[bytes]) -> Counter:
        """The kept passages' document frequencies: the live generation's less the removed
        passages' (analysed again), or counted afresh from the kept ones when those do not add up."""
        try:
            counts = vocabulary.read(self.generation, self.manifest.vocabulary)
        except (OSError, ValueError):
            counts = None
        if counts is not None and vocabulary.subtract(counts, self._frequencies_of(removed)):
            return counts
        return self._frequencies_of(kept)

    def _frequencies_of(self, lines: list[bytes]) -> Counter:
        counts: Counter = Counter()
        for passage in self._parsed(lines):
            counts.update(terms(analyse(passage)))
        return counts

    def _parsed(self, lines: list[bytes]) -> Iterator[Passage]:
        """The passages of passages.jsonl lines (IndexCorruptError for a line that is not one)."""
        try:
            for line in lines:
                yield Passage.from_json(json.loads(line))
        except (ValueError, TypeError) as exc:
            raise _corrupt(self.root, f"bad {PASSAGES}") from exc

    def _kept_pairs(self, kept: list[bytes], removed: list[bytes]) -> Counter:
        """The character pairs of the kept passages' text (kb.spelling): the live generation's
        counts less the removed passages', so an update costs what it changes. Counted afresh
        from the kept passages when the live generation has no counts (an older kb built it)
        or they do not hold what is removed."""
        counts = read_pair_counts(self.generation / CHAR_PAIRS)
        if counts is not None and subtract(counts, self._pairs_of(removed)):
            return counts
        return self._pairs_of(kept)

    def _pairs_of(self, lines: list[bytes]) -> Counter:
        counts: Counter = Counter()
        for passage in self._parsed(lines):
            add_pairs(counts, searchable_text(passage))
        return counts

    def _passage_lines(self) -> list[bytes]:
        try:
            return read_lines(self.generation)
        except OSError as exc:
            raise _corrupt(self.root, f"bad {PASSAGES}") from exc

    def _write_vectors(self, gen: Path, kept: list[bytes], fresh: list[Passage], progress: Written) -> str:
        """The vectors of the kept passages (the live generation's rows, or embedded again when
        it has none of them) and of the new ones, in passages.jsonl's order; returns the model."""
        import numpy as np

        from ..dense import MODEL, embed_passages

        kept_passages = list(self._parsed(kept))
        rows = None
        if kept_passages:
            try:  # read whether or not the model is here: a removal embeds nothing
                if self.manifest.dense == MODEL:
                    rows = Vectors(self.generation).of([p.id for p in kept_passages])
            except (KbError, KeyError, OSError, ValueError):  # not of every passage: all embedded anew
                rows = None
            if rows is None:
                fresh, kept_passages = kept_passages + fresh, []
        new = None
        if fresh:
            progress("embedding", len(fresh))
            new = embed_passages(fresh, lambda n: stop_if_interrupted())
        parts = [r for r in (rows, new) if r is not None]
        vectors.write(gen, [p.id for p in kept_passages + fresh], np.vstack(parts) if parts else np.zeros((0, 0)))
        return MODEL

    @staticmethod
    def _write_frequent(kind: EngineKind, gen: Path, counts: Counter) -> None:
        """The frequent terms' postings (kb.store.frequent), read back from the committed engine:
        1.0 s of CPU at x100 (tantivy; whoosh 1.4 s), 2-3% of a build. A full build writes them; an
        update does not (its generation is read from the engine, as before): it would pay that
        whatever it changed, where an update now costs 0.6 s at x100."""
        engine = kind.open(gen)
        try:
            frequent.write(gen, counts, engine.postings)
        finally:
            engine.close()

    def _new_generation(self, kind: EngineKind, start: Callable[[Path], EngineWriter], passages: Iterable[Passage],
                        remove_docs: set[str], meta: dict | Callable[[], dict], procs: int = 1,
                        kept: list[bytes] = (), pairs: Counter | None = None, counts: Counter | None = None,
                        progress: Written | None = None, analysed: bool = False, dense: bool = False) -> Path:
        """Build a generation beside the live one and swap it in. `pairs` and `counts`: the
        kept passages' character pairs (kb.spelling) and document frequencies, to which the
        new passages' are added. With `dense`, it keeps a vector of each passage (kb.dense)."""
        pairs = Counter() if pairs is None else pairs
        counts = Counter() if counts is None else counts
        progress = progress or (lambda phase, n: None)
        gen = self.generations.building()
        writer: EngineWriter | None = None
        ready_passages = None
        fresh: list[Passage] = []  # the new passages, for their vectors
        try:
            writer = start(gen)
            for doc in sorted(remove_docs):
                writer.delete_doc(doc)
            progress("indexing", 0)
            with open(gen / PASSAGES, "wb") as out:
                out.writelines(kept)  # the JSON lines of the passages kept, copied as they are
                count = len(kept)
                ready_passages = iter(passages) if analysed else prepared(passages, kind.prepare, procs)
                for p, ready in ready_passages:
                    out.write(ready.record + b"\n")
                    writer.add(p, ready.value, ready.record, ready.norm)
                    if dense:
                        fresh.append(p)
                    stop_if_interrupted()
                    add_pairs(pairs, ready.norm)
                    counts.update(ready.terms)
                    count += 1
                    progress("indexing", count - len(kept))
            progress("saving", count - len(kept))
            writer.commit()
            stop_if_interrupted()
            if not kept and not remove_docs:  # a full build (an update would pay for every frequent term)
                self._write_frequent(kind, gen, counts)
            write_pairs(gen / CHAR_PAIRS, pairs)
            digest = vocabulary.write(gen, counts)
            model = self._write_vectors(gen, kept, fresh, progress) if dense else ""
            meta = meta() if callable(meta) else meta
            Manifest(FORMAT, count, time.time(), meta, digest, file_sums(gen), kind.name, model).write(gen)
            stop_if_interrupted()  # the last moment a Ctrl+C leaves the index as it was
            final = self.generations.publish(gen)
        except OSError as exc:  # a full disk, a folder made read-only: the live index stays
            _close(ready_passages)
            _stop(writer)
            shutil.rmtree(gen, ignore_errors=True)
            raise write_error(self.root, exc) from exc
        except BaseException:
            _close(ready_passages)
            _stop(writer)
            shutil.rmtree(gen, ignore_errors=True)
            raise
        self.close()
        self.generations.collect()
        return final


