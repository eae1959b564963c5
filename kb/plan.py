"""A query's plan: what kb.query makes of a query and kb.ranking and kb.search read.

Plain frozen types and the weights a stand-in counts, in a module of their own so that the
query path runs one way (kb.search → kb.query → kb.store → kb.ranking → hits): ranking reads
the plan without importing the stage that makes it, and query never imports ranking.

    literal word             1.0
    spelling fix             0.9   头诉 → 投诉 (same pinyin, a word the corpus uses)
    domain synonym           0.7   客诉 → 投诉, 拍板人 → 关键决策人   (kb/data/synonyms.txt)
    thesaurus synonym        0.5   守则 → 准则, for words the corpus never uses (Cilin)
    a word inside the word   0.4   客户服务 → 服务

The weights come from kb/data/ranking.toml's [standins] table (kb.rankdata).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .rankdata import table

_STANDINS = table("standins")
LITERAL = _STANDINS["literal"]
SPELLING = _STANDINS["spelling"]  # 头诉 → 投诉 (same pinyin, a word the corpus uses)
SYNONYM = _STANDINS["synonym"]  # 客诉 → 投诉 (kb/data/synonyms.txt)
PART = _STANDINS["part"]  # 客户服务 → 服务
PIECES = _STANDINS["pieces"]  # every piece of a compound present, in any order
PIECE = _STANDINS["piece"]  # one piece of a compound (投诉 of 投诉处理)
# single characters a spelling fix replaced ('头' '诉' of 头诉) stay, barely
REPLACED = _STANDINS["replaced"]
# a general thesaurus's synonym (Cilin), only for a word the corpus never uses (守则 → 准则)
THESAURUS = _STANDINS["thesaurus"]
# the material's words for an everyday expression (kb/data/phrasebook.txt: 退钱 → 退款)
PHRASEBOOK = _STANDINS["phrasebook"]
# a corpus word sharing a character with a word the corpus lacks (址 → 地址), and nothing else
# stands in for it (kb.query._morphemes)
MORPHEME = _STANDINS["morpheme"]
# a word that frames the question (为什么, 哪里) counts this much of a topic word: a passage
# that says it may well answer (客户在哪里), but the topic decides
FRAMING = _STANDINS["framing"]


# What a stand-in is (Alternative.kind), beside what it counts (its weight above): code that
# treats kinds apart asks the kind, never the weight, which the [standins] table may change.
KINDS = (
    "literal",      # the word as typed, or a piece of a compound the corpus never uses
    "spelling",     # 头诉 → 投诉
    "replaced",     # a character a spelling fix replaced
    "synonym",      # kb/data/synonyms.txt
    "sounds-like",  # a real word the corpus lacks → the corpus word that sounds the same (投宿 → 投诉)
    "part",         # a word inside the word (客户服务 → 服务)
    "piece",        # a piece of a compound, or a word of a split material phrase
    "thesaurus",    # Cilin, for a word the corpus never uses
    "phrasebook",   # the material's words for an everyday expression (退钱 → 退款)
    "kin",          # the material words the phrasebook gives beside, or for, a word the corpus lacks
    "morpheme",     # a corpus word sharing a character with the word (址 → 地址)
)


@dataclass(frozen=True)
class Alternative:
    term: str
    weight: float
    why: str  # what --explain says of it: "query", "spelling: 头诉→投诉", "synonym of 客诉" …
    kind: str  # one of KINDS


@dataclass(frozen=True)
class Group:
    """A query word and what may stand for it in a passage."""

    word: str
    alternatives: tuple[Alternative, ...]
    pieces: tuple[str, ...] = ()  # the shorter corpus words the word is made of (投诉处理 → 投诉, 处理)
    weight: float = 1.0  # the word's share in the query: FRAMING for 为什么, 哪里 …

    def terms(self) -> tuple[str, ...]:
        return tuple(a.term for a in self.alternatives)

    def credit(self, norm: str) -> float:
        """How well a passage's normalised text stands for this word: its best alternative, or
        all of its pieces in any order (处理客户投诉 for 投诉处理) at a little less."""
        best = 0.0
        for a in self.alternatives:  # the best alternative present (a loop: a call per candidate and word)
            if a.weight > best and a.term in norm:
                best = a.weight
        if self.pieces:
            best = max(best, PIECES * sum(p in norm for p in self.pieces) / len(self.pieces))
        return best


@dataclass(frozen=True)
class QueryPlan:
    text: str
    groups: tuple[Group, ...]
    corrections: tuple[tuple[str, str], ...] = ()
    spun: tuple[tuple[str, str], ...] = field(default=())  # (query word, the spun word it also matches)
    intents: tuple[str, ...] = ()  # passage kinds the query asks for (script for 话术 …)
    enumerates: tuple[str, ...] = ()  # what the query asks a list of (阶段 for 有哪几个阶段)
    measures: tuple[str, ...] = ()  # the measures it asks a figure in (money for 多少钱: kb.asking)
    leave: bool = False  # it asks whether something may be done (能不能收: kb.asking)

    @property
    def weights(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for g in self.groups:
            for a in g.alternatives:
                out[a.term] = max(out.get(a.term, 0.0), a.weight)
        return out

    @property
    def main(self) -> tuple[str, ...]:
        """The literal words (or their fixes), in order: what proximity looks at."""
        return tuple(dict.fromkeys(g.alternatives[0].term for g in self.groups))

    @property
    def corrected(self) -> str | None:
        """The query with its spelling fixes applied, when there are any."""
        if not self.corrections:
            return None
        text = self.text
        for wrong, right in self.corrections:
            text = _replace_normalised(text, wrong, right)
        return text


def _replace_normalised(text: str, wrong: str, right: str) -> str:
    """Replace `wrong` (normalised) in the original text, whatever its script."""
    from .analysis import normalise_text

    norm = normalise_text(text)
    i = norm.find(wrong)
    if i < 0 or len(norm) != len(text):
        return norm.replace(wrong, right)
    if text[i: i + len(wrong)].isupper():
        right = right.upper()  # FBAE → FABE, as typed
    return text[:i] + right + text[i + len(wrong):]
