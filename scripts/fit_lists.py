"""Fit how a list answer is chosen (kb/data/answer.toml's [list] table), with k-fold CV.

    python scripts/fit_lists.py            # the public and the project's question sets
    python scripts/fit_lists.py --write    # ... and write the [list] table

A list, method or structure question that no typical question and no course outline
answers is answered by a heading and the items under it, read off the top hits
(kb.answer.lists): every such heading is a candidate, scored by
(anchor + block * block + named * named) / (1 + rank * rank), times count when it has as many
items as the question asks for; a list inside the best one wins at `inner` of its score or
more; and the best sentence replaces the list when it holds `slack` more of the topic. For
every answerable question of the sets that takes this path, every candidate's answer is
rendered once and scored against the expected points; coordinate ascent from the shipped
values then maximises the mean cover over the sets (every set counting the same), on a grid
of each weight's values. The k-fold figures fit on k-1 folds of every set and score the
fold left out: the figure to expect on questions nobody fitted on.
"""

from __future__ import annotations

import datetime
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fit_answer import DEFAULT_SETS as PUBLIC_SETS  # its folder is the script's: on sys.path
from fit_answer import ROOT, folds
from fit_common import fit_parser

from kb import KnowledgeBase  # noqa: E402  (fit_answer put the repository on sys.path)
from kb.answer import _held, _sentence_parts, _typical_parts, _with_items, draft  # noqa: E402
from kb.answer.lists import _structure_parts, choose_list, list_candidates, list_parts, list_weights  # noqa: E402
from kb.answer.render import _render  # noqa: E402
from kb.answer.topic import evidence  # noqa: E402
from kb.evaluate import canon, load  # noqa: E402

# the public sets and the project's own judged sets in agents' words and on new documents
# (eval/README.md); never eval/qa_probe2.jsonl, which stays blind
DEFAULT_SETS = PUBLIC_SETS[:2] + [
    f"qa_probe={ROOT / 'eval/qa_probe.jsonl'}={ROOT / 'seeds'}",
    f"qa_probe3={ROOT / 'eval/qa_probe3.jsonl'}={ROOT / 'seeds'}",
    f"newdocs={ROOT / 'eval/newdocs/qa.jsonl'}={ROOT / 'eval/newdocs/docs'}",
] + PUBLIC_SETS[2:]
GRID = {
    "block": (0.0, 0.1, 0.25, 0.5, 1.0, 2.0),
    "named": (0.0, 0.5, 1.0, 2.0, 4.0, 8.0),
    "rank": (0.0, 0.05, 0.15, 0.3, 0.6, 1.2),
    "count": (1.0, 1.25, 1.5, 2.0, 3.0),
    "inner": (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.01),
    "slack": (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 1.0),
}
NAMES = tuple(GRID)


@dataclass
class Question:
    """One question taking the list path: its candidates, each one's cover and held share, and
    the best sentence's (which replaces a list holding clearly less of the topic)."""

    cands: list  # kb.answer.lists.ListCandidate
    cover: np.ndarray  # each candidate's answer: the share of expected points it holds
    held: np.ndarray  # ... the share of the topic its lines hold
    sentence: float | None  # the best sentence's held share (None: no sentence)
    sentence_cover: float
    alone_cover: float  # the answer when no candidate is kept (the sentence, with items under a title)

    def cover_with(self, weights: dict[str, float]) -> float:
        best = choose_list(self.cands, weights)
        if best is None:
            return self.alone_cover
        i = next(k for k, c in enumerate(self.cands) if c is best)
        if self.sentence is not None and not best.counted and self.sentence > self.held[i] + weights["slack"]:
            return self.sentence_cover
        return float(self.cover[i])


@dataclass
class Judged:
    name: str
    questions: list[Question]
    total: int  # answerable questions with expected points in the set, list path or not
    rest: float  # the summed cover of the drafted answers to the others, which this choice leaves alone

    def cover(self, weights: dict[str, float], idx=None) -> float:
        """The set's cover (drafted answers, before any decline); on a subset of the list-path
        questions, their share of it."""
        if idx is None:
            return (sum(q.cover_with(weights) for q in self.questions) + self.rest) / max(1, self.total)
        return sum(self.questions[i].cover_with(weights) for i in idx) / max(1, self.total)


def _cover(text: str, gold: list[str]) -> float:
    return sum(g in text for g in gold) / len(gold)


