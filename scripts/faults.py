"""Faults done for real (issue 14), each figure of RELIABILITY.md measured from the real CLI.

    .venv/bin/python scripts/faults.py [--quick] [--only KIND[,KIND]] [--presses N] [--seed N] [--keep]

KIND: searches, writers, reader, killed, ctrl-c, disk, damage (default: all but ctrl-c, whose
presses `killed` makes too, 8 at each moment; `--only ctrl-c --presses N` makes N). Every trial works on
a temporary copy of a generated library (200 small Chinese .txt files cut from varied
copies of the seeds, bench/corpus.py) and runs `cli.py` in subprocesses; this process only
changes files, starts and signals processes, watches /proc and compares answers (through
the library, which never writes). The disk trial mounts a real tmpfs and needs root;
without it, it says it was skipped and why.

A measurement, not a test: it asserts nothing, prints a table with PASS or FAIL against the
targets of issue 14 (and what went wrong, when something did) and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import KbError, KnowledgeBase  # noqa: E402

CLI = [sys.executable, str(ROOT / "cli.py")]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
       "NO_COLOR": "1"}
KINDS = ("searches", "writers", "reader", "killed", "ctrl-c", "disk", "damage")
QUERIES = ("客户投诉处理", "大客户开发", "谈判让步", "服务补救")  # one per search loop
PROBE = QUERIES[0]  # the query whose answer is compared before and after a fault
TRACEBACK = "Traceback (most recent call last)"
NOBODY = 65534  # the unprivileged user of the permission trial


# --- running the CLI ------------------------------------------------------------------------


@dataclass
class Run:
    rc: int
    out: str
    err: str
    seconds: float

    @property
    def traceback(self) -> bool:
        return TRACEBACK in self.out or TRACEBACK in self.err

    @property
    def last(self) -> str:
        """The last line of stderr: where kb puts its one error line."""
        lines = [line for line in self.err.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""

    @property
    def clear_error(self) -> bool:
        """Exit 2 with kb's one error line, and no traceback."""
        return self.rc == 2 and not self.traceback and self.last.startswith("Error: ")

    def results(self) -> tuple | None:
        """The hits of `kb search --json` as answer() gives them, or None when not JSON."""
        try:
            return tuple(sorted(((round(r["score"], 3), r["text"]) for r in json.loads(self.out)["results"]),
                                reverse=True))
        except (ValueError, KeyError, TypeError):
            return None


def kb(*args, cwd: Path, user: int | None = None, timeout: float = 900) -> Run:
    cmd = CLI + [str(a) for a in args]
    env = ENV
    if user is not None:  # as that user logs in: their own home (where kb keeps its cache)
        import pwd

        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd
        env = {**ENV, "HOME": pwd.getpwuid(user).pw_dir, "USER": pwd.getpwuid(user).pw_name}
    started = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)
    return Run(r.returncode, r.stdout, r.stderr, time.monotonic() - started)


def answer(index: Path) -> tuple | str:
    """The probe's hits through the library (which never writes, unlike a `kb search` on a
    stale index), as (score, text) in order, or the error it raises. Not ids: where the
    library holds the same passage in two files, which one a build numbers first, and so
    shows, is the luck of the order the build's workers hand files back in."""
    try:
        with KnowledgeBase.open(index) as k:
            return tuple(sorted(((round(h.score, 3), h.passage.text) for h in k.search(PROBE)), reverse=True))
    except KbError as exc:
        return f"error: {exc}"


def live_text(index: Path) -> str:
    """The live generation's passages file (JSON lines of the files' own text)."""
    try:
        gen = index / (index / "CURRENT").read_text("utf-8").strip()
        return (gen / "passages.jsonl").read_text("utf-8")
    except OSError:
        return ""


def leftovers(index: Path) -> int:
    return len(list(index.glob("building-*")))


# --- processes ------------------------------------------------------------------------------


def children(pid: int) -> set[int]:
    """Every descendant of pid, read from /proc."""
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
                out.update(kids)
                todo += kids
        except OSError:
            pass
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def mentioning(text: str) -> set[int]:
    """Live processes whose command line holds text (a forked worker keeps its parent's)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline and alive(int(entry)):
            found.add(int(entry))
    return found


# --- the library ----------------------------------------------------------------------------


def make_library(out: Path, files: int = 200) -> None:
    """`files` small .txt files: varied copies of the seeds (bench/corpus.py) cut in five at
    line boundaries, keeping only pieces kb indexes (a piece of pure boilerplate is skipped)."""
    from bench.corpus import make_corpus
    from kb.errors import ReadError
    from kb.ingest import Source, ingest

    out.mkdir(parents=True)
    made = 0
    with tempfile.TemporaryDirectory() as tmp:
        for whole in make_corpus(ROOT / "seeds", Path(tmp), 10):
            lines = whole.read_text("utf-8").splitlines()
            size = -(-len(lines) // 5)
            for j in range(5):
                piece = out / f"{whole.stem}_{j}.txt"
                piece.write_text("\n".join(lines[j * size:(j + 1) * size]) + "\n", "utf-8")
                try:
                    ingest(Source(piece, piece.name))
                except ReadError:
                    piece.unlink()
                    continue
                made += 1
                if made == files:
                    return


def change(docs: Path, rng: random.Random, marker: str, n: int = 2, spare: str = "") -> None:
    """Append a short section holding marker to n of the library's files (never to `spare`)."""
    for f in rng.sample(sorted(f for f in docs.glob("*.txt") if f.name != spare), n):
        with open(f, "a", encoding="utf-8") as out:
            out.write(f"\n第九章 {marker}\n{marker}:客户回访要真诚,先问候再询问满意度,最后感谢客户的支持与理解。\n")


# --- results --------------------------------------------------------------------------------


@dataclass
class Row:
    kind: str
    fault: str
    trials: str
    figures: str
    target: str
    verdict: str
    notes: list[str] = field(default_factory=list)


