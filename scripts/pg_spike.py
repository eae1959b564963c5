"""A spike, not a dependency: kb's passages and kb's own tokens in PostgreSQL, beside kb's
candidate generation over whoosh and tantivy (README, "Serving many agents").

    PYTHONPATH=. .venv/bin/python scripts/pg_spike.py JUDGED.jsonl INDEX [INDEX ...] [--n N] [--dsn DSN]

Each INDEX is a kb index of the same corpus (one per engine, e.g. `kb index DIR --index A`
and `kb index DIR --index B --engine tantivy`). The first one's passages are analysed by kb
(kb.store.fields: the tokens and part boosts every engine is given) and loaded into two tables:

- `tsv`: a `tsvector` built from kb's tokens as a literal (each token a lexeme, its
  positions, its part as a weight label: heading A, breadcrumb C, body and repaired D), with
  a GIN index; a query is an OR `tsquery` of kb's query terms, ranked by `ts_rank` and by
  `ts_rank_cd` with the part boosts as label weights.
- `postings`: one row per (term, passage, kb's boosted term frequency), a B-tree on term,
  and each passage's length: kb's own BM25 (kb.store.scoring) as one SQL statement, idf and
  the query's term weights included (kb.store.scoring: whoosh's idf, lengths as kept).

For each judged question, kb's query analysis (kb.query.understand, kb.search.engine_weights)
gives the weighted terms; each system fetches the top 100 candidates for them. Reported:
candidate recall (the share of questions with a relevant passage, by kb eval's rule, among
the first 20 candidates, the pool kb re-ranks, and the first 100) and the latency of fetching
the candidates, warm (every query run once before the timed pass), p50 and p99 in ms. kb's
figure is IndexStore.candidates (postings, BM25, the top passages' records); PostgreSQL's is
one statement through psycopg over the local socket, returning passage numbers.

Needs PostgreSQL (e.g. `pg_ctlcluster 15 main start; su postgres -c 'createuser -s root';
su postgres -c 'createdb -O root kbspike'`) and psycopg (`pip install 'psycopg[binary]'`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from kb.evaluate import MAX_RELEVANT_TEXT, canon, load, sample
from kb.query import understand
from kb.ranking import idf as kb_idf, weights as ranking_weights
from kb.search import engine_weights
from kb.store import IndexStore
from kb.store.fields import PART_BOOSTS, prepared
from kb.store.scoring import kept_length

LIMIT = 100
POOL = 20
MAX_POS = 16383  # the highest position a tsvector keeps
LABELS = {PART_BOOSTS[0]: "D", PART_BOOSTS[1]: "A", PART_BOOSTS[2]: "C"}  # body (and repaired), heading, breadcrumb
# ts_rank's label weights, {D, C, B, A}, kb's part boosts scaled into (0, 1]
TOP = max(PART_BOOSTS)
RANK_WEIGHTS = "{%g,%g,%g,%g}" % (PART_BOOSTS[0] / TOP, PART_BOOSTS[2] / TOP, PART_BOOSTS[2] / TOP, PART_BOOSTS[1] / TOP)


def quote(term: str) -> str:
    """A lexeme as a tsvector/tsquery literal: quoted, with quotes doubled and backslashes escaped."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(fields) -> str:
    by_term: dict[str, list[str]] = {}
    for posting in fields["text"]:
        label = LABELS.get(posting.boost, "D")
        positions = by_term.setdefault(posting.term, [])
        if len(positions) < 256:  # a tsvector keeps 256 positions of a lexeme
            positions.append(f"{min(posting.pos + 1, MAX_POS)}{label}")
    return " ".join(f"{quote(t)}:{','.join(p)}" for t, p in by_term.items())


def _fields(fields):
    return fields  # kb.store.fields.prepared hands each passage's analysed fields back as they are


