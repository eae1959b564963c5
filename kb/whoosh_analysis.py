"""kb's analyzer as a whoosh Tokenizer. Module-level so whoosh can pickle it in the schema."""

from __future__ import annotations

from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer

from .analysis import analyze, analyze_repaired


class KbTokenizer(Tokenizer):
    """Yields kb.analysis tokens: sequential positions, character offsets into the original text."""

    def tokens(self, value):
        return analyze(value)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = WToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for tok in self.tokens(value):
            t.text = tok.text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[tok.start: tok.end]
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar = start_char + tok.start
                t.endchar = start_char + tok.end
            yield t


class KbRepairedTokenizer(KbTokenizer):
    """Only the tokens a spun document's repair adds (see kb.analysis.analyze_repaired)."""

    def tokens(self, value):
        return analyze_repaired(value)
