"""A passage's indexed fields, analysed by kb before any engine sees them: what every engine
indexes (kb.store.engine), and what the vocabulary counts (kb.store.vocabulary).

One field, `text`, holds a passage's body, heading, breadcrumb and (for a spun document)
repaired words, each part's tokens weighted by its boost (kb/data/ranking.toml [fields]).
One field instead of four keeps a query to one clause per term.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from ..analysis import analyze, analyze_repaired
from ..model import Passage
from ..rankdata import table

TEXT = "text"
PARTS = ("body", "heading", "breadcrumb", "repaired")
# Weight of a passage's parts in its one indexed field: a query word in a section's own
# heading says more than one in its body, one in the breadcrumb less.
PART_BOOSTS = tuple(table("fields")[part] for part in PARTS)
PARALLEL_CHUNK = 32  # passages a worker analyses between hand-backs


class Posting(NamedTuple):
    """One occurrence of a term in a field: its position, and the boost of the part it is in."""

    term: str
    pos: int
    boost: float


Fields = dict[str, list[Posting]]  # field name -> its analysed occurrences, in order


_posting = tuple.__new__  # Posting(…) without NamedTuple's __new__ frame: a build makes millions


def analyse(p: Passage) -> Fields:
    """The passage's fields, analysed. Positions run on across parts, with a gap between two
    parts so that no phrase runs from one into the next."""
    parts = (p.text, "\n".join((*p.headings, *p.questions)), "\n".join(p.section), p.text if p.spun else "")
    out: list[Posting] = []
    pos = 0
    for i, (part, boost) in enumerate(zip(parts, PART_BOOSTS)):
        if not part:
            continue
        tokens = analyze_repaired(part) if i == 3 else analyze(part)
        out += [_posting(Posting, (tok[0], pos + tok[1], boost)) for tok in tokens]
        # a part's tokens come in order of position (a sub-word shares its word's): the last is the highest
        pos += (tokens[-1][1] if tokens else 0) + 2
    return {TEXT: out}


def terms(fields: Fields) -> set[str]:
    """The distinct terms of a passage's fields (what its document frequency counts)."""
    return {t.term for postings in fields.values() for t in postings}


class Prepared(NamedTuple):
    """What a build needs of a passage, worked out where it is analysed (in a worker process
    for a large build): its searchable text, its distinct terms (for the vocabulary), its
    fields in the engine's own form (the engine's `prepare`) and its record as JSON
    (kb.store.records.record: its passages.jsonl line, and what an engine stores)."""

    norm: str
    terms: list[str]
    value: Any
    record: bytes


def prepare(prepare_fields: Callable[[Fields], Any], p: Passage) -> Prepared:
    from .records import record, searchable_text

    fields = analyse(p)
    return Prepared(searchable_text(p), list(terms(fields)), prepare_fields(fields), record(p.to_json()))


def prepared(passages: Iterable[Passage], prepare_fields: Callable[[Fields], Any],
             procs: int = 1) -> Iterator[tuple[Passage, Prepared]]:
    """Each passage with what `prepare` makes of it, in order; in `procs` processes when more
    than one (forked after the analyzer is loaded, so each starts with jieba's dictionary in
    memory). `prepare_fields` must be a module-level function, for the workers."""
    work = partial(prepare, prepare_fields)
    if procs <= 1:
        for p in passages:
            yield p, work(p)
        return
    from ..analysis import jieba_tokenizer
    from ..processes import Pool

    jieba_tokenizer()  # load before the workers fork
    items = list(passages)
    with Pool(procs) as pool:  # a failed or interrupted build (or one that closes this early) ends its workers
        yield from zip(items, pool.map(work, items, chunksize=PARALLEL_CHUNK))
