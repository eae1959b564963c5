"""The question's topic and the evidence for it.

`evidence` runs the question as a search and keeps what search made of its words (their
close stand-ins); `Topic` then says how much of the question's topic a text holds, each
topic word weighed by the idf search ranks with (kb.ranking.idf), read off the corpus's
term statistics. Every candidate answer is measured with it, and so is the confidence.
"""

from __future__ import annotations

from .. import ranking
from ..analysis import language_rate, normalise_text
from ..errors import QueryError
from ..lexicon import repair
from ..rankdata import language_prior, telling
from ..model import Hit, Passage
from .corpus import Corpus
from .question import Question, analyse_question, counted_in
from .sentences import holds_measure

EVIDENCE_HITS = 6  # hits searched for a question's evidence (ten for a location); 4 and 8 read the same on every set


class Topic:
    """How much of the question's topic a text holds, weighting each topic word by its idf.

    A word counts whole when the text has it, at search's credit for a close stand-in the text
    says instead (收件 → 揽收, 0.7), and at half weight when the text has only a word inside it
    (快递企业 → 快递). A word the corpus never uses is replaced by the words
    inside it that it does use (波士顿矩阵 → 波士顿, 矩阵); a word with no such part weighs
    as the rarest term, so what the corpus lacks counts against an answer, but at half weight
    where a text says its thesaurus synonym, as search reads it (夏天 → 夏季)."""

    PART = 0.5

    def __init__(self, corpus: Corpus, topic: tuple[tuple[str, ...], ...],
                 standins: dict[str, tuple[str, ...]] | None = None,
                 measures: tuple[tuple[str, str], ...] = (), loose: dict[str, tuple[str, ...]] | None = None,
                 credit: dict[tuple[str, str], float] | None = None, counts_of: tuple[tuple[str, str], ...] = ()):
        # a word asking a figure in a measure (钱 of 多少钱) is held where such a figure is (1.2元)
        self.measures = dict(measures)
        # what search credits each stand-in of a word with ((word, stand-in): kb.plan's weight, a
        # synonym's or the phrasebook's 0.7): the decline's coverage holds a word through one only so much
        self.credit = dict(credit or {})
        # a word the corpus never uses but the query's understanding bridges to the corpus's
        # words (道歉 → 致歉, 退钱 → 退款): held where one of those is
        self.standins: dict[str, tuple[str, ...]] = {}
        n = max(corpus.doc_count(), 1)
        self.idf: dict[str, float] = {}
        self.known: set[str] = set()
        self.groups: list[tuple[str, tuple[str, ...]]] = []
        # a word the corpus uses, held at its credit where a text says one of its close stand-ins
        # instead (收件 → 揽收, 取件: a manual need not use the word the question does)
        self.also: dict[str, tuple[str, ...]] = {}
        held_in: dict[str, int] = {}  # each topic word's passages (a bridged one's: its rarest stand-in's)
        for main, *parts in topic:
            df = {t: corpus.doc_frequency(t) for t in (main, *parts)}
            idf = {t: ranking.idf(n, d) for t, d in df.items()}  # a word the corpus lacks weighs the most
            self.known.update(t for t, d in df.items() if d)
            known_parts = tuple(p for p in parts if df[p])
            said = {a: _phrase_frequency(corpus, a) for a in (standins or {}).get(main, ()) if not df[main]}
            bridged = tuple(a for a, d in said.items() if d)
            if bridged:
                self.groups.append((main, known_parts))
                self.standins[main] = bridged
                held_in[main] = min(said[a] for a in bridged)
                self.idf[main] = max(ranking.idf(n, said[a]) for a in bridged)
                self.known.add(main)
            elif df[main] or not known_parts:
                self.groups.append((main, known_parts))
                self.idf[main] = idf[main]
                held_in[main] = df[main]
                if df[main]:  # a word the corpus uses, said another way where search reads it so
                    self.also[main] = tuple(a for a in (standins or {}).get(main, ()) if corpus.doc_frequency(a))
            else:  # the corpus lacks the word but has its parts: each part is a topic word
                for p in known_parts:
                    self.groups.append((p, ()))
                    self.idf[p] = idf[p]
                    held_in[p] = df[p]
            for p in known_parts:
                self.idf.setdefault(p, idf[p])
        self.total = sum(self.idf[m] for m, _ in self.groups)
        # how telling each topic word is of what the question is about, for judging whether
        # the corpus answers it at all (kb.answer.confidence): its idf with the passages' counts
        # smoothed toward the language at large, so that an everyday word the corpus happens
        # not to use (来, 跟, 做) says less than a rare one (清关, 刀具)
        self.counts = [(held_in[m], language_rate(m)) for m, _ in self.groups]
        self.n, self.length = n, corpus.mean_length()
        self.telling = [telling(n, df, rate, self.length, language_prior()) for df, rate in self.counts]
        # a word the corpus never uses, held at a part's weight where its thesaurus synonym is
        # (search gives only synonyms the corpus uses)
        self.loose = {m: (loose or {}).get(m, ()) for m, _ in self.groups if m not in self.known}
        # a list noun held where a text counts in what a title numbers it in (步骤 by 五步法), and
        # so is a word the question counts in such a counter (动作 of 标准动作是哪几步)
        self.counted = {m: c for m, _ in self.groups
                        if (c := counted_in(m, tuple(u for noun, u in counts_of if noun == m)))}

    def score(self, text: str) -> float:
        return sum(self._held(normalise_text(text)))

    def _held(self, norm: str) -> list[float]:
        """Each topic word's weight that a (normalised) text holds."""
        out = []
        for main, parts in self.groups:
            if main in norm or any(a in norm for a in self.standins.get(main, ())) or self._stated(main, norm):
                out.append(self.idf[main])
            elif held := [self.credit.get((main, a), 1.0) for a in self.also.get(main, ()) if a in norm]:
                out.append(max(held) * self.idf[main])  # search's credit for the stand-in, never above 1
            elif any(a in norm for a in self.loose.get(main, ())):
                out.append(self.PART * self.idf[main])
            else:
                out.append(self.PART * max((self.idf[p] for p in parts if p in norm), default=0.0))
        return out

    def _stated(self, word: str, norm: str) -> bool:
        """Whether a text says a word in figures rather than in words: a figure in the measure
        it asks (-18℃ for 多少度), or a count in what a title numbers the list noun in (五步 for 步骤)."""
        return bool(word in self.measures and holds_measure(self.measures[word], norm)
                    or word in self.counted and self.counted[word].search(norm))

    def held_shares(self, text: str) -> list[float]:
        """How much of each topic word a text holds: 1 whole, a stand-in's credit through a
        stand-in, PART for a part or a loose synonym."""
        norm = normalise_text(text)
        out = []
        for h, (m, _) in zip(self._held(norm), self.groups):
            share = min(1.0, h / self.idf[m]) if self.idf[m] else 0.0
            if share >= 1.0 and m not in norm and not self._stated(m, norm):
                share = max((self.credit.get((m, a), 1.0) for a in self.standins.get(m, ()) if a in norm), default=1.0)
            out.append(share)
        return out

    def coverage(self, text: str) -> float:
        """Share of the question's topic a text holds, each word weighed by how telling it is
        (`telling`): what the decline and the confidence read."""
        total = sum(self.telling)
        return sum(h * t for h, t in zip(self.held_shares(text), self.telling)) / total if total else 0.0

    def key(self) -> str | None:
        """The name the question is about when it has one the corpus knows: an acronym or a
        number (LSCIA, 5P, 651) identifies a model, and a list without it answers another question."""
        names = [m for m, _ in self.groups if m in self.known and m.isascii()]
        return max(names, key=self.idf.get) if names else None

    def says_too_little(self) -> bool:
        """Whether the question's topic is one character and nothing else (请问 → 问; a; 多少钱 →
        钱): any passage holding that character would hold all of it, so what it asks is not
        known and no answer is given. A name cut into characters (邓兆棠) is several; no judged
        question of the public, project or external sets (some 1,200) has a topic this small."""
        return len(self.groups) == 1 and len(self.groups[0][0]) == 1

    def share(self, text: str) -> float:
        return self.score(text) / self.total if self.total else 0.0


