"""Warm latency of the web API's search on the seeds: p50 / p95 / max over N requests.

    .venv/bin/python scripts/web_latency.py [--requests 200] [--index DIR]

Measures two paths: Starlette's test client (the app alone) and real HTTP to a uvicorn
server on a loopback port (what the page pays, minus the browser). Each request is one
of a few staff-style queries in either script, after a warm-up pass over all of them.
A measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import KnowledgeBase  # noqa: E402
from kb import web  # noqa: E402

QUERIES = ["客诉处理有哪几个步骤", "顧客抱怨投訴處理的步驟", "SPIN提问法怎么用", "商務談判 利特優 是什麼",
           "谈判时怎么让步", "大客戶開發", "红白脸", "服务补救的沟通技巧", "波士頓矩陣", "关键时刻MOT"]
VARIANTS = {
    "as the CLI (script=auto)": {},
    "as the page (extra=1, script=original)": {"extra": "1", "script": "original"},
    "as the page in Traditional (extra=1, script=hant)": {"extra": "1", "script": "hant"},
}


def paths(extra: dict[str, str], n: int) -> list[str]:
    return ["/api/search?" + urllib.parse.urlencode({"q": QUERIES[i % len(QUERIES)], **extra}) for i in range(n)]


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
    return f"  {name:<52} p50 {statistics.median(ms):6.2f} ms   p95 {p95:6.2f} ms   max {ms[-1]:6.2f} ms"


def timed(get, urls: list[str]) -> list[float]:
    for url in urls[: len(QUERIES)]:  # warm-up: every query once (caches, lazy tables)
        get(url)
    out = []
    for url in urls:
        t = time.perf_counter()
        get(url)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--index", help="an index of the seeds (default: build one in a temporary directory)")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    kb = KnowledgeBase.open(args.index) if args.index else KnowledgeBase.build([ROOT / "seeds"], Path(tmp.name) / "index")
    print(f"{len(kb.documents())} documents, {len(kb.passages())} passages; {args.requests} warm requests each")

    from starlette.testclient import TestClient

    client = TestClient(web.create_app(kb))

    def via_client(url: str) -> None:
        r = client.get(url)
        assert r.status_code == 200, r.text

    print("Starlette test client:")
    for name, extra in VARIANTS.items():
        print(summary(name, timed(via_client, paths(extra, args.requests))))

    sock = web.bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = web.server(KnowledgeBase.open(kb.store.root), sock, web.allowed_hosts_for("127.0.0.1"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def via_http(url: str) -> None:
        conn.request("GET", url)
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status

    print(f"HTTP to uvicorn on 127.0.0.1:{port} (keep-alive):")
    for name, extra in VARIANTS.items():
        print(summary(name, timed(via_http, paths(extra, args.requests))))
    conn.close()
    server.should_exit = True
    thread.join(timeout=10)
    tmp.cleanup()


if __name__ == "__main__":
    main()
