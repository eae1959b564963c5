"""Fit the weights that choose a sentence answer (kb/data/answer.toml), with k-fold CV.

    python scripts/fit_answer.py                 # the public question sets beside the repository
    python scripts/fit_answer.py --write         # ... and write kb/data/answer.toml

Each set is a judged question JSONL (question, expected points, as in ../shared/eval) and
the folder its documents are in; the folder is indexed once into --work. For every
answerable question, every sentence of the top hits is a candidate (kb.answer.sentences,
the code ask runs) and is right when the answer it would give holds every expected point.
Coordinate ascent from the topic share alone maximises the share of questions whose
best-scored candidate is right, every set counting the same however many questions it has. The k-fold figures fit on k-1 folds of every set and score the fold
left out: that is the figure to expect on questions nobody fitted on.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import KnowledgeBase  # noqa: E402
from kb.answer import evidence, sentence_answer, sentence_candidates  # noqa: E402
from kb.answer import sentences  # noqa: E402
from kb.evaluate import canon, load  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
DEFAULT_SETS = [
    f"qa_dev={SHARED / 'qa_dev.jsonl'}={ROOT / 'seeds'}",
    f"qa_dev2={SHARED / 'qa_dev2.jsonl'}={ROOT / 'seeds'}",
    f"drcd_dev={SHARED / 'external/drcd_dev.qa.jsonl'}={SHARED / 'external/corpus/drcd_dev'}",
    f"cmrc_dev={SHARED / 'external/cmrc_dev.qa.jsonl'}={SHARED / 'external/corpus/cmrc_dev'}",
]


class Judged:
    """One set's questions: each a (candidates × features) array and which candidates are right."""

    def __init__(self, name: str, x: list[np.ndarray], y: list[np.ndarray]):
        self.name, self.x, self.y = name, x, y

    def subset(self, idx) -> "Judged":
        return Judged(self.name, [self.x[i] for i in idx], [self.y[i] for i in idx])

    def right(self, w: np.ndarray) -> float:
        """Share of the questions whose best-scored candidate is right (0 with no candidate)."""
        return float(np.mean([bool(len(x)) and bool(y[int(np.argmax(x @ w))]) for x, y in zip(self.x, self.y)]))


def collect(name: str, judged: Path, docs: Path, work: Path) -> Judged:
    index = work / f"{name}-{docs.name}"
    kb = KnowledgeBase.open(index) if index.exists() else KnowledgeBase.build([docs], index)
    xs, ys = [], []
    for row in load(judged):
        if not row.get("answerable", True) or not row.get("expect"):
            continue
        q, hits, w = evidence(kb, row["question"])
        cands = sentence_candidates(q, hits, w)
        gold = [canon(e) for e in row["expect"]]
        xs.append(np.array([c.features for c in cands], float).reshape(-1, len(sentences.FEATURES)))
        ys.append(np.array([all(g in canon("".join(p.text for p in sentence_answer(c, w))) for g in gold)
                            for c in cands], bool))
    print(f"  {name}: {len(xs)} questions, {sum(y.any() for y in ys)} with a right candidate", file=sys.stderr)
    return Judged(name, xs, ys)


def objective(sets: list[Judged], w: np.ndarray) -> float:
    """Mean over sets of the share chosen right, plus a little of the right candidate's
    reciprocal rank (so that a step bringing a right candidate nearer the top counts)."""
    total = 0.0
    for s in sets:
        got = 0.0
        for x, y in zip(s.x, s.y):
            if not y.any():
                continue
            z = x @ w
            first = int((z > z[y].max()).sum())  # candidates scored above the best right one
            got += (first == 0) + 0.1 / (1 + first)
        total += got / max(1, len(s.x))
    return total / len(sets)


STEPS = (-1.0, -0.5, -0.25, -0.1, -0.05, -0.02, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)


