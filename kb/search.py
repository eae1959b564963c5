"""Search: a natural-language query to ranked, highlighted passages.

The query goes through the same analyzer as the documents and becomes a plain
OR of terms (never parsed, so quotes, AND, * or brackets are just text). The
engine's BM25F candidates are then re-ranked by kb.ranking's fitted score, which
orders and demotes but never drops: every passage matching a query word can be
found.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import accumulate
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Container

from .analysis import language_rate, normalise
from .errors import QueryError
from .store import Candidate, IndexStore
from . import ranking
from .model import Hit, Passage
from .plan import PART, QueryPlan
from .query import understand
from .rankdata import language_prior, telling

HIGHLIGHT_WEIGHT = 0.4  # stand-ins weaker than this (a lone character of a typo) are not marked
MARK_OPEN, MARK_CLOSE = "«", "»"
SNIPPET = 160


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


Similar = Callable[[list[Candidate]], list[float]]  # the candidates' dense similarity to the query (kb.dense)


def candidate_features(candidates: list[Candidate], q: QueryPlan, idf: dict[str, float], similar: Similar | None = None,
                       reading: ranking.Reading | None = None) -> list[tuple[float, ...]]:
    """Each candidate's ranking features (kb.ranking.FEATURES), in the engine's order;
    `reading`: the query's kb.ranking.Reading, when the caller keeps it."""
    if not candidates:
        return []
    top = max(c.score for c in candidates) or 1.0
    reading = reading or ranking.Reading.of(q, ranking.references(q.groups, idf))
    sims = similar(candidates) if similar else [0.0] * len(candidates)
    return [reading.features(c.norm, ranking.heading_text(c.passage.section, (*c.passage.headings, *c.passage.questions)),
                             c.passage.kind, len(c.passage.text), c.score / top, sim)
            for c, sim in zip(candidates, sims)]


def rank(candidates: list[Candidate], q: QueryPlan, idf: dict[str, float], weights: ranking.Weights | None = None,
         similar: Similar | None = None, reading: ranking.Reading | None = None) -> list[tuple[float, Candidate]]:
    """Re-rank the engine's first `pool` candidates by the fitted weights; any further ones
    (a limit above the pool) follow in the engine's order. Nothing is dropped, ties keep the
    engine's order, and a passage's place never depends on how many results were asked for."""
    w = weights or ranking.weights()
    head = candidates[: w.pool]
    scored = [(w.score(f), c) for f, c in zip(candidate_features(head, q, idf, similar, reading), head)]
    scored.sort(key=lambda sc: -sc[0])
    floor = scored[-1][0] if scored else 0.0
    return scored + [(floor, c) for c in candidates[w.pool:]]


def highlight(passage: Passage, terms: set[str], width: int = SNIPPET, normalised: str | None = None,
              held: Container[str] | None = None) -> str:
    """The passage text around its best match, query words marked «like this» in the original
    script; a spun passage as it reads repaired (kb.lexicon.repaired), which is what it says.
    `normalised`: the passage text normalised, when the caller has it (Candidate.text_norm);
    `held`: with it, the terms of the searchable text it starts (Candidate.norm) holds, when the
    caller knows (Reading.found): the others are not looked for (most of a query's terms are in
    none of its hits' texts)."""
    text = (passage.repaired_text or passage.text) if passage.spun else passage.text
    spans = _merge(_marks(text, terms, normalised, None if normalised is None else held))
    if not spans:
        return text[:width] + ("…" if len(text) > width else "")
    start = _window(spans, width) if len(text) > width else 0  # a text that fits is shown whole
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


def _window(spans: list[tuple[int, int]], width: int) -> int:
    """Where the window of `width` characters holding the most marked characters starts: a
    quarter of the width before one of the spans (sorted, apart), the first of the best."""
    lead = width // 4
    first = max(0, spans[0][0] - lead)
    if spans[-1][1] <= first + width:  # the first window holds every span: none holds more
        return first
    best_start, best_score = 0, -1
    begins, ends = [b for b, _ in spans], [e for _, e in spans]
    held = list(accumulate((e - b for b, e in spans), initial=0))  # marked characters before each span
    for s in begins:
        start = s - lead if s > lead else 0
        # the spans the window overlaps are a run: whole, but for its two ends (each cut short
        # by as much as it lies outside the window)
        lo, hi = bisect_right(ends, start), bisect_left(begins, start + width)
        if hi > lo:
            before, after = start - begins[lo], ends[hi - 1] - start - width
            score = held[hi] - held[lo] - (before if before > 0 else 0) - (after if after > 0 else 0)
        else:
            score = 0
        if score > best_score:
            best_start, best_score = start, score
    return best_start