class Lab:
    def __init__(self, root: Path, seed: int):
        self.root = root
        self.rng = random.Random(seed)
        self.library = root / "library"
        self.rows: list[Row] = []

    def fresh(self, name: str, files: int | None = None) -> tuple[Path, Path, Path]:
        """A trial's own folder: a copy of the library (or its first `files` files) and an
        index path; returns (folder, docs, index)."""
        home = self.root / name
        docs = home / "docs"
        docs.mkdir(parents=True)
        for f in sorted(self.library.glob("*.txt"))[:files]:
            shutil.copy2(f, docs / f.name)
        return home, docs, home / "ix"

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  → {row.verdict}: {row.fault}: {row.figures}", flush=True)
        for note in row.notes:
            print(f"     {note}", flush=True)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def note_of(run: Run) -> str:
    return f"exit {run.rc}: {run.last[:200]}" if not run.traceback else f"exit {run.rc}, traceback: {run.last[:200]}"


# --- a. searches during updates -------------------------------------------------------------


def trial_searches(lab: Lab, updates: int) -> None:
    home, docs, ix = lab.fresh("searches")
    kb("index", docs, "--index", ix, cwd=home)
    stop = threading.Event()
    tallies = [dict(searches=0, errors=0, nothing=0, updated=0, stale=0, first="") for _ in QUERIES]

    def loop(query: str, tally: dict) -> None:
        while not stop.is_set():
            r = kb("search", query, "--index", ix, cwd=home)
            tally["searches"] += 1
            tally["nothing"] += r.rc == 1
            tally["updated"] += "rebuilding" in r.err and "answering from the index as it is" not in r.err
            tally["stale"] += "answering from the index as it is" in r.err
            if r.rc not in (0, 1) or r.traceback:
                tally["errors"] += 1
                tally["first"] = tally["first"] or note_of(r)

    threads = [threading.Thread(target=loop, args=(q, t)) for q, t in zip(QUERIES, tallies)]
    for t in threads:
        t.start()
    failed, lost, notes = 0, 0, []
    started = time.monotonic()
    for i in range(updates):
        marker = f"并发更新标记{i:03d}号"
        change(docs, lab.rng, marker)
        (docs / f"new_{i:03d}.txt").write_text(f"第一章 新增{i}\n{marker}:新员工入职培训先讲安全规范,再讲派件流程。\n", "utf-8")
        if i and (docs / f"new_{i - 1:03d}.txt").exists() and i % 2:
            (docs / f"new_{i - 1:03d}.txt").unlink()
        r = kb("index", docs, "--index", ix, cwd=home)
        if r.rc != 0 or r.traceback:
            failed += 1
            notes.append(f"update {i}: {note_of(r)}")
        elif marker not in live_text(ix):
            lost += 1
            notes.append(f"update {i}: exit 0 but its change is not in the live generation")
    time.sleep(1.0)  # the loops' last searches see the last update
    stop.set()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    searches = sum(t["searches"] for t in tallies)
    errors = sum(t["errors"] for t in tallies)
    notes += [f"loop {q}: {t['first']}" for q, t in zip(QUERIES, tallies) if t["first"]]
    lab.add(Row(
        "searches", "kb search in 4 loops during kb index updates", f"{updates} updates, {searches} searches",
        f"{errors} errors; {failed} updates failed, {lost} lost; {sum(t['updated'] for t in tallies)} searches "
        f"brought the index up to date themselves, {sum(t['stale'] for t in tallies)} answered from it as it was "
        f"(a writer busy), {sum(t['nothing'] for t in tallies)} found nothing; {seconds:.0f} s",
        "0 errors", verdict(errors == 0 and failed == 0 and lost == 0), notes))


# --- b. two writers -------------------------------------------------------------------------

PAIRS = (("update", "update"), ("update", "full"), ("full", "update"), ("update", "remove"))


