"""Fit the weights that choose a sentence answer (kb/data/answer.toml), with k-fold CV.

    python scripts/fit_answer.py                 # the public question sets beside the repository
    python scripts/fit_answer.py --write         # ... and write kb/data/answer.toml
    python scripts/fit_answer.py --margin [--write]  # only the neighbour's margin ([neighbour])

Each set is a judged question JSONL (question, expected points, as in ../shared/eval) and
the folder its documents are in; the folder is indexed once into --work. For every
answerable question, every sentence of the top hits is a candidate (kb.answer.sentences,
the code ask runs) and is right when the answer it would give holds every expected point.
Coordinate ascent from the topic share alone maximises the share of questions whose
best-scored candidate is right, every set counting the same however many questions it has. The k-fold figures fit on k-1 folds of every set and score the fold
left out: that is the figure to expect on questions nobody fitted on.
"""

from __future__ import annotations

import datetime
import json
import random
import sys
from pathlib import Path

import numpy as np

from fit_common import fit_parser  # its folder is the script's: on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import KnowledgeBase  # noqa: E402
from kb.answer import (confidence, draft, evidence, sentence_answer, sentence_candidates, sentences,  # noqa: E402
                       supporting_text)
from kb.answer.render import _render  # noqa: E402
from kb.rankdata import language_prior, telling  # noqa: E402
from kb.evaluate import canon, load  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
DEFAULT_SETS = [
    f"qa_dev={SHARED / 'qa_dev.jsonl'}={ROOT / 'seeds'}",
    f"qa_dev2={SHARED / 'qa_dev2.jsonl'}={ROOT / 'seeds'}",
    f"drcd_dev={SHARED / 'external/drcd_dev.qa.jsonl'}={SHARED / 'external/corpus/drcd_dev'}",
    f"cmrc_dev={SHARED / 'external/cmrc_dev.qa.jsonl'}={SHARED / 'external/corpus/cmrc_dev'}",
]


PUBLIC = ("qa_dev", "qa_dev2", "drcd_dev", "cmrc_dev", "crossed")  # the sets beside the repository


