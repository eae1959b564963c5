"""Index: the on-disk store of passages, and the only module that knows whoosh.

Layout of an index directory:

    index/
      CURRENT            name of the live generation (replaced atomically)
      HIGHEST            the highest generation number ever made live (written after CURRENT)
      gen-000003/        whoosh segment files, passages.jsonl, meta.json, pairs.bin
      gen-000002/        the previous generation, kept for readers still on it

A build writes a new generation beside the live one and then swaps CURRENT, so
a failed build never breaks the index and a reader never sees half of one.
Generation numbers only grow: a CURRENT older than HIGHEST (put back from a backup,
or edited by hand) is noticed, not served as if it were the index.
Swapping whoosh for another engine means rewriting this module only: the rest of
kb talks to `IndexStore` in passages, terms and scores.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
import shutil
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .analysis import normalise_text
from .lexicon import repair
from .errors import IndexBusyError, IndexCorruptError, IndexMissingError, IndexRolledBackError, IndexWriteError
from .model import Passage
from .processes import stop_if_interrupted
from .rankdata import table
from .spelling import PAIRS as CHAR_PAIRS, Speller, add_pairs, read_pair_counts, subtract, write_pairs

CURRENT = "CURRENT"
HIGHEST = "HIGHEST"
WRITER_LOCK = ".kb-writer.lock"  # held by the one process writing the index (IndexStore.writing)
WRITER_WAIT = 300.0  # seconds a writer waits for another before giving up with a clear message
META = "meta.json"
PASSAGES = "passages.jsonl"
FORMAT = 4  # 4: passages carry the file's own text (original); 3: passages in overlapping windows, no title line, pairs.bin

# Postings a query's terms hold from which they are scored with numpy (a large library's
# common terms); below it, plain Python is faster than numpy's per-call cost. Both give the
# same BM25 (tests/test_index.py).
VECTOR_FROM = 2000
POSTING_CACHE = 4096  # terms whose posting lists a searcher keeps in memory
STORED_CACHE = 4096  # passages a searcher keeps decoded (a candidate's stored fields cost ~60 µs to read)
# Weight of a passage's parts in its one indexed field: a query word in a section's own
# heading says more than one in its body, one in the breadcrumb less.
PART_BOOSTS = tuple(table("fields")[part] for part in ("body", "heading", "breadcrumb", "repaired"))


def _number(name: str) -> int | None:
    """A generation's number: gen-000012 -> 12."""
    digits = name[4:]
    return int(digits) if name.startswith("gen-") and digits.isdigit() else None


def _stop_workers(writer) -> None:
    """End a failed or interrupted build's index writer processes before its folder is removed:
    one still running (forked as Ctrl+C landed) would write into the removed folder, or
    print its traceback on finding it gone."""
    for task in getattr(writer, "tasks", ()):
        try:
            task.kill()
            task.join(5)
        except Exception:  # already gone, or never started
            pass


def _schema():
    from whoosh.fields import ID, STORED, TEXT, Schema

    from .whoosh_analysis import KbFieldedTokenizer

    return Schema(
        id=ID(stored=True, unique=True),
        doc=ID(stored=True),
        kind=ID(stored=True),
        text=TEXT(analyzer=KbFieldedTokenizer(PART_BOOSTS), phrase=True),
        norm=STORED(),
        data=STORED(),
    )


def searchable_text(p: Passage) -> str:
    """What coverage and proximity read: the normalised text, and for a spun document its
    repaired form as well (so 投诉 is found where the page says 赞扬); then the breadcrumb,
    because where a passage stands (化訴為金 › 第三單元) is part of what it is; then the
    typical questions a trainer wrote for it, if any (kb/questions.py)."""
    norm = normalise_text(p.text)
    if p.spun:
        norm += "\n" + repair(norm)[0]
    norm += "\n" + normalise_text(" › ".join(p.section))
    return norm + "".join("\n" + normalise_text(q) for q in p.questions)