def trial_writers(lab: Lab, rounds: int) -> None:
    home, docs, ix = lab.fresh("writers")
    kb("index", docs, "--index", ix, cwd=home)
    outcomes = {"both landed": 0, "second waited": 0, "busy message": 0, "other": 0}
    tracebacks = lost = 0
    notes: list[str] = []
    names = sorted(f.name for f in docs.glob("*.txt"))
    for n in range(rounds):
        pair = PAIRS[n % len(PAIRS)]
        markers = [f"写者甲标记{n:03d}号", f"写者乙标记{n:03d}号"]
        for m in markers:
            change(docs, lab.rng, m, 1, spare=names[n])  # not in the file a remove drops
        args = {"update": ["index", docs, "--index", ix], "full": ["index", docs, "--full", "--index", ix],
                "remove": ["index", "--remove", names[n], "--index", ix]}
        procs = [subprocess.Popen(CLI + [str(a) for a in args[w]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, cwd=home, env=ENV) for w in pair]
        runs = []
        for p in procs:
            out, err = p.communicate(timeout=900)
            runs.append(Run(p.returncode, out, err, 0.0))
        tracebacks += sum(r.traceback for r in runs)
        waited = any("waiting for another kb" in r.err for r in runs)
        if all(r.rc == 0 for r in runs):
            outcomes["second waited" if waited else "both landed"] += 1
        elif any(r.clear_error and "another kb is writing" in r.err for r in runs) and all(r.rc in (0, 2) for r in runs):
            outcomes["busy message"] += 1
        else:
            outcomes["other"] += 1
            notes += [f"round {n} {w}: {note_of(r)}" for w, r in zip(pair, runs) if r.rc]
        missing = [m for m in markers if m not in live_text(ix)]  # every pair has a writer that reads the files
        if missing:
            lost += 1
            notes.append(f"round {n} {'+'.join(pair)}: {', '.join(missing)} not in the live generation")
    check = kb("check", "--index", ix, cwd=home)
    left = leftovers(ix)
    if check.rc:
        notes.append(f"kb check after the rounds: {note_of(check)}")
    figures = (f"{tracebacks} tracebacks; " + ", ".join(f"{k} {v}" for k, v in outcomes.items())
               + f"; {lost} rounds lost a change; kb check {'sound' if check.rc == 0 else 'FAILED'}, {left} building-* left")
    lab.add(Row("writers", "two writers at once (update+update, update+full, full+update, update+remove)",
                f"{rounds} rounds", figures, "a clear message, never a traceback",
                verdict(tracebacks == 0 and outcomes["other"] == 0 and lost == 0 and check.rc == 0 and left == 0), notes))


# --- c. a long-lived reader -----------------------------------------------------------------

READER = r"""
import json, os, sys
from kb import KnowledgeBase
index, stop, queries = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
kb = KnowledgeBase.open(index)
kb.search(queries[0])
print("ready", flush=True)
reads = failed = empty = 0
gens, first = set(), ""
while not os.path.exists(stop):
    q = queries[reads % len(queries)]
    try:
        if reads % 3 == 2:
            kb.ask(q)
        elif not kb.search(q):
            empty += 1
        gens.add(kb.store.generation.name)
    except Exception as exc:
        failed += 1
        if not first:
            import traceback
            where = traceback.extract_tb(exc.__traceback__)[-3:]
            first = f"{type(exc).__name__}: {exc} (at " + " < ".join(
                f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in reversed(where)) + f"; query {q!r}, read {reads})"
    reads += 1
print(json.dumps({"reads": reads, "failed": failed, "empty": empty, "generations": len(gens), "first": first}))
"""


def trial_reader(lab: Lab, updates: int) -> None:
    home, docs, ix = lab.fresh("reader")
    kb("index", docs, "--index", ix, cwd=home)
    stop = home / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(ix), str(stop), json.dumps(QUERIES)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=home, env=ENV)
    ready = reader.stdout.readline().strip() == "ready"
    failed, notes = 0, []
    started = time.monotonic()
    for i in range(updates):
        change(docs, lab.rng, f"快速更新标记{i:03d}号", 1)
        r = kb("index", docs, "--index", ix, cwd=home)
        if r.rc or r.traceback:
            failed += 1
            notes.append(f"update {i}: {note_of(r)}")
    seconds = time.monotonic() - started
    stop.touch()
    out, err = reader.communicate(timeout=300)
    try:
        got = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        got = {"reads": 0, "failed": 1, "empty": 0, "generations": 0, "first": f"reader died: {err.strip()[-300:]}"}
    if not ready:
        notes.append("the reader did not start")
    if got["first"]:
        notes.append(f"first failed read: {got['first']}")
    bad = got["failed"] + got["empty"]
    lab.add(Row(
        "reader", "one KnowledgeBase searching and asking across back-to-back kb index updates",
        f"{updates} updates, {got['reads']} reads",
        f"{bad} failed reads ({got['failed']} raised, {got['empty']} empty); read {got['generations']} generations "
        f"as they were collected; {failed} updates failed; {seconds:.0f} s",
        "0 failures", verdict(ready and bad == 0 and failed == 0), notes))


# --- d. killed builds -----------------------------------------------------------------------

SIGNALS = (("SIGKILL", signal.SIGKILL), ("SIGTERM", signal.SIGTERM), ("SIGINT", signal.SIGINT))


@dataclass
class Kill:
    mode: str
    signal: str
    at: float
    finished_first: bool = False
    landed: bool = False  # its generation was live before the signal took effect
    building_seen: bool = False
    workers_seen: int = 0
    orphans: int = 0
    left_before: int = 0
    left_after: int = 0
    answers_same: bool = False
    next_write_ok: bool = False
    tracebacks: int = 0
    rc: int | None = None  # the killed build's exit status (0: it carried on and finished)
    hung: bool = False  # still running HANG s after its signal (then killed)
    unsound: bool = False  # its generation swapped in, and kb check refuses it
    note: str = ""


HANG = 30  # seconds a signalled build has to exit