class Judged:
    """One set's questions: each a (candidates × features) array and which candidates are right.
    The candidates of all questions are also kept stacked, so a weighting is scored at once."""

    def __init__(self, name: str, x: list[np.ndarray], y: list[np.ndarray], joined: list[np.ndarray] | None = None):
        self.name, self.x, self.y = name, x, y
        # per question, per candidate: its neighbours' places (-1: none), and whether the answer
        # holds every expected point, and how long it is, alone / with the one before / after
        self.joined = joined if joined is not None else [np.zeros((len(a), 8)) for a in x]
        n = len(sentences.FEATURES)
        self._x = np.vstack(x) if x else np.zeros((0, n))
        self._y = np.concatenate(y) if y else np.zeros(0, bool)
        sizes = np.array([len(a) for a in x], int)
        self._q = np.repeat(np.arange(len(x)), sizes)  # each candidate's question
        self._has = sizes > 0
        self._reach = np.array([bool(a.any()) for a in y], bool)

    def subset(self, idx) -> "Judged":
        return Judged(self.name, [self.x[i] for i in idx], [self.y[i] for i in idx], [self.joined[i] for i in idx])

    def answers(self, w: np.ndarray, margin: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Whether each question's answer holds every expected point, and its length, when the
        neighbour scoring within `margin` of the chosen sentence joins it (as sentences.neighbour)."""
        ok, length = np.zeros(len(self.x), bool), np.zeros(len(self.x))
        for i, (x, j) in enumerate(zip(self.x, self.joined)):
            if not len(x):
                continue
            z = x @ w
            c = int(np.argmax(z))
            prev, nxt = int(j[c, 0]), int(j[c, 1])
            near = [(z[k], col) for k, col in ((prev, 0), (nxt, 1)) if k >= 0]
            side = None
            if margin is not None and near:
                best = max(near, key=lambda t: t[0])  # the one before wins a tie, as max() does
                side = best[1] if best[0] >= z[c] - margin else None
            ok[i], length[i] = (j[c, 2], j[c, 3]) if side is None else (j[c, 4 + 2 * side], j[c, 5 + 2 * side])
        return ok, length

    def _above(self, w: np.ndarray) -> np.ndarray:
        """For each question, how many candidates are chosen before its best right one (-1 when
        it has none)."""
        z = self._x @ w
        k = len(self.x)
        best_right = np.full(k, -np.inf)
        np.maximum.at(best_right, self._q[self._y], z[self._y])
        # a candidate scored the same as the best right one but listed before it is chosen first
        tied = z == best_right[self._q]
        first_right = np.full(k, len(z))
        at = np.flatnonzero(tied & self._y)
        np.minimum.at(first_right, self._q[at], at)
        before = tied & (np.arange(len(z)) < first_right[self._q])
        above = np.bincount(self._q, weights=(z > best_right[self._q]) | before, minlength=k)
        return np.where(self._reach, above, -1)

    def right(self, w: np.ndarray) -> float:
        """Share of the questions whose best-scored candidate is right (0 with no candidate); of
        candidates scored the same, the first is chosen, as kb.answer.sentences.best does."""
        if not self.x:
            return 0.0
        z = self._x @ w
        k = len(self.x)
        top = np.full(k, -np.inf)
        np.maximum.at(top, self._q, z)
        chosen = np.full(k, len(z))
        at = np.flatnonzero(z == top[self._q])
        np.minimum.at(chosen, self._q[at], at)
        ok = np.zeros(k, bool)
        ok[self._has] = self._y[chosen[self._has]]
        return float(ok.mean())


def collect(name: str, judged: Path, docs: Path, work: Path, index_name: str | None = None) -> Judged:
    index = work / f"{index_name or name}-{docs.name}"
    kb = KnowledgeBase.open(index) if index.exists() else KnowledgeBase.build([docs], index)
    xs, ys, js = [], [], []
    for row in load(judged):
        if not row.get("answerable", True) or not row.get("expect"):
            continue
        q, hits, w = evidence(kb, row["question"])
        cands = sentence_candidates(q, hits, w)
        gold = [canon(e) for e in row["expect"]]
        xs.append(np.array([c.features for c in cands], float).reshape(-1, len(sentences.FEATURES)))
        ys.append(np.array([all(g in canon("".join(p.text for p in sentence_answer(c, w))) for g in gold)
                            for c in cands], bool))
        js.append(_joined(cands, w, gold))
    print(f"  {name}: {len(xs)} questions, {sum(y.any() for y in ys)} with a right candidate", file=sys.stderr)
    return Judged(name, xs, ys, js)


def _joined(cands: list, w, gold: list[str]) -> np.ndarray:
    """For each candidate: the places of the sentences before and after it in its passage (-1:
    none), and whether its answer holds every expected point, and its length, alone, with the
    sentence before, and with the one after."""
    place = {(c.rank, c.index): k for k, c in enumerate(cands)}
    rows = []
    for c in cands:
        row = [place.get((c.rank, c.index - 1), -1), place.get((c.rank, c.index + 1), -1)]
        for k in (None, row[0], row[1]):
            text = canon("".join(p.text for p in sentence_answer(c, w, cands[k] if k is not None and k >= 0 else None)))
            row += [all(g in text for g in gold), len(text)]
        rows.append(row)
    return np.array(rows, float).reshape(-1, 8)


CROSSED = 250  # unanswerable questions drawn from each external set for the crossed set
# the priors tried (passages of the language at large, kb.rankdata.telling): 0 is the corpus alone
PRIORS = (0, 100, 300, 1000, 3000, 10000, 30000, 100000, 300000, 1000000, 3000000)
# issue 13's floor for the external sets (drcd_dev, cmrc_dev): the share of their questions whose
# answer holds the gold; a decline may not buy the other sets' figures below it
EXTERNAL_COVER = 0.85


class Drafts:
    """One set's drafted answers: the confidence's features, and each answer's cover (the share
    of the expected points it holds; 0 for an answer to an unanswerable question). A question
    kb finds nothing to answer with has no features and is always declined."""

    def __init__(self, name: str, x: np.ndarray, cover: np.ndarray, answerable: np.ndarray, drafted: np.ndarray,
                 topics: list | None = None):
        self.name, self.x, self.cover, self.answerable, self.drafted = name, x, cover, answerable, drafted
        # per answer, what its support is made of: (held shares of its topic words, their
        # (passages, language rate) counts, the corpus's passages and mean length); None undrafted
        self.topics = topics if topics is not None else [None] * len(cover)

    def subset(self, idx) -> "Drafts":
        return Drafts(self.name, self.x[idx], self.cover[idx], self.answerable[idx], self.drafted[idx],
                      [self.topics[i] for i in np.arange(len(self.cover))[idx]])

    def with_prior(self, prior: float) -> "Drafts":
        """The same answers with their support read with this prior (kb.rankdata.telling)."""
        x = self.x.copy()
        i = confidence.FEATURES.index("support")
        for row, t in enumerate(self.topics):
            if t is not None:
                held, counts, n, length = t
                weights = np.array([telling(n, df, rate, length, prior) for df, rate in counts])
                x[row, i] = float(held @ weights / weights.sum()) if weights.sum() else 0.0
        return Drafts(self.name, x, self.cover, self.answerable, self.drafted, self.topics)

    def given(self, floor: float) -> np.ndarray:
        i = confidence.FEATURES.index("support")
        return self.drafted & (self.x[:, i] >= floor)

    def utility(self, floor: float) -> float:
        """Mean over questions: an answer given counts its cover, a decline counts 1 for an
        unanswerable question and 0 for an answerable one."""
        given = self.given(floor)
        return float(np.mean(np.where(self.answerable, np.where(given, self.cover, 0.0), ~given)))


def crossed(specs: list[tuple[str, Path, Path]], work: Path, per_set: int, seed: int) -> Drafts | None:
    """Questions the corpus does not answer, for the decline to learn from: each external set's
    questions asked of the other external set's corpus, kept only where no passage there holds
    the expected answer (the public sets hold few unanswerable questions)."""
    external = [(n, j, d) for n, j, d in specs if "external" in str(j)]
    if len(external) < 2:
        return None
    parts = []
    for (name, judged, _), (other, _, docs) in zip(external, external[1:] + external[:1]):
        kb = KnowledgeBase.open(work / f"{other}-{docs.name}")
        text = canon("\n".join(p.text for p in kb.passages()))
        rows = [r for r in load(judged) if r.get("expect") and not any(canon(e) in text for e in r["expect"])]
        random.Random(seed).shuffle(rows)
        parts.append(collect_drafts(f"{name}@{other}", None, docs, work, other,
                                    [{**r, "answerable": False, "expect": []} for r in rows[:per_set]]))
    return Drafts("crossed", *(np.concatenate([getattr(p, k) for p in parts])
                               for k in ("x", "cover", "answerable", "drafted")), [t for p in parts for t in p.topics])


def collect_drafts(name: str, judged: Path | None, docs: Path, work: Path, index_name: str | None = None,
                   rows: list[dict] | None = None) -> Drafts:
    index = work / f"{index_name or name}-{docs.name}"
    kb = KnowledgeBase.open(index) if index.exists() else KnowledgeBase.build([docs], index)
    xs, covers, answerable, drafted, topics = [], [], [], [], []
    for row in rows if rows is not None else load(judged):
        d = draft(kb, row["question"])
        text = canon(_render(d.question, d.parts)) if d.parts else ""
        gold = [canon(e) for e in row.get("expect", [])]
        ok = row.get("answerable", True)
        covers.append(sum(g in text for g in gold) / len(gold) if ok and gold else float(ok and bool(d.parts)))
        answerable.append(ok)
        drafted.append(bool(d.parts))
        xs.append(d.features or (0.0,) * len(confidence.FEATURES))
        w = d.weights
        topics.append((np.array(w.held_shares(supporting_text(d.parts))), w.counts, w.n, w.length) if d.parts else None)
    return Drafts(name, np.array(xs, float), np.array(covers), np.array(answerable, bool), np.array(drafted, bool), topics)


def fit_confidence(sets: list[Drafts], l2: float) -> np.ndarray:
    """Logistic regression of an answer's cover on its features (intercept first), by Newton's
    method; every set weighs the same however many questions it has. `l2`: the ridge on the
    features' weights (choose_l2 picks it)."""
    x = np.vstack([np.hstack([np.ones((int(s.drafted.sum()), 1)), s.x[s.drafted]]) for s in sets])
    y = np.concatenate([s.cover[s.drafted] for s in sets])
    sw = np.concatenate([np.full(int(s.drafted.sum()), 1.0 / max(1, int(s.drafted.sum()))) for s in sets])
    b = np.zeros(x.shape[1])
    reg = l2 * np.eye(len(b))
    reg[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x @ b, -30, 30)))
        grad = x.T @ (sw * (y - p)) - reg @ b
        hess = (x * (sw * p * (1 - p))[:, None]).T @ x + reg
        step = np.linalg.solve(hess, grad)
        b += step
        if np.abs(step).max() < 1e-8:
            break
    return b