def _line_doc(line: bytes) -> str:
    """The document of a passages.jsonl line, read from its leading id without parsing it all:
    the id up to its last '#' (a file name may hold one), unless JSON escaped the id."""
    if line.startswith(b'{"id": "'):
        pid = line[8: line.find(b'"', 8)]
        if b"#" in pid and b"\\" not in pid:
            return pid.rpartition(b"#")[0].decode("utf-8")
    return json.loads(line)["doc"]


def _fields(p: Passage, data: dict) -> dict:
    """A passage as whoosh fields: its parts joined for the one analysed field (see
    KbFieldedTokenizer), filters, and what search reads back."""
    from .whoosh_analysis import PART_SEPARATOR

    parts = (p.text, "\n".join((*p.headings, *p.questions)), "\n".join(p.section), p.text if p.spun else "")
    return dict(id=p.id, doc=p.doc, kind=p.kind, text=PART_SEPARATOR.join(parts),
                norm=searchable_text(p), data=data)


# Told how far a write has come: ("indexing", new passages written so far), then ("saving", all
# of them) while the engine commits and the generation is swapped in.
Written = Callable[[str, int], None]

_HELD: dict[str, int] = {}  # index roots whose writer lock this process holds, and how deep


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


def _top_python(postings, idfs, allowed, lengths, average, limit: int, k1: float, b: float) -> list[tuple[int, float]]:
    """BM25 over the terms' postings (passage number, weight): the `limit` best (passage, score),
    best first, a tie going to the lower passage number."""
    import heapq

    scores: dict[int, float] = {}
    for term, idf in idfs.items():
        ids, weights = postings[term]
        for docnum, tf in zip(ids, weights):
            if allowed is not None and docnum not in allowed:
                continue
            norm = k1 * (1 - b + b * (lengths[docnum] / average))
            scores[docnum] = scores.get(docnum, 0.0) + idf * tf * (k1 + 1) / (tf + norm)
    return heapq.nlargest(limit, scores.items(), key=lambda kv: (kv[1], -kv[0]))


@dataclass(frozen=True)
class Candidate:
    """A passage the engine matched, its engine score and its normalised text."""

    passage: Passage
    score: float
    norm: str


