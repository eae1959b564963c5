"""Ranking: every signal that orders a query's candidates, as pure functions, and one score.

The engine's BM25 proposes candidates (kb.store); each candidate then gets a vector of
features, and its score is their weighted sum:

    bm25        the engine's BM25 over the best candidate's (0..1)
    coverage    share of the query's idf-weighted words the passage holds, through stand-ins
    proximity   how tightly the query's words cluster in it
    share       share of the query's telling words present, by count
    heading     share of the query's weight held by the passage's headings and breadcrumb
    short       how far below FULL_LENGTH characters the passage is (a bare heading line)
    intent      1 when the passage is of the kind the query asks for (a script for 话术)
    enumerates  1 when it enumerates what the query asks a list of (1) 孕育阶段 2) …)
    grams       share of the query's character pairs the passage holds: the query's own
                wording, whatever the segmenter made of it (a name cut into characters)
    grams_long  the same for a long question only (LONG_QUERY pairs or more): a question
                that restates a passage's wording, as opposed to a few words typed
    figure      1 when the query asks a figure in a measure (多少钱, 等多久, 几度) and the
                passage states one in its units ($50, 15分钟, -18℃) in a clause holding one
                of the query's telling words: kb.asking
    rule        1 when the query asks whether something may be done (能不能收, 可以…吗) and
                the passage states a rule (不得, 禁止, 须, 可以) in a clause holding one of the
                query's telling words: kb.asking
    telling     coverage with each word weighed by how telling it is in the language at large
                too (kb.rankdata.telling): an everyday word a small folder happens to use
                rarely (来, 跟) weighs less than its idf there says
    dense       the cosine of the query's and the passage's vectors (kb.dense), where the
                index keeps them; 0 where it does not

The weights are not set by hand: scripts/fit_ranking.py fits them on the public judged sets
together and writes kb/data/ranking.toml, which `weights()` reads (with --dense, over indexes
that keep vectors: kb/data/ranking_dense.toml, `weights(dense=True)`). Re-ranking orders and
demotes; it never drops a candidate (a short result list is the engine's, not ours).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from operator import mul
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Container, Mapping, Sequence

from .analysis import normalise_text
from .asking import rule_words, stated
from .plan import PIECE, PIECES, THESAURUS, Group, QueryPlan
from .rankdata import idf  # how telling a term is: one idf for search, ask and the query's stand-ins
from .structure import ITEM_MARKER

FEATURES = ("bm25", "coverage", "proximity", "share", "heading", "short", "intent", "enumerates", "grams", "grams_long",
            "figure", "rule", "telling", "dense")
FULL_LENGTH = 100  # characters: a passage shorter than this is mostly a heading or a TOC line
LONG_QUERY = 8  # character pairs (query_grams) from which a query is a long question
# where a clause ends (the figure and rule features read a figure or a rule with the words of its clause)
_CLAUSE_END = re.compile(r"[\n。；;！？!?]")
ENUM_ITEMS = 3  # items naming the asked-for noun that make a passage an enumeration of it


@dataclass(frozen=True)
class Weights:
    """A weight per feature, how many engine candidates are re-ranked, and the engine's BM25
    parameters (k1: term-frequency saturation, b: length normalisation)."""

    values: Mapping[str, float]
    pool: int = 40
    k1: float = 1.2
    b: float = 0.75

    def score(self, features: Sequence[float]) -> float:
        return sum(map(mul, self.vector, features))  # each product in order, as a generator of them would

    @cached_property
    def vector(self) -> tuple[float, ...]:
        """The weights in FEATURES order (a feature left out weighs 0)."""
        return tuple(self.values.get(name, 0.0) for name in FEATURES)


def parse_weights(text: str) -> Weights:
    """Weights from the text of a ranking.toml: `pool`, a [bm25] table (k1, b) and a [weights]
    table."""
    from .rankdata import parse

    return _weights_of(parse(text))


def _weights_of(data: dict) -> Weights:
    values = {k: float(v) for k, v in data.get("weights", {}).items()}
    unknown = sorted(set(values) - set(FEATURES))
    if unknown:
        raise ValueError(f"unknown ranking feature(s): {', '.join(unknown)}")
    bm25 = data.get("bm25", {})
    return Weights(values, int(data.get("pool", 40)), float(bm25.get("k1", 1.2)), float(bm25.get("b", 0.75)))


DENSE_WEIGHTS = "ranking_dense.toml"


@lru_cache(maxsize=2)
def weights(dense: bool = False) -> Weights:
    """The fitted weights shipped in kb/data/ranking.toml; for an index that keeps passage
    vectors, those fitted with them (kb/data/ranking_dense.toml)."""
    from importlib import resources

    from .rankdata import data, parse

    return _weights_of(parse(resources.files("kb.data").joinpath(DENSE_WEIGHTS).read_text("utf-8")) if dense else data())


# --- the query's words against a passage -------------------------------------



def group_idf(group: Group, idf: Mapping[str, float]) -> float:
    """A query word's weight: its own idf, or when the corpus lacks it, its best stand-in's;
    scaled down for a word that frames the question (为什么)."""
    first = group.alternatives[0].term
    return group.weight * (idf.get(first) or max((idf.get(t, 0.0) for t in group.terms()), default=0.0))


def attainable(group: Group, idf: Mapping[str, float]) -> float:
    """The most credit any passage could get for a query word: when the corpus never uses the
    word itself (二八原则), its best stand-in (80/20) is as good as the corpus says it. Only a
    close stand-in counts so (a fix, a domain synonym, the compound's pieces): a general
    synonym or a character inside the word (人 of 骂人) is no better for being all there is."""
    best = max((a.weight for a in group.alternatives if idf.get(a.term) and a.weight >= PIECE), default=0.0)
    if group.pieces and all(idf.get(p) for p in group.pieces):
        best = max(best, PIECES)
    return best or 1.0


def references(groups: tuple[Group, ...], idf: Mapping[str, float]) -> tuple[tuple[float, float], ...]:
    """Per query word, what coverage measures a passage against: the word's weight and the most
    credit a passage could get for it. The same for every candidate: computed once a query."""
    return tuple((group_idf(g, idf), attainable(g, idf)) for g in groups)


def coverage(groups: tuple[Group, ...], idf: Mapping[str, float], norm: str,
             refs: tuple[tuple[float, float], ...] | None = None) -> float:
    """Share of the query's idf-weighted words a passage holds, each through its best alternative
    (measured against the best the corpus offers for it)."""
    return _covered([g.credit(norm) for g in groups], refs or references(groups, idf))


def telling(groups: tuple[Group, ...]) -> tuple[Group, ...]:
    """The query's words of two characters or more, when it has any: a one-character word is
    found inside unrelated words (法 in 方法, 到 in 找到), so it says little about where the
    query's words stand or whether a passage holds them."""
    longer = tuple(g for g in groups if len(g.word) > 1)
    return longer or groups


def term_share(groups: tuple[Group, ...], norm: str) -> float:
    """Share of the query's words (or a stand-in for them) that a passage holds, by count
    (a framing word counting for its weight), among its telling words; a character inside a
    word is no stand-in for it here (电 of 电路 is in every 电话)."""
    return _shared(groups, [g.credit(norm) for g in groups])


def proximity(groups: tuple[Group, ...], norm: str) -> float:
    """How tightly the query's words cluster: their total length over the shortest window of
    the passage holding one of each (a word or a stand-in for it: a synonym, a repaired word),
    among the query's telling words, scaled by the share of them present (two of five words
    side by side are not the query's words close together)."""
    groups = telling(groups)
    held = [found for found in ([t for t in g.terms() + g.pieces if t in norm] for g in groups) if found]
    return _proximity(held, len(groups), norm)


def _proximity(held_terms: Sequence[Sequence[str]], count: int, norm: str) -> float:
    """proximity() from the terms of the telling groups that `norm` holds: each such group's
    terms found in it, the groups in their order, of `count` telling groups."""
    if len(held_terms) < 2:
        return 1.0 if held_terms and count == 1 else 0.0
    span = 0  # the held words' total length, each by its shortest term
    for terms in held_terms:
        span += min(map(len, terms))
    events: list[tuple[int, int, int]] = []  # (where a term starts, its group, its length), sorted
    add = events.append
    for i, terms in enumerate(held_terms):
        for t in terms:
            if not t:
                events.extend((start, i, 0) for start in _found(t, norm))
                continue
            step, at = len(t), norm.find(t)  # _found(t, norm), without a list per term
            while at >= 0:
                add((at, i, step))
                at = norm.find(t, at + step)
    events.sort()
    need = len(held_terms)
    # the shortest window holding one of each: a count per group and how many groups are
    # missing (a list, not a dict of counts: this loop runs for every candidate of a query)
    have, missing = [0] * need, need
    best = math.inf
    left = 0
    for start, i, size in events:
        if not have[i]:
            missing -= 1
        have[i] += 1
        if missing:
            continue
        end = start + size
        while not missing:
            s0, i0, _ = events[left]
            if end - s0 < best:
                best = end - s0
            have[i0] -= 1
            if not have[i0]:
                missing += 1
            left += 1
        if best <= span:  # the words side by side: no window can score more (min(1, span / best))
            break
    held = need / count
    return held * min(1.0, span / best) if best < math.inf else 0.0


def _clause(text: str, ends: list[int], start: int, end: int) -> str:
    """The clause of a text holding [start, end): from the clause end before it (`ends`: where
    the text's clauses end, in order) to the first after it."""
    i = bisect_left(ends, start)
    left = ends[i - 1] + 1 if i else 0
    j = bisect_left(ends, end, i)
    return text[left: ends[j] if j < len(ends) else len(text)]


def _found(term: str, text: str) -> list[int]:
    """Where a term starts in a text, left to right without overlaps (re.finditer's matches of
    it, without compiling a pattern for every term of every query)."""
    if not term:
        return [m.start() for m in re.finditer("", text)]
    out, i, step = [], text.find(term), len(term)
    while i >= 0:
        out.append(i)
        i = text.find(term, i + step)
    return out


def enumerated(nouns: tuple[str, ...], norm: str) -> int:
    """How many numbered or bulleted items of a passage name one of these nouns: the stages of
    a model, the steps of a procedure."""
    return max((len(_item_naming(n).findall(norm)) for n in nouns), default=0)


@lru_cache(maxsize=64)
def _item_naming(noun: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{ITEM_MARKER})[^\n]{{0,15}}?{re.escape(noun)}")


@lru_cache(maxsize=256)
def query_grams(text: str) -> tuple[str, ...]:
    """The query's character pairs that carry its topic: pairs of Chinese characters inside a
    run of its kept words (stop words and question words such as 什么 break a run), and its
    words of letters or digits whole (1985, spin)."""
    from .analysis import analyze
    from .lexicon import framing_words

    framing = framing_words()
    runs: list[list[str]] = []
    end = -1
    for tok in analyze(text, subwords=False):
        if tok.text in framing:
            end = -1
            continue
        if tok.start != end or not runs:
            runs.append([])
        runs[-1].append(tok.text)
        end = tok.end
    grams: list[str] = []
    for run in runs:
        chars = ""
        for word in run + [""]:
            if word and all("\u4e00" <= c <= "\u9fff" for c in word):
                chars += word
                continue
            grams += [chars[i: i + 2] for i in range(len(chars) - 1)]
            chars = ""
            if word:
                grams.append(word)
    return tuple(dict.fromkeys(grams))


def gram_share(grams: tuple[str, ...], norm: str) -> float:
    """Share of the query's character pairs (query_grams) found in a passage's text."""
    return sum(g in norm for g in grams) / len(grams) if grams else 0.0


def shortness(norm_length: int) -> float:
    """0 for a passage of FULL_LENGTH characters or more, up to 1 for an empty one."""
    return 1.0 - min(norm_length, FULL_LENGTH) / FULL_LENGTH


# --- one candidate, one query ------------------------------------------------

def features(plan: QueryPlan, idf: Mapping[str, float], refs: tuple[tuple[float, float], ...],
             norm: str, heading_norm: str, kind: str, length: int, engine: float) -> tuple[float, ...]:
    """The feature vector of a candidate (in FEATURES order). `norm` is its searchable
    normalised text, `heading_norm` its headings and breadcrumb normalised, `length` its
    text's length, `engine` its BM25 relative to the query's best candidate."""
    return Reading.of(plan, refs).features(norm, heading_norm, kind, length, engine)


@dataclass(frozen=True)
class Reading:
    """What features() reads of a query, made once for all of its candidates: its groups, the
    telling ones and the terms that stand for each, its character pairs, the totals coverage
    and share divide by, and every string a candidate is searched for. Each feature is computed
    as coverage(), proximity() and term_share() compute it, to the last bit."""

    plan: QueryPlan
    refs: tuple[tuple[float, float], ...]
    refs_total: float
    telling_terms: tuple[tuple[str, ...], ...]  # per telling group: its terms, then its pieces
    telling_count: int
    telling_places: dict[str, tuple[int, ...]] = field(compare=False)  # each of those terms: the telling groups it is in
    shared: tuple[tuple[int, float], ...]  # (group's place, its weight) of the telling groups
    shared_total: float
    pairs: frozenset[str]
    long_pairs: bool  # LONG_QUERY pairs or more
    credited: tuple[tuple[tuple[tuple[float, str], ...], tuple[str, ...]], ...]  # per group: (weight, term)s, pieces
    named: tuple[str, ...]  # the groups' terms and pieces, each once
    strings: tuple[str, ...]  # those and the pairs, each once
    figures: tuple[re.Pattern[str], ...]  # the units of each measure it asks a figure in (kb.asking)
    rule: re.Pattern[str] | None  # the words a rule is written in, when it asks whether it may (kb.asking)
    told: tuple[tuple[float, float], ...]  # refs with each word weighed by kb.rankdata.telling
    told_total: float
    headings: dict[str, float] = field(default_factory=dict, compare=False)  # the heading feature by headings' text
    found: dict[str, set[str]] = field(default_factory=dict, compare=False)  # the strings each text read holds

    @classmethod
    def of(cls, plan: QueryPlan, refs: tuple[tuple[float, float], ...],
           weighed: tuple[tuple[float, float], ...] | None = None) -> Reading:
        """`weighed`: the query's words weighed as the telling feature reads them (references()
        over kb.rankdata.telling's weights); without them it reads as coverage."""
        groups = plan.groups
        weighed = refs if weighed is None else weighed
        told = telling(groups)
        kept = set(map(id, told))
        shared = tuple((i, g.weight) for i, g in enumerate(groups) if id(g) in kept)
        pairs = query_grams(plan.text)
        credited = tuple((tuple((a.weight, a.term) for a in g.alternatives), g.pieces) for g in groups)
        named = tuple(dict.fromkeys(t for alts, pieces in credited for t in (*(t for _, t in alts), *pieces)))
        telling_terms = tuple(g.terms() + g.pieces for g in told)
        places: dict[str, list[int]] = {}
        for i, terms in enumerate(telling_terms):
            for t in dict.fromkeys(terms):
                places.setdefault(t, []).append(i)
        return cls(plan, refs, sum(weight for weight, _ in refs), telling_terms, len(told),
                   {t: tuple(v) for t, v in places.items()}, shared, sum(w for _, w in shared), frozenset(pairs),
                   len(pairs) >= LONG_QUERY, credited, named, tuple(dict.fromkeys(named + pairs)),
                   tuple(stated()[kind] for kind in plan.measures), rule_words() if plan.leave else None,
                   weighed, sum(weight for weight, _ in weighed))

    def features(self, norm: str, heading_norm: str, kind: str, length: int, engine: float,
                 dense: float = 0.0) -> tuple[float, ...]:
        plan = self.plan
        present = {t for t in self.strings if t in norm}  # each of the query's strings looked for once
        self.found[norm] = present  # and not again for the text's highlight (kb.search)
        credits = _credits(self.credited, present)  # as Group.credit(norm)
        pairs = self.pairs
        grams = len(pairs & present) / len(pairs) if pairs else 0.0  # gram_share(pairs, norm): the pairs are distinct
        total = self.shared_total
        return (
            engine,
            self._covered(credits),
            _proximity(self._held(present), self.telling_count, norm),
            sum(w for i, w in self.shared if credits[i] >= THESAURUS) / total if total else 0.0,
            self._heading(heading_norm),
            shortness(length),
            1.0 if kind in plan.intents else 0.0,
            1.0 if plan.enumerates and enumerated(plan.enumerates, norm) >= ENUM_ITEMS else 0.0,
            grams,
            grams if self.long_pairs else 0.0,
            self._stated_near(norm, present, self.figures) if self.figures else 0.0,
            self._stated_near(norm, present, (self.rule,)) if self.rule is not None else 0.0,
            _covered_by(credits, self.told, self.told_total),
            dense,
        )

    def _stated_near(self, norm: str, present: set[str], patterns: Sequence[re.Pattern[str]]) -> float:
        """The figure and rule features: 1 when what a pattern finds (a figure in an asked
        measure's units, a rule's words) is stated in a clause (a line, a sentence) that holds one
        of the query's telling words: 金门、马祖:第4天送达 for 寄去金门马祖要等几天, not a passage
        that names the islands in one line and states a duration of something else in another."""
        terms = present.intersection(self.telling_places)
        if not terms:
            return 0.0
        ends: list[int] | None = None
        for units in patterns:
            for m in units.finditer(norm):
                if ends is None:
                    ends = [e.start() for e in _CLAUSE_END.finditer(norm)]
                clause = _clause(norm, ends, m.start(), m.end())
                if any(t in clause for t in terms):
                    return 1.0
        return 0.0

    def _held(self, present: set[str]) -> list[list[str]]:
        """The telling groups a text holds, in their order, each with its terms found there
        (present: the query's strings it holds), as proximity() filters them."""
        found = present.intersection(self.telling_places)
        if not found:
            return []
        places = self.telling_places
        held = sorted({i for t in found for i in places[t]})
        return [[t for t in self.telling_terms[i] if t in found] for i in held]

    def _heading(self, heading_norm: str) -> float:
        """The heading feature, once a query for each headings' text (the passages of a document
        that are candidates share their breadcrumb); 0 when they hold none of the query's terms."""
        got = self.headings.get(heading_norm)
        if got is None:
            present = {t for t in self.named if t in heading_norm}
            got = self._covered(_credits(self.credited, present)) if present else 0.0
            self.headings[heading_norm] = got
        return got

    def _covered(self, credits: Sequence[float]) -> float:
        return _covered_by(credits, self.refs, self.refs_total)


def _covered_by(credits: Sequence[float], refs: tuple[tuple[float, float], ...], total: float) -> float:
    """_covered() from each word's credit, its refs' total given: the coverage feature's (the
    query's idf) and the telling feature's (kb.rankdata.telling)."""
    if not total:
        return 0.0
    covered = 0  # summed in order, as _covered() sums
    for c, (weight, top) in zip(credits, refs):
        share = c / top
        covered += weight * (share if share < 1.0 else 1.0)  # min(1.0, share), without the call
    return covered / total


def _credits(credited: tuple[tuple[tuple[tuple[float, str], ...], tuple[str, ...]], ...],
             present: Container[str]) -> list[float]:
    """Each group's Group.credit, from the set of the query's strings a text holds."""
    out = []
    for alts, pieces in credited:
        best = 0.0
        for weight, term in alts:
            if weight > best and term in present:
                best = weight
        if pieces:
            best = max(best, PIECES * sum(p in present for p in pieces) / len(pieces))
        out.append(best)
    return out


def _covered(credits: Sequence[float], refs: tuple[tuple[float, float], ...]) -> float:
    """coverage() from each word's credit."""
    total = sum(weight for weight, _ in refs)
    return sum(weight * min(1.0, c / top) for c, (weight, top) in zip(credits, refs)) / total if total else 0.0


def _shared(groups: tuple[Group, ...], credits: Sequence[float]) -> float:
    """term_share() from each word's credit."""
    kept = set(map(id, telling(groups)))
    counted = [(g, c) for g, c in zip(groups, credits) if id(g) in kept]
    total = sum(g.weight for g, _ in counted)
    return sum(g.weight for g, c in counted if c >= THESAURUS) / total if total else 0.0


def heading_text(section: Sequence[str], headings: Sequence[str]) -> str:
    """What the heading feature reads: the breadcrumb and the passage's own headings."""
    return _heading_text(tuple(section), tuple(headings))


@lru_cache(maxsize=4096)
def _heading_text(section: tuple[str, ...], headings: tuple[str, ...]) -> str:
    """heading_text(), kept: a passage is a candidate of query after query, and the passages of
    a document share their breadcrumb."""
    return normalise_text(" › ".join(list(section) + [h for h in headings if h not in section]))
