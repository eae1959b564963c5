"""`kb serve --workers N`: real server processes (kb.prefork), real HTTP, no mocks and no timing
assertions. Concurrent clients get what the app answers in process; stopping the server leaves
no worker behind; a killed worker is replaced; each worker follows `kb index` on its own."""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web]'")
if not hasattr(os, "fork") or not Path("/proc/self/stat").exists():
    pytest.skip("worker processes need fork, and these tests read /proc", allow_module_level=True)
from starlette.testclient import TestClient  # noqa: E402

from kb import KnowledgeBase  # noqa: E402
from kb.web import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["客诉处理有哪几个步骤", "顧客抱怨投訴處理的步驟", "SPIN提问法怎么用", "商務談判 利特優 是什麼", "大客戶開發", "红白脸"]


def urls() -> list[str]:
    out = []
    for q in QUERIES:
        out.append("/api/search?" + urllib.parse.urlencode({"q": q}))
        out.append("/api/search?" + urllib.parse.urlencode({"q": q, "extra": 1, "script": "hant", "limit": 5}))
        out.append("/api/ask?" + urllib.parse.urlencode({"q": q, "extra": 1}))
    return [*out, "/api/passage/000:417?around=1&extra=1", "/api/outline?doc=001", "/api/documents?extra=1"]


class Served:
    """`kb serve --port 0 --workers N` in its own process group, as a terminal would start it."""

    def __init__(self, index: Path, workers: int = 2):
        code = "import sys; from cli import main; sys.exit(main())"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--port", "0", "--workers", str(workers), "--index", str(index)],
            cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        line, deadline = "", time.monotonic() + 60
        while "Serving" not in line:
            assert self.proc.poll() is None and time.monotonic() < deadline, f"kb serve did not start: {line}"
            if select.select([self.proc.stderr], [], [], 1)[0]:
                line = self.proc.stderr.readline()
        self.banner = line
        self.port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
        self.workers = wait_for(lambda: workers_of(self.proc.pid, workers))
        self.seen = {pid: started(pid) for pid in self.workers}  # to clean up these processes only

    def get(self, url: str, conn: http.client.HTTPConnection | None = None) -> tuple[int, dict]:
        own = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            own.request("GET", url)
            r = own.getresponse()
            return r.status, json.loads(r.read())
        finally:
            if conn is None:
                own.close()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        finally:
            self.proc.stderr.close()

    def kill_all(self) -> None:
        """Clean-up after a failed test: nothing of this server may outlive it."""
        if self.proc.poll() is None:
            self.seen.update({pid: started(pid) for pid in children(self.proc.pid)})
            self.proc.kill()
            self.proc.wait(timeout=30)
        for pid, start in self.seen.items():
            if start is not None and started(pid) == start:  # the same process, not a reused pid
                os.kill(pid, signal.SIGKILL)


