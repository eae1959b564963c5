"""The postings of a generation's frequent terms, as the engine gave them when the generation
was written, in a compact file read by memory map: a term in FREQUENT_FROM passages or more
is read from it instead of being decoded from the engine (a term in a hundred passages or more
of x100 cost 0.26-0.29 ms from tantivy, a third of a new query's time at x100).

The file holds, for each such term, its passage numbers (int32), its few distinct weights
(float32: both engines keep weights at single precision, and a term whose weights are not is
left to the engine) and, for each passage, its weight's place among them (a byte): 5 bytes a
posting. Each term's block is checked by a CRC-32 as it is read. Then a table of the terms
(JSON: term, offset, postings, weights, CRC) and a trailer giving the table's offset, length and
CRC. A full build
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
# Passages a term is in, at least, to be written here. Measured at 10 (6 December, shared machine):
# a fresh question's CPU p50 0.05-0.10 ms lower on DRCD and CMRC (both engines, paired in one
# process), but the build's CPU 9-11% higher at x100 with tantivy (5-7% whoosh) and frequent.bin
# 5.9 → 6.9 MB; tantivy's build sits at 0.74 of kb's own floor against issue 16's 0.7, so 100 stays.
FREQUENT_FROM = 100
MAGIC = b"KBFREQ2\n"
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
            if len(weights) != len(ids):
                raise ValueError(f"postings of {term!r} do not pair up")
            single = np.asarray(weights, dtype="<f4")
            kinds, places = np.unique(single, return_inverse=True)
            if len(kinds) > 256 or single.astype("float64").tolist() != list(weights):
                continue  # not as the file keeps weights: read from the engine
            block = np.asarray(ids, dtype="<i4").tobytes() + kinds.tobytes() + places.astype("u1").tobytes()
            out.write(block)
            table.append([term, offset, len(ids), len(kinds), zlib.crc32(block)])
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
            self._places = {term: (offset, count, kinds, check) for term, offset, count, kinds, check
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

        offset, count, kinds, check = found
        size = 5 * count + 4 * kinds
        block = self._map[offset:offset + size]
        if len(block) != size or zlib.crc32(block) != check:
            raise ValueError(f"{FREQUENT}: the postings of {term!r} are damaged")
        weights = np.frombuffer(block, dtype="<f4", count=kinds, offset=4 * count)
        places = np.frombuffer(block, dtype="u1", count=count, offset=4 * count + 4 * kinds)
        return np.frombuffer(block, dtype="<i4", count=count), weights[places]

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
