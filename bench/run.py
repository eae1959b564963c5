"""kb benchmark: build, query and start-up costs at x1, x10, x100 (and x1000) the seeds and on the
external dev splits' real questions, for each engine (whoosh, tantivy), beside their floors and
two peer engines over the same passages and tokens, measured in one run on one machine.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/run.py      # x1, x10, x100, external
    .venv/bin/python bench/run.py --scales 1 10 --no-external                 # a quick run
    .venv/bin/python bench/run.py --scales 100 1000 --engines whoosh tantivy  # the issue-16 figures

Writes bench/results.json and bench/results.md (the table BENCHMARKS.md quotes). Every
figure is measured here, in this run: ratios compare numbers taken minutes apart on the same
machine, never numbers from elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import make_corpus  # noqa: E402

# A fixed mix of queries and questions as staff type them, written for the benchmark
# (not taken from any judged set): short and long, both scripts, acronyms, a typo.
QUERIES = [
    "客户投诉怎么处理", "顧客抱怨的處理步驟", "大客户开发", "SPIN", "谈判让步", "话术",
    "快递员派件注意事项", "电动车检查", "客户满意度调查", "關鍵時刻MOT", "渠道管理",
    "忠诚客户的特征", "团队激励方式", "如何应对情绪激动的客户", "服務營銷651工程",
    "价格战", "客户流失预警", "到付件交接", "二八原则", "头诉处理",
]
QUESTIONS = [
    "处理投诉常用的策略有哪些?", "客服人員應有哪三種心態?", "什么是TQCSO标准?",
    "借势营销五步曲是哪五步?", "波士顿矩阵在哪门课讲?", "从广州寄10公斤到成都运费多少钱?",
]


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(ln.split()[1]) for ln in f if ln.startswith("VmRSS")) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def run_measured(cmd: list[str]) -> tuple[float, int, str]:
    """Wall time, peak resident memory of the whole process tree, and stdout of a command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    done = threading.Event()

    def poll():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    out, err = proc.communicate()
    done.set()
    t.join()
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err[-500:]}")
    return time.perf_counter() - start, peak, out


def py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def percentiles(samples: list[float]) -> dict:
    s = sorted(samples)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]  # noqa: E731
    return {"p50": statistics.median(s) * 1000, "p95": pick(0.95) * 1000, "p99": pick(0.99) * 1000}