def fit(sets: list[Judged], rounds: int = 10) -> np.ndarray:
    """Coordinate ascent on `objective`, from the topic share alone (share = 1, the rest 0)."""
    names = sentences.FEATURES
    w = np.zeros(len(names))
    w[names.index("share")] = 1.0
    best = objective(sets, w)
    for _ in range(rounds):
        moved = False
        for i, name in enumerate(names):
            if name == "share":
                continue  # the scale: every other weight is relative to the share's
            for step in STEPS:
                trial = w.copy()
                trial[i] += step
                got = objective(sets, trial)
                if got > best + 1e-9:
                    best, w, moved = got, trial, True
        if not moved:
            break
    return w


def folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [np.array(sorted(order[i::k]), dtype=int) for i in range(k)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", metavar="NAME=JUDGED.jsonl=DOCS",
                    help="a judged question set and its documents (default: the public sets)")
    ap.add_argument("--work", type=Path, default=Path.home() / ".cache" / "kb-fit",
                    help="where the sets' indexes are kept between runs")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--write", action="store_true", help="write the fitted weights to kb/data/answer.toml")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    specs = [spec.split("=", 2) for spec in (args.set or DEFAULT_SETS)]
    sets = [collect(name, Path(judged), Path(docs), args.work) for name, judged, docs in specs]

    held = {s.name: [] for s in sets}
    fold_weights = []
    splits = {s.name: folds(len(s.x), args.folds, args.seed) for s in sets}
    for i in range(args.folds):
        train = [s.subset(np.setdiff1d(np.arange(len(s.x)), splits[s.name][i])) for s in sets]
        wi = fit(train)
        fold_weights.append(wi)
        for s in sets:
            part = s.subset(splits[s.name][i])
            held[s.name].append((part.right(wi), len(part.x)))
    w = fit(sets)
    shipped = np.array([sentences.weights().get(n, 0.0) for n in sentences.FEATURES])
    share_only = np.eye(len(sentences.FEATURES))[sentences.FEATURES.index("share")]

    lines = [f"{'set':<10}{'questions':>10}  {'reachable':>9}  {'share only':>10}  {'shipped':>8}  {'fitted':>7}  {'held-out':>8}"]
    for s in sets:
        h = sum(r * n for r, n in held[s.name]) / max(1, sum(n for _, n in held[s.name]))
        reach = float(np.mean([y.any() for y in s.y])) if s.y else 0.0
        lines.append(f"{s.name:<10}{len(s.x):>10}  {reach:>9.3f}  {s.right(share_only):>10.3f}  {s.right(shipped):>8.3f}"
                     f"  {s.right(w):>7.3f}  {h:>8.3f}")
    spread = np.array(fold_weights)
    lines.append("weights (fitted on all; min..max over the folds):")
    for i, name in enumerate(sentences.FEATURES):
        lines.append(f"  {name:<8} {w[i]:+.3f}  ({spread[:, i].min():+.3f}..{spread[:, i].max():+.3f})")
    print("\n".join(lines))

    if args.write:
        stamp = datetime.date.today().isoformat()
        body = [
            "# Answer weights for kb.answer.sentences: written by scripts/fit_answer.py, not by hand.",
            f"# Fitted {stamp} on {', '.join(s.name for s in sets)} (coordinate ascent on the share chosen right,",
            f"# from the topic share alone; {args.folds}-fold cross-validation, seed {args.seed}).",
            "# Refit: python scripts/fit_answer.py --write  (see the README, 'Answers').",
            "# Figures: share of answerable questions whose chosen sentence holds every expected point.",
            "#",
            *("# " + ln for ln in lines),
            "",
            "[sentence]",
            *(f"{name} = {w[i]:.4f}" for i, name in enumerate(sentences.FEATURES)),
            "",
        ]
        (ROOT / "kb" / "data" / "answer.toml").write_text("\n".join(body), "utf-8")
        print("wrote kb/data/answer.toml", file=sys.stderr)


if __name__ == "__main__":
    main()
