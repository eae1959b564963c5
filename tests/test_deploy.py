"""The shared deployment of README's "Serving many agents": an index generation built on one
machine, shipped by copy into a read-only directory, `kb check`ed, and served by several
`kb serve` processes at once. Real subprocesses on free ports, real HTTP; no PostgreSQL.

Tests run as root in CI, where a chmod stops nothing: what proves that readers never write
is a snapshot of every file (path, size, mtime, sha256) and directory listing, taken before
the servers start and compared after they stop. The chmod is there for non-root runs."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from kb import KnowledgeBase
from kb.store.generations import CURRENT, HIGHEST, live_name

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web]'")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUERIES = ["客诉处理有哪几个步骤", "顧客抱怨投訴處理的步驟", "SPIN提问法怎么用", "商務談判 利特優 是什麼", "大客戶開發"]


def ship(built: Path, served: Path) -> str:
    """README's shipping steps, in Python: copy the live generation and CURRENT into a staging
    directory, `kb check` it there (every file against the sha256 its manifest recorded), move
    the generation beside the served ones, then replace CURRENT (and HIGHEST) by rename."""
    name = live_name(built)
    staging = served / ".incoming"
    staging.mkdir()
    shutil.copytree(built / name, staging / name)
    (staging / CURRENT).write_text(name + "\n", "utf-8")
    check = kb_cli("check", "--index", str(staging))
    assert check.returncode == 0 and "is sound" in check.stdout, check.stderr
    os.rename(staging / name, served / name)  # the same file system: it appears whole
    for mark, value in ((CURRENT, name), (HIGHEST, name[4:].lstrip("0"))):
        tmp = served / f".{mark}.tmp"
        tmp.write_text(value + "\n", "utf-8")
        os.replace(tmp, served / mark)  # readers see the old generation or the new one
    shutil.rmtree(staging)
    return name


def kb_cli(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def read_only(root: Path, writable_root: bool = False) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        os.chmod(path, mode | (stat.S_IWUSR if writable_root and path == root else 0))


def writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        os.chmod(path, path.stat().st_mode | stat.S_IWUSR)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root: a directory's listing, a file's size, mtime and content."""
    out: dict[str, tuple] = {}
    for path in sorted([root, *root.rglob("*")]):
        st = path.lstat()
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            out[rel] = ("dir", st.st_mtime_ns, tuple(sorted(p.name for p in path.iterdir())))
        else:
            out[rel] = ("file", st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return out


class Server:
    """`kb serve --port 0` over an index, in its own process group."""

    def __init__(self, index: Path):
        code = "import sys; from cli import main; sys.exit(main())"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--port", "0", "--workers", "1", "--index", str(index)],
            cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, bufsize=0, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        said, deadline = b"", time.monotonic() + 60
        try:
            while not re.search(rb"Serving .*\n", said):  # unbuffered: a warning line may come first
                assert self.proc.poll() is None and time.monotonic() < deadline, f"kb serve did not start: {said!r}"
                if select.select([self.proc.stderr], [], [], 1)[0]:
                    said += os.read(self.proc.stderr.fileno(), 4096)
        except BaseException:
            self.stop()  # nothing of a server that did not start outlives the test
            raise
        self.said = said.decode("utf-8")
        self.port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", self.said).group(1))

    def get(self, url: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", url)
            r = conn.getresponse()
            return r.status, json.loads(r.read())
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        finally:
            self.proc.stderr.close()


def answers(server: Server) -> list:
    out = []
    for q in QUERIES:
        status, body = server.get("/api/search?" + urllib.parse.urlencode({"q": q, "limit": 5}))
        assert status == 200, body
        out.append(body["results"])
    return out


def document_count(server: Server) -> int:
    status, body = server.get("/api/documents")
    assert status == 200, body
    return len(body["documents"])


def test_two_servers_over_a_shipped_read_only_generation(tmp_path):
    # the build machine: its own copy of the sources and its own index
    sources = tmp_path / "build" / "docs"
    shutil.copytree(SEEDS, sources)
    built = tmp_path / "build" / "index"
    KnowledgeBase.build([sources], built).close()

    # the serving machine: the generation shipped by copy, checked, made read-only
    served = tmp_path / "serve" / "index"
    served.mkdir(parents=True)
    first = ship(built, served)
    assert sorted(p.name for p in served.iterdir()) == sorted([CURRENT, HIGHEST, first])
    shutil.move(sources, tmp_path / "build" / "moved")  # the sources are not on the serving machine
    read_only(served)
    before = snapshot(served)

    servers = []
    try:
        servers = [Server(served), Server(served)]
        assert servers[0].port != servers[1].port
        seen = [answers(s) for s in servers]
        assert seen[0] == seen[1] and all(seen[0]), "both servers answer alike, and find something"
        count = len(list(SEEDS.glob("*.txt")))
        assert document_count(servers[0]) == document_count(servers[1]) == count
        assert snapshot(served) == before, "a reader wrote to the shipped index"

        # the next generation, built where the sources are and shipped the same way while the
        # servers run: the deployer may write the index directory (to add a generation and
        # rename CURRENT), never a generation; both servers move to it on their own
        shutil.move(tmp_path / "build" / "moved", sources)
        with KnowledgeBase.open(built) as kb:
            gone = sorted(kb.documents())[0]
            kb.remove(gone)
        os.chmod(served, served.stat().st_mode | stat.S_IWUSR)
        second = ship(built, served)
        assert second != first
        read_only(served)
        after_ship = snapshot(served)
        deadline = time.monotonic() + 30
        while any(document_count(s) != count - 1 for s in servers):
            assert time.monotonic() < deadline, "a server did not move to the shipped generation"
            time.sleep(0.2)
        moved = [answers(s) for s in servers]
        assert moved[0] == moved[1]
        assert all(row["doc"] != gone for rows in moved[0] for row in rows)
        assert any(row["doc"] == gone for rows in seen[0] for row in rows)
        for s in servers:
            s.stop()
        assert snapshot(served) == after_ship, "a reader wrote to the shipped index"
    finally:
        for s in servers:
            s.stop()
        writable(served)
    # the servers ran over the live generation they were given, never the build machine's
    assert live_name(served) == second