def bench_scale(scale: int, work: Path, peers: bool, engine: str = "whoosh", light: bool = False) -> dict:
    """One scale with one engine. `light`: build, floor and warm search only (x1000)."""
    corpus = work / f"corpus-x{scale}-{engine}"  # the same text for each engine (the update changes it)
    files = make_corpus(ROOT / "seeds", corpus, scale)
    chars = sum(len(f.read_text("utf-8")) for f in files)
    index = work / f"index-x{scale}-{engine}"
    row: dict = {"scale": scale, "engine": engine, "files": len(files), "chars": chars}

    # build: a new process, as `kb index --full --engine ENGINE` runs it; its CPU (with its workers',
    # each reaped before it ends) is what this process's reaped children used meanwhile
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, peak, out = run_measured(py(
        "import json,sys; from kb import KnowledgeBase; "
        f"kb=KnowledgeBase.build([{str(corpus)!r}], {str(index)!r}, engine={engine!r}); "
        "print(json.dumps({'passages': kb.report.passages}))"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    passages = json.loads(out)["passages"]
    from kb.store import IndexStore

    gen = IndexStore(index).generation
    row["build"] = {
        "seconds": wall, "cpu_s": cpu, "chars_per_s": chars / wall, "passages": passages, "passages_per_s": passages / wall,
        "peak_rss_mb": peak / 2**20, "index_mb": sum(f.stat().st_size for f in gen.iterdir()) / 2**20,
    }

    # the floor: OpenCC t2s then jieba over the same text, one process, dictionary loaded first
    _, _, out = run_measured(py(
        "import json,time,logging,jieba; from pathlib import Path; "
        "from kb.script import to_hans_opencc, to_hans; jieba.setLogLevel(logging.WARNING); "
        "tk=jieba.Tokenizer(); tk.initialize(); "
        f"text=''.join(p.read_text('utf-8') for p in sorted(Path({str(corpus)!r}).glob('*.txt'))); "
        "t=time.perf_counter(); s=to_hans_opencc(text); c=time.perf_counter()-t; "
        "t=time.perf_counter(); n=sum(1 for _ in tk.cut(s, HMM=False)); j=time.perf_counter()-t; "
        "t=time.perf_counter(); to_hans(text); f=time.perf_counter()-t; "
        "print(json.dumps({'opencc': c, 'jieba': j, 'kb_t2s': f}))"))
    floor = json.loads(out)
    row["floor"] = {**floor, "seconds": floor["opencc"] + floor["jieba"],
                    "fast_seconds": floor["kb_t2s"] + floor["jieba"]}
    row["build"]["of_floor"] = row["floor"]["seconds"] / wall
    row["build"]["of_fast_floor"] = row["floor"]["fast_seconds"] / wall

    # warm queries and questions, in process
    _, _, out = run_measured(py(
        "import json,time; from kb import KnowledgeBase; "
        f"kb=KnowledgeBase.open({str(index)!r}); Q={QUERIES!r}; A={QUESTIONS!r}; "
        "[kb.search(q) for q in Q]; [kb.ask(q) for q in A]; s=[]; a=[]\n"
        "for _ in range(5):\n"
        "  for q in Q:\n"
        "    t=time.perf_counter(); kb.search(q); s.append(time.perf_counter()-t)\n"
        "  for q in A:\n"
        "    t=time.perf_counter(); kb.ask(q); a.append(time.perf_counter()-t)\n"
        "print(json.dumps({'search': s, 'ask': a}))"))
    lat = json.loads(out)
    row["search_ms"] = percentiles(lat["search"])
    row["ask_ms"] = percentiles(lat["ask"])
    if light:  # a large library: what it costs to build and to search, no more
        shutil.rmtree(index, ignore_errors=True)
        shutil.rmtree(corpus, ignore_errors=True)
        return row

    # cold: a new `kb search` process, beside Python start + jieba's dictionary load
    kb_cmd = [str(Path(sys.executable).parent / "kb"), "search", "客户投诉怎么处理", "--index", str(index)]
    cold = [run_measured(kb_cmd)[0] for _ in range(5)]
    floor_cmd = py("import logging,jieba; jieba.setLogLevel(logging.WARNING); t=jieba.Tokenizer(); t.initialize()")
    cold_floor = [run_measured(floor_cmd)[0] for _ in range(5)]
    # kb loads the same dictionary from its own pickle cache (kb.analysis): its own floor too
    kb_floor_cmd = py("from kb.analysis import jieba_tokenizer; jieba_tokenizer()")
    run_measured(kb_floor_cmd)  # writes the cache if this machine has none yet
    kb_floor = [run_measured(kb_floor_cmd)[0] for _ in range(5)]
    row["cold"] = {"search_s": statistics.median(cold), "floor_s": statistics.median(cold_floor),
                   "kb_floor_s": statistics.median(kb_floor)}
    row["cold"]["ratio"] = row["cold"]["search_s"] / row["cold"]["floor_s"]
    row["cold"]["kb_ratio"] = row["cold"]["search_s"] / row["cold"]["kb_floor_s"]

    # incremental: one file changed, then `kb index` on the folder (a new process)
    changed = files[len(files) // 2]
    changed.write_text(changed.read_text("utf-8") + "\n第九十九章 新增内容\n夜间派件要核对收件人身份。\n", "utf-8")
    wall_upd, _, _ = run_measured(py(
        f"from kb import KnowledgeBase; KnowledgeBase.index([{str(corpus)!r}], {str(index)!r})"))
    row["update"] = {"seconds": wall_upd, "of_build": wall_upd / row["build"]["seconds"]}
    # the same, in a process that has kb loaded (a server, a script): the update alone
    second = files[len(files) // 3]
    second.write_text(second.read_text("utf-8") + "\n第九十八章 又一处新增\n派件前核对地址。\n", "utf-8")
    _, _, out = run_measured(py(
        "import time; from kb import KnowledgeBase; from kb.analysis import jieba_tokenizer; jieba_tokenizer(); "
        f"t=time.perf_counter(); KnowledgeBase.index([{str(corpus)!r}], {str(index)!r}); print(time.perf_counter()-t)"))
    row["update"]["in_process_seconds"] = float(out)
    row["update"]["in_process_of_build"] = float(out) / row["build"]["seconds"]

    if peers:
        row["peers"] = bench_peers(index, QUERIES)
    shutil.rmtree(index, ignore_errors=True)
    shutil.rmtree(corpus, ignore_errors=True)
    return row


# The external dev splits (../shared/eval/external): a corpus of Wikipedia paragraphs each, and
# their judged questions (real people's, 10-60 characters), asked of an index of that corpus.
EXTERNAL = ROOT.parent / "shared" / "eval" / "external"
EXTERNAL_SETS = {"drcd": ("corpus/drcd_dev", "drcd_dev.qa.jsonl"), "cmrc": ("corpus/cmrc_dev", "cmrc_dev.qa.jsonl")}

QUESTIONS_RUN = r'''
import json, random, time
from kb import KnowledgeBase
kb = KnowledgeBase.open(INDEX)
rows = [json.loads(l) for l in open(JUDGED, encoding="utf-8") if l.strip()]
qs = [r.get("question") or r["query"] for r in rows]
random.Random(7).shuffle(qs)
warm, measured = qs[N:N + 50] or qs[:10], qs[:N]
for q in warm:  # jieba, the spelling index, the engine's first reads: not a question's cost
    kb.search(q)
first = []
for q in measured:  # each asked for the first time
    t = time.perf_counter(); kb.search(q); first.append(time.perf_counter() - t)
print(json.dumps({"first": first, "passages": kb.store.doc_count(), "questions": measured}))
'''


def bench_external(name: str, work: Path, engines: list[str], peers: bool, n: int = 500) -> dict:
    """Warm search over an external split's real questions, each asked once, per engine, with
    bm25s and tantivy over the same passages and tokens."""
    folder, judged = EXTERNAL_SETS[name]
    row: dict = {"set": name, "engines": {}}
    for engine in engines:
        index = work / f"index-{name}-{engine}"
        run_measured(py(f"from kb import KnowledgeBase; KnowledgeBase.build([{str(EXTERNAL / folder)!r}], "
                        f"{str(index)!r}, engine={engine!r})"))
        code = f"INDEX={str(index)!r}\nJUDGED={str(EXTERNAL / judged)!r}\nN={n}\n" + QUESTIONS_RUN
        _, _, out = run_measured(py(code))
        res = json.loads(out)
        row["passages"], questions = res["passages"], res["questions"]
        row["questions"] = len(questions)
        row["engines"][engine] = percentiles(res["first"])
        if peers and engine == engines[-1]:
            row["peers"] = bench_peers(index, questions)
        shutil.rmtree(index, ignore_errors=True)
    return row


PEERS = r'''
import json, time, statistics, tempfile
from kb import KnowledgeBase
from kb.analysis import analyze
kb = KnowledgeBase.open(INDEX)
passages = kb.passages()
docs = [" ".join(t.text for t in analyze(p.text)) for p in passages]
queries = [[t.text for t in analyze(q)] for q in Q]
queries = [q for q in queries if q]
out = {}
try:
    import bm25s
    t = time.perf_counter(); r = bm25s.BM25(); r.index([d.split() for d in docs], show_progress=False)
    build = time.perf_counter() - t
    lat = []
    for _ in range(REPEAT):
        for q in queries:
            t = time.perf_counter(); r.retrieve([q], k=10, show_progress=False); lat.append(time.perf_counter() - t)
    out["bm25s"] = {"build_s": build, "p50_ms": statistics.median(lat) * 1000,
                    "p99_ms": sorted(lat)[int(0.99 * len(lat))] * 1000}
except ImportError:
    out["bm25s"] = None
try:
    import tantivy
    sb = tantivy.SchemaBuilder(); sb.add_text_field("body", stored=False, tokenizer_name="whitespace")
    schema = sb.build(); path = tempfile.mkdtemp()
    t = time.perf_counter(); ix = tantivy.Index(schema, path=path); w = ix.writer()
    for d in docs:
        w.add_document(tantivy.Document(body=d))
    w.commit(); ix.reload(); build = time.perf_counter() - t
    s = ix.searcher(); lat = []
    for _ in range(REPEAT):
        for q in queries:
            qq = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", x)) for x in q])
            t = time.perf_counter(); s.search(qq, 10); lat.append(time.perf_counter() - t)
    out["tantivy"] = {"build_s": build, "p50_ms": statistics.median(lat) * 1000,
                      "p99_ms": sorted(lat)[int(0.99 * len(lat))] * 1000}
except ImportError:
    out["tantivy"] = None
print(json.dumps(out))
'''


def bench_peers(index: Path, queries: list[str]) -> dict:
    """bm25s and tantivy over the same passages and the same tokens (kb's analyzer output)."""
    repeat = 5 if len(queries) < 100 else 1
    code = f"INDEX={str(index)!r}\nQ={queries!r}\nREPEAT={repeat}\n" + PEERS
    _, _, out = run_measured(py(code))
    return json.loads(out)


def table(rows: list[dict], info: dict, external: list[dict] | None = None) -> str:
    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}.",
        "",
        "| | " + " | ".join(f"x{r['scale']} {r.get('engine', 'whoosh')}" for r in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]

    def add(label, fn):
        cells = []
        for r in rows:
            try:
                cells.append(fn(r))
            except (KeyError, TypeError):
                cells.append("–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    add("files / characters", lambda r: f"{r['files']} / {r['chars']:,}")
    add("passages", lambda r: f"{r['build']['passages']:,}")
    add("build wall time", lambda r: f"{r['build']['seconds']:.1f} s")
    add("build CPU (all processes)", lambda r: f"{r['build']['cpu_s']:.1f} s")
    add("build throughput", lambda r: f"{r['build']['chars_per_s'] / 1000:.0f} k chars/s, {r['build']['passages_per_s']:.0f} passages/s")
    add("build peak RSS (all processes)", lambda r: f"{r['build']['peak_rss_mb']:.0f} MB")
    add("index size", lambda r: f"{r['build']['index_mb']:.1f} MB")
    add("floor: OpenCC t2s + jieba, 1 process", lambda r: f"{r['floor']['seconds']:.1f} s")
    add("build / floor throughput", lambda r: f"{r['build']['of_floor']:.2f}")
    add("floor with kb's t2s + jieba", lambda r: f"{r['floor']['fast_seconds']:.1f} s")
    add("build / that floor (kb's own floor)", lambda r: f"{r['build']['of_fast_floor']:.2f}")
    add("re-index one changed file: `kb index` (new process)", lambda r: f"{r['update']['seconds']:.1f} s ({100 * r['update']['of_build']:.1f}% of build)")
    add("… the update alone (kb loaded)", lambda r: f"{r['update']['in_process_seconds']:.2f} s ({100 * r['update']['in_process_of_build']:.1f}% of build)")
    add("warm search p50 / p95 / p99", lambda r: "{p50:.1f} / {p95:.1f} / {p99:.1f} ms".format(**r["search_ms"]))
    add("warm ask p50 / p95 / p99", lambda r: "{p50:.1f} / {p95:.1f} / {p99:.1f} ms".format(**r["ask_ms"]))
    add("cold `kb search` (new process)", lambda r: f"{r['cold']['search_s']:.2f} s")
    add("its floor: Python + jieba dictionary", lambda r: f"{r['cold']['floor_s']:.2f} s")
    add("cold / floor", lambda r: f"{r['cold']['ratio']:.2f}")
    add("Python + kb's cached dictionary (kb's own floor)", lambda r: f"{r['cold'].get('kb_floor_s', 0):.2f} s")
    add("cold / kb's own floor", lambda r: f"{r['cold'].get('kb_ratio', 0):.2f}")
    add("bm25s build, query p50 / p99", lambda r: "{build_s:.2f} s, {p50_ms:.2f} / {p99_ms:.2f} ms".format(**r["peers"]["bm25s"]))
    add("tantivy-raw build, query p50 / p99", lambda r: "{build_s:.2f} s, {p50_ms:.2f} / {p99_ms:.2f} ms".format(**r["peers"]["tantivy"]))
    if external:
        engines = list(external[0]["engines"])
        lines += ["", "Real questions, each asked once of a warm process (analysis, stand-ins, candidates, "
                  "re-ranking, highlights), p50 / p99 ms; bm25s and tantivy-raw over the same passages and tokens:", "",
                  "| set | passages | questions | " + " | ".join(f"kb {e}" for e in engines) + " | bm25s | tantivy-raw |",
                  "|---|---|---|" + "---|" * (len(engines) + 2)]
        for x in external:
            cells = [f"{x['engines'][e]['p50']:.2f} / {x['engines'][e]['p99']:.2f}" for e in engines]
            for peer in ("bm25s", "tantivy"):
                got = (x.get("peers") or {}).get(peer)
                cells.append(f"{got['p50_ms']:.2f} / {got['p99_ms']:.2f}" if got else "–")
            lines.append(f"| {x['set']} dev | {x['passages']:,} | {x['questions']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--engines", nargs="+", default=["whoosh", "tantivy"], help="kb's engines to measure")
    ap.add_argument("--light-from", type=int, default=1000,
                    help="scales from this one up: build, floor and warm search only, no peers (default 1000)")
    ap.add_argument("--no-peers", action="store_true", help="skip bm25s and tantivy-raw")
    ap.add_argument("--no-external", action="store_true", help="skip the external dev splits' questions")
    ap.add_argument("--out", type=Path, default=ROOT / "bench")
    args = ap.parse_args()
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    rows, external = [], []
    try:
        # the large scales last: what a slow machine may not finish should not hold up the rest
        small = [s for s in args.scales if s < args.light_from]
        for scale in small + [0] + [s for s in args.scales if s >= args.light_from]:  # 0: the external sets
            if scale == 0:
                if not args.no_external and EXTERNAL.is_dir():
                    for name in EXTERNAL_SETS:
                        print(f"{name} …", file=sys.stderr, flush=True)
                        external.append(bench_external(name, work, args.engines, not args.no_peers))
                        save(args.out, info, rows, external)
                continue
            light = scale >= args.light_from
            for k, engine in enumerate(args.engines):
                print(f"x{scale} {engine} …", file=sys.stderr, flush=True)
                # peers once a scale (the same passages and tokens whatever kb's engine)
                peers = not args.no_peers and not light and k == len(args.engines) - 1
                rows.append(bench_scale(scale, work, peers, engine, light))
                save(args.out, info, rows, external)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(save(args.out, info, rows, external))


def save(out: Path, info: dict, rows: list[dict], external: list[dict]) -> str:
    """Write what has been measured so far (after each step: a long run stopped keeps it)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"machine": info, "rows": rows, "external": external},
                                                 indent=1), "utf-8")
    md = table(rows, info, external)
    (out / "results.md").write_text(md, "utf-8")
    return md


if __name__ == "__main__":
    main()
