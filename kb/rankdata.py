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