def _stat(pid: int | str) -> list[str] | None:
    """/proc/PID/stat's fields after the command name: state, ppid, ... (psutil is not a dependency)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children(pid: int) -> list[int]:
    """The live (not zombie) child processes of pid."""
    out = []
    for entry in Path("/proc").iterdir():
        fields = _stat(entry.name) if entry.name.isdigit() else None
        if fields and int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry.name))
    return sorted(out)


def workers_of(pid: int, count: int) -> list[int] | None:
    found = children(pid)
    return found if len(found) == count else None


def holder(conn: http.client.HTTPConnection, workers: list[int]) -> int | None:
    """The worker holding the server's end of a connection: the socket whose inode /proc/net/tcp
    gives for it, among each worker's open files."""
    here, there = conn.sock.getsockname()[1], conn.sock.getpeername()[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if int(f[1].rsplit(":", 1)[1], 16) == there and int(f[2].rsplit(":", 1)[1], 16) == here:
            inodes.add(f"socket:[{f[9]}]")
    return next((pid for pid in workers if sockets_of(pid) & inodes), None)


def sockets_of(pid: int) -> set[str]:
    """What the process's open files are, as /proc names them (socket:[INODE] for a socket)."""
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            out.add(os.readlink(fd))
        except OSError:
            continue
    return out


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return bool(fields) and fields[0] != "Z"


def started(pid: int) -> str | None:
    """When the process started (clock ticks after boot): with its pid, what tells it apart."""
    fields = _stat(pid)
    return fields[19] if fields else None


def wait_for(check, seconds: float = 30):
    """check()'s first truthy value, polled until `seconds` have passed (then the test fails)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


@pytest.fixture()
def served(built):
    s = Served(built.store.root)
    yield s
    s.kill_all()


def test_two_workers_answer_concurrent_clients_as_the_app_does_in_process(served, built):
    expected = {}
    client = TestClient(create_app(built))
    for url in urls():
        got = client.get(url)
        assert got.status_code == 200, got.text
        expected[url] = got.json()
    assert "with 2 worker processes" in served.banner
    failures: list[str] = []

    def one_client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)  # kept alive
        mine = urls()[i:] + urls()[:i]
        for url in mine * 2:
            status, body = served.get(url, conn)
            if status != 200 or body != expected[url]:
                failures.append(f"{url}: {status}")
        conn.close()

    threads = [threading.Thread(target=one_client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert served.stop() == -signal.SIGTERM


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_server_stops_every_worker(served, sig):
    workers = served.workers
    assert len(workers) == 2 and all(alive(w) for w in workers)
    assert served.get("/api/search?q=" + urllib.parse.quote("客诉"))[0] == 200
    served.stop(sig)
    assert not any(alive(w) for w in workers)


def test_ctrl_c_in_a_terminal_stops_every_worker(served):
    # a terminal sends SIGINT to the whole foreground process group: parent and workers at once
    workers = served.workers
    os.killpg(served.proc.pid, signal.SIGINT)
    assert served.proc.wait(timeout=30) == 1  # as without workers: click's "Aborted!"
    assert not any(alive(w) for w in workers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreads connections on Linux only")
def test_each_worker_also_listens_on_a_socket_of_its_own(served):
    # the system spreads new connections over them, so no worker takes a whole burst
    def on_port() -> list[list[str]]:
        listening = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
        return [f for f in listening if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == served.port]

    wait_for(lambda: len(on_port()) == 1 + len(served.workers))  # the shared socket, and one per worker
    for pid in served.workers:
        assert sum(f"socket:[{f[9]}]" in sockets_of(pid) for f in on_port()) == 2


def test_a_killed_worker_is_replaced_and_the_server_keeps_answering(served):
    first, second = served.workers
    os.kill(first, signal.SIGKILL)
    now = wait_for(lambda: (workers_of(served.proc.pid, 2) or [first])[0] != first and workers_of(served.proc.pid, 2))
    served.seen.update({pid: started(pid) for pid in now})
    assert second in now and first not in now and not alive(first)
    for _ in range(6):  # new connections, whichever worker accepts them
        status, body = served.get("/api/search?q=" + urllib.parse.quote("客诉处理"))
        assert status == 200 and body["results"]
    served.stop()
    assert not any(alive(w) for w in now)


def test_workers_stop_themselves_when_the_server_process_is_killed(served):
    workers = served.workers
    os.kill(served.proc.pid, signal.SIGKILL)  # no chance to stop them: they notice on their own
    served.proc.wait(timeout=30)
    wait_for(lambda: not any(alive(w) for w in workers))


def test_each_worker_follows_an_index_rebuilt_while_serving(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("快递网点的日常管理\n网点早会与排班\n", "utf-8")
    KnowledgeBase.build([docs], tmp_path / "index")
    s = Served(tmp_path / "index")
    try:
        url = "/api/search?q=" + urllib.parse.quote("投诉处理")
        conns: list[http.client.HTTPConnection] = []
        while {holder(c, s.workers) for c in conns} != set(s.workers):  # connections to both workers
            assert len(conns) < 50
            conns.append(http.client.HTTPConnection("127.0.0.1", s.port, timeout=60))
            assert s.get(url, conns[-1]) == (200, {"query": "投诉处理", "results": []})
        (docs / "b.txt").write_text("投诉处理的五个步骤\n第一步:耐心倾听客户的投诉\n", "utf-8")
        KnowledgeBase.build([docs], tmp_path / "index")
        # each kept-alive connection stays with the worker that accepted it: all must see b.txt
        wait_for(lambda: all([[r["doc"] for r in s.get(url, c)[1]["results"]][:1] == ["b.txt"] for c in conns]))
        s.stop()
    finally:
        s.kill_all()


def test_workers_that_cannot_open_the_index_stop_the_server_with_the_reason(own_index):
    s = Served(own_index)
    try:
        shutil.rmtree(own_index)
        os.kill(s.workers[0], signal.SIGKILL)  # its replacement finds no index
        assert s.proc.wait(timeout=30) == 2
        error = s.proc.stderr.read().strip().splitlines()
        assert len(error) == 1 and "no index" in error[0] and "Traceback" not in error[0]
        assert not any(alive(w) for w in s.workers)
    finally:
        s.kill_all()
