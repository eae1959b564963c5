"""What ranking by meaning costs a search: warm `kb.search` end to end on an index with passage
vectors (kb index --dense) beside one without, of the same documents, in the same run.

    .venv/bin/python scripts/dense_latency.py PLAIN_INDEX DENSE_INDEX JUDGED.jsonl [JUDGED.jsonl …]

Each query of the judged sets is searched once on each index, the two interleaved (so the
machine's load falls on both alike), after a warm-up of WARM queries on each: a query seen
for the first time, as an agent types it. Prints p50 / p95 / p99 in milliseconds and the
dense index's over the plain one's. A measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.questions import pct  # noqa: E402
from kb import KnowledgeBase  # noqa: E402
from kb.evaluate import load  # noqa: E402

WARM = 10  # queries searched first on each index: the model's and the engine's first reads are not a query's cost


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("plain")
    ap.add_argument("dense")
    ap.add_argument("judged", nargs="+")
    args = ap.parse_args()
    queries = list(dict.fromkeys(row.get("query") or row["question"] for path in args.judged for row in load(path)))
    kbs = {"plain": KnowledgeBase.open(args.plain), "dense": KnowledgeBase.open(args.dense)}
    for kb in kbs.values():
        for q in [f"{q} 热身" for q in queries[:WARM]]:
            kb.search(q)
    times: dict[str, list[float]] = {name: [] for name in kbs}
    for q in queries:
        for name, kb in kbs.items():
            started = time.perf_counter()
            kb.search(q)
            times[name].append((time.perf_counter() - started) * 1000)
    print(f"{len(queries)} queries, each once per index\n")
    print("| index | p50 ms | p95 ms | p99 ms | mean ms |\n|---|---|---|---|---|")
    for name, t in times.items():
        print(f"| {name} | {pct(t, .5):.1f} | {pct(t, .95):.1f} | {pct(t, .99):.1f} | {statistics.mean(t):.1f} |")
    ratio = [d / p for d, p in zip(times["dense"], times["plain"])]
    print(f"\ndense over plain, query by query: median {statistics.median(ratio):.1f}x")


if __name__ == "__main__":
    main()
