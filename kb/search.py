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

from .analysis import Token, analyze
from .errors import QueryError
from .index import Candidate, IndexStore
from .model import Hit

MAX_QUERY = 500  # characters; a longer "query" is a pasted document
SUBWORD_WEIGHT = 0.4  # a word inside a query word counts for less than the word itself
CANDIDATES = 60
COVERAGE_WEIGHT = 1.5
PROXIMITY_WEIGHT = 0.5
# A passage holding less of the query than this is not an answer to it: by weight among the
# words the corpus knows, and by count among all the query's words (so one shared word
# between an off-topic title and the corpus does not make a hit).
MIN_COVERAGE = 0.3
MIN_TERM_SHARE = 0.3
# A bare heading or table-of-contents line matches a query's words as well as the section
# itself but answers nothing: passages shorter than FULL_LENGTH are discounted.
FULL_LENGTH = 100
LENGTH_PRIOR = 0.3
MARK_OPEN, MARK_CLOSE = "«", "»"
SNIPPET = 160


@dataclass(frozen=True)
class QueryTerms:
    """The analysed query: each term's weight, the main terms in order, and each main
    term grouped with the shorter words inside it."""

    weights: dict[str, float]
    main: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]


def analyse_query(query: str) -> QueryTerms:
    """Validate and analyse a query, raising QueryError with a clear message when it cannot be searched."""
    text = (query or "").strip()
    if not text:
        raise QueryError("empty query: type a few words, e.g. 客诉处理步骤")
    if len(text) > MAX_QUERY:
        raise QueryError(f"query too long ({len(text)} characters; at most {MAX_QUERY})")
    tokens = analyze(text)
    weights: dict[str, float] = {}
    for tok in tokens:
        w = SUBWORD_WEIGHT if tok.sub else 1.0
        weights[tok.text] = max(weights.get(tok.text, 0.0), w)
    if not weights:
        raise QueryError(f"nothing to search for in {text!r}: it holds only punctuation or common words")
    main = tuple(dict.fromkeys(t.text for t in tokens if not t.sub))
    by_pos: dict[int, list[str]] = {}
    for tok in tokens:
        by_pos.setdefault(tok.pos, []).append(tok.text)
    groups = tuple(dict.fromkeys(tuple(g) for g in by_pos.values()))
    return QueryTerms(weights, main, groups)


def term_share(groups: tuple[tuple[str, ...], ...], norm: str) -> float:
    """Share of the query's words (a word or a part of it) that a passage holds, by count."""
    return sum(any(t in norm for t in g) for g in groups) / len(groups) if groups else 0.0


def coverage(weights: dict[str, float], idf: dict[str, float], norm: str) -> float:
    """Share of the query's idf-weighted terms found in a passage's normalised text."""
    total = sum(idf[t] * w for t, w in weights.items())
    found = sum(idf[t] * w for t, w in weights.items() if t in norm)
    return found / total if total else 0.0


def proximity(terms: tuple[str, ...], norm: str) -> float:
    """How tightly the query's words cluster: their total length over the shortest window holding them all."""
    present = [t for t in terms if t in norm]
    if len(present) < 2:
        return 1.0 if present and len(terms) == 1 else 0.0
    events = sorted((m.start(), i, len(t)) for i, t in enumerate(present) for m in re.finditer(re.escape(t), norm))
    need, have = len(present), {}
    best = math.inf
    left = 0
    for right, (start, i, size) in enumerate(events):
        have[i] = have.get(i, 0) + 1
        while len(have) == need:
            s0, i0, _ = events[left]
            best = min(best, start + size - s0)
            have[i0] -= 1
            if not have[i0]:
                del have[i0]
            left += 1
    span = sum(len(t) for t in present)
    return min(1.0, span / best) if best < math.inf else 0.0


def rank(candidates: list[Candidate], q: QueryTerms, idf: dict[str, float]) -> list[tuple[float, Candidate]]:
    """Re-rank engine candidates by BM25F, coverage and proximity; drop those that hold too little."""
    if not candidates:
        return []
    top = max(c.score for c in candidates) or 1.0
    out = []
    for c in candidates:
        cov = coverage(q.weights, idf, c.norm)
        if cov < MIN_COVERAGE or term_share(q.groups, c.norm) < MIN_TERM_SHARE:
            continue
        prox = proximity(q.main, c.norm)
        prior = (min(len(c.norm), FULL_LENGTH) / FULL_LENGTH) ** LENGTH_PRIOR
        out.append(((c.score / top) * prior * (1 + COVERAGE_WEIGHT * cov + PROXIMITY_WEIGHT * prox), c))
    out.sort(key=lambda sc: -sc[0])
    return out


def highlight(text: str, terms: set[str], width: int = SNIPPET) -> str:
    """The passage text around its best match, query words marked «like this» in the original script."""
    spans = _merge([(t.start, t.end) for t in analyze(text) if t.text in terms])
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
    end = min(len(text), start + width)
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


def search(store: IndexStore, query: str, limit: int = 10, doc: str | None = None,
           kind: str | None = None) -> list[Hit]:
    """Ranked hits for a query (an empty list when nothing in the corpus matches)."""
    if limit < 1:
        raise QueryError("limit must be at least 1")
    q = analyse_query(query)
    n = max(store.doc_count(), 1)
    # Terms the corpus never uses can't tell passages apart: they count for nothing here.
    idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) if (df := store.doc_frequency(t)) else 0.0
           for t in q.weights}
    candidates = store.candidates(q.weights, limit=max(CANDIDATES, limit * 3), doc=doc, kind=kind)
    ranked = rank(candidates, q, idf)[:limit]
    terms = set(q.weights)
    return [
        Hit(rank=i, score=score, passage=c.passage, highlight=highlight(c.passage.text, terms))
        for i, (score, c) in enumerate(ranked, 1)
    ]


__all__ = ["search", "analyse_query", "QueryTerms", "Token"]
