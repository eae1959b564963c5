"""The staff web page's server: its JSON API through Starlette's test client, its bounds and
headers, and the `kb serve` command. The page itself is driven in tests/test_web_e2e.py."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web]'")
from starlette.testclient import TestClient  # noqa: E402

from cli import main  # noqa: E402
from kb import KnowledgeBase  # noqa: E402
from kb.script import convert  # noqa: E402
from kb.web import STATIC, allowed_hosts_for, create_app  # noqa: E402

from .conftest import asgi_get, small_kb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STEPS = "客户来投诉时应该按什么步骤处理?"
HOSTILE = "客诉处理要点 <script>alert(1)</script> 先道歉 <img src=x onerror=alert(1)> 再跟进\n"


@pytest.fixture(scope="module")
def client(built) -> TestClient:
    return TestClient(create_app(built))


def cli_json(built: KnowledgeBase, *args: str) -> dict:
    result = CliRunner().invoke(main, [*args, "--json", "--index", str(built.store.root)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def at(pid: str) -> str:
    """The API path of a passage id ('#' must be escaped, as the page does)."""
    return "/api/passage/" + urllib.parse.quote(pid, safe="")


def hostile_index(tmp_path: Path) -> KnowledgeBase:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "hostile.txt").write_text("客服投诉处理手册\n一、处理步骤\n" + HOSTILE, "utf-8")
    return KnowledgeBase.build([docs], tmp_path / "index")


# --- the same JSON as the CLI ------------------------------------------------------


def test_search_api_answers_what_kb_search_json_prints(client, built):
    expected = cli_json(built, "search", "顧客抱怨投訴處理的步驟", "--limit", "5")
    got = client.get("/api/search", params={"q": "顧客抱怨投訴處理的步驟", "limit": 5})
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/json")
    assert got.json() == expected and expected["results"]


def test_search_filters_by_document_and_kind_as_the_cli_does(client, built):
    expected = cli_json(built, "search", "谈判", "--doc", "001", "--kind", "outline")
    got = client.get("/api/search", params={"q": "谈判", "doc": "001", "kind": "outline"}).json()
    assert got == expected
    assert {r["doc"][:3] for r in got["results"]} == {"001"} and {r["kind"] for r in got["results"]} == {"outline"}


def test_ask_api_answers_what_kb_ask_json_prints(client, built):
    got = client.get("/api/ask", params={"q": STEPS}).json()
    assert got == cli_json(built, "ask", STEPS)
    assert got["answered"] and got["citations"]


def test_ask_api_says_not_covered_with_the_nearest_sections(client):
    got = client.get("/api/ask", params={"q": "从广州寄10公斤到成都运费多少钱?"}).json()
    assert got["answered"] is False and "没有" in got["answer"]


def test_outline_api_answers_what_kb_outline_json_prints(client, built):
    assert client.get("/api/outline").json() == cli_json(built, "outline")
    one = client.get("/api/outline", params={"doc": "000"}).json()
    assert one == cli_json(built, "outline", "000") and {e["doc"][:3] for e in one["outline"]} == {"000"}


def test_passage_api_answers_what_kb_show_json_prints(client, built):
    expected = cli_json(built, "show", "000:417")
    assert client.get("/api/passage/000:417").json() == expected
    assert client.get(at(expected["id"])).json() == expected


def test_documents_api_lists_the_indexed_documents_and_the_kinds(client, built):
    got = client.get("/api/documents").json()
    assert [d["name"] for d in got["documents"]] == list(built.documents())
    assert got["kinds"] == ["steps", "script", "technique", "case", "outline", "text"]


# --- what the page asks for beyond the CLI's JSON ----------------------------------------


def test_traditional_query_marks_the_simplified_passage_in_its_own_script(client):
    hits = client.get("/api/search", params={"q": "大客戶開發", "script": "original"}).json()["results"]
    simplified = [h for h in hits if h["doc"].startswith("002")]  # 002 is written in Simplified
    assert simplified and all("«大客户" in h["highlight"] and "«大客戶" not in h["highlight"] for h in simplified)


def test_extra_gives_each_hit_an_id_that_opens_it_and_its_text_in_the_chosen_script(client):
    got = client.get("/api/search", params={"q": "大客戶開發", "script": "hant", "extra": 1, "limit": 3}).json()
    for row in got["results"]:
        assert row["shown"]["text"] == convert(row["text"], "hant") != row["text"]
        assert row["shown"]["section"] == [convert(s, "hant") for s in row["section"]]
        opened = client.get(at(row["id"])).json()
        assert (opened["doc"], opened["line_start"], opened["line_end"]) == (row["doc"], row["line_start"], row["line_end"])


def test_search_reports_the_spelling_fix_it_ran(client):
    got = client.get("/api/search", params={"q": "头诉处理原则", "fix": 1, "extra": 1}).json()
    assert got["query"] == "头诉处理原则" and got["searched"] != got["query"] and "投诉" in got["searched"]


def test_ask_citations_carry_the_id_of_the_passage_holding_their_lines(client):
    got = client.get("/api/ask", params={"q": STEPS, "extra": 1}).json()
    for c in got["citations"]:
        p = client.get(at(c["id"])).json()
        assert p["doc"] == c["doc"] and p["line_start"] <= c["line_start"] <= c["line_end"] <= p["line_end"]


def test_ask_answers_in_the_chosen_script(client):
    got = client.get("/api/ask", params={"q": STEPS, "script": "hant"}).json()
    assert "顧客抱怨" in got["answer"]


def test_passage_in_context_lists_its_neighbours_in_document_order(client, built):
    target = built.passages("000")[10]
    got = client.get(at(target.id), params={"around": 1, "extra": 1, "script": "hans"}).json()
    assert [p["id"] for p in got["context"]] == [p.id for p in built.passages("000")[9:12]]
    assert got["shown"]["text"] == convert(target.text, "hans")


# --- errors are JSON with the right status -------------------------------------------


@pytest.mark.parametrize("url, status, says", [
    ("/api/search?q=", 400, "empty query"),
    ("/api/search", 400, "missing the q parameter"),
    ("/api/search?q=" + "投" * 501, 400, "too long"),
    ("/api/search?q=，。！", 400, "nothing to search"),
    ("/api/search?q=客诉&limit=0", 400, "limit"),
    ("/api/search?q=客诉&limit=many", 400, "limit"),
    ("/api/search?q=客诉&kind=poem", 400, "unknown kind"),
    ("/api/search?q=客诉&doc=999", 400, "no indexed document"),
    ("/api/search?q=客诉&script=latin", 400, "unknown script"),
    ("/api/ask?q=", 400, "empty"),
    ("/api/passage/000:99999", 404, "line"),
    ("/api/passage/000_eada5ee40357fd85.txt%23999", 404, "no passage"),
    ("/api/passage/whatever", 404, "no passage"),
    ("/api/nothing", 404, "nothing at"),
])
def test_errors_are_json_with_the_right_status(client, url, status, says):
    got = client.get(url)
    assert got.status_code == status
    assert got.json()["status"] == status and says in got.json()["error"]


def test_a_passage_of_a_file_named_with_hash_opens_by_its_reference_too(tmp_path):
    # found by tests/test_fuzz.py: 'C#入门.txt:3' was taken for a passage id, and not found
    kb = small_kb(tmp_path, {"C#入门.txt": "客户投诉处理\n一、处理步骤\n先道歉再跟进\n"})
    c = TestClient(create_app(kb))
    for p in kb.passages():
        for ref in (p.id, p.ref):
            assert c.get(at(ref)).json()["id"] == kb.show(ref).id


@pytest.mark.parametrize("path, status", [("/api/search", 400), ("/api/nothing", 404)])
def test_a_query_string_that_is_not_utf8_is_still_a_json_error(built, path, status):
    # found by tests/test_fuzz.py: h11 refuses such a request line, but a server that hands the
    # raw bytes on (httptools) must not turn an error message into a 500
    got_status, body = asgi_get(create_app(built), path, b"\x80")
    assert got_status == status and json.loads(body)["status"] == status


def test_an_index_deleted_under_the_server_answers_503(own_index):
    c = TestClient(create_app(KnowledgeBase.open(own_index), recheck=0))
    shutil.rmtree(own_index)
    got = c.get("/api/search", params={"q": "客诉"})
    assert got.status_code == 503 and "kb index" in got.json()["error"]


def test_a_corrupt_index_answers_500_with_a_message(own_index):
    from kb.store.faults import engine_files

    kb = KnowledgeBase.open(own_index)
    for f in engine_files(own_index):
        f.write_bytes(b"garbage")
    got = TestClient(create_app(kb)).get("/api/search", params={"q": "客诉"})
    assert got.status_code == 500 and "corrupt" in got.json()["error"]


# --- safety --------------------------------------------------------------------------


@pytest.mark.parametrize("pid", [
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd%231",
    "%2Fetc%2Fpasswd:1",
    "../secret.txt%231",
    "..%2Fsecret.txt:1",
    "secret.txt:1",
    "%2E%2E%2Fsecret.txt%231",
])
def test_passage_ids_cannot_reach_files_outside_the_index(tmp_path, own_index, pid):
    (own_index.parent / "secret.txt").write_text("TOP-SECRET 客诉\n", "utf-8")
    got = TestClient(create_app(KnowledgeBase.open(own_index))).get(f"/api/passage/{pid}")
    assert got.status_code in (400, 404) and "TOP-SECRET" not in got.text and "root:" not in got.text


def test_hostile_document_text_comes_back_as_json_data_never_as_a_page(tmp_path):
    c = TestClient(create_app(hostile_index(tmp_path)))
    got = c.get("/api/search", params={"q": "客诉处理", "extra": 1})
    assert got.headers["content-type"].startswith("application/json")
    text = got.json()["results"][0]["text"]
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert "alert" not in c.get("/").text  # the page is static: document text is never templated into it


def test_a_query_is_echoed_only_inside_json(client):
    got = client.get("/api/search", params={"q": "<script>alert(1)</script>"})
    assert got.headers["content-type"].startswith("application/json")


def test_the_page_never_parses_text_as_html():
    js = (STATIC / "app.js").read_text("utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", js)
    assert "textContent" in js and "createTextNode" in js


def test_the_page_and_its_assets_come_from_this_server_only(client):
    html = client.get("/").text
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(r.startswith("/static/") or r.startswith("data:") or r.startswith("#") for r in refs)
    for ref in refs:
        if ref.startswith("/static/"):
            asset = client.get(ref)
            assert asset.status_code == 200 and not re.search(r"https?://", asset.text)


def test_every_response_forbids_inline_and_foreign_script(client):
    for url in ("/", "/static/app.js", "/api/search?q=客诉", "/api/nothing"):
        csp = client.get(url).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp


def test_only_reads_are_allowed_and_requests_carry_no_body(client):
    assert client.post("/api/search?q=客诉").status_code == 405
    assert client.request("GET", "/api/search?q=客诉", content=b"x" * 100).status_code == 413
    got = client.get("/api/search", params={"q": "投" * 1000})
    assert got.status_code == 414 and "too long" in got.json()["error"]


def test_a_local_server_answers_only_to_its_own_host_names(built):
    local = TestClient(create_app(built, allowed_hosts=allowed_hosts_for("127.0.0.1")), base_url="http://127.0.0.1:8000")
    assert local.get("/api/documents").status_code == 200
    assert local.get("/api/documents", headers={"host": "localhost:8000"}).status_code == 200
    rebound = local.get("/api/documents", headers={"host": "attacker.example:8000"})
    assert rebound.status_code == 400 and "Host" in rebound.json()["error"]
    assert allowed_hosts_for("0.0.0.0") is None  # told to listen beyond localhost: any name


@pytest.mark.parametrize("host", ["127.0.0.1:1@evil.example", "evil.example#127.0.0.1", "127.0.0.1.evil.example",
                                  "localhost:8000:1", "[::1]x.evil", "127.0.0.1 evil.example", ""])
def test_a_host_header_is_the_host_name_exactly(built, host):
    local = TestClient(create_app(built, allowed_hosts=allowed_hosts_for("127.0.0.1")), base_url="http://127.0.0.1:8000")
    assert local.get("/api/documents", headers={"host": host}).status_code == 400
    assert local.get("/api/documents", headers={"host": "[::1]:8000"}).status_code == 200


def test_request_headers_over_16_kb_are_refused(built):
    c = TestClient(create_app(built))
    assert c.get("/api/documents", headers={"x-pad": "a" * 100_000}).status_code == 431
    assert c.get("/api/documents", headers={"x-pad": "a" * 1_000}).status_code == 200


def test_an_index_rebuilt_while_serving_is_picked_up(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("快递网点的日常管理\n网点早会与排班\n", "utf-8")
    kb = KnowledgeBase.build([docs], tmp_path / "index")
    c = TestClient(create_app(kb, recheck=0))
    assert c.get("/api/search", params={"q": "投诉处理"}).json()["results"] == []
    (docs / "b.txt").write_text("投诉处理的五个步骤\n第一步:耐心倾听客户的投诉\n", "utf-8")
    KnowledgeBase.build([docs], tmp_path / "index")
    assert c.get("/api/search", params={"q": "投诉处理"}).json()["results"][0]["doc"] == "b.txt"


def test_import_kb_does_not_load_the_web_framework():
    code = "import sys, kb; print(','.join(m for m in ('starlette', 'uvicorn', 'kb.web') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


# --- kb serve --------------------------------------------------------------------------


def test_serve_listens_on_localhost_unless_told_otherwise():
    host = next(p for p in main.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_serve_without_the_web_extra_names_it_in_one_line(monkeypatch, built):
    import kb

    for name in [m for m in sys.modules if m == "starlette" or m.startswith("starlette.")] or ["starlette"]:
        monkeypatch.setitem(sys.modules, name, None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "kb.web", raising=False)
    monkeypatch.delattr(kb, "web", raising=False)
    with socket.socket() as taken:  # were the import to succeed, serving fails instead of blocking
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(main, ["serve", "--port", port, "--index", str(built.store.root)])
    assert result.exit_code == 2
    assert "pip install -e '.[web]'" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_serve_refuses_a_port_already_in_use(built):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--index", str(built.store.root)])
        assert result.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in result.output
    finally:
        taken.close()


def test_the_listening_socket_says_it_is_tcp_so_responses_are_not_delayed():
    from kb.web import bind

    with bind("127.0.0.1", 0) as sock:  # asyncio sets TCP_NODELAY only on sockets that say so
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[0] == "127.0.0.1"


def test_kb_serve_serves_the_page_and_the_api_on_loopback(built):
    code = "import sys; from cli import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", "0", "--index", str(built.store.root)],
                            cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line, deadline = "", time.monotonic() + 60
        while "Serving" not in line and time.monotonic() < deadline:
            if select.select([proc.stderr], [], [], 1)[0]:
                line = proc.stderr.readline()
                assert line or proc.poll() is None, "kb serve exited"
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, line
        with urllib.request.urlopen(url.group(0) + "api/search?q=" + urllib.parse.quote("客诉处理"), timeout=30) as r:
            assert json.loads(r.read())["results"]
        with urllib.request.urlopen(url.group(0), timeout=30) as r:
            assert b'id="q"' in r.read()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- paging and the empty page -----------------------------------------------------


def test_more_results_continue_the_first_page_without_repeats(client, built):
    whole = client.get("/api/search", params={"q": "客户", "limit": 30, "extra": 1}).json()
    first = client.get("/api/search", params={"q": "客户", "limit": 10, "extra": 1}).json()
    second = client.get("/api/search", params={"q": "客户", "limit": 10, "offset": 10, "extra": 1}).json()
    ids = [r["id"] for r in whole["results"]]
    assert [r["id"] for r in first["results"]] + [r["id"] for r in second["results"]] == ids[:20]
    assert [r["rank"] for r in second["results"]] == list(range(11, 21))
    assert first["more"] and first["offset"] == 0 and second["offset"] == 10
    last = client.get("/api/search", params={"q": "客户", "limit": 10, "offset": 200, "extra": 1}).json()
    assert last["more"] is False
    plain = client.get("/api/search", params={"q": "客户", "offset": 10}).json()
    assert set(plain) == {"query", "results"}  # the CLI's contract, fields added only with extra=1
    assert client.get("/api/search", params={"q": "客户", "offset": 201}).status_code == 400


def test_the_empty_page_gets_example_questions_read_off_the_corpus(client, built):
    body = client.get("/api/documents", params={"extra": 1, "script": "hans"}).json()
    examples = body["examples"]
    assert 1 <= len(examples) <= 4 and len(set(examples)) == len(examples)
    for x in examples:  # each one a heading of the corpus (numbering dropped), and each finds something
        assert any(convert(x, "hans") in convert(e.title, "hans") for e in built.outline(None)) or any(
            convert(x, "hans") in convert(h, "hans") for d in built.documents() for p in built.doc_passages(d)
            for h in p.headings)
        assert client.get("/api/search", params={"q": x}).json()["results"]
    assert "examples" not in client.get("/api/documents").json()


def test_typical_questions_come_first_among_the_examples(tmp_path):
    from kb.questions import QUESTIONS_FILE

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("网点手册\n一、派前检查要点\n" + "检查电动车刹车、电池与车灯。\n" * 9, "utf-8")
    (docs / QUESTIONS_FILE).write_text("a › 派前检查\t出门前车要看哪些地方\n", "utf-8")
    c = TestClient(create_app(KnowledgeBase.build([docs], tmp_path / "index")))
    assert c.get("/api/documents", params={"extra": 1}).json()["examples"][0] == "出门前车要看哪些地方"


# The modules a search or an answer runs through, whose tables load on first use.
QUESTION_TIME = ("kb.analysis", "kb.script", "kb.lexicon", "kb.query", "kb.spelling", "kb.ranking", "kb.search",
                 "kb.answer.question", "kb.answer.sentences", "kb.answer.lists", "kb.answer.topic",
                 "kb.answer.confidence", "kb.answer.render")


def test_the_servers_warm_up_loads_every_table_a_question_may_need(built, tmp_path):
    """kb serve loads, before its first request, every table that loads on first use (a
    zero-argument cached loader of a module questions run through): no agent's first factoid
    waits 0.8 s for jieba's tagger, nor a first synonym 0.4 s for the thesaurus. In a new
    process, so that no other test has loaded them already."""
    code = (
        "import importlib, inspect, json, sys\n"
        "from kb import KnowledgeBase\n"
        "from kb.web import _warm\n"
        "_warm(KnowledgeBase.open(sys.argv[1]))\n"
        "cold = []\n"
        f"for name in {QUESTION_TIME!r}:\n"
        "    mod = importlib.import_module(name)\n"
        "    for attr, f in vars(mod).items():\n"
        "        if getattr(f, '__module__', None) != name or not hasattr(f, 'cache_info'):\n"
        "            continue\n"
        "        params = inspect.signature(f).parameters.values()\n"
        "        if (f.cache_info().maxsize == 1 and all(p.default is not p.empty for p in params)\n"
        "                and not f.cache_info().currsize):\n"
        "            cold.append(name + '.' + attr)\n"
        "print(json.dumps(cold))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(built.store.root)], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert json.loads(out) == []


def test_the_servers_warm_up_sets_what_it_loaded_aside_from_the_collector_and_answers_the_same(built):
    """kb serve's warm-up (before its workers fork) freezes what it loaded: the garbage collector
    no longer walks the dictionaries a search reads, and a search reads them as before."""
    import gc

    from kb.web import _warm

    queries = ["客诉处理有哪几个步骤", "顧客抱怨投訴處理的步驟", "SPIN提问法怎么用"]
    before = [[(h.passage.id, h.score, h.highlight) for h in built.search(q)] for q in queries]
    try:
        _warm(built)
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert [[(h.passage.id, h.score, h.highlight) for h in built.search(q)] for q in queries] == before
    finally:
        gc.unfreeze()
