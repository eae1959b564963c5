"""Search: a natural-language query to ranked, highlighted passages.

The query goes through the same analyzer as the documents and becomes a plain
OR of terms (never parsed, so quotes, AND, * or brackets are just text). The
engine's BM25F candidates are then re-ranked by two signals BM25 lacks:
coverage (how much of the query's weight a passage holds) and proximity (how
close together the query's words stand in it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .analysis import analyze, analyze_repaired
from .errors import QueryError
from .index import Candidate, IndexStore
from .model import Hit, Passage
from .query import PIECE, PIECES, THESAURUS, Group, QueryPlan, understand
from .structure import ITEM_MARKER

CANDIDATES = 40
COMMON = 0.5  # share of passages above which a term is too common to fetch candidates by …
PRUNE_FROM = 2000  # … once the index holds this many passages (the seeds hold 140)
COVERAGE_WEIGHT = 3.0
BM25_POWER = 0.5  # the engine score is one signal of three: its square root keeps a 35% BM25 lead from outweighing twice the coverage
PROXIMITY_WEIGHT = 0.5
# A passage holding less of the query than this is not an answer to it: by weight among the
# words the corpus knows, and by count among all the query's words (so one shared word
# between an off-topic title and the corpus does not make a hit).
MIN_COVERAGE = 0.15
MIN_TERM_SHARE = 0.3
# A bare heading or table-of-contents line matches a query's words as well as the section
# itself but answers nothing: passages shorter than FULL_LENGTH are discounted.
FULL_LENGTH = 100
LENGTH_PRIOR = 0.3
INTENT_BOOST = 1.5  # a passage of the kind the query asks for (a script for 话术)
# a passage that enumerates what the query asks a list of (1) 孕育阶段 2) 初期合作阶段 …)
ENUM_BOOST = 1.3
ENUM_ITEMS = 3
HIGHLIGHT_WEIGHT = 0.4  # stand-ins weaker than this (a lone character of a typo) are not marked
MARK_OPEN, MARK_CLOSE = "«", "»"
SNIPPET = 160


def group_idf(group: Group, idf: dict[str, float]) -> float:
    """A query word's weight: its own idf, or when the corpus lacks it, its best stand-in's;
    scaled down for a word that frames the question (为什么)."""
    first = group.alternatives[0].term
    return group.weight * (idf.get(first) or max((idf.get(t, 0.0) for t in group.terms()), default=0.0))


def attainable(group: Group, idf: dict[str, float]) -> float:
    """The most credit any passage could get for a query word: when the corpus never uses the
    word itself (二八原则), its best stand-in (80/20) is as good as the corpus says it. Only a
    close stand-in counts so (a fix, a domain synonym, the compound's pieces): a general
    synonym or a character inside the word (人 of 骂人) is no better for being all there is."""
    best = max((a.weight for a in group.alternatives if idf.get(a.term) and a.weight >= PIECE), default=0.0)
    if group.pieces and all(idf.get(p) for p in group.pieces):
        best = max(best, PIECES)
    return best or 1.0


def references(groups: tuple[Group, ...], idf: dict[str, float]) -> tuple[tuple[float, float], ...]:
    """Per query word, what coverage measures a passage against: the word's weight and the most
    credit a passage could get for it. The same for every candidate: computed once a query."""
    return tuple((group_idf(g, idf), attainable(g, idf)) for g in groups)


def coverage(groups: tuple[Group, ...], idf: dict[str, float], norm: str,
             refs: tuple[tuple[float, float], ...] | None = None) -> float:
    """Share of the query's idf-weighted words a passage holds, each through its best alternative
    (measured against the best the corpus offers for it)."""
    refs = refs or references(groups, idf)
    total = sum(weight for weight, _ in refs)
    found = sum(weight * min(1.0, g.credit(norm) / top) for g, (weight, top) in zip(groups, refs))
    return found / total if total else 0.0


def _telling(groups: tuple[Group, ...]) -> tuple[Group, ...]:
    """The query's words of two characters or more, when it has any: a one-character word is
    found inside unrelated words (法 in 方法, 到 in 找到), so it says little about where the
    query's words stand or whether a passage holds them."""
    longer = tuple(g for g in groups if len(g.word) > 1)
    return longer or groups


def term_share(groups: tuple[Group, ...], norm: str) -> float:
    """Share of the query's words (or a stand-in for them) that a passage holds, by count
    (a framing word counting for its weight), among its telling words; a character inside a
    word is no stand-in for it here (电 of 电路 is in every 电话)."""
    groups = _telling(groups)
    total = sum(g.weight for g in groups)
    return sum(g.weight for g in groups if g.credit(norm) >= THESAURUS) / total if total else 0.0


def engine_weights(plan: QueryPlan, idf: dict[str, float]) -> dict[str, float]:
    """Boost per term for the engine. A stand-in never weighs more than the word it stands
    for: a rare synonym's idf is scaled down to the literal word's."""
    out: dict[str, float] = {}
    for g in plan.groups:
        lead = g.alternatives[0].term
        for a in g.alternatives:
            w = a.weight * g.weight
            if a.term != lead and idf.get(lead) and idf.get(a.term, 0) > idf[lead]:
                w *= idf[lead] / idf[a.term]
            out[a.term] = max(out.get(a.term, 0.0), w)
    return out


def proximity(groups: tuple[Group, ...], norm: str) -> float:
    """How tightly the query's words cluster: their total length over the shortest window of
    the passage holding one of each (a word or a stand-in for it: a synonym, a repaired word),
    among the query's telling words."""
    groups = _telling(groups)
    present = []
    for g in groups:
        terms = [t for t in g.terms() + g.pieces if t in norm]
        if terms:
            present.append(terms)
    if len(present) < 2:
        return 1.0 if present and len(groups) == 1 else 0.0
    events = sorted((m.start(), i, len(t)) for i, terms in enumerate(present)
                    for t in terms for m in re.finditer(re.escape(t), norm))
    need, have = len(present), {}
    best = math.inf
    left = 0
    for start, i, size in events:
        have[i] = have.get(i, 0) + 1
        while len(have) == need:
            s0, i0, _ = events[left]
            best = min(best, start + size - s0)
            have[i0] -= 1
            if not have[i0]:
                del have[i0]
            left += 1
    span = sum(min(len(t) for t in terms) for terms in present)
    # two of five words side by side are not the query's words close together
    held = len(present) / len(groups)
    return held * min(1.0, span / best) if best < math.inf else 0.0


def enumerated(nouns: tuple[str, ...], norm: str) -> int:
    """How many numbered or bulleted items of a passage name one of these nouns: the stages of
    a model, the steps of a procedure."""
    return max((len(_item_naming(n).findall(norm)) for n in nouns), default=0)


@lru_cache(maxsize=64)
def _item_naming(noun: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{ITEM_MARKER})[^\n]{{0,15}}?{re.escape(noun)}")


def rank(candidates: list[Candidate], q: QueryPlan, idf: dict[str, float]) -> list[tuple[float, Candidate]]:
    """Re-rank engine candidates by BM25F, coverage and proximity; drop those that hold too little."""
    if not candidates:
        return []
    top = max(c.score for c in candidates) or 1.0
    refs = references(q.groups, idf)
    out = []
    for c in candidates:
        cov = coverage(q.groups, idf, c.norm, refs)
        if cov < MIN_COVERAGE or term_share(q.groups, c.norm) < MIN_TERM_SHARE:
            continue
        prox = proximity(q.groups, c.norm)
        prior = (min(len(c.norm), FULL_LENGTH) / FULL_LENGTH) ** LENGTH_PRIOR
        if c.passage.kind in q.intents:
            prior *= INTENT_BOOST
        if q.enumerates and enumerated(q.enumerates, c.norm) >= ENUM_ITEMS:
            prior *= ENUM_BOOST
        out.append(((c.score / top) ** BM25_POWER * prior * (1 + COVERAGE_WEIGHT * cov + PROXIMITY_WEIGHT * prox), c))
    out.sort(key=lambda sc: -sc[0])
    return out


def highlight(passage: Passage, terms: set[str], width: int = SNIPPET) -> str:
    """The passage text around its best match, query words marked «like this» in the original script."""
    text = passage.text
    tokens = analyze(text) + (list(analyze_repaired(text)) if passage.spun else [])
    spans = _merge([(t.start, t.end) for t in tokens if t.text in terms])
    if not spans:
        return text[:width] + ("…" if len(text) > width else "")
    # the window of `width` characters holding the most marked characters
    best_start, best_score = 0, -1
    for s, _ in spans:
        start = max(0, s - width // 4)
        score = sum(min(e, start + width) - max(b, start) for b, e in spans if b < start + width and e > start)
        if score > best_score:
            best_start, best_score = start, score
    start = best_start if len(text) > width else 0
    # never open the window in the middle of a marked word (…«诉» of 投诉)
    start = next((b for b, e in spans if b < start < e), start)
    end = min(len(text), start + width)
    end = next((e for b, e in spans if b < end < e), end)
    out, pos = [], start
    for b, e in spans:
        if e <= start or b >= end:
            continue
        b, e = max(b, start), min(e, end)
        out.append(text[pos:b])
        out.append(MARK_OPEN + text[b:e] + MARK_CLOSE)
        pos = e
    out.append(text[pos:end])
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for b, e in sorted(spans):
        if out and b <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((b, e))
    return out


@dataclass(frozen=True)
class SearchResult:
    """Hits, how the query was understood, and the query actually run (a spelling fix when
    the typed one found nothing)."""

    hits: list[Hit]
    plan: QueryPlan
    query: str

    @property
    def fixed(self) -> bool:
        return self.query != self.plan.text


def run(store: IndexStore, plan: QueryPlan, limit: int, doc: str | None, kind: str | None) -> list[Hit]:
    n = max(store.doc_count(), 1)
    dfs = {t: store.doc_frequency(t) for t in plan.weights}
    # Terms the corpus never uses can't tell passages apart: they count for nothing here.
    idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0 for t, df in dfs.items()}
    weights = engine_weights(plan, idf)
    # In a large index a term in most passages (客户) costs the engine a pass over most of it
    # and moves little: candidates come from the rarer terms; coverage still counts it.
    rare = {t: w for t, w in weights.items() if dfs[t] <= COMMON * n} if n >= PRUNE_FROM else {}
    candidates = store.candidates(rare or weights, limit=max(CANDIDATES, limit * 3), doc=doc, kind=kind)
    ranked = rank(candidates, plan, idf)[:limit]
    terms = {t for t, w in plan.weights.items() if w >= HIGHLIGHT_WEIGHT}
    return [
        Hit(rank=i, score=score, passage=c.passage, highlight=highlight(c.passage, terms))
        for i, (score, c) in enumerate(ranked, 1)
    ]


def search(store: IndexStore, query: str, limit: int = 10, doc: str | None = None,
           kind: str | None = None, fix: bool = False) -> SearchResult:
    """Ranked hits for a query. With fix, or when the query finds nothing and has a spelling
    fix, the fixed query is run instead."""
    if limit < 1:
        raise QueryError("limit must be at least 1")
    plan = understand(query, store)
    hits = [] if fix and plan.corrected else run(store, plan, limit, doc, kind)
    if not hits and plan.corrected:
        fixed = understand(plan.corrected, store)
        return SearchResult(run(store, fixed, limit, doc, kind), plan, plan.corrected)
    return SearchResult(hits, plan, query)
