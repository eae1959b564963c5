"""whoosh behind kb's Engine protocol (kb.store.engine), through whoosh's public API only.

The `text` field takes kb's analysed postings as they are (kb.store.fields, through
kb.store.whoosh_analysis); `doc` and `kind` are exact-match filters; the record and
searchable text are stored beside them, so that a candidate costs no read of passages.jsonl.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import IndexCorruptError
from ..model import Passage
from .fields import TEXT, Fields

NAME = "whoosh"
FIELD = TEXT
# What the schema keeps (in the pipeline's fingerprint: an index written with another is stale,
# and built again in full): 2, the text field no positions (kb.store.whoosh_analysis); 1, positions.
SCHEMA = 2


def prepare(fields: Fields) -> tuple:
    """A passage's analysed fields as the `text` value whoosh indexes: its terms as whoosh's
    writer takes them (kb.store.whoosh_analysis: packed), made where the passage is analysed."""
    from .whoosh_analysis import packed

    return packed(fields[TEXT])


def schema():
    from whoosh.fields import ID, STORED, Schema

    from .whoosh_analysis import PreIndexed

    return Schema(
        id=ID(stored=True, unique=True),
        doc=ID(stored=True),
        kind=ID(stored=True),
        text=PreIndexed(),
        norm=STORED(),
        data=STORED(),
    )


class WhooshWriter:
    """whoosh's writer, in this process. Not whoosh's multiprocess writer: kb analyses in
    worker processes of its own (kb.build, kb.store.fields), and whoosh's writer processes,
    each with a posting pool of its own, took memory (two of them at x1000: each forked with
    the builder's memory, 2.6 GB in all) without making the build faster (measured at x100,
    BENCHMARKS.md).

    Past SEGMENT_POSTINGS postings, the writer writes what it holds as a segment and a new one
    goes on, before its pool (LIMIT_MB) would be written to disk in sorted runs: whoosh writes
    and reads back a run a posting at a time (a pickle each) and merges them at the commit, on
    the builder's serial path. x100's 1.36M postings make one segment (whoosh's pool reckoned
    them 222 MB of its 256; the builder peaked at 275 MB); x1000's 13.6M, ten. Each segment
    is read through whoosh's reader of them all, the passages numbered on across them in
    the order they were added, so every result is that of one segment (tests/test_store.py).

    whoosh's codec as it comes, but for the bounds on field lengths it keeps with each block of
    postings (length_stats), which only whoosh's own scorer reads to skip blocks: kb scores
    whole posting lists itself, and the look-up of each posting's passage length cost 2.2 s of
    the x100 commit's 7.2 s."""

    LIMIT_MB = 256
    SEGMENT_POSTINGS = 1_500_000

    def __init__(self, ix):
        from whoosh.codec import default_codec
        from whoosh.formats import Existence

        from .whoosh_analysis import postings_in

        self._ix = ix
        self._codec = default_codec()
        self._codec.length_stats = False
        self._writer = ix.writer(limitmb=self.LIMIT_MB, codec=self._codec)
        self._held = 0  # postings in the writer's pool
        self._postings_in = postings_in  # imported once a writer, not once a passage
        # an index an earlier kb wrote keeps positions, which kb no longer makes: it can still
        # lose documents (kb index --remove), but any passage added is built again in full
        self._current = isinstance(ix.schema[FIELD].format, Existence)

    def delete_doc(self, doc: str) -> None:
        self._writer.delete_by_term("doc", doc)

    def add(self, passage: Passage, value: tuple, record: bytes, norm: str) -> None:
        if not self._current and isinstance(value, tuple):  # terms without positions, for a field that keeps them
            raise IndexCorruptError("the index was written by an older kb; rebuild it with `kb index --full`")
        if isinstance(value, tuple):
            n = self._postings_in(value)
            if self._held and self._held + n > self.SEGMENT_POSTINGS:
                self._writer.commit(merge=False)
                self._writer = self._ix.writer(limitmb=self.LIMIT_MB, codec=self._codec)
                self._held = 0
            self._held += n
        self._writer.add_document(id=passage.id, doc=passage.doc, kind=passage.kind,
                                  text=value, norm=norm, data=passage.to_json())  # whoosh keeps the dict

    def commit(self) -> None:
        self._writer.commit()
        self._ix.close()

    def stop(self) -> None:
        """A failed or interrupted build: whoosh's writer lets go of its files (the folder goes)."""
        try:
            self._writer.cancel()
        except Exception:  # noqa: BLE001  (a failed build: whatever whoosh says, the folder goes)
            pass


