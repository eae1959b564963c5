"""The vocabulary: every indexed term and its document frequency (how many passages hold
it), counted by kb from the analysed fields as a generation is written, not read back from
an engine. Query understanding, spelling and idf read it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

VOCABULARY = "vocabulary.tsv"  # one `term<TAB>passages` line a term, sorted by term


def write(gen: Path, counts: Counter) -> None:
    with open(gen / VOCABULARY, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(f"{term}\t{n}\n" for term, n in sorted(counts.items()) if n > 0)


def read(gen: Path) -> Counter:
    """(OSError or ValueError when missing or damaged.)"""
    with open(gen / VOCABULARY, encoding="utf-8", newline="\n") as f:
        cells = f.read().replace("\n", "\t").split("\t")  # term, count, term, count, …, ""
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
