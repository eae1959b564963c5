"""kb's analysed fields handed to whoosh. whoosh wants a field's value as a string and runs
its analyzer over it: the value is kb's own analysis (kb.store.fields) written out, and the
analyzer only reads it back. Module-level so whoosh can pickle it in the schema."""

from __future__ import annotations

from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer

from .fields import Posting

TERM, POSTING = "\x1f", "\x1e"  # never in a term: analysis drops control characters


def encode(postings: list[Posting]) -> str:
    return POSTING.join(f"{p.term}{TERM}{p.pos}{TERM}{p.boost!r}" for p in postings)


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
