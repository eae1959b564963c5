"""The web server under concurrent clients: requests/s and p50 / p95 / p99 at 1, 8 and 32 clients.

    .venv/bin/python scripts/web_load.py [--index DIR] [--requests 640] [--clients 1 8 32]
                                         [--workers N] [--runs 1] [--checkout DIR]

Starts `kb serve` in a new process on a free loopback port over the index (default: the
seeds, built into a temporary directory), warms it up, then for each number of clients
sends the same fixed mix of staff-style requests: the queries of scripts/web_latency.py in
both scripts, each as the CLI asks (/api/search), as the page asks (extra=1, as written
and in Traditional), and as a question (/api/ask?extra=1), so a quarter are asks. Each
client is a thread with its own keep-alive connection (http.client); the clients share
`--requests` requests at each level. Latency is per request, from sending to the last
byte read; requests/s is the level's requests over its wall time. "CPUs busy" is the CPU
time the server (all its processes; each worker's in brackets) and this client used over
the level's wall time: on a shared machine, what the server got.
--checkout serves from other kb sources (say an older commit, `git archive`d into DIR),
so a baseline and the current code can be measured back to back.

A measurement, not a test: it asserts nothing. The client runs on the same machine as
the server, so on a small machine it takes part of the CPU the server could have used:
compare figures taken in the same run (or runs back to back), not across days.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from web_latency import QUERIES, VARIANTS  # noqa: E402


def mix() -> list[str]:
    """The fixed request mix: every query as each search variant, then as a question."""
    urls = []
    for q in QUERIES:
        for extra in VARIANTS.values():
            urls.append("/api/search?" + urllib.parse.urlencode({"q": q, **extra}))
        urls.append("/api/ask?" + urllib.parse.urlencode({"q": q, "extra": "1"}))
    return urls


def start(index: Path, workers: int | None, checkout: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """`kb serve --port 0` over index, from the sources in checkout; the process and its port."""
    code = "import sys; from cli import main; sys.exit(main())"
    args = [sys.executable, "-c", code, "serve", "--port", "0", "--index", str(index)]
    if workers is not None:
        args += ["--workers", str(workers)]
    proc = subprocess.Popen(args, cwd=checkout, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(checkout)})
    line, deadline = "", time.monotonic() + 120
    while "Serving" not in line:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            sys.exit(f"kb serve did not start: {line.strip() or proc.stderr.read()}")
        if select.select([proc.stderr], [], [], 1)[0]:
            line = proc.stderr.readline()
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
    return proc, port


def server_cpu(pid: int) -> dict[str, float]:
    """CPU seconds so far of the server process and of each of its workers (from /proc; none
    elsewhere)."""
    out, tick = {}, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else []:
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name == str(pid) or fields[1] == str(pid):
            out[entry.name] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return out


def level(port: int, urls: list[str], clients: int, requests: int) -> tuple[float, list[float], int]:
    """`requests` requests from `clients` threads: (wall seconds, latencies, failures)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    barrier = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = [urls[n % len(urls)] for n in range(i, requests, clients)]
        conn.connect()
        barrier.wait()
        for url in mine:
            t = time.perf_counter()
            try:
                conn.request("GET", url)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()  # reconnects on the next request
                ok = False
            latencies[i].append(time.perf_counter() - t)
            failures[i] += not ok
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return wall, [s for one in latencies for s in one], sum(failures)


def percentile(ms: list[float], p: float) -> float:
    """Nearest rank."""
    return ms[max(0, min(len(ms) - 1, int(round(p / 100 * len(ms))) - 1))]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", help="an index of the seeds (default: build one in a temporary directory)")
    ap.add_argument("--requests", type=int, default=640, help="requests at each level (default 640)")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32], help="levels (default 1 8 32)")
    ap.add_argument("--workers", type=int, help="pass --workers N to kb serve (default: its own default)")
    ap.add_argument("--runs", type=int, default=1, help="repeat every level this many times (default 1)")
    ap.add_argument("--checkout", type=Path, default=ROOT, help="serve from the kb sources in DIR (default: these)")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    index = Path(args.index) if args.index else Path(tmp.name) / "index"
    if not args.index:
        from kb import KnowledgeBase

        KnowledgeBase.build([ROOT / "seeds"], index)
    urls = mix()
    proc, port = start(index, args.workers, args.checkout.resolve())
    try:
        # warm-up: every request of the mix on as many connections as the largest level,
        # so that each worker process (whichever accepts a connection) has seen them all
        level(port, urls, max(args.clients), len(urls) * max(args.clients))
        asks = sum(u.startswith("/api/ask") for u in urls)
        print(f"{len(urls)} distinct requests ({asks} asks); {args.requests} requests a level; "
              f"workers: {args.workers if args.workers is not None else 'default'}; sources: {args.checkout}; "
              f"load average {loadavg()} on {os.cpu_count()} CPUs")
        for run in range(args.runs):
            for clients in args.clients:
                cpu0, own0 = server_cpu(proc.pid), time.process_time()
                wall, seconds, failed = level(port, urls, clients, args.requests)
                cpu1, own = server_cpu(proc.pid), time.process_time() - own0
                busy = [(cpu1[p] - cpu0.get(p, 0.0)) / wall for p in cpu1 if p != str(proc.pid)]
                each = f" ({' + '.join(f'{b:.2f}' for b in busy)})" if len(busy) > 1 else ""
                server = (sum(cpu1.values()) - sum(cpu0.values())) / wall
                ms = sorted(s * 1000 for s in seconds)
                print(f"  run {run + 1}  {clients:>3} clients  {len(ms) / wall:7.1f} req/s   "
                      f"p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms   "
                      f"p99 {percentile(ms, 99):7.1f} ms   CPUs busy: server {server:.2f}{each}, "
                      f"client {own / wall:.2f}" + (f"   {failed} failed" if failed else ""), flush=True)
        print(f"load average {loadavg()}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()


if __name__ == "__main__":
    main()