# Where a snippet may open before its first marked word: after one of these, or at most
# SNIPPET_LEAD columns before the word (a few characters that say what the word is about).
BOUNDARY = set(" \t,.;:!?()[]，。、；：！？（）【】「」《》")
SNIPPET_LEAD = 10


def columns(text: str) -> int:
    """How many terminal columns `text` takes: a wide (Chinese) character takes two."""
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


def snippet(marked: str, width: int, lead: int = SNIPPET_LEAD) -> str:
    """A highlight (`highlight()`'s «marked» window) cut to `width` terminal columns so that it
    opens just before its first marked word, as a line of grep's opens at the match: «marks» and
    the ellipses count, a mark is never left open, and … says where text was cut. Whitespace runs
    (line breaks included) become one space."""
    text = " ".join(marked.split())
    cut_before, cut_after = text.startswith("…"), text.endswith("…") and len(text) > 1
    body = text[1 if cut_before else 0: len(text) - 1 if cut_after else len(text)]
    start = first = max(body.find(MARK_OPEN), 0)
    room = min(lead, width // 4)
    while start > 0 and body[start - 1] not in BOUNDARY and columns(body[start - 1]) <= room:
        start -= 1
        room -= columns(body[start])
    while start < first and body[start] == " ":
        start += 1
    cut_before = cut_before or start > 0
    budget = max(width, 8) - cut_before  # the opening … takes a column
    out: list[str] = []
    used, inside, opened, i = 0, False, 0, start  # a mark takes a column too (a terminal without color shows it)
    while i < len(body):
        c = body[i]
        if c == MARK_CLOSE:
            inside = False
            out.append(c)
            used += 1
        elif c == MARK_OPEN:
            inside, opened = True, len(out)
            out.append(c)
            used += 1
        else:
            last = not cut_after and not body[i + 1:].replace(MARK_CLOSE, "")
            # columns kept for the closing … and for closing an open mark
            if used + columns(c) + (0 if last else 1) + inside > budget:
                break
            out.append(c)
            used += columns(c)
        i += 1
    if inside:  # cut inside a word: the snippet ends before it, unless it is the first one
        if MARK_CLOSE in out:
            del out[opened:]
        else:
            out.append(MARK_CLOSE)
    more = cut_after or i < len(body)
    return ("…" if cut_before else "") + "".join(out).rstrip() + ("…" if more else "")


def _marks(text: str, terms: set[str], normalised: str | None = None,
           held: Container[str] | None = None) -> list[tuple[int, int]]:
    """Where the query's words stand in a passage, found in its normalised text (no segmenting:
    jieba over every hit was most of a search's time) and mapped back to the original. A
    one-character word is marked only in a query of one-character words: beside longer ones
    it is mostly a character inside another word (法 of 方法). `normalised`, when given, is
    normalise(text)'s text: of the text's length, each of its characters is the text's at the
    same place (converting a passage's text again was a fifth of a search's highlights); `held`,
    when given, holds every term its text holds (highlight())."""
    if normalised is not None and len(normalised) == len(text):
        norm, offsets = normalised, range(len(text))
    else:
        norm, offsets = normalise(text)
    longer = [t for t in terms if len(t) > 1]
    out: list[tuple[int, int]] = []
    add = out.append
    same = isinstance(offsets, range)  # normalise's offsets, when nothing changed a length: the identity
    for term in longer or terms:
        if held is not None and term not in held:  # not in the searchable text, which starts with norm
            continue
        step, i = len(term), norm.find(term)
        while i >= 0:
            add((i, i + step) if same else (offsets[i], offsets[i + step - 1] + 1))
            i = norm.find(term, i + step)
    return out


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


def gather(store: IndexStore, plan: QueryPlan, limit: int, doc: str | None = None,
           kind: str | None = None, weights: ranking.Weights | None = None) -> tuple[list[Candidate], dict[str, float]]:
    """The engine's candidates for a query (best BM25 first) and the idf of its terms: what
    rank() orders, and what scripts/fit_ranking.py fits the weights on."""
    n = max(store.doc_count(), 1)
    dfs = {t: store.doc_frequency(t) for t in plan.weights}
    # Terms the corpus never uses can't tell passages apart: they count for nothing here.
    idf = {t: ranking.idf(n, df) if df else 0.0 for t, df in dfs.items()}
    w = weights or ranking.weights()
    candidates = store.candidates(engine_weights(plan, idf), limit=max(w.pool, limit), doc=doc, kind=kind,
                                  k1=w.k1, b=w.b)
    return candidates, idf


def reading_for(store: IndexStore, plan: QueryPlan, idf: dict[str, float]) -> ranking.Reading:
    """What ranking reads of a query once for all its candidates (kb.ranking.Reading), its words
    weighed by their idf and, for the telling feature, by kb.rankdata.telling."""
    n, length, prior = max(store.doc_count(), 1), store.mean_length(), language_prior()
    told = {t: telling(n, store.doc_frequency(t), language_rate(t), length, prior) if v else 0.0
            for t, v in idf.items()}
    return ranking.Reading.of(plan, ranking.references(plan.groups, idf), ranking.references(plan.groups, told))


def similarity(store: IndexStore, plan: QueryPlan) -> tuple[ranking.Weights, Similar | None]:
    """The weights a store's index is ranked by, and how its candidates' dense similarity to
    the query is read (None for an index without passage vectors)."""
    vectors = store.vectors()
    if vectors is None:
        return ranking.weights(), None
    from .dense import embed_query

    def similar(candidates: list[Candidate]) -> list[float]:
        query = store.kept(("dense", plan.text), lambda: embed_query(plan.text))
        return vectors.similarities(query, [c.passage.id for c in candidates])

    return ranking.weights(dense=True), similar


def run(store: IndexStore, plan: QueryPlan, limit: int, doc: str | None, kind: str | None) -> list[Hit]:
    ranked_by, similar = similarity(store, plan)
    candidates, idf = gather(store, plan, limit + FOLD_SLACK, doc, kind, ranked_by)
    weights = plan.weights
    terms = {t for t, w in weights.items() if w >= HIGHLIGHT_WEIGHT}
    if not any(idf.get(t) for t, w in weights.items() if w > PART):
        # no query word nor close stand-in is in the documents: what matched are characters
        # inside the words (量 of 量子, 黑 of 黑洞), which a reader takes for an answer
        return []
    reading = reading_for(store, plan, idf)
    kept = fold(rank(candidates, plan, idf, ranked_by, similar, reading), limit)
    return [
        Hit(rank=i, score=score, passage=c.passage,
            highlight=highlight(c.passage, terms, normalised=c.text_norm, held=reading.found.get(c.norm)),
            also=tuple(d.passage.ref for d in folded))
        for i, (score, c, folded) in enumerate(kept, 1)
    ]


# How many more candidates than asked for are ranked, so that folding near-duplicates still
# fills the list; and how alike two passages of different files must be to show once: the
# share of their characters that line up in order (difflib's ratio). A deck saved twice, or
# re-exported with a word or a page number changed, is above it; two sections on one topic,
# even under the same heading, are far below. Under NEAR_LENGTH characters only identical
# passages fold: in a two-line passage one word is what tells it apart (客诉 for 投诉: 0.96).
FOLD_SLACK = 10
NEAR_DUPLICATE = 0.95
NEAR_LENGTH = 100


def fold(ranked: list[tuple[float, Candidate]], limit: int) -> list[tuple[float, Candidate, list[Candidate]]]:
    """The first `limit` candidates, each with the near-identical ones from other files that
    ranked below it folded in (a deck saved twice shows once, with "also in")."""
    kept: list[tuple[float, Candidate, list[Candidate]]] = []
    # each kept one's text, file, length, _mask and its complement (made once a text, not once a
    # pair compared), folded
    seen: list[tuple[str, str, int, int, int, list[Candidate]]] = []
    for score, c in ranked:
        norm, doc = c.norm, c.passage.doc
        size, mask, inverse = len(norm), None, 0
        home = None
        # the first kept one of another file it is alike
        for other, other_doc, length, other_mask, other_inverse, folded in seen:
            if other_doc == doc:
                continue
            if other == norm:
                home = folded
                break
            # _alike's bounds, inline: the lengths, then the masks (_common_bound's first bound);
            # most pairs stop at one of them, and calling through for each pair was most of folding
            shorter, total = (size if size < length else length), size + length
            if shorter < NEAR_LENGTH or 2.0 * shorter / total < NEAR_DUPLICATE:
                continue
            if mask is None:
                mask = _mask(norm)
                inverse = ~mask
            first, second = length - (other_mask & inverse).bit_count(), size - (mask & other_inverse).bit_count()
            quick = second if second < first else first  # min(first, second)
            if 2.0 * quick / total >= NEAR_DUPLICATE and _alike(other, norm):
                home = folded
                break
        if home is not None:
            home.append(c)
        elif len(kept) < limit:
            if mask is None:
                mask = _mask(norm)
                inverse = ~mask
            kept.append((score, c, []))
            seen.append((norm, doc, size, mask, inverse, kept[-1][2]))
    return kept


@lru_cache(maxsize=4096)
def _alike(a: str, b: str) -> bool:
    """Whether two normalised texts are the same or all but the same (NEAR_DUPLICATE). Kept per
    pair, as _near is: a large library's copies of a deck pass the cheap bounds query after
    query, and the second (the sets of their characters) was most of folding them."""
    if a == b:
        return True
    shorter, total = min(len(a), len(b)), len(a) + len(b)
    if shorter < NEAR_LENGTH:
        return False
    # difflib's two upper bounds (real_quick_ratio: the lengths; quick_ratio: the characters
    # in common) computed here first: SequenceMatcher indexes every character of b as it is
    # built, which, for each pair of candidates, cost more than the rest of a search
    if 2.0 * shorter / total < NEAR_DUPLICATE:
        return False
    if 2.0 * _common_bound(a, b) / total < NEAR_DUPLICATE:
        return False
    return _near(a, b)


@lru_cache(maxsize=4096)
def _near(a: str, b: str) -> bool:
    """Two texts past the bounds: the characters they have in common, with repeats (difflib's
    quick_ratio matches), then difflib's ratio, at NEAR_DUPLICATE or above. Kept per pair: a
    large library's copies of a deck meet again query after query, and counting their common
    characters was a fifth of a search at x100, the ratio of two long texts milliseconds."""
    from difflib import SequenceMatcher

    ca, cb = _counts(a), _counts(b)
    common = sum(min(ca[c], cb[c]) for c in _charset(a) & _charset(b))  # only the characters both hold can match
    if 2.0 * common / (len(a) + len(b)) < NEAR_DUPLICATE:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR_DUPLICATE


# Buckets of a text's character mask (_mask): a prime, so that code points spread
MASK_BITS = 1021


@lru_cache(maxsize=4096)
def _mask(text: str) -> int:
    """A candidate text's characters as a mask, a bit per bucket of code points: made once per
    text rather than once per pair of candidates compared, with numpy (a loop over a text's
    characters was most of folding a new question's candidates)."""
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) % MASK_BITS
    bits = np.zeros(MASK_BITS, dtype=bool)
    bits[codes] = True
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


