"""BM25 over posting lists, as pure functions: the `limit` best passages for a weighted OR
of terms. Both give the same scores (tests/test_index.py); numpy pays off only on long
posting lists."""

from __future__ import annotations

import heapq
from typing import Mapping, Sequence

Postings = tuple[Sequence[int], Sequence[float]]  # passage numbers, and the term's weight in each


def idf(n: int, df: int) -> float:
    """whoosh's BM25F idf, which the fitted ranking weights were chosen against."""
    import math

    return math.log(n / (df + 1)) + 1


# The lengths a passage's length is kept as: whoosh keeps it in one byte, as the smallest of
# these at or above it, and the fitted ranking weights were chosen against lengths so kept.
# kb keeps every engine's so (kept_length), so that one keeping them exactly ranks the same.
KEPT_LENGTHS = tuple(int(round((1.033 ** n - 1) * 27)) for n in range(256))


def kept_length(n: int) -> int:
    """A passage's length (its count of tokens) as BM25 reads it: the smallest of KEPT_LENGTHS
    at or above it, at most the last."""
    from bisect import bisect_left

    return KEPT_LENGTHS[min(bisect_left(KEPT_LENGTHS, n), len(KEPT_LENGTHS) - 1)]


def top_python(postings: Mapping[str, Postings], idfs: Mapping[str, float], allowed: set[int] | None,
               lengths: Sequence[int], average: float, limit: int, k1: float, b: float,
               order: Sequence[int] | None = None, norms: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """BM25 over the terms' postings (passage number, weight): the `limit` best (passage, score),
    best first, a tie going to the lower passage number. With `order` (each passage's place by
    identity), a tie goes to the lower place, and every passage tied with the last one kept
    comes too, for the caller to order further. `norms`: length_norms(lengths, average, k1, b),
    when the caller keeps them (the same figures, made once an index rather than per posting)."""
    if norms is None:
        norms = length_norms(lengths, average, k1, b)
    scores: dict[int, float] = {}
    get, saturation = scores.get, k1 + 1
    for term, w in idfs.items():
        ids, weights = postings[term]
        for docnum, tf in zip(ids, weights):
            if allowed is not None and docnum not in allowed:
                continue
            scores[docnum] = get(docnum, 0.0) + w * tf * saturation / (tf + norms[docnum])
    if order is None:
        return heapq.nlargest(limit, scores.items(), key=lambda kv: (kv[1], -kv[0]))
    if len(scores) > limit:
        kth = heapq.nlargest(limit, scores.values())[-1]
        kept = [kv for kv in scores.items() if kv[1] >= kth]
    else:
        kept = list(scores.items())
    kept.sort(key=lambda kv: (-kv[1], order[kv[0]], kv[0]))
    return kept


def length_norms(lengths: Sequence[int], average: float, k1: float, b: float) -> list[float]:
    """Each passage's BM25 length normalisation, k1 * (1 - b + b * length / average)."""
    return [k1 * (1 - b + b * (n / average)) for n in lengths]


# A large index's common terms leave most of it scoring above zero (157,000 postings a query at
# x1000, median): the limit-th best is then sought first in every SAMPLE-th of them, a floor at
# or below it, and exactly only among those at the floor or above (a partition of all of them was
# 0.9 ms of a search's 4.2 at x1000, tantivy).
SAMPLE = 16


def top_vectorised(postings: Mapping[str, tuple], idfs: Mapping[str, float], allowed: set[int] | None,
                   rel, limit: int, k1: float, b: float, order=None, norms=None,
                   divisors: Mapping[str, object] | None = None) -> list[tuple[int, float]]:
    """The same BM25 as top_python, each term's postings (numpy arrays) scored as one numpy
    operation: a large index's common terms (客户 in most passages) cost a pass over most of
    it. `rel`: each passage's length over the average, as a numpy array; `order` as for
    top_python, as a numpy array; `norms`: each passage's k1 * (1 - b + b * rel), when the
    caller keeps them (the same figures, made once an index rather than per posting);
    `divisors`: each term's divisors(postings, norms), when the caller keeps them (made once a
    term rather than at every query that holds it)."""
    import numpy as np

    scores = np.zeros(len(rel))
    saturation = k1 + 1
    for term, w in idfs.items():
        ids, tfs = postings[term]
        part = tfs * w  # w * tf * (k1 + 1) / (tf + norm), in that order, with fewer temporaries
        part *= saturation
        part /= (divisors[term] if divisors is not None
                 else tfs + (norms[ids] if norms is not None else k1 * (1 - b + b * rel[ids])))
        scores[ids] += part
    if allowed is not None:
        keep = np.zeros(len(rel), dtype=bool)
        keep[list(allowed)] = True
        scores[~keep] = 0.0
    hit = np.flatnonzero(scores > 0)
    if len(hit) > limit:  # every passage scoring at least the limit-th best: ties included
        got = scores[hit]
        if len(hit) > 4 * SAMPLE * limit:
            sample = got[::SAMPLE]  # its limit-th best is at most the limit-th best of all
            floor = np.partition(sample, len(sample) - limit)[len(sample) - limit]
            near = got >= floor
            hit, got = hit[near], got[near]
        kth = np.partition(got, len(got) - limit)[len(got) - limit]
        hit = hit[got >= kth]
    if order is None:
        picked = np.lexsort((hit, -scores[hit]))[:limit]  # best score first, then the lower number
    else:
        picked = np.lexsort((hit, order[hit], -scores[hit]))  # then the lower place; ties all kept
    hit = hit[picked]
    return list(zip(hit.tolist(), scores[hit].tolist()))  # as Python ints and floats, as int() and float() make them


def divisors(postings: tuple, norms):
    """What BM25 divides a term's weight in each of its passages by, tf + k1 * (1 - b + b *
    length / average) (`norms`: each passage's k1 * (1 - b + b * length / average), as a numpy
    array): the same at every query that holds the term."""
    ids, tfs = postings
    return tfs + norms[ids]
