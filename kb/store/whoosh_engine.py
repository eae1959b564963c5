"""whoosh behind kb's Engine protocol (kb.store.engine), through whoosh's public API only.

One analysed field, `text`, holds a passage's body, heading, breadcrumb and (for a spun
document) repaired words, each part's tokens boosted by its weight (kb/data/ranking.toml
[fields]); `doc` and `kind` are exact-match filters; the record and searchable text are
stored beside them, so that a candidate costs no read of passages.jsonl.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..model import Passage
from ..rankdata import table

NAME = "whoosh"
# Weight of a passage's parts in its one indexed field: a query word in a section's own
# heading says more than one in its body, one in the breadcrumb less.
PART_BOOSTS = tuple(table("fields")[part] for part in ("body", "heading", "breadcrumb", "repaired"))
FIELD = "text"


def schema():
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


def fields(p: Passage, data: dict, norm: str) -> dict:
    """A passage as whoosh fields: its parts joined for the one analysed field (see
    KbFieldedTokenizer), filters, and what search reads back."""
    from .whoosh_analysis import PART_SEPARATOR

    parts = (p.text, "\n".join(p.headings), "\n".join(p.section), p.text if p.spun else "")
    return dict(id=p.id, doc=p.doc, kind=p.kind, text=PART_SEPARATOR.join(parts), norm=norm, data=data)


class WhooshWriter:
    def __init__(self, ix, procs: int):
        self._ix = ix
        if procs > 1:
            from ..analysis import jieba_tokenizer
            from ..processes import children_die_with_parent

            jieba_tokenizer()  # load before whoosh forks its workers
            children_die_with_parent()
            self._writer = ix.writer(procs=procs, multisegment=True, limitmb=128)
        else:
            self._writer = ix.writer(limitmb=256)

    def delete_doc(self, doc: str) -> None:
        self._writer.delete_by_term("doc", doc)

    def add(self, passage: Passage, data: dict, norm: str) -> None:
        self._writer.add_document(**fields(passage, data, norm))

    def commit(self) -> None:
        self._writer.commit()
        self._ix.close()


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

    def doc_frequency(self, term: str) -> int:
        return self._searcher.doc_frequency(FIELD, term)

    def terms(self) -> Iterable[str]:
        return [t.decode("utf-8") if isinstance(t, bytes) else t for t in self._reader.lexicon(FIELD)]

    def close(self) -> None:
        self._searcher.close()


class Whoosh:
    """The whoosh engine kind (kb.store.engine.EngineKind)."""

    name = NAME

    def open(self, gen: Path) -> WhooshEngine:
        return WhooshEngine(gen)

    def create(self, building: Path, procs: int) -> WhooshWriter:
        from whoosh import index as windex

        return WhooshWriter(windex.create_in(str(building), schema()), procs)

    def extend(self, building: Path, live: Path, own: frozenset[str]) -> WhooshWriter:
        """whoosh never rewrites a segment file: the live generation's are hard-linked, so an
        update costs what it changes."""
        from whoosh import index as windex

        for f in live.iterdir():
            # whoosh's own write lock is the live generation's, never shared with a new one
            if f.name not in own and not f.name.endswith("WRITELOCK") and f.is_file():
                os.link(f, building / f.name)
        return WhooshWriter(windex.open_dir(str(building)), 1)

    def files(self, gen: Path, data_only: bool = False) -> list[Path]:
        """whoosh's table of contents (*.toc) and segment files (*.seg); with data_only the
        segments alone."""
        suffixes = (".seg",) if data_only else (".toc", ".seg")
        return sorted(f for f in gen.iterdir() if f.suffix in suffixes)