@lru_cache(maxsize=4096)
def _charset(text: str) -> frozenset[str]:
    """A candidate text's characters (for the texts past the masks' bound only)."""
    return frozenset(text)


@lru_cache(maxsize=4096)
def _counts(text: str) -> Counter:
    """A candidate text's characters, counted (for the texts past both bounds only)."""
    return Counter(text)


def _common_bound(a: str, b: str) -> int:
    """A bound above the characters two texts have in common (_near counts them): a character
    of one text the other lacks is at least one the first cannot match. The masks count some of
    those first (a bucket one text fills and the other does not holds at least one), with two
    integer operations; the sets then count them all."""
    ma, mb = _mask(a), _mask(b)
    total = len(a) + len(b)
    quick = min(len(a) - (ma & ~mb).bit_count(), len(b) - (mb & ~ma).bit_count())
    if 2.0 * quick / total < NEAR_DUPLICATE:
        return quick
    sa, sb = _charset(a), _charset(b)
    both = len(sa & sb)
    return min(len(a) - (len(sa) - both), len(b) - (len(sb) - both))


def understood(store: IndexStore, query: str) -> QueryPlan:
    """understand(query), kept with the store's generation (IndexStore.kept): the same query
    searched again, for its next page or after an ask, is not analysed again (a quarter of a
    search: jieba, spelling, the phrasebook)."""
    return store.kept(("plan", query), lambda: understand(query, store))


