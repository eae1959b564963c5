"""Real-question speed: warm `search` over 20-40 character questions of a judged set, stage by
stage, beside the engine's own BM25 over the same terms measured in the same run.

    .venv/bin/python bench/questions.py INDEX JUDGED.jsonl [--n 500]

e.g. INDEX built with `kb index ../shared/eval/external/corpus/drcd_dev --index /tmp/drcd`
and JUDGED ../shared/eval/external/drcd_dev.search.jsonl. Prints one markdown row per stage:
query analysis, candidates (BM25), re-ranking (with near-duplicate folding), highlights, each as
`kb.search` runs it, the four together on a question seen for the first time, and the same
search again (its analysis cached).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import KnowledgeBase  # noqa: E402
from kb.evaluate import load  # noqa: E402
from kb.query import understand  # noqa: E402
from kb import ranking  # noqa: E402
from kb.search import FOLD_SLACK, HIGHLIGHT_WEIGHT, fold, gather, highlight, rank, reading_for, similarity  # noqa: E402


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(p * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index")
    ap.add_argument("judged")
    ap.add_argument("--n", type=int, default=500, help="questions measured (a fixed sample)")
    ap.add_argument("--lengths", type=int, nargs=2, default=(20, 40), metavar=("MIN", "MAX"),
                    help="question lengths measured, in characters (default 20 40)")
    args = ap.parse_args()
    kb = KnowledgeBase.open(args.index)
    low, high = args.lengths
    rows = [r for r in load(args.judged) if low <= len(r.get("query") or r.get("question", "")) <= high]
    random.Random(7).shuffle(rows)
    questions = [r.get("query") or r["question"] for r in rows[: args.n]]
    # warm the process (jieba, the spelling index, posting caches) on questions not measured
    for r in (rows[args.n: args.n + 50] or rows[:10]):
        kb.search(r.get("query") or r["question"])
    names = ("analysis", "candidates", "re-ranking", "highlights", "all four, first time", "search again (caches warm)")
    stages: dict[str, list[float]] = {k: [] for k in names}
    for q in questions:
        t0 = time.perf_counter()
        plan = understand(q, kb.store)
        t1 = time.perf_counter()
        ranked_by, similar = similarity(kb.store, plan)
        candidates, idf = gather(kb.store, plan, 10 + FOLD_SLACK, None, None, ranked_by)
        t2 = time.perf_counter()
        # as kb.search does: the query read once for all candidates, ranked, near-duplicates folded
        reading = reading_for(kb.store, plan, idf)
        kept = fold(rank(candidates, plan, idf, ranked_by, similar, reading), 10)
        t3 = time.perf_counter()
        terms = {t for t, w in plan.weights.items() if w >= HIGHLIGHT_WEIGHT}
        for _, c, _ in kept:
            highlight(c.passage, terms, normalised=c.text_norm, held=reading.found.get(c.norm))
        t4 = time.perf_counter()
        kb.search(q)
        t5 = time.perf_counter()
        for name, dt in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, t5 - t4)):
            stages[name].append(dt * 1000)
    print(f"{Path(args.judged).name}: {len(questions)} questions of {low}-{high} characters, "
          f"{kb.store.doc_count()} passages")
    print("| stage | mean ms | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for name, samples in stages.items():
        print(f"| {name} | {statistics.mean(samples):.2f} | {pct(samples, 0.5):.2f} | {pct(samples, 0.99):.2f} |")


if __name__ == "__main__":
    main()
