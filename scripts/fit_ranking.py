"""Fit kb's ranking weights (kb/data/ranking.toml) on judged search sets, with k-fold CV.

    python scripts/fit_ranking.py                   # the public sets beside the repository
    python scripts/fit_ranking.py --write           # ... and write kb/data/ranking.toml
    python scripts/fit_ranking.py --set mine.jsonl=path/to/docs --write   # your own judged set
    python scripts/fit_ranking.py --dense --write   # over indexes with passage vectors (kb[dense]):
                                                    # kb/data/ranking_dense.toml

Each set is a judged search JSONL (query, relevant keys, as in ../shared/eval) and the
folder its documents are in; the folder is indexed once into --work. For every query, the
engine's candidates (kb.search.gather) and their features (kb.ranking) are computed by the
same code search runs; then coordinate ascent, started from plain BM25, maximises the mean
MRR@10 over the sets (every set counts the same, however many queries it has). The k-fold
figures fit on k-1 folds of every set and score the fold left out: that is the figure to
expect on queries nobody fitted on.
"""

from __future__ import annotations

import datetime
import hashlib
import pickle
import random
import sys
import time
from pathlib import Path

import numpy as np

from fit_common import fit_parser  # its folder is the script's: on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import KnowledgeBase  # noqa: E402
from kb import ranking  # noqa: E402
from kb.evaluate import canon, load, relevant  # noqa: E402
from kb.query import understand  # noqa: E402
from kb.rankdata import language_prior  # noqa: E402
from kb.search import candidate_features, gather, reading_for, similarity  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
DEFAULT_SETS = [
    f"search_dev={SHARED / 'search_dev.jsonl'}={ROOT / 'seeds'}",
    f"search_dev2={SHARED / 'search_dev2.jsonl'}={ROOT / 'seeds'}",
    f"drcd_dev={SHARED / 'external/drcd_dev.search.jsonl'}={SHARED / 'external/corpus/drcd_dev'}",
    f"cmrc_dev={SHARED / 'external/cmrc_dev.search.jsonl'}={SHARED / 'external/corpus/cmrc_dev'}",
]
DEPTH = 10  # MRR@10, as `kb eval` scores
STEPS = (-2.0, -1.0, -0.5, -0.25, -0.1, -0.05, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
FINE_STEPS = (-0.02, -0.01, 0.01, 0.02)


class Judged:
    """One set's queries as padded arrays: features (Q, P, F), relevance (Q, P), a mask."""

    def __init__(self, name: str, feats: list[list[tuple[float, ...]]], rel: list[list[bool]]):
        self.name = name
        q = len(feats)
        p = max((len(f) for f in feats), default=1) or 1
        self.x = np.zeros((q, p, len(ranking.FEATURES)))
        self.rel = np.zeros((q, p), bool)
        self.mask = np.zeros((q, p), bool)
        for i, (f, r) in enumerate(zip(feats, rel)):
            if f:
                self.x[i, : len(f)] = f
                self.rel[i, : len(r)] = r
                self.mask[i, : len(f)] = True

    def subset(self, idx: np.ndarray) -> "Judged":
        out = object.__new__(Judged)
        out.name, out.x, out.rel, out.mask = self.name, self.x[idx], self.rel[idx], self.mask[idx]
        return out

    def ranks(self, w: np.ndarray) -> np.ndarray:
        """1-based rank of each query's first relevant candidate (ties keep the engine's order;
        np.inf when no candidate is relevant)."""
        s = np.where(self.mask, self.x @ w, -np.inf)
        rs = np.where(self.rel, s, -np.inf)
        best = rs.max(axis=1)
        first = rs.argmax(axis=1)
        above = (s > best[:, None]).sum(axis=1)
        cols = np.arange(s.shape[1])[None, :]
        ties = ((s == best[:, None]) & (cols < first[:, None])).sum(axis=1)
        r = 1.0 + above + ties
        return np.where(np.isfinite(best), r, np.inf)


def figures(r: np.ndarray) -> dict[str, float]:
    n = len(r) or 1
    return {"P@1": float((r == 1).sum() / n), "R@5": float((r <= 5).sum() / n),
            "R@10": float((r <= DEPTH).sum() / n), "MRR": float(np.where(r <= DEPTH, 1.0 / r, 0.0).sum() / n)}


def objective(sets: list[Judged], w: np.ndarray) -> float:
    return float(np.mean([figures(s.ranks(w))["MRR"] for s in sets]))


def fit(sets: list[Judged], rounds: int = 40, restarts: int = 2, seed: int = 5,
        unused: frozenset[str] = frozenset(), start: np.ndarray | None = None) -> np.ndarray:
    """Coordinate ascent, from plain BM25 (bm25 = 1, the rest 0) and from a few random starts
    (fixed seed): the best on the training objective wins. The bm25 weight stays 1: a score
    scaled by a constant ranks the same, so one weight fixes the scale. Features in `unused`
    (dense, fitting without vectors) stay at 0. With `start` (--only), the ascent starts from
    those weights alone and moves only the features not in `unused`."""
    rng = np.random.default_rng(seed)
    lead = ranking.FEATURES.index("bm25")
    starts = [np.zeros(len(ranking.FEATURES))]
    starts += [np.round(rng.uniform(-1.0, 2.0, len(ranking.FEATURES)), 2) for _ in range(restarts)]
    if start is not None:
        starts = [start]
    best_w, best = None, -1.0
    for w in starts:
        w = w.copy()
        w[lead] = 1.0
        for name in unused if start is None else ():
            w[ranking.FEATURES.index(name)] = 0.0
        w, value = _ascend(sets, w, rounds, unused)
        if value > best + 1e-9:
            best_w, best = w, value
    return best_w


def _ascend(sets: list[Judged], w: np.ndarray, rounds: int,
            unused: frozenset[str] = frozenset()) -> tuple[np.ndarray, float]:
    """Coordinate ascent from w: each weight in turn takes the step that raises the objective
    most, coarse steps first, then fine ones, until no step helps."""
    best = objective(sets, w)
    for steps in (STEPS, FINE_STEPS):
        for _ in range(rounds):
            improved = False
            for i, name in enumerate(ranking.FEATURES):
                if name == "bm25" or name in unused:
                    continue
                for step in steps:
                    trial = w.copy()
                    trial[i] = round(trial[i] + step, 4)
                    value = objective(sets, trial)
                    if value > best + 1e-6:
                        best, w, improved = value, trial, True
            if not improved:
                break
    return w, best


def collect(name: str, judged: Path, docs: Path, work: Path, engine: ranking.Weights, dense: bool = False) -> Judged:
    """Index the documents (once, cached by the folder's path), then each query's candidates
    and features, cached by everything that shapes them. With `dense`, the index keeps passage
    vectors and the features hold each candidate's similarity to the query (kb.dense)."""
    from kb.catalog import pipeline_fingerprint as fingerprint

    pool = engine.pool
    key = hashlib.sha256(repr((str(judged), judged.stat().st_mtime_ns, str(docs), pool, engine.k1, engine.b, fingerprint(),
                               ranking.FEATURES, _code_stamp(), dense)).encode()).hexdigest()[:16]
    cache = work / f"{name}-{key}.pickle"
    if cache.exists():
        feats, rel = pickle.loads(cache.read_bytes())
        return Judged(name, feats, rel)
    index = work / f"index-{hashlib.sha256((str(docs) + _code_stamp()).encode()).hexdigest()[:10]}{'-dense' if dense else ''}"
    kb = KnowledgeBase.index([docs], index, dense=dense)
    rows = load(judged)
    feats, rel = [], []
    started = time.perf_counter()
    for row in rows:
        keys = [canon(r["key"]) for r in row["relevant"]]
        plan = understand(row["query"], kb.store)
        candidates, idf = gather(kb.store, plan, DEPTH, weights=engine)
        candidates = candidates[:pool]
        feats.append(candidate_features(candidates, plan, idf, similarity(kb.store, plan)[1], reading_for(kb.store, plan, idf)))
        rel.append([relevant(c.passage.source_text, keys) for c in candidates])
    print(f"  {name} (k1 {engine.k1}, b {engine.b}): {len(rows)} queries in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    cache.write_bytes(pickle.dumps((feats, rel)))
    return Judged(name, feats, rel)


def _code_stamp() -> str:
    """The code that computes candidates and features: a change in it invalidates the cache."""
    import os

    h = hashlib.sha256(repr(sorted((k, v) for k, v in os.environ.items() if k.startswith("KB_"))).encode())
    for part in ("kb/ranking.py", "kb/search.py", "kb/dense.py", "kb/query.py", "kb/index.py", "kb/passages.py", "kb/structure.py",
                 "kb/clean.py", "kb/analysis.py", "kb/lexicon.py", "kb/spelling.py", "kb/rankdata.py", "kb/measures.py",
                 "kb/plan.py"):
        path = ROOT / part
        if path.exists():
            h.update(path.read_bytes())
    for data in sorted((ROOT / "kb" / "data").glob("*.txt")):
        h.update(data.read_bytes())
    h.update(repr(language_prior()).encode())  # the telling feature's prior (answer.toml's [confidence])
    return h.hexdigest()


def folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [np.array(sorted(order[i::k]), dtype=int) for i in range(k)]


def cross_validate(sets: list[Judged], k: int, seed: int, unused: frozenset[str] = frozenset(),
                   start: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
    """Fit on k-1 folds of every set, score the fold left out: each query's held-out rank, and
    the weights each fold fitted."""
    held = {s.name: np.zeros(len(s.rel)) for s in sets}
    splits = {s.name: folds(len(s.rel), k, seed) for s in sets}
    fold_weights = []
    for i in range(k):
        train = [s.subset(np.setdiff1d(np.arange(len(s.rel)), splits[s.name][i])) for s in sets]
        wi = fit(train, unused=unused, start=start)
        fold_weights.append(wi)
        for s in sets:
            idx = splits[s.name][i]
            held[s.name][idx] = s.subset(idx).ranks(wi)
    return held, fold_weights


def _fit_before(target: str, only: list[str]) -> list[str]:
    """The header of the fits the kept weights come from (a fit of some weights alone, --only):
    the file's own, with the fits before it; but for a refit of the same weights alone, only
    the fits before that one (its own weights are the ones fitted again)."""
    mark = "# The weights kept as shipped come from the fit before:"
    text = (ROOT / "kb" / "data" / target).read_text("utf-8")
    lines = text.split("\n\n", 1)[0].splitlines()[1:]  # its comment block, less the title line
    if lines and f"of {', '.join(only)} alone," in lines[0] and mark in lines:
        lines = lines[lines.index(mark) + 1:]
    return ["#", mark, *lines]


# The tables this script does not fit: they go into the new file as they are in the old one.
CARRIED = {
    "standins": "what a stand-in for a query word counts (kb.query): set by the query's design, not fitted",
    "fields": "the boost of a passage's parts in the index (kb.store): changing one rebuilds the index",
}


def _carried_over() -> list[str]:
    from kb.rankdata import table

    out = []
    for name, why in CARRIED.items():
        out += [f"[{name}]  # {why}", *(f"{k} = {v}" for k, v in table(name).items()), ""]
    return out


def main() -> None:
    ap = fit_parser(__doc__, "a judged set and its documents (repeatable; default: the public sets)",
                    "where indexes and feature caches are kept", "write the fitted weights to kb/data/ranking.toml")
    ap.add_argument("--k1", type=float, nargs="+", help="BM25 k1 values to try (default: the shipped one)")
    ap.add_argument("--b", type=float, nargs="+", help="BM25 b values to try (default: the shipped one)")
    ap.add_argument("--dense", action="store_true",
                    help="fit over indexes with passage vectors (kb[dense]), for kb/data/ranking_dense.toml")
    ap.add_argument("--only", nargs="+", choices=ranking.FEATURES, metavar="FEATURE",
                    help="fit only these features' weights, every other kept as shipped (a new feature)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    shipped = ranking.weights(dense=args.dense)
    target = ranking.DENSE_WEIGHTS if args.dense else "ranking.toml"
    unused = frozenset() if args.dense else frozenset({"dense"})  # no vectors: nothing to weigh
    current = np.array([shipped.values.get(f, 0.0) for f in ranking.FEATURES])
    start = None
    if args.only:  # the rest stay as shipped: the ascent moves only these, from their shipped values
        unused, start = frozenset(ranking.FEATURES) - set(args.only), current
    specs = [spec.split("=", 2) for spec in (args.set or DEFAULT_SETS)]

    # BM25's k1 and b shape the candidates themselves: each pair on the grid is collected and
    # fitted, and the pair whose held-out figure is best is kept
    best = None
    for k1 in args.k1 or [shipped.k1]:
        for b in args.b or [shipped.b]:
            engine = ranking.Weights({}, shipped.pool, k1, b)
            sets = [collect(name, Path(judged), Path(docs), args.work, engine, args.dense) for name, judged, docs in specs]
            held, fold_weights = cross_validate(sets, args.folds, args.seed, unused, start)
            score = float(np.mean([figures(held[s.name])["MRR"] for s in sets]))
            print(f"k1 {k1}  b {b}: held-out mean MRR {score:.4f}", file=sys.stderr)
            if best is None or score > best[0]:
                best = (score, engine, sets, held, fold_weights)
    _, engine, sets, held, fold_weights = best
    w = fit(sets, unused=unused, start=start)
    bm25 = np.zeros(len(ranking.FEATURES))
    bm25[ranking.FEATURES.index("bm25")] = 1.0
    pool = engine.pool

    lines = []
    header = f"{'set':<14}{'queries':>8}  {'BM25 P@1/R@5/MRR':>20}  {'shipped':>20}  {'fitted':>20}  {'held-out':>20}"
    lines.append(header)
    for s in sets:
        row = [figures(s.ranks(v)) for v in (bm25, current, w)] + [figures(held[s.name])]
        cells = "  ".join(f"{f['P@1']:.3f}/{f['R@5']:.3f}/{f['MRR']:.3f}".rjust(20) for f in row)
        lines.append(f"{s.name:<14}{len(s.rel):>8}  {cells}")
    spread = np.array(fold_weights)
    lines.append("weights (fitted on all; min..max over the folds):")
    for i, name in enumerate(ranking.FEATURES):
        lines.append(f"  {name:<11} {w[i]:+.3f}  ({spread[:, i].min():+.3f}..{spread[:, i].max():+.3f})")
    print("\n".join(lines))

    if args.write:
        stamp = datetime.date.today().isoformat()
        names = ", ".join(s.name for s in sets)
        body = [
            "# Ranking weights for kb.ranking" + (" over indexes with passage vectors (kb.dense)" if args.dense else "")
            + ": written by scripts/fit_ranking.py, not by hand.",
            f"# Fitted {stamp} on {names} (coordinate ascent on mean MRR@10 "
            + (f"of {', '.join(args.only)} alone, the rest as shipped;" if args.only else "from plain BM25;"),
            f"# {args.folds}-fold cross-validation, seed {args.seed}; BM25 k1 from {args.k1 or [shipped.k1]}, b from"
            f" {args.b or [shipped.b]}).",
            f"# Refit: python scripts/fit_ranking.py{' --dense' if args.dense else ''}"
            + (f" --only {' '.join(args.only)} --set … (the sets above)" if args.only else "") + " --write  (see the README, 'Ranking').",
            "#",
            *("# " + ln for ln in lines),
            *(_fit_before(target, args.only) if args.only else []),
            "",
            f"pool = {pool}  # engine candidates re-ranked per query",
            "",
            "[bm25]  # chosen by held-out MRR on the grid given to the script",
            f"k1 = {engine.k1}",
            f"b = {engine.b}",
            "",
            "[weights]",
            *(f"{name} = {w[i]:.4f}" for i, name in enumerate(ranking.FEATURES)),
            "",
            *([] if args.dense else _carried_over()),
        ]
        (ROOT / "kb" / "data" / target).write_text("\n".join(body), "utf-8")
        print(f"wrote kb/data/{target}", file=sys.stderr)


if __name__ == "__main__":
    main()
