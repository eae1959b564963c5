"""Scaled corpora for the benchmark: ×N copies of the seeds, varied so they are not identical.

Each copy shuffles blocks of lines across the five seeds and substitutes a few characters
consistently within the copy, so the vocabulary grows with the corpus as real libraries do
(new product names, new people, new places), while the text keeps the seeds' shape: the
same boilerplate, run-on decks, headings and scripts.
"""

from __future__ import annotations

import random
from pathlib import Path

BLOCK = 12  # lines moved together: about a section
SUBSTITUTED = 0.03  # share of the distinct CJK characters renamed in each copy


def make_corpus(seeds: Path, out: Path, copies: int, seed: int = 7) -> list[Path]:
    """Write `copies` varied copies of the seeds into `out`; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted(seeds.glob("*.txt"))
    texts = [p.read_text("utf-8").splitlines() for p in sources]
    alphabet = sorted({c for t in texts for line in t for c in line if "\u4e00" <= c <= "\u9fff"})
    files = []
    for k in range(copies):
        rng = random.Random(seed * 100003 + k)
        blocks = [(i, t[j: j + BLOCK]) for i, t in enumerate(texts) for j in range(0, len(t), BLOCK)]
        if k:  # copy 0 is the seeds themselves
            rng.shuffle(blocks)
            renamed = rng.sample(alphabet, int(len(alphabet) * SUBSTITUTED))
            table = str.maketrans({c: rng.choice(alphabet) for c in renamed})
        else:
            table = {}
        docs: list[list[str]] = [[] for _ in sources]
        for n, (origin, lines) in enumerate(blocks):
            target = origin if not k else n % len(sources)
            docs[target].extend(line.translate(table) for line in lines)
        for src, lines in zip(sources, docs):
            path = out / f"{k:03d}_{src.name}"
            path.write_text("\n".join(lines) + "\n", "utf-8")
            files.append(path)
    return files


if __name__ == "__main__":
    import sys

    files = make_corpus(Path("seeds"), Path(sys.argv[1]), int(sys.argv[2]))
    print(len(files), sum(f.stat().st_size for f in files))
