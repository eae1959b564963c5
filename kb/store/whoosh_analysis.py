"""kb's analysed fields handed to whoosh. whoosh's writer asks a field for each term of a
passage as (term bytes, frequency, weight, encoded value): `packed` makes them from kb's own
analysis (kb.store.fields) where the passage is analysed (a build's worker process), and the
`text` field (PreIndexed) hands them to the writer as they are, so the builder, whose writes
are serial, does none of it.

The field keeps each posting's passage and weight, and no value (whoosh's Existence format):
kb reads a term's postings' weights and a passage's length (kb.store.whoosh_engine), never its
positions nor a frequency from a posting. Positions (kb before the format was whoosh's
Existence) cost the workers their encoding, the builder their unpickling and sorting, and
a quarter of the index (66.0 against 50.4 MB at x100).
Module-level so whoosh can pickle the schema."""

from __future__ import annotations

from array import array

from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer
from whoosh.fields import TEXT
from whoosh.formats import Existence

from .fields import Posting

TERM, POSTING = "\x1f", "\x1e"  # never in a term: analysis drops control characters


def encode(postings: list[Posting]) -> str:
    """Postings as one string PreAnalysed reads back (what an index written before PreIndexed
    analysed)."""
    return POSTING.join(f"{p.term}{TERM}{p.pos}{TERM}{p.boost!r}" for p in postings)


def packed(postings: list[Posting]) -> tuple[bytes, bytes, bytes]:
    """A passage's terms as whoosh's writer takes them from its `text` field, in three columns,
    as a worker hands them to the builder: each distinct term, in order of first occurrence, as
    UTF-8 after a POSTING; its frequency and its weight (arrays: the same numbers, bit for bit),
    the weight its occurrences' boosts summed in order, as whoosh's Frequency format makes them
    (tests/test_store.py). Unpickled, columns cost the builder a
    tenth of what as many tuples did (2.8 s at x100, on its serial path)."""
    freqs: dict[str, int] = {}
    weights: dict[str, float] = {}
    for term, _, boost in postings:
        if term in freqs:
            freqs[term] += 1
            weights[term] += boost
        else:
            freqs[term] = 1
            weights[term] = 0.0 + boost
    return ("".join(POSTING + term for term in freqs).encode("utf-8"),
            array("I", freqs.values()).tobytes(),
            array("d", weights.values()).tobytes())


def postings_in(value: tuple[bytes, bytes, bytes]) -> int:
    """How many postings `packed` columns hold (one a distinct term), read off their layout."""
    return len(value[1]) // array("I").itemsize


def unpacked(value: tuple[bytes, bytes, bytes]) -> list[tuple[bytes, int, float, None]]:
    """`packed` columns back as whoosh's writer takes a field's terms: (term, frequency,
    weight, no value)."""
    terms, freqs, weights = value
    if not terms:
        return []
    counts, boosts = array("I"), array("d")
    counts.frombytes(freqs)
    boosts.frombytes(weights)
    n = len(counts)
    return list(zip(terms.split(POSTING.encode())[1:], counts.tolist(), boosts.tolist(), (None,) * n))


class PreIndexed(TEXT):
    """The `text` field: its value is a passage's `packed` terms, handed to the writer as they
    are (a string is analysed as TEXT analyses it, with PreAnalysed), kept in whoosh's Existence
    format: each posting's passage and weight, no value."""

    def __init__(self, **kwargs):
        super().__init__(analyzer=PreAnalysed(), phrase=False, **kwargs)
        self.format = Existence(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        if isinstance(value, tuple):
            return unpacked(value)
        return super().index(value, **kwargs)


class PreAnalysed(Tokenizer):
    """Reads back what `encode` wrote: each term with its position and boost."""

    def __eq__(self, other):
        return isinstance(other, PreAnalysed)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = WToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not value:
            return
        for item in value.split(POSTING):
            term, pos, boost = item.split(TERM)
            t.text = term
            t.boost = float(boost)
            t.stopped = False
            if positions:
                t.pos = start_pos + int(pos)
            yield t
