"""The postings of a generation's frequent terms, as the engine gave them when the generation
was written, in a compact file read by memory map: a term in FREQUENT_FROM passages or more
is read from it instead of being decoded from the engine (a term in a hundred passages or more
of x100 cost 0.26-0.29 ms from tantivy, a third of a new query's time at x100).

The file holds, for each such term, its passage numbers (int32) then its weights (float32:
both engines keep weights at single precision, so the float32 is the weight exactly), each
term's two arrays checked by a CRC-32 as they are read; then a table of the terms (JSON: term,
offset, count, CRC) and a trailer giving the table's offset, length and CRC. A full build
writes it (IndexStore._write_frequent); a generation without it (an update's, or one an older
kb wrote) is read from the engine as before.
"""

from __future__ import annotations

import json
import mmap
import struct
import zlib
from pathlib import Path
from collections import Counter
from typing import Callable, Iterable

FREQUENT = "frequent.bin"
FREQUENT_FROM = 100  # passages a term is in, at least, to be written here
MAGIC = b"KBFREQ1\n"
TRAILER = struct.Struct("<QQI")  # the table's offset and length, its CRC-32


def write(gen: Path, counts: Counter, postings: Callable[[str], tuple[list[int], list[float]]]) -> int:
    """Write the postings of every term of `counts` in FREQUENT_FROM passages or more, as
    `postings(term)` gives them; returns how many terms were written."""
    import numpy as np

    table = []
    with open(gen / FREQUENT, "wb") as out:
        out.write(MAGIC)
        offset = len(MAGIC)
        for term in sorted(t for t, n in counts.items() if n >= FREQUENT_FROM):
            ids, weights = postings(term)
            block = np.asarray(ids, dtype="<i4").tobytes() + np.asarray(weights, dtype="<f4").tobytes()
            if len(weights) != len(ids) or len(block) != 8 * len(ids):
                raise ValueError(f"postings of {term!r} do not pair up")
            out.write(block)
            table.append([term, offset, len(ids), zlib.crc32(block)])
            offset += len(block)
        head = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        out.write(head)
        out.write(TRAILER.pack(offset, len(head), zlib.crc32(head)))
    return len(table)


class Frequent:
    """A generation's frequent terms' postings, mapped (ValueError when the file is damaged)."""

    def __init__(self, path: Path):
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            data = self._map
            if len(data) < len(MAGIC) + TRAILER.size or data[:len(MAGIC)] != MAGIC:
                raise ValueError(f"{FREQUENT} is not one")
            at, size, crc = TRAILER.unpack_from(data, len(data) - TRAILER.size)
            if at + size + TRAILER.size != len(data) or zlib.crc32(data[at:at + size]) != crc:
                raise ValueError(f"{FREQUENT}'s table is damaged")
            self._places = {term: (offset, count, check) for term, offset, count, check
                           in json.loads(bytes(data[at:at + size]).decode("utf-8"))}
        except Exception:
            self.close()
            raise

    def get(self, term: str):
        """The term's (passage numbers, weights) as numpy arrays (int32, float32), or None when
        the term is not one of the file's."""
        found = self._places.get(term)
        if found is None:
            return None
        import numpy as np

        offset, count, check = found
        block = self._map[offset:offset + 8 * count]
        if len(block) != 8 * count or zlib.crc32(block) != check:
            raise ValueError(f"{FREQUENT}: the postings of {term!r} are damaged")
        return (np.frombuffer(block, dtype="<i4", count=count),
                np.frombuffer(block, dtype="<f4", count=count, offset=4 * count))

    def terms(self) -> Iterable[str]:
        return self._places.keys()

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None


def read(gen: Path) -> Frequent | None:
    """The generation's file, or None when it has none (OSError, ValueError when damaged)."""
    path = gen / FREQUENT
    if not path.exists():
        return None
    return Frequent(path)