# The logistic's ridge, chosen by cross-validated log loss: with the smallest alone, refits on
# answers that differ in a handful of questions of 1,600 swung a weight from -0.28 to +0.56
L2S = (1e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)


def log_loss(sets: list[Drafts], b: np.ndarray) -> float:
    """The mean over the sets of each one's log loss (cover as the target) on its answers."""
    out = []
    for s in sets:
        if not s.drafted.any():
            continue
        p = np.clip(chances(s, b)[s.drafted], 1e-6, 1 - 1e-6)
        y = s.cover[s.drafted]
        out.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
    return float(np.mean(out))


def choose_l2(sets: list[Drafts], k: int, seed: int) -> float:
    """The ridge with the least log loss held out by k-fold cross-validation on these sets (the
    smaller on a tie)."""
    splits = {s.name: folds(len(s.cover), k, seed) for s in sets}
    parts = [([s.subset(np.setdiff1d(np.arange(len(s.cover)), splits[s.name][i])) for s in sets],
              [s.subset(splits[s.name][i]) for s in sets]) for i in range(k)]  # (train, held out) per fold
    best = None
    for l2 in L2S:
        loss = sum(log_loss(held, fit_confidence(train, l2)) for train, held in parts)
        if best is None or loss < best[0] - 1e-12:
            best = (loss, l2)
    return best[1]