def search(store: IndexStore, query: str, limit: int = 10, doc: str | None = None,
           kind: str | None = None, fix: bool = False) -> SearchResult:
    """Ranked hits for a query. With fix, or when the query finds nothing and has a spelling
    fix, the fixed query is run instead."""
    if limit < 1:
        raise QueryError("limit must be at least 1")
    plan = understood(store, query)
    hits = [] if fix and plan.corrected else run(store, plan, limit, doc, kind)
    if not hits and plan.corrected:
        fixed = understood(store, plan.corrected)
        return SearchResult(run(store, fixed, limit, doc, kind), plan, plan.corrected)
    return SearchResult(hits, plan, query)


def in_script(hits: list[Hit], query: str, script: str | None) -> list[Hit]:
    """The hits with their highlights in a script: "hans" or "hant", "auto" (the query's), or
    None / "original" (the file's own); passage text stays the file's own."""
    if script is None or script == "original":
        return hits
    from dataclasses import replace

    from .errors import KbError
    from .script import HANS, HANT, convert, detect_script

    if script not in ("auto", HANS, HANT):
        raise KbError(f"unknown script {script!r}; one of: auto, hans, hant, original")
    out = detect_script(query) if script == "auto" else script
    return [replace(h, highlight=convert(h.highlight, out)) for h in hits]