class WhooshEngine:
    """A generation's whoosh index, opened for reading."""

    name = NAME

    def __init__(self, gen: Path):
        from whoosh import index as windex
        from whoosh import scoring

        self._ix = windex.open_dir(str(gen))
        self._searcher = self._ix.searcher(weighting=scoring.BM25F())
        self._reader = self._searcher.reader()
        self._leaves = self._reader.leaf_readers()

    def postings(self, term: str) -> tuple[list[int], list[float]]:
        """Read through each segment's public matcher, a posting at a time (whoosh's block
        reads are private); the store keeps what it reads."""
        ids: list[int] = []
        weights: list[float] = []
        for leaf, offset in self._leaves:
            if (FIELD, term) not in leaf:
                continue
            m = leaf.postings(FIELD, term)
            add_id, add_weight = ids.append, weights.append
            active, ident, weight, step = m.is_active, m.id, m.weight, m.next
            while active():
                add_id(ident() + offset)
                add_weight(weight())
                step()
        return ids, weights

    def lengths(self) -> list[int]:
        reader = self._reader
        return [reader.doc_field_length(i, FIELD, 0) or 0 for i in range(reader.doc_count_all())]

    def stored(self, number: int) -> tuple[dict, str]:
        fields = self._searcher.stored_fields(number)
        return fields["data"], fields["norm"]

    def matching(self, doc: str | None, kind: str | None) -> set[int]:
        from whoosh.query import And, Term

        terms = ([Term("doc", doc)] if doc else []) + ([Term("kind", kind)] if kind else [])
        return set(self._searcher.docs_for_query(And(terms) if len(terms) > 1 else terms[0]))

    def doc_count(self) -> int:
        return self._searcher.doc_count()

    def doc_count_all(self) -> int:
        return self._reader.doc_count_all()

    def close(self) -> None:
        self._searcher.close()


class Whoosh:
    """The whoosh engine kind (kb.store.engine.EngineKind)."""

    name = NAME
    prepare = staticmethod(prepare)

    def open(self, gen: Path) -> WhooshEngine:
        return WhooshEngine(gen)

    def create(self, building: Path, procs: int = 1) -> WhooshWriter:
        """A writer in this process whatever `procs` (WhooshWriter says why)."""
        from whoosh import index as windex

        return WhooshWriter(windex.create_in(str(building), schema()))

    def extend(self, building: Path, live: Path, own: frozenset[str]) -> WhooshWriter:
        """whoosh never rewrites a segment file: the live generation's are hard-linked, so an
        update costs what it changes."""
        from whoosh import index as windex

        for f in live.iterdir():
            # whoosh's own write lock is the live generation's, never shared with a new one
            if f.name not in own and not f.name.endswith("WRITELOCK") and f.is_file():
                os.link(f, building / f.name)
        return WhooshWriter(windex.open_dir(str(building)))

    def files(self, gen: Path, data_only: bool = False) -> list[Path]:
        """whoosh's table of contents (*.toc) and segment files (*.seg); with data_only the
        segments alone."""
        suffixes = (".seg",) if data_only else (".toc", ".seg")
        return sorted(f for f in gen.iterdir() if f.suffix in suffixes)
