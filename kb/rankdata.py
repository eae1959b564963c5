"""kb/data/ranking.toml, read once: every weight that ranks, for the modules that use them.

    [weights]    the re-ranking features' weights (kb.ranking), fitted by scripts/fit_ranking.py
    [bm25]       the engine's k1 and b, chosen by the same script on a grid
    [standins]   what a stand-in for a query word counts (kb.query): set by the query's design
    [fields]     the boost of a passage's parts in the index (kb.store): changing them rebuilds

Its own module so that query, ranking, index and analysis read it without importing each other;
so is the one idf they weigh terms by (`idf`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def data() -> dict:
    return parse(resources.files("kb.data").joinpath("ranking.toml").read_text("utf-8"))


def parse(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    return tomllib.loads(text)


def table(name: str) -> dict[str, float]:
    """One table of the file, its values as floats."""
    return {k: float(v) for k, v in data().get(name, {}).items()}


def fitted(file: str, name: str) -> dict[str, float]:
    """A table of fitted numbers from one of kb/data's TOML files (answer.toml's [sentence],
    [neighbour], [confidence]), read afresh: the callers cache it."""
    data = parse(resources.files("kb.data").joinpath(file).read_text("utf-8"))
    return {k: float(v) for k, v in data.get(name, {}).items()}


def idf(n: int, df: int) -> float:
    """How telling a term is among n passages when df of them hold it (BM25's idf, never
    negative): what search weighs a query's terms by, ask weighs a question's topic by and
    the query tells a material phrase's telling words by (kb.ranking.idf is this)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def telling(n: int, df: int, rate: float, length: float, prior: float) -> float:
    """A word's idf among n passages, df of them holding it, with `prior` passages of the
    language at large added, where a passage of `length` words holds it with the chance its
    `rate` (kb.analysis.language_rate) gives: an everyday word a small folder happens to use
    rarely (来, 跟, 做) tells less than its idf says, a rare one (清关, 刀具) as much. prior 0 is
    idf(n, df). The prior is fitted with the decline (answer.toml's [confidence], by
    scripts/fit_answer.py); search's `telling` feature reads the same (kb.ranking)."""
    seen = 1.0 - math.exp(-length * rate)
    return idf(n + prior, df + prior * seen)


@lru_cache(maxsize=1)
def language_prior() -> float:
    """The prior `telling` weighs words with (answer.toml's [confidence] prior)."""
    return fitted("answer.toml", "confidence").get("prior", 0.0)
