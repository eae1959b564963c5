"""kb's analyzer as a whoosh Tokenizer. Module-level so whoosh can pickle it in the schema."""

from __future__ import annotations

from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer

from ..analysis import analyze, analyze_repaired


PART_SEPARATOR = "\x1e"  # joins a passage's parts into the one value whoosh indexes


class KbFieldedTokenizer(Tokenizer):
    """One indexed field for a passage's body, heading, breadcrumb and (for a spun document)
    repaired words, each part's tokens weighted by its boost. One field instead of four keeps
    a query to one clause per term, which is what whoosh's pure-Python matchers pay for."""

    def __init__(self, boosts: tuple[float, ...]):
        self.boosts = tuple(boosts)

    def __eq__(self, other):
        return isinstance(other, KbFieldedTokenizer) and other.boosts == self.boosts

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = WToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        parts = value.split(PART_SEPARATOR)
        for i, (part, boost) in enumerate(zip(parts, self.boosts)):
            if not part:
                continue
            tokens = analyze_repaired(part) if i == 3 else analyze(part)
            last = 0
            for tok in tokens:
                t.text = tok.text
                t.boost = boost
                t.stopped = False
                if positions:
                    t.pos = pos + tok.pos
                if chars:
                    t.startchar, t.endchar = tok.start, tok.end
                last = max(last, tok.pos)
                yield t
            pos += last + 2  # a gap: no phrase runs from one part into the next