def tracebacks_in(text: str) -> list[str]:
    """Who printed each traceback in a build's stderr, and where it was: a worker process
    names itself on the line before ('Process SubWriterTask-3:') and starts in
    multiprocessing's _bootstrap; two workers printing at once interleave their lines."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if not line.startswith(TRACEBACK):
            continue
        rest = lines[i + 1:]
        end = next((j for j, ln in enumerate(rest) if ln and not ln.startswith(" ")), len(rest))
        frames = [ln for ln in rest[:end] if ln.startswith("  File ")]
        if not frames:
            out.append("a process whose lines interleaved with another's")
            continue
        before = lines[i - 1] if i else ""
        if before.startswith("Exception ignored in: "):  # raised in an at-fork handler, and dropped there
            who = f"a signal lost in an at-fork handler ({before[22:].split(' at 0x')[0].lstrip('<')})"
        elif before.startswith("Process ") and before.endswith(":"):
            who = before[8:-1]
        else:
            who = "a worker process" if "_bootstrap" in frames[0] else "the kb process"
        first, last = (re.sub(r'^  File "(?:.*/)?([^/"]+)", line (\d+), in (.*)$', r"\1:\2 \3", f)
                       for f in (frames[0], frames[-1]))
        error = rest[end] if end < len(rest) else "?"
        out.append(f"{who}, {error} in {first} … {last}")
    return out


def sound(index: Path) -> bool:
    """Whether the index reads whole (kb check's full verify, through the library)."""
    try:
        with KnowledgeBase.open(index) as k:
            k.store.verify(full=True)
        return True
    except KbError:
        return False


def reference(home: Path, ix: Path, args: list) -> tuple[float, float]:
    """An uninterrupted build: seconds until its building-* folder appeared (reading and
    cutting the files done, indexing begun), and in all."""
    earlier = set(ix.glob("building-*"))
    started = time.monotonic()
    building = None
    p = subprocess.Popen(CLI + [str(a) for a in args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         cwd=home, env=ENV)
    while p.poll() is None:
        if building is None and set(ix.glob("building-*")) - earlier:
            building = time.monotonic() - started
        time.sleep(0.02)
    total = time.monotonic() - started
    return (building if building is not None else total), total


def kill_once(lab: Lab, home: Path, docs: Path, ix: Path, mode: str, name: str, sig: int, at: float,
              after: str = "start") -> Kill:
    """One build killed `at` seconds after it starts (after="start"), after its first worker
    process appears ("children"), after its building-* folder appears ("building": files
    read, indexing begun), after whoosh's worker processes appear ("workers": building
    and children), or after its N-th worker process appears ("child N": of a 400-file build,
    2 the ingest pool forks, then 2 the analysis pool, then 2 whoosh's writers, one a core on
    this 2-core machine). If its generation was not swapped in, the index
    must answer exactly as before; if it was, the index must be sound and answer as the
    finished build does: a full build of unchanged files with the same scores (which of two
    near-identical passages at one score a build shows is the luck of whoosh's writer
    processes), an update as once the next write has run."""
    before = answer(ix)
    live = (ix / "CURRENT").read_text()
    earlier = set(ix.glob("building-*"))
    if mode == "update":
        change(docs, lab.rng, f"中断更新标记{lab.rng.randrange(10**6):06d}号")
    args = ["index", docs, "--index", ix] + (["--full"] if mode != "update" else [])
    k = Kill(mode, name, at)
    log = home / "killed.err"
    with open(log, "w") as err:
        p = subprocess.Popen(CLI + [str(a) for a in args], stdout=subprocess.DEVNULL, stderr=err, cwd=home,
                             env=ENV, start_new_session=True)
        seen: set[int] = set()
        while after in ("building", "workers") and p.poll() is None and not set(ix.glob("building-*")) - earlier:
            seen |= children(p.pid)
            time.sleep(0.02)
        while after in ("children", "workers") and p.poll() is None and not children(p.pid):
            time.sleep(0.0005)
        while after.startswith("child ") and p.poll() is None and len(seen) < int(after[6:]):
            seen |= children(p.pid)
            time.sleep(0.0005)
        deadline = time.monotonic() + at
        while time.monotonic() < deadline and p.poll() is None:
            seen |= children(p.pid)
            k.building_seen |= leftovers(ix) > 0
            time.sleep(0.02)
        if p.poll() is not None:
            k.finished_first = True
        elif sig == signal.SIGINT:
            os.killpg(p.pid, sig)  # Ctrl+C: the terminal signals the whole foreground group
        else:
            p.send_signal(sig)  # kill PID, the OOM killer: the parent alone
        try:
            p.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            k.hung = True
            seen |= children(p.pid)
            k.note = f" HUNG: still running {HANG} s after the signal, then killed"
            p.kill()
            p.wait()
    k.rc = p.returncode
    if sig == signal.SIGINT and k.rc == 0 and not k.finished_first:
        k.note += " carried on after Ctrl+C and finished (exit 0)"
    k.workers_seen = len(seen)
    time.sleep(2.0)
    orphans = {c for c in seen if alive(c)} | mentioning(str(ix))
    k.orphans = len(orphans)
    if orphans:
        k.note += f" orphans: {sorted(orphans)}"
        for pid in orphans:  # ours: the killed build's children
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    printed = tracebacks_in(log.read_text("utf-8", "replace"))
    k.tracebacks = len(printed)
    if printed:
        k.note += f" {len(printed)} tracebacks: {'; '.join(printed)}"
    k.left_before = len(set(ix.glob("building-*")) - earlier)  # this build's own
    k.landed = (ix / "CURRENT").read_text() != live
    killed = answer(ix)
    whole = sound(ix) if k.landed else True
    k.unsound = not whole
    if k.unsound:
        k.note += " SWAPPED IN AN UNSOUND GENERATION (kb check refuses it)"
    r = kb("index", docs, "--index", ix, cwd=home)
    k.next_write_ok = r.rc == 0 and not r.traceback and sound(ix)
    if not k.next_write_ok:
        k.note += f" next write: {note_of(r)}, index {'sound' if sound(ix) else 'NOT sound'}"
    k.left_after = leftovers(ix)
    after = answer(ix)
    if not k.landed:
        k.answers_same = killed == before
    elif mode == "update":
        k.answers_same = whole and killed == after
    else:
        k.answers_same = whole and isinstance(killed, tuple) and [x[0] for x in killed] == [x[0] for x in before]
    if not k.answers_same:
        k.note += (f" {'landed' if k.landed else 'not landed'}; answered {str(killed)[:100]} "
                   f"instead of {str(before)[:100]}")
    if not sound(ix):  # the next trial starts from a sound index: the repair kb check advises
        kb("index", docs, "--full", "--index", ix, cwd=home)
        k.note += f"; repaired with kb index --full ({'sound' if sound(ix) else 'STILL NOT SOUND'})"
    return k


def trial_killed(lab: Lab, per_signal: int, large: int, presses: int) -> None:
    home, docs, ix = lab.fresh("killed")
    kb("index", docs, "--index", ix, cwd=home)
    change(docs, lab.rng, "计时更新标记")
    span_update = kb("index", docs, "--index", ix, cwd=home).seconds
    # last a full build: each full build killed after it then leaves the same index, whole or not swapped in
    span_full = kb("index", docs, "--full", "--index", ix, cwd=home).seconds
    groups: list[tuple[str, str, list[Kill]]] = []
    for mode, span in (("full", span_full), ("update", span_update)):
        kills = [kill_once(lab, home, docs, ix, mode, name, sig, lab.rng.uniform(0, span))
                 for name, sig in SIGNALS for _ in range(per_signal)]
        what = (f"kb index --full on 200 files (ingest pool), killed at a random moment of its {span_full:.1f} s"
                if mode == "full" else f"kb index after 2 files changed, killed at a random moment of its {span_update:.1f} s")
        groups.append((mode, what, kills))
    if large:
        big, big_docs, big_ix = large_library(lab)
        building, total = reference(big, big_ix, ["index", big_docs, "--full", "--index", big_ix])
        kills = [kill_once(lab, big, big_docs, big_ix, "full", name, sig, lab.rng.uniform(0, total - building),
                           after="building")
                 for name, sig in SIGNALS for _ in range(large)]
        groups.append(("full, large", f"kb index --full on 400 files (over 2,000 passages: whoosh indexes in "
                                      f"worker processes), killed at a random moment of its indexing, the last "
                                      f"{total - building:.1f} s of {total:.1f} s", kills))
    for mode, what, kills in groups:
        signalled = [k for k in kills if not k.finished_first]
        orphans = sum(k.orphans for k in kills)
        before = sum(k.left_before for k in kills)
        after = sum(k.left_after > 0 for k in kills)
        same = sum(k.answers_same for k in kills)
        bad_next = sum(not k.next_write_ok for k in kills)
        tracebacks = sum(k.tracebacks for k in kills)
        printing = sum(k.tracebacks > 0 for k in kills)
        hung = sum(k.hung for k in kills)
        unsound = sum(k.unsound for k in kills)
        by_signal = "; ".join(
            f"{name} {sum(k.left_before for k in kills if k.signal == name)}"
            for name, _ in SIGNALS)
        figures = (f"{orphans} orphan processes ({sum(k.workers_seen for k in kills)} workers seen); "
                   f"building-* left by {before} ({by_signal}), still there after the next write in {after}; "
                   f"the index answered as before (or, its generation swapped in, as the finished build) in "
                   f"{same}/{len(kills)}; "
                   f"{bad_next} next writes failed or left an index kb check refuses; "
                   f"{tracebacks} tracebacks (printed by {printing} killed builds); {hung} hung; "
                   f"{unsound} swapped in an unsound generation"
                   + f"; {sum(k.landed for k in kills)} had swapped their generation in before the signal took effect"
                   + (f"; {len(kills) - len(signalled)} ended before their signal" if len(signalled) < len(kills) else ""))
        notes = [f"{k.signal} at {k.at:.2f} s:{k.note}" for k in kills if k.note]
        target = orphans == 0 and after == 0 and same == len(kills) and bad_next == 0 and hung == 0 and unsound == 0
        lab.add(Row("killed", what, f"{len(kills)} ({per_signal if mode != 'full, large' else large} per signal: "
                                    "SIGKILL, SIGTERM, SIGINT)",
                    figures, "0 orphans; no building-* after the next write; the index answers (and no traceback)",
                    verdict(target) if not target or tracebacks == 0 else "FAIL: tracebacks (the issue's target met)",
                    notes))
    if large:
        trial_ctrl_c(lab, (home, docs, ix), (big, big_docs, big_ix), large, presses)


def large_library(lab: Lab) -> tuple[Path, Path, Path]:
    """Twice the library under other names: over 2,000 passages, so whoosh indexes in worker
    processes too; indexed once."""
    big, big_docs, big_ix = lab.fresh("killed-large")
    for f in sorted(big_docs.glob("*.txt")):
        shutil.copy2(f, big_docs / f"b_{f.name}")
    kb("index", big_docs, "--index", big_ix, cwd=big)
    return big, big_docs, big_ix


def trial_presses(lab: Lab, presses: int) -> None:
    """Only the Ctrl+C presses of `killed`, `presses` at each moment a process forks."""
    small = lab.fresh("killed")
    kb("index", small[1], "--index", small[2], cwd=small[0])
    trial_ctrl_c(lab, small, large_library(lab), 3, presses)


def trial_ctrl_c(lab: Lab, small: tuple, big: tuple, n: int, forks: int) -> None:
    """Ctrl+C (SIGINT to the process group, as a terminal sends it) at the moments random
    ones reach only now and then: while Python starts, before kb's CLI runs; the moment the
    ingest pool forks its workers; the moments the analysis pool and whoosh fork theirs (a
    400-file build: its 3rd and 5th worker processes). A signal that arrives while a process
    runs Python's at-fork handlers is reported there ('Exception ignored in: …') and is
    otherwise lost; one that lands in multiprocessing's start() after the fork leaves a child
    its parent has not recorded."""
    home, docs, ix = small
    kb("index", docs, "--full", "--index", ix, cwd=home)  # a full build's scores, as a full build killed after its swap gives
    moments = [
        ("in the first 0.2 s", [kill_once(lab, *small, "full", "SIGINT", signal.SIGINT, lab.rng.uniform(0.02, 0.2))
                                for _ in range(n)]),
        ("as the ingest pool forks (200 files)",
         [kill_once(lab, *small, "full", "SIGINT", signal.SIGINT, 0.0, after="children") for _ in range(forks)]),
        ("as the analysis pool forks (400 files)",
         [kill_once(lab, *big, "full", "SIGINT", signal.SIGINT, 0.0, after="child 3") for _ in range(forks)]),
        ("as whoosh forks its writers (400 files)",
         [kill_once(lab, *big, "full", "SIGINT", signal.SIGINT, 0.0, after="child 5") for _ in range(forks)]),
    ]
    parts, notes, ok = [], [], True
    for when, presses in moments:
        printing = sum(k.tracebacks > 0 for k in presses)
        hung = sum(k.hung for k in presses)
        carried = sum(k.rc == 0 and not k.finished_first for k in presses)
        unsound = sum(k.unsound for k in presses)
        orphans = sum(k.orphans for k in presses)
        left = sum(k.left_after > 0 for k in presses)
        same = sum(k.answers_same for k in presses)
        parts.append(f"{when}: {len(presses)} presses, {printing} printed tracebacks, {hung} hung, {carried} carried "
                     f"on to exit 0, {unsound} swapped in an unsound generation, {orphans} orphans, {left} left "
                     f"building-* after the next write, the index answered as before in {same}")
        notes += [f"{when}, {k.at:.2f} s:{k.note}" for k in presses if k.note]
        ok &= printing == hung == carried == unsound == orphans == left == 0 and same == len(presses)
    lab.add(Row("killed", "Ctrl+C (SIGINT to the process group) at four moments of kb index --full",
                f"{sum(len(p) for _, p in moments)}", "; ".join(parts),
                "stops, says so, no traceback; the index answers as before", verdict(ok), notes))


# --- e. a full disk, a read-only index ------------------------------------------------------


def fill(folder: Path, leave: int) -> None:
    """Fill the file system holding folder until `leave` bytes are free (0: until it refuses)."""
    st = os.statvfs(folder)
    room = st.f_bavail * st.f_frsize - leave
    try:
        with open(folder / "filler", "wb", buffering=0) as f:
            chunk = b"\0" * 65536
            while leave == 0 or room > 0:
                f.write(chunk[: (len(chunk) if leave == 0 else min(len(chunk), room))])
                room -= len(chunk)
    except OSError:  # full
        pass


def mount(*args) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *map(str, args)], capture_output=True, text=True)