def chances(s: Drafts, b: np.ndarray) -> np.ndarray:
    table = {"intercept": b[0], **dict(zip(confidence.FEATURES, b[1:]))}
    return np.array([confidence.estimate(x, table) for x in s.x])


BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0)


def reliability(sets: list[Drafts], probs: dict[str, np.ndarray], given: dict[str, np.ndarray]) -> list[str]:
    """Answers given, by bins of confidence: how many, and the share right (their mean cover)."""
    p = np.concatenate([probs[s.name][given[s.name]] for s in sets])
    c = np.concatenate([s.cover[given[s.name]] for s in sets])
    out = [f"{'confidence':<12}{'answers':>8}  {'mean confidence':>15}  {'share right':>11}"]
    for lo, hi in zip(BINS, BINS[1:]):
        m = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if m.any():
            out.append(f"{lo:.1f}–{hi:.1f}".ljust(12) + f"{int(m.sum()):>8}  {p[m].mean():>15.3f}  {c[m].mean():>11.3f}")
    high = p >= 0.8
    out.append(f"given with confidence ≥ 0.8: {int(high.sum())}, share right {c[high].mean() if high.any() else 0:.3f}")
    return out


def objective(sets: list[Judged], w: np.ndarray) -> float:
    """Mean over sets of the share chosen right, plus a little of the right candidate's
    reciprocal rank (so that a step bringing a right candidate nearer the top counts)."""
    total = 0.0
    for s in sets:
        first = s._above(w)
        got = np.where(first >= 0, (first == 0) + 0.1 / (1 + np.maximum(first, 0)), 0.0)
        total += float(got.sum()) / max(1, len(s.x))
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


