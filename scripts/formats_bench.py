"""Measure kb on the seeds as real files: every format against the plain-text baseline.

    .venv/bin/python scripts/formats_bench.py [--judged ../shared/eval/search_dev.jsonl] [--keep DIR]

Writes the five seeds as .docx, .pptx, .pdf, .md, .html, GBK .txt and Big5 .txt
(tests/seed_formats.py), indexes each format's folder with `kb index`, scores it
with `kb eval JUDGED --json`, and compares every query's top hit with the top hit
of the plain seeds: the same seed and the same content (most of the text's
character pairs shared, script and spacing aside). The judged set is read only by
`kb eval`; this script sees its output. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import KnowledgeBase  # noqa: E402
from kb.evaluate import canon  # noqa: E402
from tests.seed_formats import FORMATS, write  # noqa: E402

SAME = 0.6  # share of character pairs two top hits must share to be the same content


def kb_command(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)


def overlap(a: str, b: str) -> float:
    pa, pb = (set(zip(t, t[1:])) for t in (canon(a), canon(b)))
    return len(pa & pb) / max(1, min(len(pa), len(pb)))


def measure(folder: Path, index: Path, judged: Path) -> dict:
    started = time.perf_counter()
    built = kb_command("index", str(folder), "--index", str(index))
    seconds = time.perf_counter() - started
    if built.returncode:
        raise SystemExit(f"kb index {folder} failed:\n{built.stdout}{built.stderr}")
    skipped = [line.strip() for line in built.stderr.splitlines() if line.startswith("  ")]
    scored = kb_command("eval", str(judged), "--index", str(index), "--json")
    if scored.returncode:
        raise SystemExit(f"kb eval failed:\n{scored.stdout}{scored.stderr}")
    report = json.loads(scored.stdout)
    kb = KnowledgeBase.open(index)
    tops = {}
    for r in report["results"]:
        tops[r["id"]] = kb.passage(r["top_ids"][0]) if r["top_ids"] else None
    kb.close()
    return {"figures": report["figures"], "results": report["results"], "tops": tops, "seconds": seconds,
            "skipped": skipped, "summary": built.stdout.strip().splitlines()}


def same_content(a, b) -> bool:
    return a is not None and b is not None and a.doc[:3] == b.doc[:3] and overlap(a.text, b.text) >= SAME


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judged", type=Path, default=ROOT.parent / "shared" / "eval" / "search_dev.jsonl")
    parser.add_argument("--keep", type=Path, help="Write the folders and indexes here and keep them.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kb-formats-"))
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    try:
        rows = {}
        base = work / "txt"
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        for s in seeds:
            shutil.copy(s, base)
        rows["txt (seeds)"] = measure(base, work / "index-txt", args.judged)
        for fmt in FORMATS:
            folder = work / fmt.replace(".", "-")
            shutil.rmtree(folder, ignore_errors=True)
            for s in seeds:
                write(s, folder, fmt)
            rows[fmt] = measure(folder, work / f"index-{fmt.replace('.', '-')}", args.judged)
            print(f"{fmt}: {rows[fmt]['summary'][0]}", file=sys.stderr)
        baseline = rows["txt (seeds)"]["tops"]
        print("| format | indexed | skipped | build s | P@1 | R@5 | MRR | top-1 same seed content as .txt | same passage text |")
        print("|---|---|---|---|---|---|---|---|---|")
        for fmt, row in rows.items():
            f = row["figures"]
            same = sum(same_content(row["tops"][q], baseline[q]) for q in baseline)
            exact = sum(row["tops"][q] is not None and baseline[q] is not None
                        and canon(row["tops"][q].text) == canon(baseline[q].text) for q in baseline)
            docs = row["summary"][0].split(" document(s)")[0].split()[-1]
            print(f"| {fmt} | {docs} | {len(row['skipped'])} | {row['seconds']:.1f} | {f['P@1']:.2f} | {f['R@5']:.2f} "
                  f"| {f['MRR']:.2f} | {same}/{len(baseline)} | {exact}/{len(baseline)} |")
        for fmt, row in rows.items():
            differing = [q for q in baseline if not same_content(row["tops"][q], baseline[q])]
            for q in differing:
                mine, theirs = row["tops"][q], baseline[q]
                print(f"  {fmt} {q}: {mine.ref if mine else '-'}  vs .txt {theirs.ref if theirs else '-'}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