def trial_disk(lab: Lab, levels: list[int]) -> None:
    home, docs, _ = lab.fresh("disk", files=60)
    disk = home / "tmpfs"
    disk.mkdir()
    why = "" if os.geteuid() == 0 else "not root"
    if not why:
        r = mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", disk)
        why = r.stderr.strip() if r.returncode else ""
    if why:
        lab.add(Row("disk", "disk full, read-only index", "0", f"skipped: cannot mount a tmpfs ({why})", "—", "SKIP"))
        return
    try:
        _disk_full(lab, home, docs, disk, levels)
        _read_only(lab, home, docs, disk)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _disk_full(lab: Lab, home: Path, docs: Path, disk: Path, levels: list[int]) -> None:
    ix = disk / "ix"
    built = kb("index", docs, "--index", ix, cwd=home)
    tracebacks = refused = landed = stale_ok = recovered = kept = left = 0
    notes = [] if built.rc == 0 else [f"first build on the tmpfs: {note_of(built)}"]
    for free in levels:
        before, live = answer(ix), (ix / "CURRENT").read_text()
        marker = f"满盘标记{free:07d}号"
        change(docs, lab.rng, marker)
        fill(disk, free)
        r = kb("index", docs, "--index", ix, cwd=home)
        tracebacks += r.traceback
        if r.rc == 0 and marker in live_text(ix):
            landed += 1
        elif r.clear_error and "cannot write the index" in r.last:
            refused += 1
            kept += (ix / "CURRENT").read_text() == live and answer(ix) == before
        else:
            notes.append(f"{free} bytes free, kb index: {note_of(r)}")
        left += leftovers(ix)
        s = kb("search", PROBE, "--json", "--index", ix, cwd=home)
        tracebacks += s.traceback
        fresh = r.rc == 0
        if s.rc == 0 and not s.traceback and (fresh or "answering from the index as it is" in s.err):
            stale_ok += 1
        else:
            notes.append(f"{free} bytes free, kb search on the stale index: {note_of(s)}")
        (disk / "filler").unlink()
        again = kb("index", docs, "--index", ix, cwd=home)
        recovered += again.rc == 0 and marker in live_text(ix)
        if again.rc:
            notes.append(f"{free} bytes free, kb index once there was room: {note_of(again)}")
    n = len(levels)
    levels_text = ", ".join(f"{x // 1024} KiB" for x in levels)
    lab.add(Row(
        "disk", f"kb index on an 8 MiB tmpfs filled to leave {levels_text} free, then kb search",
        f"{n}", f"{tracebacks} tracebacks; {refused} refused with one line (live index kept and answering as "
                f"before: {kept}/{refused}), {landed} fitted; kb search on the stale index answered {stale_ok}/{n}; "
                f"{left} building-* left; the next kb index with room landed {recovered}/{n}",
        "0 tracebacks, the index answers",
        verdict(tracebacks == 0 and refused + landed == n and kept == refused and stale_ok == n and left == 0
                and recovered == n), notes))