def fit_choice(sets: list[Judged], l2: float = 1e-2, steps: int = 600) -> np.ndarray:
    """A conditional logit over each question's candidates: the weights that make the right
    candidates likeliest to be chosen (log of the softmax mass on the right ones), every set
    weighing the same, with a little L2; by Adam steps on the gradient. The features are
    scaled to unit spread while fitting and the weights scaled back, then put on the topic
    share's scale (share = 1) when its weight is positive."""
    parts = [s for s in sets if s.x and s._reach.any()]
    x = np.vstack([s._x for s in parts])
    y = np.concatenate([s._y for s in parts])
    offsets = np.cumsum([0] + [len(s.x) for s in parts])
    q = np.concatenate([s._q + o for s, o in zip(parts, offsets)])
    nq = int(offsets[-1])
    reach = np.concatenate([s._reach for s in parts])
    qw = np.concatenate([np.full(len(s.x), 1.0 / (len(parts) * int(s._reach.sum()))) for s in parts]) * reach
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = x / scale
    w = np.zeros(x.shape[1])
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t in range(1, steps + 1):
        z = xs @ w
        top = np.full(nq, -np.inf)
        np.maximum.at(top, q, z)
        e = np.exp(z - top[q])
        p_all = e / np.bincount(q, weights=e, minlength=nq)[q]
        er = e * y
        p_right = er / np.maximum(np.bincount(q, weights=er, minlength=nq)[q], 1e-300)
        grad = ((p_right - p_all) * qw[q]) @ xs - l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        w += 0.05 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    w = w / scale
    share = w[sentences.FEATURES.index("share")]
    return w / share if share > 0 else w


LENGTH = 120  # the median answer the issue allows (issue 13: median answer ≤ 120 characters)


def fit_margin(sets: list[Judged], w: np.ndarray) -> tuple[float | None, dict[str, tuple[float, float]]]:
    """The margin within which a neighbouring sentence joins the chosen one: of the score gaps
    seen between a chosen sentence and its best neighbour, the one that answers most questions
    (mean share over the sets) while every set's median answer stays within LENGTH; None
    (never join) when no margin does better than that."""
    gaps = set()
    for s in sets:
        for x, j in zip(s.x, s.joined):
            if len(x):
                z = x @ w
                c = int(np.argmax(z))
                gaps.update(float(z[c] - z[int(k)]) for k in j[c, :2] if k >= 0)
    grid = [None] + sorted(g for g in gaps if g >= 0)
    if len(grid) > 200:  # enough to place the margin: every half-percentile of the gaps
        grid = [None] + [float(v) for v in np.unique(np.quantile(grid[1:], np.linspace(0, 1, 201)))]

    def figures(m):
        return {s.name: (float(a.mean()), float(np.median(n))) for s in sets for a, n in [s.answers(w, m)]}

    best, best_fig = None, figures(None)
    for m in grid[1:]:
        fig = figures(m)
        if all(med <= LENGTH for _, med in fig.values()) and \
                np.mean([r for r, _ in fig.values()]) > np.mean([r for r, _ in best_fig.values()]) + 1e-9:
            best, best_fig = m, fig
    return best, best_fig


TRAIN = 1500  # questions drawn from each external split's search file to fit the margin on
WIDEN = 8  # characters each side of the gold answer in a search key (../shared/eval/external/README.md)


def train_splits(work: Path, per_set: int = TRAIN, seed: int = 13) -> list[tuple[str, Path, Path]]:
    """Questions to fit on that the QA samples do not hold: each external split's search
    questions less its 500 QA ones, the gold recovered from the search key (the answer widened
    by WIDEN characters each side until unique, clipped at its paragraph's ends)."""
    out = []
    for split in ("drcd_dev", "cmrc_dev"):
        ext = SHARED / "external"
        held = {r["id"] for r in load(ext / f"{split}.qa.jsonl")}
        docs = ext / "corpus" / split
        text = "\n".join(f.read_text("utf-8").rstrip("\n") for f in sorted(docs.iterdir()) if f.is_file())
        rows = []
        for r in load(ext / f"{split}.search.jsonl"):
            key = r["relevant"][0]["key"]
            i = text.find(key)
            if r["id"] in held or i < 0:
                continue
            start = text.rfind("\n", 0, i) + 1
            end = text.find("\n", i + len(key))
            left = min(i - start, WIDEN)
            right = min((len(text) if end < 0 else end) - (i + len(key)), WIDEN)
            gold = key[left:len(key) - right]
            if gold.strip():
                rows.append({"id": r["id"], "question": r["query"], "answerable": True, "expect": [gold]})
        random.Random(seed).shuffle(rows)
        path = work / f"{split}.train.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:per_set]), "utf-8")
        out.append((split.replace("_dev", "_train"), path, docs))
    return out