def load_tables(conn, store: IndexStore, table: str, procs: int = 1) -> tuple[list[str], list[str], dict[str, float]]:
    """Load the passages; returns their ids and their text for judging, by passage number,
    and the seconds each step took."""
    ids, texts = [], []
    timings: dict[str, float] = {}
    started = time.perf_counter()
    rows, postings = [], []
    for number, (p, ready) in enumerate(prepared(store.passages(), _fields, procs)):
        fields = ready.value
        ids.append(p.id)
        texts.append(p.source_text)
        rows.append((number, p.id, tsvector_literal(fields), len(fields["text"])))
        weights: Counter = Counter()
        for posting in fields["text"]:
            weights[posting.term] += posting.boost
        postings.extend((t, number, w) for t, w in weights.items())
    timings["analyse"] = time.perf_counter() - started
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}_tsv, {table}_postings, {table}_lengths")
        cur.execute(f"CREATE TABLE {table}_tsv (n int PRIMARY KEY, id text, tsv tsvector, len int)")
        cur.execute(f"CREATE TABLE {table}_postings (term text, n int, w real)")
        cur.execute(f"CREATE TABLE {table}_lengths (n int PRIMARY KEY, len real)")
        started = time.perf_counter()
        with cur.copy(f"COPY {table}_tsv (n, id, tsv, len) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(f"CREATE INDEX ON {table}_tsv USING gin (tsv)")
        timings["tsvector + GIN"] = time.perf_counter() - started
        started = time.perf_counter()
        with cur.copy(f"COPY {table}_postings (term, n, w) FROM STDIN") as copy:
            for row in postings:
                copy.write_row(row)
        with cur.copy(f"COPY {table}_lengths (n, len) FROM STDIN") as copy:
            for number, _, _, length in rows:
                copy.write_row((number, kept_length(length)))  # as kb reads a length
        cur.execute(f"CREATE INDEX ON {table}_postings (term) INCLUDE (n, w)")
        timings["postings + B-tree"] = time.perf_counter() - started
        cur.execute(f"ANALYZE {table}_tsv")
        cur.execute(f"ANALYZE {table}_postings")
        cur.execute(f"ANALYZE {table}_lengths")
    conn.commit()
    return ids, texts, timings


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def same_top(a: tuple[list[int], list[float] | None], b: tuple[list[int], list[float] | None], k: int) -> bool:
    """Whether two candidate lists hold the same first k: with BM25 scores on both sides, the
    same scores and the same passages above the k-th score (passages tying at the cut may be
    taken in another order: whoosh numbers passages by the writer process that indexed them);
    otherwise the same set."""
    (na, sa), (nb, sb) = a, b
    if sa is None or sb is None or len(na) < k or len(nb) < k:
        return set(na[:k]) == set(nb[:k])
    ra, rb = [round(x, 6) for x in sa[:k]], [round(x, 6) for x in sb[:k]]
    cut = ra[-1]
    return ra == rb and {n for n, x in zip(na, ra) if x > cut} == {n for n, x in zip(nb, rb) if x > cut}


def measure(systems: list[tuple[str, object]], queries: list[dict], relevant: list[set[int]],
            rounds: int) -> list[dict]:
    """Each system's figures. Every query is run once by every system (warm), then timed
    `rounds` times, the systems taking turns query by query, so that a machine busy with
    other work slows them alike. Each fetch answers (passage numbers, BM25 scores or None);
    `same top 20` compares each system's with the first one's (kb over the first index)."""
    got = [[fetch(q) for q in queries] for _, fetch in systems]
    times: list[list[float]] = [[] for _ in systems]
    for _ in range(rounds):
        for q in queries:
            for i, (_, fetch) in enumerate(systems):
                started = time.perf_counter()
                fetch(q)
                times[i].append((time.perf_counter() - started) * 1000)
    n = len(queries)
    out = []
    for (name, _), found, spent in zip(systems, got, times):
        row = {"system": name}
        for k in (5, POOL, LIMIT):
            row[f"recall@{k}"] = sum(bool(rel & set(g[0][:k])) for g, rel in zip(found, relevant)) / n
        row[f"same top {POOL}"] = sum(same_top(g, r, POOL) for g, r in zip(found, got[0])) / n
        row.update({"p50 ms": statistics.median(spent), "p99 ms": pct(spent, 99)})
        out.append(row)
    return out


def compare(rows: list[dict], stores: list[IndexStore], conn, table: str, rounds: int, procs: int = 1) -> dict:
    """Load the first store's passages into `table`_* (analysed in `procs` processes) and
    measure every system on the judged rows."""
    ids, texts, timings = load_tables(conn, stores[0], table, procs)
    for s in stores[1:]:
        assert [p.id for p in s.passages()] == ids, "the indexes hold other passages"
    canons = [canon(t) if len(t) <= MAX_RELEVANT_TEXT else "" for t in texts]
    relevant = []
    for r in rows:
        keys = [canon(k["key"]) for k in r["relevant"]]
        relevant.append({n for n, c in enumerate(canons) if c and any(k in c for k in keys)})
    number = {pid: n for n, pid in enumerate(ids)}

    w = ranking_weights()
    store = stores[0]
    count = max(store.doc_count(), 1)
    queries = []
    for r in rows:
        plan = understand(r["query"], store)
        idf = {t: kb_idf(count, store.doc_frequency(t)) if store.doc_frequency(t) else 0.0 for t in plan.weights}
        terms = {t: x for t, x in engine_weights(plan, idf).items() if x > 0}
        queries.append({"terms": terms, "tsquery": " | ".join(quote(t) for t in terms) or "''"})

    systems = []
    for s in stores:
        def kb_fetch(q, s=s):
            found = s.candidates(q["terms"], LIMIT, k1=w.k1, b=w.b)
            return [number[c.passage.id] for c in found], [c.score for c in found]
        systems.append((f"kb over {s.engine_name} (BM25, kb's term weights)", kb_fetch))

    cur = conn.cursor()
    t = table
    for label, rank in (("ts_rank", "ts_rank(tsv, q)"),
                        ("ts_rank_cd, part boosts as label weights", f"ts_rank_cd('{RANK_WEIGHTS}', tsv, q)")):
        sql = (f"SELECT n FROM {t}_tsv, to_tsquery('simple', %s) q WHERE tsv @@ q "
               f"ORDER BY {rank} DESC, n LIMIT {LIMIT}")

        def pg_fetch(q, sql=sql):
            if not q["terms"]:
                return [], None
            return [n for (n,) in cur.execute(sql, (q["tsquery"],), prepare=True).fetchall()], None
        systems.append((f"PostgreSQL tsvector + GIN, OR tsquery, {label}", pg_fetch))

    cur.execute(f"SELECT count(*), avg(len) FROM {t}_lengths")
    n_passages, average = cur.fetchone()
    bm25 = (f"WITH q(term, qw) AS (SELECT * FROM unnest(%s::text[], %s::float8[])), "
            f"df AS (SELECT q.term, count(*) AS df FROM q JOIN {t}_postings p USING (term) GROUP BY q.term) "
            f"SELECT p.n, sum(q.qw * (ln({n_passages}::float8 / (df + 1)) + 1) "
            f"* p.w * ({w.k1} + 1) / (p.w + {w.k1} * (1 - {w.b} + {w.b} * l.len / {float(average)}))) AS score "
            f"FROM q JOIN df USING (term) JOIN {t}_postings p USING (term) JOIN {t}_lengths l USING (n) "
            f"GROUP BY p.n ORDER BY score DESC, p.n LIMIT {LIMIT}")

    def pg_bm25(q):
        if not q["terms"]:
            return [], []
        found = cur.execute(bm25, (list(q["terms"]), list(q["terms"].values())), prepare=True).fetchall()
        return [n for n, _ in found], [x for _, x in found]
    systems.append(("PostgreSQL postings table + B-tree, kb's BM25 in SQL", pg_bm25))
    results = measure(systems, queries, relevant, rounds)

    cur.execute(f"SELECT pg_total_relation_size('{t}_tsv'), pg_total_relation_size('{t}_postings') "
                f"+ pg_total_relation_size('{t}_lengths')")
    sizes = cur.fetchone()
    return {"questions": len(rows), "passages": len(ids), "load seconds": timings,
            "table MB": {"tsv": sizes[0] / 1e6, "postings": sizes[1] / 1e6}, "results": results}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("judged")
    ap.add_argument("indexes", nargs="+")
    ap.add_argument("--n", type=int, default=0, help="a fixed sample of N questions (kb eval's --sample)")
    ap.add_argument("--dsn", default="dbname=kbspike")
    ap.add_argument("--table", default="kb")
    ap.add_argument("--rounds", type=int, default=3, help="timed passes over the questions")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    import psycopg

    rows = [r for r in load(args.judged) if "query" in r]
    if args.n:
        rows = sample(rows, args.n)
    with psycopg.connect(args.dsn) as conn:
        report = compare(rows, [IndexStore(Path(i)) for i in args.indexes], conn, args.table, args.rounds,
                         procs=os.cpu_count() or 1)
    if args.json:
        print(json.dumps({"judged": args.judged, **report}, ensure_ascii=False, indent=1))
        return
    sizes = report["table MB"]
    print(f"{args.judged}: {report['questions']} questions over {report['passages']} passages; load "
          + ", ".join(f"{k} {v:.1f} s" for k, v in report["load seconds"].items())
          + f"; tables {sizes['tsv']:.1f} MB (tsvector) and {sizes['postings']:.1f} MB (postings)", file=sys.stderr)
    columns = ["recall@5", f"recall@{POOL}", f"recall@{LIMIT}", f"same top {POOL}", "p50 ms", "p99 ms"]
    print("| system | " + " | ".join(columns) + " |\n|---|" + "---|" * len(columns))
    for r in report["results"]:
        print(f"| {r['system']} | " + " | ".join(f"{r[c]:.3f}" if "ms" not in c else f"{r[c]:.2f}" for c in columns) + " |")


if __name__ == "__main__":
    main()