def _read_only(lab: Lab, home: Path, docs: Path, disk: Path) -> None:
    """The index on a read-only mount or folder, and its files changed since: kb search answers
    from the index as it is (and says so), kb index refuses in one line."""
    ro_home = home / "ro"
    ro_home.mkdir()
    bind_src, bind = ro_home / "ix", ro_home / "view"
    kb("index", docs, "--index", bind_src, cwd=home)
    bind.mkdir()
    perm = home / "perm-ix"
    kb("index", docs, "--index", perm, cwd=home)

    def lock_perm():
        subprocess.run(["chmod", "-R", "a-w", str(perm)], check=True)

    def unlock_perm():
        subprocess.run(["chmod", "-R", "u+w", str(perm)], check=True)

    trials = [
        ("tmpfs remounted read-only", disk / "ix", disk / "ix", None,
         lambda: mount("-o", "remount,ro", disk), lambda: mount("-o", "remount,rw", disk)),
        ("read-only bind mount", bind, bind_src, None,
         lambda: (mount("--bind", bind_src, bind), mount("-o", "remount,bind,ro", bind)),
         lambda: subprocess.run(["umount", str(bind)], capture_output=True)),
    ]
    if shutil.which("setpriv"):
        trials.append(("chmod -R a-w, run as an unprivileged user", perm, perm, NOBODY, lock_perm, unlock_perm))
    else:
        lab.add(Row("disk", "read-only by permissions", "0", "skipped: no setpriv to run as another user", "—", "SKIP"))
    for p in (lab.root, home, docs):  # the unprivileged user reads the documents and the index
        p.chmod(0o755)
    shared_tmp = Path(tempfile.gettempdir())  # shared by every user, as on a real machine
    had = set(shared_tmp.iterdir())
    tracebacks = ok = 0
    notes = []
    for i, (what, ix, source, user, lock, unlock) in enumerate(trials):
        before = kb("search", PROBE, "--json", "--index", source, cwd=home).results()  # fresh: nothing to update
        change(docs, lab.rng, f"只读标记{i:03d}号", 1)
        lock()
        try:
            s = kb("search", PROBE, "--json", "--index", ix, cwd=home, user=user)
            a = kb("ask", "客户投诉怎么处理", "--index", ix, cwd=home, user=user)
            w = kb("index", docs, "--index", ix, cwd=home, user=user)
        finally:
            unlock()
        tracebacks += s.traceback + a.traceback + w.traceback
        good = (s.rc == 0 and s.results() == before and "answering from the index as it is" in s.err
                and a.rc in (0, 1) and not a.traceback and w.clear_error and "cannot write the index" in w.last)
        ok += good
        if not good:
            notes.append(f"{what}: search {note_of(s)}; ask {note_of(a)}; index {note_of(w)}")
    for f in set(shared_tmp.iterdir()) - had:  # what the other user's runs left there (jieba's cache)
        if f.is_file() and f.stat().st_uid == NOBODY:
            f.unlink()
    names = "; ".join(t[0] for t in trials)
    lab.add(Row("disk", f"read-only index, its files changed since ({names}): kb search, kb ask, kb index",
                f"{len(trials)}", f"{tracebacks} tracebacks; {ok}/{len(trials)} answered as before from the index "
                                  "as it was (and said so) while kb index refused in one line",
                "0 tracebacks, the index answers", verdict(tracebacks == 0 and ok == len(trials)), notes))