def margin_main(args) -> None:
    """Fit the neighbour's margin on the train splits with the shipped sentence weights; report
    5-fold figures on them and the held-out QA samples; --write puts it in answer.toml."""
    train = [collect(n, j, d, args.work, n.replace("_train", "_dev")) for n, j, d in train_splits(args.work)]
    held = [collect(n, Path(j), Path(d), args.work) for n, j, d in (spec.split("=", 2) for spec in DEFAULT_SETS)]
    w = np.array([sentences.weights().get(n, 0.0) for n in sentences.FEATURES])
    m, _ = fit_margin(train, w)
    cv = {s.name: [] for s in train}
    for i in range(args.folds):
        part = {s.name: folds(len(s.x), args.folds, args.seed)[i] for s in train}
        mi, _ = fit_margin([s.subset(np.setdiff1d(np.arange(len(s.x)), part[s.name])) for s in train], w)
        for s in train:
            cv[s.name].append(s.subset(part[s.name]).answers(w, mi))
    lines = [f"{'set':<11}{'questions':>9}  {'alone':>6} {'median':>6}  {'joined':>6} {'median':>6}  {'held-out':>8} {'median':>6}"]
    for s in train + held:
        a0, l0 = s.answers(w, None)
        a1, l1 = s.answers(w, m)
        if s.name in cv:
            ok = np.concatenate([a for a, _ in cv[s.name]])
            ln = np.concatenate([n for _, n in cv[s.name]])
            h = f"{ok.mean():>8.3f} {np.median(ln):>6.0f}"
        else:
            h = f"{'(held)':>8} {'':>6}"
        lines.append(f"{s.name:<11}{len(s.x):>9}  {a0.mean():>6.3f} {np.median(l0):>6.0f}  {a1.mean():>6.3f} {np.median(l1):>6.0f}  {h}".rstrip())
    lines.append(f"margin {m if m is None else round(m, 4)}; 'held-out' fits it on 4/5 of each train split and scores the fifth")
    print("\n".join(lines))
    if args.write and m is not None:
        path = ROOT / "kb" / "data" / "answer.toml"
        text = path.read_text("utf-8")
        # the list choice (scripts/fit_lists.py) follows the neighbour and stays as it is
        lists = text[text.index("\n# The list choice:"):] if "\n# The list choice:" in text else ""
        text = text[:text.index("\n# The list choice:")] if lists else text
        text = text[:text.index("\n# The neighbour:")] if "\n# The neighbour:" in text else text.rstrip("\n")
        body = [
            "",
            "# The neighbour: the sentence before or after the chosen one joins the answer when it scores",
            "# within this margin of it (kb.answer.sentences.neighbour). Fitted by",
            "# scripts/fit_answer.py --margin on questions of the DRCD and CMRC search files that are not",
            f"# in the 500-question QA samples ({TRAIN} of each): the margin that answers most of them while every",
            f"# set's median answer stays within {LENGTH} characters; the QA samples are held out.",
            "# Figures: share of questions whose sentence answer holds the gold, and the median answer length.",
            *("# " + ln for ln in lines),
            "[neighbour]",
            f"margin = {m:.4f}",
            "",
        ]
        path.write_text(text + "\n".join(body) + lists, "utf-8")
        print("wrote kb/data/answer.toml [neighbour]", file=sys.stderr)


