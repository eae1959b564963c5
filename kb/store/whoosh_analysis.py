"""kb's analysed fields handed to whoosh. whoosh's writer asks a field for each term of a
passage as (term bytes, frequency, weight, encoded positions): `index_items` makes them from
kb's own analysis (kb.store.fields) where the passage is analysed (a build's worker
process), as whoosh's Positions format makes them, and the `text` field (PreIndexed) hands
them to the writer as they are, so the builder, whose writes are serial, does none of it.
Module-level so whoosh can pickle the schema."""

from __future__ import annotations

from array import array

from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer
from whoosh.fields import TEXT
from whoosh.formats import Positions

from .fields import Posting

TERM, POSTING = "\x1f", "\x1e"  # never in a term: analysis drops control characters

_positions = Positions()  # the `text` field's format: what index_items encodes with


def encode(postings: list[Posting]) -> str:
    return POSTING.join(f"{p.term}{TERM}{p.pos}{TERM}{p.boost!r}" for p in postings)


def _grouped(postings: list[Posting]) -> tuple[dict[str, list[int]], dict[str, float]]:
    """Each distinct term's positions and weight, in order of first occurrence, the weight its
    occurrences' boosts summed in order, as Positions.word_values sums them."""
    poses: dict[str, list[int]] = {}
    weights: dict[str, float] = {}
    for term, pos, boost in postings:
        got = poses.get(term)
        if got is None:
            poses[term] = [pos]
            weights[term] = 0.0 + boost
        else:
            got.append(pos)
            weights[term] += boost
    return poses, weights


def index_items(postings: list[Posting]) -> list[tuple[bytes, int, float, bytes]]:
    """A passage's postings as whoosh's writer takes them from its `text` field: each distinct
    term, in order of first occurrence, as UTF-8, its frequency, its weight and its positions
    encoded by the field's format. The same items whoosh makes of `encode(postings)`
    (tests/test_store.py)."""
    poses, weights = _grouped(postings)
    fb, encode_positions = _positions.field_boost, _positions.encode
    return [(term.encode("utf-8"), len(got), weights[term] * fb, encode_positions(got))
            for term, got in poses.items()]


def packed(postings: list[Posting]) -> tuple[bytes, bytes, bytes, list[bytes]]:
    """`index_items` in four columns, as a worker hands them to the builder: a passage's terms
    (UTF-8, each after a POSTING), their frequencies and weights (arrays: the same numbers,
    bit for bit) and encoded positions. Unpickled, they cost the builder a tenth of what as
    many tuples did (2.8 s at x100, on its serial path)."""
    poses, weights = _grouped(postings)
    fb, encode_positions = _positions.field_boost, _positions.encode
    return ("".join(POSTING + term for term in poses).encode("utf-8"),
            array("I", [len(got) for got in poses.values()]).tobytes(),
            array("d", [weights[term] * fb for term in poses]).tobytes(),
            [encode_positions(got) for got in poses.values()])


def unpacked(value: tuple[bytes, bytes, bytes, list[bytes]]) -> list[tuple[bytes, int, float, bytes]]:
    """`packed` columns back as `index_items`."""
    terms, freqs, weights, values = value
    if not values:
        return []
    counts, boosts = array("I"), array("d")
    counts.frombytes(freqs)
    boosts.frombytes(weights)
    return list(zip(terms.split(POSTING.encode())[1:], counts.tolist(), boosts.tolist(), values))


class PreIndexed(TEXT):
    """The `text` field: its value is a passage's `index_items` (or `packed` columns of them),
    handed to the writer as they are (a string is analysed as TEXT analyses it, with
    PreAnalysed)."""

    def index(self, value, **kwargs):
        if isinstance(value, tuple):
            return unpacked(value)
        if isinstance(value, list):
            return value
        return super().index(value, **kwargs)


def items_text(items: list[tuple[bytes, int, float, bytes]]) -> str:
    """`index_items` written out as `encode` writes postings, for the `text` field of an index
    written before PreIndexed (an update of it): each term's positions, its weight on the first
    and nothing on the others, which Positions.word_values sums back to the same items."""
    out = []
    for term, _, weight, encoded in items:
        word = term.decode("utf-8")
        for i, pos in enumerate(_positions.decode_positions(encoded)):
            out.append(f"{word}{TERM}{pos}{TERM}{(weight if i == 0 else 0.0)!r}")
    return POSTING.join(out)


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