# --- f. damage ------------------------------------------------------------------------------


def flip_many(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(0, len(data), 61 if len(data) > 64 else 1):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def flip_one(path: Path) -> None:
    data = bytearray(path.read_bytes())
    if data:
        data[len(data) // 2] ^= 0x5A
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 2)


def delete(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() else path.unlink()


DAMAGES = {"flip a byte every 61": flip_many, "flip one byte": flip_one, "truncate to half": truncate, "delete": delete}
ADVICE = re.compile(r"`(kb [^`]*)`")


def _targets(gen: Path) -> list[tuple[str, str]]:
    """(what, path relative to the index) for each kind of file of a live generation."""
    seg = sorted(gen.glob("*.seg"))[0].name
    toc = sorted(gen.glob("_*.toc"))[0].name
    return [("CURRENT", "CURRENT"), ("segment .seg", f"{gen.name}/{seg}"), ("table of contents .toc", f"{gen.name}/{toc}"),
            ("meta.json", f"{gen.name}/meta.json"), ("passages.jsonl", f"{gen.name}/passages.jsonl"),
            ("pairs.bin", f"{gen.name}/pairs.bin"), ("vocabulary.tsv", f"{gen.name}/vocabulary.tsv"),
            ("whoosh's MAIN_WRITELOCK", f"{gen.name}/MAIN_WRITELOCK"),
            ("the generation folder", gen.name)]


def trial_damage(lab: Lab, damages: list[str]) -> None:
    home, docs, pristine = lab.fresh("damage")
    kb("index", docs, "--index", pristine, cwd=home)
    good = kb("search", PROBE, "--json", "--index", pristine, cwd=home).results()
    gen = pristine / (pristine / "CURRENT").read_text().strip()
    trials = []
    for what, rel in _targets(gen):
        is_file = (pristine / rel).is_file()
        empty = is_file and (pristine / rel).stat().st_size == 0
        for name in damages:
            if (not is_file or empty) and name != "delete":
                continue  # a folder or an empty file is only deleted
            trials.append((what, rel, name))
    counts = dict(tracebacks=0, silent=0, errors=0, repaired=0, correct=0, latent=0, latent_repaired=0, other=0)
    notes = []  # one line a trial: what kb search said, and what kb check and the repair did
    for n, (what, rel, name) in enumerate(trials):
        ix = home / f"ix{n:02d}"
        shutil.copytree(pristine, ix)
        DAMAGES[name](ix / rel)
        s = kb("search", PROBE, "--json", "--index", ix, cwd=home)
        line = f"{what}, {name}: "
        repair: Run | None = None
        if s.traceback:
            counts["tracebacks"] += 1
            line += f"kb search TRACEBACK ({s.last[:160]})"
        elif s.clear_error:
            counts["errors"] += 1
            repair = s
            line += f"kb search: {s.last[7:].split(' is corrupt ')[-1][:110]}"
        elif s.rc == 0 and s.results() == good:
            counts["correct"] += 1
            line += "kb search answered as undamaged"
            check = kb("check", "--index", ix, cwd=home)
            if check.traceback:
                counts["tracebacks"] += 1
                line += f"; kb check TRACEBACK ({check.last[:160]})"
            elif check.rc:
                counts["latent"] += 1
                repair = check
                line += f"; kb check: {check.last[7:].split(' is corrupt ')[-1][:110]}"
            else:
                line += "; kb check: sound"
        elif s.rc in (0, 1):
            counts["silent"] += 1
            line += f"kb search SILENTLY WRONG (exit {s.rc}, other hits; stderr {s.last[:120]!r})"
        else:
            counts["other"] += 1
            line += f"kb search {note_of(s)}"
        if repair is not None:
            advice = ADVICE.search(repair.last)
            if not advice:
                line += "; NO repair named"
            else:
                # the named command, given the folder the index was built from and the index
                fix = kb(*advice.group(1).split()[1:], docs, "--index", ix, cwd=home)
                sound = kb("check", "--index", ix, cwd=home).rc == 0
                same = kb("search", PROBE, "--json", "--index", ix, cwd=home).results() == good
                if fix.rc == 0 and not fix.traceback and sound and same:
                    counts["repaired" if repair is s else "latent_repaired"] += 1
                    line += f"; `{advice.group(1)}` repaired it"
                else:
                    line += (f"; `{advice.group(1)}` DID NOT repair it ({note_of(fix)}, kb check "
                             f"{'sound' if sound else 'failed'}, answer {'as undamaged' if same else 'differs'})")
        notes.append(line)
        shutil.rmtree(ix, ignore_errors=True)
    c = counts
    kinds = len({t[0] for t in trials})
    lab.add(Row(
        "damage", f"one file of the live generation damaged ({', '.join(damages)}), on a fresh copy each time; "
                  "kb search, then the repair the error names",
        f"{len(trials)} ({kinds} kinds of file)",
        f"{c['tracebacks']} tracebacks, {c['silent']} silent wrong answers; {c['errors']} clear errors, the advised "
        f"repair repaired {c['repaired']}/{c['errors']}; {c['correct']} answered correctly (kb check then found "
        f"{c['latent']} damaged, its repair repaired {c['latent_repaired']}/{c['latent']}); {c['other']} other",
        "0 tracebacks, 0 silent answers, the advised repair repairs",
        verdict(c["tracebacks"] == 0 and c["silent"] == 0 and c["other"] == 0 and c["repaired"] == c["errors"]
                and c["latent_repaired"] == c["latent"]), notes))


def trial_rollback(lab: Lab, rounds: int) -> None:
    """The live marker put back to the generation before (CURRENT restored from a backup, or
    edited): kb search must not answer from the old generation as if it were the index, and
    the repair it names must bring back the newest answers."""
    home, docs, ix = lab.fresh("rollback")
    kb("index", docs, "--index", ix, cwd=home)
    counts = dict(tracebacks=0, silent=0, errors=0, repaired=0, other=0)
    notes = []
    for i in range(rounds):
        old = (ix / "CURRENT").read_text()
        marker = f"回退标记{i:02d}号"
        change(docs, lab.rng, marker)
        kb("index", docs, "--index", ix, cwd=home)
        (ix / "CURRENT").write_text(old)  # the marker put back; the newer generation is still there
        s = kb("search", marker, "--json", "--index", ix, cwd=home)
        if s.traceback:
            counts["tracebacks"] += 1
            notes.append(f"round {i}: kb search TRACEBACK ({s.last[:160]})")
            continue
        if not s.clear_error:
            counts["silent" if s.rc in (0, 1) else "other"] += 1
            notes.append(f"round {i}: kb search exit {s.rc} without an error line ({s.last[:120]!r})")
            continue
        counts["errors"] += 1
        advice = ADVICE.search(s.last)
        fix = kb(*advice.group(1).split()[1:], docs, "--index", ix, cwd=home) if advice else None
        after = kb("search", marker, "--json", "--index", ix, cwd=home)
        if fix is not None and fix.rc == 0 and after.rc == 0 and marker in after.out and sound(ix):
            counts["repaired"] += 1
        else:
            notes.append(f"round {i}: {s.last[7:][:160]}; repair {note_of(fix) if fix else 'NOT NAMED'}, then search "
                         f"exit {after.rc}")
    c = counts
    lab.add(Row("damage", "CURRENT put back to the generation before, after an update (a restore, an edit): kb search",
                f"{rounds}", f"{c['tracebacks']} tracebacks, {c['silent']} answered from the old generation without "
                f"a word; {c['errors']} clear errors, the advised repair repaired {c['repaired']}/{c['errors']} "
                f"(the update's text found again); {c['other']} other",
                "0 tracebacks, 0 silent answers, the advised repair repairs",
                verdict(c["tracebacks"] == c["silent"] == c["other"] == 0 and c["repaired"] == c["errors"] == rounds),
                notes))


# --- the run --------------------------------------------------------------------------------


def machine() -> str:
    load = os.getloadavg()
    return (f"{time.strftime('%Y-%m-%d %H:%M')}; {platform.node() or 'host'}: {os.cpu_count()} cores, "
            f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer trials of each kind (about two minutes)")
    ap.add_argument("--only", help=f"comma-separated kinds: {', '.join(KINDS)}")
    ap.add_argument("--presses", type=int, default=30, help="ctrl-c: Ctrl+C presses at each moment a build forks")
    ap.add_argument("--seed", type=int, default=14, help="which files change and when signals land")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print where it is")
    args = ap.parse_args()
    only = [k.strip() for k in args.only.split(",")] if args.only else [k for k in KINDS if k != "ctrl-c"]
    unknown = [k for k in only if k not in KINDS]
    if unknown:
        ap.error(f"unknown kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
    q = args.quick
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # started in the background by a shell without job control (cmd &, nohup): SIGINT is
        # ignored, and the builds this starts would inherit that and shrug off every Ctrl+C
        signal.signal(signal.SIGINT, signal.default_int_handler)
    print(f"kb faults{' (quick)' if q else ''}: {machine()}", flush=True)
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="kb-faults-"))
    lab = Lab(root, args.seed)
    try:
        make_library(lab.library)
        steps = {
            "searches": lambda: trial_searches(lab, 10 if not q else 4),
            "writers": lambda: trial_writers(lab, 8 if not q else 4),
            "reader": lambda: trial_reader(lab, 12 if not q else 5),
            "killed": lambda: trial_killed(lab, 3 if not q else 1, 3 if not q else 1, 8 if not q else 2),
            "ctrl-c": lambda: trial_presses(lab, args.presses),
            "disk": lambda: trial_disk(lab, [0, 16 << 10, 256 << 10, 1 << 20] if not q else [0, 256 << 10]),
            "damage": lambda: (trial_damage(lab, list(DAMAGES) if not q else ["flip a byte every 61", "delete"]),
                               trial_rollback(lab, 5 if not q else 2)),
        }
        for kind in only:
            print(f"{kind} …", flush=True)
            t = time.monotonic()
            try:
                steps[kind]()
            except Exception as exc:  # a measurement: report the trial that broke and go on
                import traceback

                traceback.print_exc()
                lab.add(Row(kind, "the trial itself broke", "—", f"{type(exc).__name__}: {exc}", "—", "FAIL"))
            print(f"  ({time.monotonic() - t:.0f} s)", flush=True)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print()
    print("| kind | fault | trials | figures | target | verdict |")
    print("|---|---|---|---|---|---|")
    for r in lab.rows:
        print(f"| {r.kind} | {r.fault} | {r.trials} | {r.figures} | {r.target} | {r.verdict} |")
    print(f"\n{len(lab.rows)} rows, {sum(r.verdict.startswith('FAIL') for r in lab.rows)} FAIL, "
          f"in {time.monotonic() - started:.0f} s; {machine()}")


if __name__ == "__main__":
    main()