def _confidence_block(names: list[str], conf) -> list[str]:
    b, tau, prior, report = conf
    return [
        "# The confidence: logistic regression of an answer's cover on its features, every set",
        "# weighing the same. The floor (an answer is declined when its evidence holds less of",
        "# the topic) and the prior (how many passages of the language at large the topic words'",
        "# weights add to the corpus's, kb.rankdata.telling) maximise the mean of (cover if",
        "# answered, 1 if an unanswerable question is declined) over the sets; 'crossed' asks each",
        "# external set's questions of the other's corpus.",
        f"# Fitted {datetime.date.today().isoformat()} on {', '.join(names)}, crossed"
        " (scripts/fit_answer.py, which the README's 'Answers' shows how to run).",
        *("# " + ln for ln in report),
        "",
        "[confidence]",
        f"intercept = {b[0]:.4f}",
        *(f"{name} = {v:.4f}" for name, v in zip(confidence.FEATURES, b[1:])),
        f"floor = {tau}",
        f"prior = {prior:g}",
        "",
    ]


def _kept_neighbour() -> list[str]:
    """The [neighbour] table as it is (fitted by --margin), while the confidence is rewritten."""
    text = (ROOT / "kb" / "data" / "answer.toml").read_text("utf-8")
    mark = "# The neighbour:"
    return text[text.index(mark):].splitlines() + [""] if mark in text else []


def _write_confidence(specs: list[list[str]], conf) -> None:
    """answer.toml with its confidence block rewritten, the sentence and neighbour tables kept."""
    path = ROOT / "kb" / "data" / "answer.toml"
    text = path.read_text("utf-8")
    start = text.index("# The confidence:")
    end = text.index("# The neighbour:") if "# The neighbour:" in text else len(text)
    body = _confidence_block([name for name, _, _ in specs], conf)
    path.write_text(text[:start] + "\n".join(body) + "\n" + text[end:], "utf-8")
    print("wrote kb/data/answer.toml ([confidence])", file=sys.stderr)


def _kept_confidence() -> list[str]:
    """The [confidence] table as it is, while the sentence weights are written first."""
    text = (ROOT / "kb" / "data" / "answer.toml").read_text("utf-8")
    return text[text.index("[confidence]"):].splitlines() if "[confidence]" in text else []


def folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [np.array(sorted(order[i::k]), dtype=int) for i in range(k)]


def main() -> None:
    ap = fit_parser(__doc__, "a judged question set and its documents (default: the public sets)",
                    "where the sets' indexes are kept between runs", "write the fitted weights to kb/data/answer.toml")
    ap.add_argument("--margin", action="store_true",
                    help="fit only the neighbour's margin, on questions the QA samples do not hold")
    ap.add_argument("--confidence", action="store_true",
                    help="fit only the decline and the confidence ([confidence]); the sentence weights stay")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.margin:
        margin_main(args)
        return
    specs = [spec.split("=", 2) for spec in (args.set or DEFAULT_SETS)]
    if args.confidence:
        conf = fit_decline(args, specs)
        if args.write:
            _write_confidence(specs, conf)
        return
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

    if args.write:  # the drafts below then choose sentences by the weights just fitted
        _write(args, sets, lines, w, None)
        sentences.weights.cache_clear()
    conf = fit_decline(args, specs)
    if args.write:
        _write(args, sets, lines, w, conf)