def _phrase_frequency(corpus: Corpus, term: str) -> int:
    """How many passages a stand-in is in, as far as the term statistics tell: a phrase the
    index splits (恰当开场 → 恰当, 开场) is in no more than its rarest word is, and in none
    when one of its words is in none."""
    df = corpus.doc_frequency(term)
    if df:
        return df
    from ..analysis import analyze

    words = [t.text for t in analyze(term, subwords=False)]
    return min((corpus.doc_frequency(w) for w in words), default=0) if len(words) > 1 else 0


def _readable(passage: Passage, text: str) -> str:
    """Text as matching should read it: for a spun document, with the spinner undone."""
    if not passage.spun:
        return text
    norm = normalise_text(text)
    return norm + "\n" + repair(norm)[0]


def evidence(corpus: Corpus, question: str) -> tuple[Question, list[Hit], Topic]:
    """The question analysed, the hits search finds for it, and its topic's weights."""
    q = analyse_question(question)
    try:
        found = corpus.lookup(question, limit=10 if q.kind == "location" else EVIDENCE_HITS)
        hits, standins, loose = found.hits, _standins(found.plan), _standins(found.plan, loose=True)
        credit = {(g.word, a.term): a.weight for g in found.plan.groups for a in g.alternatives}
    except QueryError:
        hits, standins, loose, credit = [], {}, {}, {}
    return q, hits, Topic(corpus, q.topic, standins, q.measures, loose, credit, q.counts_of)


def _standins(plan, loose: bool = False) -> dict[str, tuple[str, ...]]:
    """What search read each question word as (its QueryPlan): its close stand-ins (a spelling
    fix, a domain synonym, the phrasebook's material words); or, `loose`, what a general
    thesaurus gives for a word the corpus never uses (夏天 → 夏季), which a text holding one
    holds at a part's weight."""
    from ..plan import SYNONYM

    def kept(a) -> bool:
        return a.kind == "thesaurus" if loose else a.weight >= SYNONYM

    # a stand-in the question says itself (地址, which the phrasebook gives for 改 of 改地址) is
    # that word of the question, not evidence for another: a passage saying it would count twice
    said = {g.word for g in plan.groups}
    return {g.word: tuple(a.term for a in g.alternatives if kept(a) and a.term not in said) for g in plan.groups}
