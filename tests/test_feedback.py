"""Feedback marks: kept beside the index through the web API, never lost, listed by `kb feedback`."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os

import pytest
from click.testing import CliRunner

from cli import main
from kb import KnowledgeBase, feedback
from kb.errors import QueryError

web = pytest.importorskip("kb.web", reason="the web extra is not installed")
from starlette.testclient import TestClient  # noqa: E402

SAME_ORIGIN = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


@pytest.fixture()
def kb(own_index) -> KnowledgeBase:
    return KnowledgeBase.open(own_index)


@pytest.fixture()
def client(kb) -> TestClient:
    return TestClient(web.create_app(kb))


def a_hit(kb: KnowledgeBase, query: str = "客诉处理步骤"):
    return kb.search(query, limit=1)[0].passage


def test_a_mark_on_a_result_is_kept_with_its_query_and_source(client, kb):
    p = a_hit(kb)
    got = client.post("/api/feedback", json={"query": "客诉处理步骤", "kind": "search", "mark": "helped",
                                             "passage": p.id}, headers=SAME_ORIGIN)
    assert got.status_code == 200, got.text
    assert "script-src 'self'" in got.headers["content-security-policy"]
    [line] = (kb.store.root / "feedback.jsonl").read_text("utf-8").splitlines()
    row = json.loads(line)
    assert row["query"] == "客诉处理步骤" and row["kind"] == "search" and row["mark"] == "helped"
    assert row["passage"] == p.id and row["doc"] == p.doc and row["section"] == list(p.section)
    assert row["line_start"] == p.line_start and row["time"].endswith("Z")


def test_a_mark_on_an_answer_keeps_the_answer_text(client, kb):
    got = client.post("/api/feedback", json={"query": "怎么处理客诉", "kind": "ask", "mark": "not",
                                             "answer": "先道歉,再跟进。"})
    assert got.status_code == 200, got.text
    [m] = feedback.read(kb.store.root)
    assert (m.kind, m.mark, m.answer, m.passage) == ("ask", "not", "先道歉,再跟进。", None)


@pytest.mark.parametrize("body, status", [
    ({"query": "x", "kind": "search", "mark": "helped", "passage": "nothing.txt#1"}, 404),
    ({"query": "x", "kind": "search", "mark": "maybe", "answer": "y"}, 400),
    ({"query": "x", "kind": "browse", "mark": "helped", "answer": "y"}, 400),
    ({"query": "", "kind": "ask", "mark": "helped", "answer": "y"}, 400),
    ({"query": "x", "kind": "ask", "mark": "helped"}, 400),
    (["not", "an", "object"], 400),
])
def test_a_bad_mark_is_refused_with_a_reason_and_nothing_is_kept(client, kb, body, status):
    got = client.post("/api/feedback", json=body)
    assert got.status_code == status and got.json()["error"]
    assert feedback.read(kb.store.root) == []


def test_only_this_page_may_post_a_mark_and_only_json(client, kb):
    body = {"query": "x", "kind": "ask", "mark": "helped", "answer": "y"}
    assert client.post("/api/feedback", json=body, headers={"origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/feedback", json=body, headers={"sec-fetch-site": "cross-site"}).status_code == 403
    form = client.post("/api/feedback", content=json.dumps(body), headers={"content-type": "text/plain"})
    assert form.status_code == 415
    assert client.post("/api/feedback", content=b"{" + b" " * 20_000 + b"}",
                       headers={"content-type": "application/json"}).status_code == 413
    assert client.post("/api/search?q=客诉").status_code == 405  # every other path still only reads
    assert client.post("/api/feedback?x=1", json=body).status_code == 400
    local = TestClient(web.create_app(kb, allowed_hosts=web.allowed_hosts_for("127.0.0.1")),
                       base_url="http://127.0.0.1:8000")
    assert local.post("/api/feedback", json=body, headers={"host": "attacker.example"}).status_code == 400
    assert feedback.read(kb.store.root) == []
    assert local.post("/api/feedback", json=body, headers={"origin": "http://127.0.0.1:8000"}).status_code == 200


def test_a_read_only_index_folder_gives_a_clear_message_not_a_500(client, kb, monkeypatch):
    real_open = os.open

    def refuse(path, flags, *args):
        if str(path).endswith(feedback.FEEDBACK):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    got = client.post("/api/feedback", json={"query": "x", "kind": "ask", "mark": "helped", "answer": "y"})
    assert got.status_code == 503
    assert "Read-only file system" in got.json()["error"] and "writable" in got.json()["error"]
    assert client.get("/api/search", params={"q": "客诉"}).status_code == 200  # the rest still works


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only folder anyway")
def test_a_folder_without_write_permission_gives_a_clear_message(client, kb):
    kb.store.root.chmod(0o555)
    try:
        got = client.post("/api/feedback", json={"query": "x", "kind": "ask", "mark": "helped", "answer": "y"})
    finally:
        kb.store.root.chmod(0o755)
    assert got.status_code == 503 and "Permission denied" in got.json()["error"]


def _mark_many(root: str, worker: int, count: int) -> None:
    for i in range(count):
        feedback.append(root, feedback.make_mark(f"问题{worker}-{i}" + "长" * 480, "ask", "helped", answer="答" * 4000))


def test_concurrent_writers_lose_no_mark_and_never_interleave(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_mark_many, args=(str(tmp_path), w, 40)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    lines = (tmp_path / feedback.FEEDBACK).read_text("utf-8").splitlines()
    assert len(lines) == 160
    assert {json.loads(line)["query"][:8].rstrip("长") for line in lines} == {f"问题{w}-{i}" for w in range(4) for i in range(40)}


def test_make_mark_refuses_a_mark_that_names_neither_or_both():
    with pytest.raises(QueryError):
        feedback.make_mark("q", "ask", "helped")


# --- kb feedback -------------------------------------------------------------------------


def _marked(kb: KnowledgeBase) -> tuple:
    p, q = kb.search("客诉处理步骤", limit=2)[0].passage, kb.search("大客户开发", limit=1)[0].passage
    root = kb.store.root
    for m in (feedback.make_mark("客诉处理步骤", "search", "helped", passage=p),
              feedback.make_mark("客诉处理步骤", "search", "helped", passage=p),
              feedback.make_mark("客诉处理步骤", "search", "not", passage=q),
              feedback.make_mark("大客户咋搞", "search", "helped", passage=q),
              feedback.make_mark("怎么处理客诉", "ask", "not", answer="先道歉。")):
        feedback.append(root, m)
    return p, q


def test_kb_feedback_lists_marks_by_query_with_each_passage_source(kb):
    p, q = _marked(kb)
    r = CliRunner().invoke(main, ["feedback", "--index", str(kb.store.root)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "客诉处理步骤"
    assert p.ref.split(" (")[0] in lines[1] and "helped ×2" in lines[1] and " › ".join(p.section) in lines[1]
    assert q.ref.split(" (")[0] in lines[2] and "not this ×1" in lines[2]
    assert "大客户咋搞" in lines and "[ask] 先道歉。  not this ×1" in r.output


def test_kb_feedback_json_groups_by_query(kb):
    p, _ = _marked(kb)
    r = CliRunner().invoke(main, ["feedback", "--json", "--index", str(kb.store.root)])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert body["marks"] == 5 and [g["query"] for g in body["queries"]] == ["客诉处理步骤", "大客户咋搞", "怎么处理客诉"]
    first = body["queries"][0]["marks"][0]
    assert (first["passage"], first["helped"], first["not_this"], first["doc"]) == (p.id, 2, 0, p.doc)


def test_kb_feedback_phrasebook_drafts_lines_the_phrasebook_reads(kb, tmp_path):
    _, q = _marked(kb)
    r = CliRunner().invoke(main, ["feedback", "--phrasebook", "--index", str(kb.store.root)])
    assert r.exit_code == 0, r.output
    entries = [line for line in r.output.splitlines() if line and not line.startswith(("#", "["))]
    assert any(e.startswith("大客户咋搞 = ") for e in entries)
    assert not any(e.startswith("怎么处理客诉") for e in entries)  # an answer's mark, and a "not this"
    for e in entries:
        left, _, right = e.partition("=")
        assert left.strip() and right.strip() and "," not in left


def test_kb_feedback_without_marks_says_so_and_exits_1(own_index):
    r = CliRunner().invoke(main, ["feedback", "--index", str(own_index)])
    assert r.exit_code == 1 and "No feedback yet" in r.output


def test_marks_posted_at_once_to_kb_serve_workers_are_all_kept(own_index):
    """Through real `kb serve --workers 2` processes and real HTTP: every mark sent by
    concurrent clients is one whole line of the file."""
    import http.client
    import threading

    from .test_web_workers import Served

    served = Served(own_index, workers=2)
    statuses: list[int] = []

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
        try:
            for i in range(10):
                body = json.dumps({"query": f"问题{n}-{i}", "kind": "ask", "mark": "helped", "answer": "答" * 2000})
                conn.request("POST", "/api/feedback", body=body.encode(), headers={
                    "content-type": "application/json", "origin": f"http://127.0.0.1:{served.port}",
                    "host": f"127.0.0.1:{served.port}"})
                r = conn.getresponse()
                r.read()
                statuses.append(r.status)
        finally:
            conn.close()

    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        served.stop()
    assert statuses == [200] * 60
    marks = feedback.read(own_index)
    assert sorted(m.query for m in marks) == sorted(f"问题{n}-{i}" for n in range(6) for i in range(10))


def test_a_full_rebuild_keeps_the_marks(kb, seeds_dir):
    _marked(kb)
    KnowledgeBase.build([seeds_dir], kb.store.root)
    assert len(feedback.read(kb.store.root)) == 5