def fit_decline(args, specs: list[list[str]]) -> tuple[np.ndarray, float, float, list[str]]:
    """The decline's prior and floor, chosen together, and the confidence fitted on the support
    so read: (logistic weights, floor, prior, report lines)."""
    specs_c = [(name, Path(judged), Path(docs)) for name, judged, docs in specs]
    raw = [collect_drafts(name, judged, docs, args.work) for name, judged, docs in specs_c]
    unanswered = crossed(specs_c, args.work, CROSSED, args.seed)
    raw += [unanswered] if unanswered is not None else []
    # the floor and the prior: a pair, so its held-out figure is that of the pair chosen on k-1 folds
    grid = [round(t, 2) for t in np.arange(0.3, 0.71, 0.02)]
    read = {prior: [d.with_prior(prior) for d in raw] for prior in PRIORS}
    splits = {s.name: folds(len(s.cover), args.folds, args.seed) for s in raw}

    def choose(pick) -> tuple[float, float]:
        """The (prior, floor) with the best mean utility over the sets (a smaller prior, then
        the floor nearer 0.5, on a tie), among those keeping the external sets' cover at
        EXTERNAL_COVER."""
        best = None
        for prior in PRIORS:
            ds = [pick(d) for d in read[prior]]
            for t in grid:
                if any(d.utility(t) < EXTERNAL_COVER for d in ds if d.name.endswith("_dev") and "qa" not in d.name):
                    continue
                key = (round(float(np.mean([d.utility(t) for d in ds])), 9), -prior, -abs(t - 0.5))
                if best is None or key > best[0]:
                    best = (key, prior, t)
        return best[1], best[2]

    held_u = {s.name: [] for s in raw}
    chosen = []
    for i in range(args.folds):
        pi, ti = choose(lambda d: d.subset(np.setdiff1d(np.arange(len(d.cover)), splits[d.name][i])))
        chosen.append((pi, ti))
        for s in read[pi]:
            part = s.subset(splits[s.name][i])
            held_u[s.name].append((part.utility(ti), len(part.cover)))
    prior, tau = choose(lambda d: d)
    drafts = read[prior]
    held_p = {s.name: np.zeros(len(s.cover)) for s in drafts}
    splits = {s.name: folds(len(s.cover), args.folds, args.seed) for s in drafts}
    ridges = []
    for i in range(args.folds):
        train = [s.subset(np.setdiff1d(np.arange(len(s.cover)), splits[s.name][i])) for s in drafts]
        ridge = choose_l2(train, args.folds, args.seed + 1)  # chosen inside the fold: held out as a whole
        ridges.append(ridge)
        bi = fit_confidence(train, ridge)
        for s in drafts:
            idx = splits[s.name][i]
            held_p[s.name][idx] = chances(s.subset(idx), bi)
    l2 = choose_l2(drafts, args.folds, args.seed + 1)
    b = fit_confidence(drafts, l2)
    shipped = {s.name: s for s in read.get(language_prior(), [d.with_prior(language_prior()) for d in raw])}
    conf = [f"{'set':<10}{'questions':>10}  {'unanswerable':>12}  {'shipped':>7}  {'fitted':>7}  {'held-out':>8}"
            "   (mean of: cover if answered, 1 if an unanswerable one is declined)"]
    for s in drafts:
        h = sum(u * n for u, n in held_u[s.name]) / max(1, len(s.cover))
        conf.append(f"{s.name:<10}{len(s.cover):>10}  {int((~s.answerable).sum()):>12}"
                    f"  {shipped[s.name].utility(confidence.floor()):>7.3f}  {s.utility(tau):>7.3f}  {h:>8.3f}")
    conf.append(f"prior {prior:g}, floor {tau} (best mean over the sets: prior on {', '.join(f'{p:g}' for p in PRIORS)},"
                f" floor on {grid[0]}..{grid[-1]}; chosen on the folds: {', '.join(f'{p:g}/{t}' for p, t in chosen)})")
    conf.append("weights: " + ", ".join(f"{n} {v:+.3f}" for n, v in zip(("intercept", *confidence.FEATURES), b))
                + f" (ridge {l2:g}, by held-out log loss on {', '.join(f'{r:g}' for r in L2S)}; chosen in the folds: "
                + ", ".join(f"{r:g}" for r in ridges) + ")")
    conf.append("reliability of the answers given, held-out confidence:")
    conf += reliability(drafts, held_p, {s.name: s.given(tau) for s in drafts})
    public = [s for s in drafts if s.name in PUBLIC]
    if public and len(public) < len(drafts):
        conf.append(f"… on the public sets alone ({', '.join(s.name for s in public)}):")
        conf += reliability(public, held_p, {s.name: s.given(tau) for s in public})[1:]
    print("\n".join(conf))
    return b, tau, prior, conf


def _write(args, sets, lines, w, conf) -> None:
    if True:
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
        if conf:
            body += _confidence_block([s.name for s in sets], conf)
            body += _kept_neighbour()
        else:
            body += _kept_confidence()
        (ROOT / "kb" / "data" / "answer.toml").write_text("\n".join(body), "utf-8")
        print("wrote kb/data/answer.toml", file=sys.stderr)


if __name__ == "__main__":
    main()
