"""The vocabulary: every indexed term and its document frequency (how many passages hold
it), counted by kb from the analysed fields as a generation is written, not read back from
an engine. Query understanding, spelling and idf read it."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

VOCABULARY = "vocabulary.tsv"  # one `term<TAB>passages` line a term, sorted by term


def write(gen: Path, counts: Counter) -> str:
    """Write the counts; returns the file's sha256, for the manifest to keep."""
    data = "".join(f"{term}\t{n}\n" for term, n in sorted(counts.items()) if n > 0).encode("utf-8")
    (gen / VOCABULARY).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read(gen: Path, sha256: str | None = None) -> Counter:
    """The counts; with `sha256`, only if the file is the one written (a flipped digit would
    otherwise change a term's weight without a word). (OSError or ValueError when missing or
    damaged.)"""
    data = (gen / VOCABULARY).read_bytes()
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"{VOCABULARY} is not the file written")
    cells = data.decode("utf-8").replace("\n", "\t").split("\t")  # term, count, term, count, …, ""
    if len(cells) % 2 != 1 or cells[-1]:
        raise ValueError(f"{VOCABULARY} is cut short")
    return Counter(dict(zip(cells[0:-1:2], map(int, cells[1::2]))))


def subtract(counts: Counter, removed: Counter) -> bool:
    """Take the removed passages' terms out of `counts`, in place; False (and `counts` left
    part-way) when they are not all there, so the caller counts afresh."""
    for term, n in removed.items():
        if counts.get(term, 0) < n:
            return False
        counts[term] -= n
        if not counts[term]:
            del counts[term]
    return True
