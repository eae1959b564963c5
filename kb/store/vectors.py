"""A dense generation's passage vectors (kb.dense): vectors.npy, one float32 row per passage,
and vectors.ids, the passage id of each row, one a line. An update carries the rows of the
passages it keeps and embeds only the new ones."""

from __future__ import annotations

from pathlib import Path

VECTORS = "vectors.npy"
IDS = "vectors.ids"
FILES = (VECTORS, IDS)


def write(gen: Path, ids: list[str], rows) -> None:
    import numpy as np

    np.save(gen / VECTORS, np.ascontiguousarray(rows, dtype=np.float32))
    (gen / IDS).write_text("".join(i + "\n" for i in ids), "utf-8")


class Vectors:
    """A generation's vectors, read by memory map: rows by passage id."""

    def __init__(self, gen: Path):
        """(OSError or ValueError when missing or damaged.)"""
        import numpy as np

        self.rows = np.load(gen / VECTORS, mmap_mode="r")
        ids = (gen / IDS).read_text("utf-8").split("\n")[:-1]
        if self.rows.ndim != 2 or len(ids) != self.rows.shape[0]:
            raise ValueError(f"{VECTORS} and {IDS} disagree")
        self.row_of = {pid: i for i, pid in enumerate(ids)}

    def of(self, ids: list[str]):
        """The rows of these passages, in their order (KeyError for one it has none of)."""
        return self.rows[[self.row_of[i] for i in ids]]

    def similarities(self, query, ids: list[str]) -> list[float]:
        """Each passage's cosine with a unit-length query vector."""
        return (self.of(ids) @ query).tolist() if ids else []