def collect(name: str, judged: Path, docs: Path, work: Path) -> Judged:
    index = work / f"{name}-{docs.name}"
    kb = KnowledgeBase.open(index) if index.exists() else KnowledgeBase.build([docs], index)
    out, total, rest = [], 0, 0.0
    for row in load(judged):
        if not row.get("answerable", True) or not row.get("expect"):
            continue
        total += 1
        gold = [canon(e) for e in row["expect"]]
        q, hits, w = evidence(kb, row["question"])
        if (not hits or not q.topic or q.kind not in ("list", "method", "structure") or _typical_parts(hits, w)
                or (q.kind == "structure" and _structure_parts(kb, q, w))):
            d = draft(kb, row["question"])
            rest += _cover(canon(_render(d.question, d.parts)), gold) if d.parts else 0.0
            continue
        cands = list_candidates(kb, q, hits, w)
        rendered = [list_parts(c, w)[0] for c in cands]
        sentence = _sentence_parts(q, hits, w, want_numbers=False)
        out.append(Question(
            cands,
            np.array([_cover(canon(_render(q, p)), gold) for p in rendered]),
            np.array([_held(p, w) for p in rendered]),
            _held(sentence, w) if sentence else None,
            _cover(canon(_render(q, sentence)), gold) if sentence else 0.0,
            _cover(canon(_render(q, parts)), gold) if (parts := _with_items(kb, sentence)) else 0.0,
        ))
    print(f"  {name}: {len(out)} of {total} questions take the list path", file=sys.stderr)
    return Judged(name, out, total, rest)


def objective(sets: list[Judged], weights: dict[str, float], idx=None) -> float:
    return float(np.mean([s.cover(weights, None if idx is None else idx[s.name]) for s in sets]))


def fit(sets: list[Judged], start: dict[str, float], idx=None, rounds: int = 6) -> dict[str, float]:
    """Coordinate ascent on the grid from `start`; a value replaces the current one only when
    it scores strictly better, so that ties keep what is shipped."""
    w = dict(start)
    best = objective(sets, w, idx)
    for _ in range(rounds):
        moved = False
        for name in NAMES:
            for v in GRID[name]:
                trial = {**w, name: v}
                score = objective(sets, trial, idx)
                if score > best + 1e-12:
                    w, best, moved = trial, score, True
        if not moved:
            break
    return w


def main() -> None:
    ap = fit_parser(__doc__, "a judged question set and its documents (default: the public and the project's sets)",
                    "where the sets' indexes are kept between runs",
                    "write the fitted weights to kb/data/answer.toml [list]")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    sets = [collect(name, Path(judged), Path(docs), args.work)
            for name, judged, docs in (spec.split("=", 2) for spec in (args.set or DEFAULT_SETS))]
    shipped = dict(list_weights())
    splits = {s.name: folds(len(s.questions), args.folds, args.seed) for s in sets}
    held = {s.name: 0.0 for s in sets}
    fold_weights = []
    for i in range(args.folds):
        train = {s.name: np.setdiff1d(np.arange(len(s.questions)), splits[s.name][i]) for s in sets}
        wi = fit(sets, shipped, train)
        fold_weights.append(wi)
        for s in sets:  # each fold's list-path covers, added up, and the others' drafted covers
            held[s.name] += s.cover(wi, splits[s.name][i])
    w = fit(sets, shipped)
    lines = [f"{'set':<10}{'questions':>10}  {'list path':>9}  {'shipped':>8}  {'fitted':>7}  {'held-out':>8}"]
    for s in sets:
        held[s.name] += s.rest / max(1, s.total)
        lines.append(f"{s.name:<10}{s.total:>10}  {len(s.questions):>9}  {s.cover(shipped):>8.3f}  {s.cover(w):>7.3f}"
                     f"  {held[s.name]:>8.3f}")
    lines.append(f"mean      {'':>10}  {'':>9}  {objective(sets, shipped):>8.3f}  {objective(sets, w):>7.3f}"
                 f"  {np.mean([held[s.name] for s in sets]):>8.3f}")
    lines.append("weights (fitted on all; min..max over the folds):")
    for name in NAMES:
        vals = [f[name] for f in fold_weights]
        lines.append(f"  {name:<6} {w[name]:.3f}  (shipped {shipped[name]:.3f}; {min(vals):.3f}..{max(vals):.3f})")
    print("\n".join(lines))
    if args.write:
        write(w, lines, [s.name for s in sets], args)


def write(w: dict[str, float], lines: list[str], names: list[str], args) -> None:
    path = ROOT / "kb" / "data" / "answer.toml"
    text = path.read_text("utf-8")
    mark = "\n# The list choice:"
    text = text[:text.index(mark)] if mark in text else text.rstrip("\n")
    body = [
        "",
        "# The list choice: how a list answer's heading is chosen among the top hits (kb.answer.lists)",
        f"# and when the best sentence replaces it. Fitted {datetime.date.today()} by scripts/fit_lists.py on",
        f"# {', '.join(names)}: coordinate ascent on the grid from the values",
        f"# shipped before, maximising the mean cover over the sets; {args.folds}-fold cross-validation, seed {args.seed}.",
        "# Figures: cover over each set's answerable questions ('list path': those this choice decides).",
        *("# " + ln for ln in lines),
        "[list]",
        *(f"{name} = {w[name]:.4f}" for name in NAMES),
        "",
    ]
    path.write_text(text + "\n".join(body), "utf-8")
    print("wrote kb/data/answer.toml [list]", file=sys.stderr)


if __name__ == "__main__":
    main()