class IndexStore:
    """A generation-swapped whoosh index directory."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._ix = None
        self._searcher = None
        self._meta: dict | None = None
        self._gen: Path | None = None
        self._vocab: frozenset[str] | None = None
        self._speller: Speller | None = None
        self._lens: tuple[list[int], float] | None = None
        self._posting_cache: dict[str, tuple[list[int], list[float]]] = {}
        self._stored_cache: dict[int, tuple[Passage, str]] = {}
        self._np_cache: dict = {}
        self._np_lengths = None

    # --- reading -----------------------------------------------------------

    def exists(self) -> bool:
        return (self.root / CURRENT).is_file()

    @property
    def generation(self) -> Path:
        """The generation this store reads. When a writer has collected it (two updates while
        a long-lived reader held it), the store lets go of it and reads the live one."""
        if self._gen is not None and not self._gen.is_dir():
            self.close()
        if self._gen is None:
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
            self._gen = gen
        return self._gen

    def _highest(self) -> int:
        """The highest generation number made live here (0 when none was recorded)."""
        try:
            return int((self.root / HIGHEST).read_text("utf-8").strip() or 0)
        except (OSError, ValueError):  # none yet (an index kb wrote before HIGHEST), or unreadable
            return 0

    @property
    def meta(self) -> dict:
        if self._meta is None:
            try:
                meta = json.loads((self.generation / META).read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise IndexCorruptError(f"index at {self.root} is corrupt (bad {META}); rebuild it with `kb index --full`") from exc
            self._meta = meta
        return self._meta

    def searcher(self):
        if self._searcher is None:
            if self.meta.get("format") != FORMAT:
                raise IndexCorruptError(f"index at {self.root} was built by an older kb; rebuild it with `kb index --full`")
            from whoosh import index as windex
            from whoosh import scoring

            try:
                self._ix = windex.open_dir(str(self.generation))
                self._searcher = self._ix.searcher(weighting=scoring.BM25F())
            except Exception as exc:  # whoosh raises many kinds on a damaged directory
                raise IndexCorruptError(f"index at {self.root} is corrupt ({type(exc).__name__}); rebuild it with `kb index --full`") from exc
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = self._ix = None
        self._gen = self._meta = None
        self._vocab = None
        self._speller = None
        self._lens = None
        self._posting_cache = {}
        self._stored_cache = {}
        self._np_cache = {}
        self._np_lengths = None

    def passages(self) -> Iterator[Passage]:
        try:
            with open(self.generation / PASSAGES, encoding="utf-8") as f:
                for line in f:
                    yield Passage.from_json(json.loads(line))
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorruptError(f"index at {self.root} is corrupt (bad {PASSAGES}); rebuild it with `kb index --full`") from exc

    def doc_frequency(self, term: str) -> int:
        """Passages holding the term (in text, heading, breadcrumb, or a spun text's repair)."""
        return self.searcher().doc_frequency("text", term)

    def vocabulary(self) -> frozenset[str]:
        """Every term of the passages' text: what spelling suggestions are chosen from."""
        if self._vocab is None:
            s = self.searcher()
            words: set[str] = set()
            words.update(t.decode("utf-8") if isinstance(t, bytes) else t for t in s.lexicon("text"))
            self._vocab = frozenset(words)
        return self._vocab

    def speller(self) -> Speller:
        """Spelling fixes over the live generation (kb.spelling): made once per opened store,
        each of its parts read or built on first use only."""
        if self._speller is None:
            self._speller = Speller(self, self.generation / CHAR_PAIRS)
        return self._speller

    def verify(self, full: bool = False) -> None:
        """Check that the live generation holds together: its metadata and its passages file
        agree on how many passages there are; with full, the engine agrees too and every
        term's postings and every passage's stored fields are read (opening the engine costs
        a tenth of a second at x100, which an update does not pay). Raises IndexCorruptError."""
        try:
            with open(self.generation / PASSAGES, "rb") as f:
                lines = sum(1 for line in f if line.strip())
            count = self.doc_count() if full else lines
            if full:
                searcher = self.searcher()
                for term in list(searcher.reader().lexicon("text")):
                    self._postings(term.decode("utf-8") if isinstance(term, bytes) else term)
                for docnum in range(searcher.reader().doc_count_all()):
                    Passage.from_json(searcher.stored_fields(docnum)["data"])
                list(self.passages())
        except IndexCorruptError:
            raise
        except Exception as exc:  # whoosh raises many kinds on a damaged segment
            raise IndexCorruptError(f"index at {self.root} is corrupt ({type(exc).__name__}); "
                                    f"rebuild it with `kb index --full`") from exc
        finally:
            self._posting_cache = {}
        if not lines or lines != count or lines != self.meta.get("passages"):
            raise IndexCorruptError(f"index at {self.root} is corrupt ({lines} passages listed, {count} indexed); "
                                    f"rebuild it with `kb index --full`")

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def candidates(self, weighted_terms: dict[str, float], limit: int,
                   doc: str | None = None, kind: str | None = None,
                   k1: float = 1.2, b: float = 0.75) -> list[Candidate]:
        """Passages matching any of the terms, best BM25 first (an OR of terms, never parsed);
        k1 and b are BM25's term-frequency saturation and length normalisation.

        Scored here over whole posting blocks instead of through whoosh's matcher tree, whose
        per-posting method calls cost a hundred times more at x100 (see BENCHMARKS.md)."""
        import math

        try:
            searcher = self.searcher()
            lengths, average = self._lengths()
            n = len(lengths)
            allowed = self._filter(doc, kind)
            postings = {t: self._postings(t) for t in weighted_terms}
            idfs = {t: (math.log(n / (len(ids) + 1)) + 1) * weighted_terms[t]  # whoosh's BM25F idf
                    for t, (ids, _) in postings.items() if ids}
            volume = sum(len(postings[t][0]) for t in idfs)
            if volume >= VECTOR_FROM:
                top = self._top_vectorised(postings, idfs, allowed, limit, k1, b)
            else:
                top = _top_python(postings, idfs, allowed, lengths, average, limit, k1, b)
            out = []
            for docnum, score in top:
                passage, norm = self._stored(searcher, docnum)
                out.append(Candidate(passage, score, norm))
            return out
        except (KeyError, ValueError, OSError, EOFError, IndexError, zlib.error, struct.error) as exc:
            raise IndexCorruptError(f"index at {self.root} is corrupt ({type(exc).__name__}); "
                                    f"rebuild it with `kb index --full`") from exc

    def _stored(self, searcher, docnum: int) -> tuple[Passage, str]:
        """A passage and its normalised text, decoded once per opened generation rather than
        at every query that ranks it (Passage is frozen: the hits of two queries may share it)."""
        cached = self._stored_cache.get(docnum)
        if cached is None:
            fields = searcher.stored_fields(docnum)
            cached = (Passage.from_json(fields["data"]), fields["norm"])
            if len(self._stored_cache) >= STORED_CACHE:
                self._stored_cache.pop(next(iter(self._stored_cache)))
            self._stored_cache[docnum] = cached
        return cached

    def _top_vectorised(self, postings, idfs, allowed, limit: int, k1: float, b: float) -> list[tuple[int, float]]:
        """The same BM25 as _top_python, each term's postings scored as one numpy operation:
        a large index's common terms (客户 in most passages) cost a pass over most of it."""
        import numpy as np

        if self._np_lengths is None:
            lengths, average = self._lengths()
            self._np_lengths = np.asarray(lengths, dtype=np.float64) / average
        rel = self._np_lengths
        scores = np.zeros(len(rel))
        for term, idf in idfs.items():
            ids, tfs = self._np_postings(term, postings[term])
            norm = k1 * (1 - b + b * rel[ids])
            scores[ids] += idf * tfs * (k1 + 1) / (tfs + norm)
        if allowed is not None:
            keep = np.zeros(len(rel), dtype=bool)
            keep[list(allowed)] = True
            scores[~keep] = 0.0
        hit = np.flatnonzero(scores > 0)
        if len(hit) > limit:  # every passage scoring at least the limit-th best: ties included
            kth = np.partition(scores[hit], len(hit) - limit)[len(hit) - limit]
            hit = hit[scores[hit] >= kth]
        order = np.lexsort((hit, -scores[hit]))[:limit]  # best score first, then the lower number
        return [(int(hit[i]), float(scores[hit[i]])) for i in order]

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
            reader = self.searcher().reader()
            lens = [reader.doc_field_length(i, "text", 0) or 0 for i in range(reader.doc_count_all())]
            self._lens = (lens, (sum(lens) / len(lens)) if lens and sum(lens) else 1.0)
        return self._lens

    def _postings(self, term: str) -> tuple[list[int], list[float]]:
        """A term's posting list (passage numbers, weights), read block by block and kept."""
        cached = self._posting_cache.get(term)
        if cached is not None:
            return cached
        ids: list[int] = []
        weights: list[float] = []
        for leaf, offset in self.searcher().reader().leaf_readers():
            if ("text", term) not in leaf:
                continue
            m = leaf.postings("text", term)
            if hasattr(m, "_read_ids"):  # whoosh 2.7's W3LeafMatcher: a block at a time
                while not m._atend:
                    m._read_ids()
                    m._read_weights()
                    ids.extend(m._ids if not offset else [i + offset for i in m._ids])
                    weights.extend(m._weights)
                    m._next_block()
            else:  # any other matcher: one posting at a time
                while m.is_active():
                    ids.append(m.id() + offset)
                    weights.append(m.weight())
                    m.next()
        if len(self._posting_cache) >= POSTING_CACHE:
            self._posting_cache.pop(next(iter(self._posting_cache)))
        self._posting_cache[term] = (ids, weights)
        return ids, weights

    def _filter(self, doc: str | None, kind: str | None) -> set[int] | None:
        if not doc and not kind:
            return None
        from whoosh.query import And, Term

        terms = ([Term("doc", doc)] if doc else []) + ([Term("kind", kind)] if kind else [])
        return set(self.searcher().docs_for_query(And(terms) if len(terms) > 1 else terms[0]))

    # --- writing -----------------------------------------------------------

    @contextmanager
    def writing(self, wait: float = WRITER_WAIT, waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the index's writer lock: writers take turns, readers never take it. Waits up to
        `wait` seconds for another writer (calling `waiting` once if it has to), then raises
        IndexBusyError; re-entrant within a process. The store re-reads the live generation
        once the lock is held: what another writer made meanwhile is what this one builds on."""
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
            raise IndexWriteError(f"cannot write the index at {self.root} ({exc.strerror or exc}); "
                                  f"the index is unchanged") from exc
        try:
            _lock(handle, wait, waiting, self.root)
            _HELD[key] = 1
            self.close()
            self._clear_dead_builds()  # even when this writer ends up with nothing to write
            try:
                yield
            finally:
                _HELD.pop(key, None)
        finally:
            handle.close()  # releases the lock

    def write(self, passages: Iterable[Passage], meta: dict, procs: int = 1, progress: Written | None = None) -> Path:
        """Write a new generation holding these passages and make it live; returns its directory.

        With procs > 1, whoosh analyses and indexes in that many processes (forked after the
        analyzer is loaded, so each starts with jieba's dictionary in memory). `progress` is told
        ("indexing", n) after each passage and ("saving", n) before the commit."""
        from whoosh import index as windex

        with self.writing():
            return self._new_generation(
                lambda gen: windex.create_in(str(gen), _schema()), passages, set(), meta, procs, progress=progress,
            )

    def update(self, remove_docs: set[str], passages: Iterable[Passage], meta: dict,
               progress: Written | None = None) -> Path:
        """A new generation = the live one without `remove_docs`, plus these passages.

        The live generation's files are hard-linked, not copied (whoosh never rewrites a
        segment file), so an update costs what it changes, and readers of the live
        generation see nothing until the swap."""
        with self.writing():
            return self._update(remove_docs, passages, meta, progress)

    def _update(self, remove_docs: set[str], passages: Iterable[Passage], meta: dict,
                progress: Written | None = None) -> Path:
        from whoosh import index as windex

        live = self.generation

        def start(gen: Path):
            for f in live.iterdir():
                # whoosh's own write lock is the live generation's, never shared with a new one
                if f.name not in (PASSAGES, META, CHAR_PAIRS) and not f.name.endswith("WRITELOCK") and f.is_file():
                    os.link(f, gen / f.name)
            return windex.open_dir(str(gen))

        kept: list[bytes] = []
        removed: list[bytes] = []
        for line in self._passage_lines():
            (removed if _line_doc(line) in remove_docs else kept).append(line)
        pairs = self._kept_pairs(kept, removed)
        return self._new_generation(start, passages, remove_docs, meta, 1, kept, pairs, progress)

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
        try:
            for line in lines:
                add_pairs(counts, searchable_text(Passage.from_json(json.loads(line))))
        except (ValueError, TypeError) as exc:
            raise IndexCorruptError(f"index at {self.root} is corrupt (bad {PASSAGES}); rebuild it with `kb index --full`") from exc
        return counts

    def _passage_lines(self) -> list[bytes]:
        """The live generation's passages.jsonl lines, as bytes: kept lines are copied as they
        are, never decoded and encoded again."""
        try:
            with open(self.generation / PASSAGES, "rb") as f:
                return f.readlines()
        except OSError as exc:
            raise IndexCorruptError(f"index at {self.root} is corrupt (bad {PASSAGES}); rebuild it with `kb index --full`") from exc

    def _new_generation(self, start, passages: Iterable[Passage], remove_docs: set[str],
                        meta: dict, procs: int, kept: list[bytes] = (), pairs: Counter | None = None,
                        progress: Written | None = None) -> Path:
        """Build a generation beside the live one and swap it in. `pairs`: the kept passages'
        character pairs (kb.spelling), to which the new passages' are added."""
        pairs = Counter() if pairs is None else pairs
        progress = progress or (lambda phase, n: None)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            gen = Path(tempfile.mkdtemp(prefix="building-", dir=self.root))
            # mkdtemp makes it 0700: a generation is readable by whoever may read the index
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(gen, 0o777 & ~mask)
        except OSError as exc:
            raise IndexWriteError(f"cannot write the index at {self.root} ({exc.strerror or exc}); "
                                  f"the index is unchanged") from exc
        writer = None
        try:
            ix = start(gen)
            if procs > 1:
                from .analysis import jieba_tokenizer

                from .processes import children_die_with_parent

                jieba_tokenizer()  # load before whoosh forks its workers
                children_die_with_parent()
                writer = ix.writer(procs=procs, multisegment=True, limitmb=128)
            else:
                writer = ix.writer(limitmb=256)
            for doc in sorted(remove_docs):
                writer.delete_by_term("doc", doc)
            progress("indexing", 0)
            with open(gen / PASSAGES, "wb") as out:
                out.writelines(kept)  # the JSON lines of the passages kept, copied as they are
                count = len(kept)
                for p in passages:
                    data = p.to_json()
                    out.write((json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8"))
                    fields = _fields(p, data)
                    writer.add_document(**fields)  # forks whoosh's writers, on the first batches
                    stop_if_interrupted()
                    add_pairs(pairs, fields["norm"])
                    count += 1
                    progress("indexing", count - len(kept))
            progress("saving", count - len(kept))
            writer.commit()
            ix.close()
            stop_if_interrupted()
            write_pairs(gen / CHAR_PAIRS, pairs)
            meta = {**meta, "format": FORMAT, "passages": count, "built": time.time()}
            # one line: json's indenting encoder is pure Python, 0.2 s for a 500-file library's meta
            (gen / META).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
            final = self.root / self._next_name()
            os.rename(gen, final)
            self._swap(final.name)
        except OSError as exc:  # a full disk, a folder made read-only: the live index stays
            _stop_workers(writer)
            shutil.rmtree(gen, ignore_errors=True)
            raise IndexWriteError(f"cannot write the index at {self.root} ({exc.strerror or exc}); "
                                  f"the index is unchanged") from exc
        except BaseException:
            _stop_workers(writer)
            shutil.rmtree(gen, ignore_errors=True)
            raise
        self.close()
        self._collect()
        return final

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

    def _collect(self) -> None:
        """Remove all but the live and the previous generation, and abandoned builds."""
        live = (self.root / CURRENT).read_text("utf-8").strip()
        gens = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        keep = {live}
        older = [g.name for g in gens if g.name < live]
        if older:
            keep.add(older[-1])
        for g in gens:
            if g.name not in keep:
                shutil.rmtree(g, ignore_errors=True)
        self._clear_dead_builds()

    def _clear_dead_builds(self) -> None:
        """Remove build directories that no process is writing: called with the writer lock
        held, when this writer has none or has just swapped its own in, so any is left by a
        build that died (killed, or its machine went down)."""
        for b in self.root.glob("building-*"):
            shutil.rmtree(b, ignore_errors=True)
