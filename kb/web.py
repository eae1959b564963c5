"""The staff web page: one local page and a JSON API over a KnowledgeBase (Starlette).

Imported only by `kb serve` and the tests, so `import kb` never loads the framework.

    GET /                        the page (kb/static/index.html, app.js, app.css; no CDN)
    GET /api/search?q=&limit=&offset=&doc=&kind=&script=&fix=   as `kb search --json`;
                                 offset skips the first results (the page's "more")
    GET /api/ask?q=&script=                              as `kb ask --json`
    GET /api/passage/{id}?around=                        as `kb show --json`; id is a
                                 passage id (000_x.txt#48) or a DOC:LINE reference
    GET /api/outline?doc=                                as `kb outline --json`
    GET /api/documents                                   names, titles, kinds (the filters)
    POST /api/feedback   {"query", "kind": search|ask, "mark": helped|not, "passage": id | "answer": text}
                         a "this helped" / "not this" mark, kept in the index's feedback.jsonl
                         (kb/feedback.py); the only request with a body, JSON from this page only

Every endpoint answers the same JSON as the CLI. With `extra=1` (what the page asks
for) it adds what a page needs beyond that: each passage's `id` (to open it in
context) and `shown`, its text and breadcrumb in the chosen script (to display and
copy). Errors are `{"error": message, "status": code}` with the matching status.
"""

from __future__ import annotations

import gc
import json
import os
import re
import socket
import sys
import threading
import time
from functools import lru_cache
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import feedback as _feedback
from .examples import example_questions
from .errors import IndexCorruptError, IndexMissingError, KbError, QueryError, ReferenceError_
from .knowledge import KnowledgeBase
from .model import KINDS
from .model import Citation, Passage
from .script import convert, detect_script

STATIC = Path(__file__).resolve().parent / "static"
SCRIPTS = ("auto", "hans", "hant", "original")
MAX_LIMIT = 100  # as `kb search --limit`
MAX_OFFSET = 200  # results a page may skip ("more" on the page): ranks up to 300
EXAMPLES = 4  # example questions on the empty page
MAX_AROUND = 3
MAX_HEADERS = 16 * 1024  # bytes of request headers, as the README promises
MAX_TARGET = 8192  # bytes of path and query string: 500 CJK characters percent-encoded fit
MAX_BODY = 16 * 1024  # bytes of a feedback mark: a 5,000-character answer as UTF-8 JSON fits
FEEDBACK_PATH = "/api/feedback"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_HOST_HEADER = re.compile(r"(?:\[([0-9a-f:.]+)\]|([a-z0-9.\-]+))(?::\d{1,5})?")
RECHECK_SECONDS = 2.0  # how often the live index generation is looked at
MAX_WORKERS = 4  # `kb serve`'s default worker processes: one per CPU, at most this many
BACKLOG = 128  # connections the system queues for a listening socket before a worker accepts them
BALANCED = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")  # see _listeners

SECURITY_HEADERS = [
    # Defence in depth behind escaping: no inline script, nothing from elsewhere.
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def is_loopback(host: str) -> bool:
    return host.strip("[]") in LOOPBACK or host.startswith("127.")


class Library:
    """The KnowledgeBase behind the app. One request reads it at a time (an engine searcher
    and the lazily loaded passage tables are not shared across threads; a search takes a
    few milliseconds of pure-Python work, which threads could not run in parallel anyway:
    `kb serve` runs several worker processes instead, each with its own Library), and it is
    reopened when `kb index` swaps in a new generation."""

    def __init__(self, kb: KnowledgeBase, recheck: float = RECHECK_SECONDS):
        self.kb = kb
        self.recheck = recheck
        self._lock = threading.Lock()
        self._checked = time.monotonic()

    def __enter__(self) -> KnowledgeBase:
        self._lock.acquire()
        try:
            self._follow_rebuilds()
        except BaseException:
            self._lock.release()
            raise
        return self.kb

    def __exit__(self, *exc) -> None:
        self._lock.release()

    def _follow_rebuilds(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.recheck:
            return
        store = self.kb.store
        changed = store.live_changed()  # IndexMissingError when the index is gone
        if changed is None:
            return  # answer from the generation already open
        self._checked = now
        if changed:
            fresh = KnowledgeBase.open(store.root)
            fresh.documents()  # validates the new generation before the old one is dropped
            old, self.kb = self.kb, fresh
            old.close()


# --- helpers ---------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _convert(text: str, script: str | None) -> str:
    """OpenCC is pure Python here (~4 µs a character): passages repeat, so convert each once."""
    return convert(text, script)


def _script(request: Request, default: str) -> str:
    value = request.query_params.get("script") or default
    if value not in SCRIPTS:
        raise QueryError(f"unknown script {value!r}; one of: {', '.join(SCRIPTS)}")
    return value


def _target_script(value: str, text: str = "") -> str | None:
    """A script choice as convert() takes it: auto follows the text typed, original is None."""
    if value == "auto":
        return detect_script(text) if text else None
    return None if value == "original" else value


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a whole number from {low} to {high}, not {raw[:20]!r}") from None
    if not low <= value <= high:
        raise QueryError(f"{name} must be from {low} to {high}, not {value}")
    return value


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes", "on")


def _query(request: Request, name: str = "q") -> str:
    q = request.query_params.get(name)
    if q is None:
        # the path as the server decoded it: request.url would decode a query string that is
        # not UTF-8 (raw bytes a server such as httptools hands on) and fail with a 500
        endpoint = request.scope["path"].rsplit("/", 1)[-1]
        raise QueryError(f"missing the {name} parameter: /api/{endpoint}?{name}=客诉处理步骤")
    return q


def _shown(p: Passage, script: str | None) -> dict:
    """A passage's text and breadcrumb in the chosen script; a spun document's text repaired,
    with its own words as `written`."""
    if p.spun:
        return {"text": _convert(p.repaired_text, script), "written": _convert(p.text, script),
                "section": [_convert(s, script) for s in p.section]}
    return {"text": _convert(p.text, script), "section": [_convert(s, script) for s in p.section]}


def _cited_passage(kb: KnowledgeBase, c: Citation) -> Passage | None:
    """The passage a citation's lines come from: the smallest one holding them all."""
    ps = kb.doc_passages(c.doc)
    holding = [p for p in ps if p.line_start <= c.line_start and c.line_end <= p.line_end]
    touching = [p for p in ps if p.line_start <= c.line_end and c.line_start <= p.line_end]
    pool = holding or touching
    return min(pool, key=lambda p: (p.line_end - p.line_start, p.line_start)) if pool else None


def _find(kb: KnowledgeBase, pid: str) -> Passage:
    """A passage by id or DOC:LINE; looked up among indexed passages only, never on disk."""
    try:
        if re.fullmatch(r".+#\d+", pid, re.S):  # not '#' anywhere: a file name may hold one (C#入门.txt:3)
            return kb.passage(pid)
        if ":" in pid:
            return kb.show(pid)
    except (IndexMissingError, IndexCorruptError):
        raise
    except KbError as exc:
        raise ReferenceError_(str(exc)) from None
    raise ReferenceError_(f"no passage {pid[:200]!r}: use a passage id (000_x.txt#48) or DOC:LINE (000:415)")


def _json(body: dict, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})


# --- endpoints -------------------------------------------------------------------


def create_app(kb: KnowledgeBase, allowed_hosts: list[str] | None = None,
               recheck: float = RECHECK_SECONDS) -> Starlette:
    """The ASGI app over `kb`. allowed_hosts: the Host header values to accept (`kb serve`
    passes the loopback names, so a web page elsewhere cannot rebind its name to this
    server); None accepts any (test clients)."""
    library = Library(kb, recheck)

    def page(request: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})

    def search(request: Request) -> JSONResponse:
        q = _query(request)
        limit = _int(request, "limit", 10, 1, MAX_LIMIT)
        offset = _int(request, "offset", 0, 0, MAX_OFFSET)
        doc = request.query_params.get("doc") or None
        kind = request.query_params.get("kind") or None
        script = _target_script(_script(request, "auto"), q)
        extra = _flag(request, "extra")
        with library as k:
            # one more than asked, to say whether there are more; the first results of a longer
            # list are the results of a shorter one (kb.search ranks the same pool), so pages join
            result = k.lookup(q, limit=offset + limit + 1, doc=doc, kind=kind, fix=_flag(request, "fix"))
        hits = result.hits[offset: offset + limit]
        rows = []
        for h in hits:
            row = h.to_json()
            row["highlight"] = _convert(row["highlight"], script)
            if extra:
                row["shown"] = _shown(h.passage, script)
            rows.append(row)
        body: dict = {"query": q, "results": rows}
        if extra:
            body["searched"] = result.query  # the spelling-fixed query, when that one ran
            body["suggestion"] = None if result.fixed else result.plan.corrected
            body["offset"] = offset
            body["more"] = len(result.hits) > offset + limit
        return _json(body)

    def ask(request: Request) -> JSONResponse:
        q = _query(request)
        script = _script(request, "auto")
        extra = _flag(request, "extra")
        with library as k:
            answer = k.ask(q, script=script)
            body = answer.to_json()
            if extra:
                shown_script = _target_script(script, q)
                for key, cites in (("citations", answer.citations), ("suggestions", answer.suggestions)):
                    for row, c in zip(body[key], cites):
                        p = _cited_passage(k, c)
                        row["id"] = p.id if p else None
                        row["shown"] = {"section": [_convert(s, shown_script) for s in c.section]}
        return _json(body)

    def passage(request: Request) -> JSONResponse:
        pid = request.path_params["pid"]
        around = _int(request, "around", 0, 0, MAX_AROUND)
        script = _target_script(_script(request, "original"))
        extra = _flag(request, "extra")
        with library as k:
            p = _find(k, pid)
            body = p.public_json()
            near = k.context(p.id, around) if around else []
            if around:
                body["context"] = [q.public_json() for q in near]
        if extra:
            body["shown"] = _shown(p, script)
            for row, q in zip(body.get("context", []), near):
                row["shown"] = _shown(q, script)
        return _json(body)

    def outline(request: Request) -> JSONResponse:
        doc = request.query_params.get("doc") or None
        script = _target_script(_script(request, "original"))
        extra = _flag(request, "extra")
        with library as k:
            entries = k.outline(doc)
        rows = [e.to_json() for e in entries]
        if extra:
            for row in rows:
                row["shown"] = {"title": _convert(row["title"], script)}
        return _json({"outline": rows})

    def documents(request: Request) -> JSONResponse:
        script = _target_script(_script(request, "original"))
        extra = _flag(request, "extra")
        with library as k:
            docs = [
                {"name": name, "title": d.get("title", ""), "spun": d.get("spun", False),
                 "passages": len(k.doc_passages(name))}
                for name, d in k.documents().items()
            ]
            examples = _examples(k) if extra else []
        body = {"documents": docs, "kinds": list(KINDS)}
        if extra:
            for row in docs:
                row["shown"] = {"title": _convert(row["title"], script)}
            # for the empty page: queries read off the corpus (kb/examples.py), in the chosen script
            body["examples"] = [_convert(x, script) for x in examples]
        return _json(body)

    examples_of: dict[str, list[str]] = {}

    def _examples(k: KnowledgeBase) -> list[str]:
        """The example questions of the live generation, worked out once."""
        gen = k.store.generation.name
        if gen not in examples_of:
            examples_of.clear()
            examples_of[gen] = example_questions(k, EXAMPLES)
        return examples_of[gen]

    async def mark(request: Request) -> JSONResponse:
        try:
            data = json.loads(await request.body())
        except ValueError:
            raise QueryError("the body must be a JSON object: {query, kind, mark, passage or answer}") from None
        if not isinstance(data, dict):
            raise QueryError("the body must be a JSON object: {query, kind, mark, passage or answer}")
        pid, answer = data.get("passage"), data.get("answer")
        if pid is not None and not isinstance(pid, str) or answer is not None and not isinstance(answer, str):
            raise QueryError("passage and answer are strings")

        def keep() -> dict:  # in the thread pool, as the GET endpoints: the library's lock may wait
            with library as k:
                passage = _find(k, pid) if pid is not None else None
                root = k.store.root
            m = _feedback.make_mark(str(data.get("query") or ""), str(data.get("kind") or ""),
                                    str(data.get("mark") or ""), passage=passage, answer=answer)
            _feedback.append(root, m)
            return m.to_json()

        return _json({"recorded": await run_in_threadpool(keep)})

    routes = [
        Route("/", page),
        Route(FEEDBACK_PATH, mark, methods=["POST"]),
        Route("/api/search", search),
        Route("/api/ask", ask),
        Route("/api/passage/{pid:path}", passage),
        Route("/api/outline", outline),
        Route("/api/documents", documents),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(Guard, allowed_hosts=allowed_hosts)],
        exception_handlers={KbError: _kb_error, HTTPException: _http_error},
    )


def _kb_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ReferenceError_):
        status = 404
    elif isinstance(exc, _feedback.FeedbackWriteError):
        status = 503  # the server works; this one thing cannot be kept (a read-only index folder)
    elif isinstance(exc, IndexMissingError):
        status = 503
    elif isinstance(exc, IndexCorruptError):
        status = 500
    else:
        status = 400
    return _json({"error": str(exc), "status": status}, status)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "") or "error"
    if status == 404:
        detail = f"nothing at {request.scope['path'][:200]}"  # not request.url: see _query
    return _json({"error": detail, "status": status}, status)


class Guard:
    """Bounds and headers around the app: GET only, no request body, a bounded URL, the
    expected Host; every response carries a strict Content-Security-Policy. One exception:
    POST /api/feedback with a small JSON body, sent by this page (same origin) only."""

    def __init__(self, app, allowed_hosts: list[str] | None):
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.strip("[]").lower() for h in allowed_hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        problem = self._problem(scope)
        if problem:
            status, message = problem
            body = json.dumps({"error": message, "status": status}).encode()
            await send({"type": "http.response.start", "status": status, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"), *SECURITY_HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)

    def _problem(self, scope) -> tuple[int, str] | None:
        size = sum(len(k) + len(v) + 4 for k, v in scope.get("headers", []))
        if size > MAX_HEADERS:  # h11 caps only a request that arrives in pieces
            return 431, f"request headers too large ({size} bytes; at most {MAX_HEADERS})"
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if self.allowed is not None:
            host = headers.get(b"host", b"").decode("latin-1").lower()
            # the whole header is a host name and an optional port, nothing else
            # (127.0.0.1:1@evil.example is not 127.0.0.1)
            m = _HOST_HEADER.fullmatch(host)
            name = (m.group(1) or m.group(2)) if m else None
            if name not in self.allowed:
                return 400, f"unexpected Host {host[:100]!r}: open the page by the address `kb serve` printed"
        if scope["method"] == "POST" and scope["path"] == FEEDBACK_PATH:
            return self._feedback_problem(scope, headers)
        if scope["method"] not in ("GET", "HEAD"):
            return 405, f"{scope['method']} is not allowed: the API only reads (GET), but for POST {FEEDBACK_PATH}"
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
        if target > MAX_TARGET:
            return 414, f"request URL too long ({target} bytes; at most {MAX_TARGET})"
        length = headers.get(b"content-length", b"0").strip() or b"0"
        if not length.isdigit() or int(length) > 0 or b"transfer-encoding" in headers:
            return 413, "requests carry no body here"
        return None

    def _feedback_problem(self, scope, headers: dict) -> tuple[int, str] | None:
        """A mark: a bounded JSON body with a Content-Length, from this page. A form on another
        site cannot send application/json without the browser asking first (CORS), and a
        browser names the page a request comes from in Origin and Sec-Fetch-Site."""
        if scope.get("query_string"):
            return 400, "a feedback mark carries no query string"
        length = headers.get(b"content-length", b"").strip()
        if b"transfer-encoding" in headers or not length.isdigit():
            return 411, "a feedback mark needs a Content-Length"
        if int(length) > MAX_BODY:
            return 413, f"feedback mark too large ({int(length)} bytes; at most {MAX_BODY})"
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if kind != b"application/json":
            return 415, "a feedback mark is JSON (Content-Type: application/json)"
        site = headers.get(b"sec-fetch-site", b"same-origin").lower()
        if site not in (b"same-origin", b"none"):
            return 403, "feedback is taken from this server's own page only"
        origin = headers.get(b"origin")
        if origin is not None:
            host = headers.get(b"host", b"").lower()
            if origin.lower() not in (b"http://" + host, b"https://" + host):
                return 403, "feedback is taken from this server's own page only"
        return None


# --- serving ---------------------------------------------------------------------


def bind(host: str, port: int, workers: int = 1) -> socket.socket:
    """A listening socket on host:port (raises OSError: in use, no such address). For several
    workers it also admits their own sockets on the same port (SO_REUSEPORT, see _listeners;
    the system lets only processes of the same user join)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # proto=TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without
    # it a kept-alive connection waits ~40 ms (Nagle and delayed ACK) on every response.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if workers > 1 and BALANCED:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


class _Listener(socket.socket):
    """A worker's listening socket, as uvicorn is given it. asyncio accepts, each time a socket
    is ready, up to `backlog` connections in a row: with uvicorn's 2048 the first worker to
    wake took a whole burst of new connections (31 of 32 here) and kept them, kept alive,
    while the others idled. Given backlog=1 a worker takes one at a time, so an idle worker,
    awake first, takes more than a busy one. listen() is a no-op: asyncio would call it with
    that backlog and shrink the queue, which for the shared socket is every worker's."""

    def listen(self, *args) -> None:
        pass


def _listeners(shared: socket.socket) -> list[socket.socket]:
    """A worker's sockets: one of its own, and the one all workers share. Linux spreads new
    connections evenly over the sockets bound to a port with SO_REUSEPORT, so a worker slow to
    wake on a busy machine still gets its share (on the shared socket alone, up to 31 of a
    burst of 32 went to one worker under load). The shared socket, open in the parent from
    the start, means a connection never finds the port closed, even while a worker is replaced."""
    out = [_Listener(shared.family, shared.type, shared.proto, fileno=shared.detach())]
    if not (BALANCED and out[0].getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)):
        return out  # elsewhere SO_REUSEPORT does not spread connections: the shared socket only
    own = _Listener(out[0].family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        own.bind(out[0].getsockname())
        socket.socket.listen(own, BACKLOG)
    except OSError:
        own.close()
        return out
    return [own, *out]


def server(kb: KnowledgeBase, sock: socket.socket, allowed_hosts: list[str] | None, backlog: int = 2048):
    """A uvicorn server for the app; `.run(sockets=[sock])` serves until stopped."""
    import uvicorn

    config = uvicorn.Config(
        create_app(kb, allowed_hosts=allowed_hosts),
        log_level="warning", access_log=False, lifespan="off", server_header=False,
        limit_concurrency=64, timeout_keep_alive=5, backlog=backlog,
        h11_max_incomplete_event_size=MAX_HEADERS,  # request line and headers
    )
    return uvicorn.Server(config)


def default_workers() -> int:
    """Worker processes for `kb serve`: one per CPU this process may use, at most MAX_WORKERS;
    one where there is no fork."""
    if not hasattr(os, "fork"):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def serve(kb: KnowledgeBase, sock: socket.socket, allowed_hosts: list[str] | None, workers: int = 1) -> None:
    """Serve on sock until Ctrl+C or SIGTERM: in this process, or in `workers` forked worker
    processes (kb.prefork), each with its own reader of the index that follows its rebuilds.
    Raises KbError when the workers cannot open the index."""
    if workers <= 1 or not hasattr(os, "fork"):
        server(kb, sock, allowed_hosts).run(sockets=[sock])
        return
    from . import prefork

    root = kb.store.root
    _warm(kb)  # loaded once before the fork: the workers share the dictionaries, and start at once
    kb.close()

    def work() -> int:
        try:
            own = KnowledgeBase.open(root)
        except KbError:
            return prefork.STARTUP_FAILED  # the parent says why
        listeners = _listeners(sock)
        server(own, listeners[0], allowed_hosts, backlog=1).run(sockets=listeners)
        return 0

    if prefork.run(workers, work) == prefork.STARTUP_FAILED:
        KnowledgeBase.open(root).close()  # raises what stopped the workers
        raise IndexMissingError(f"the web server's workers could not open the index at {root}")


def _warm(kb: KnowledgeBase) -> None:
    """Load what every request needs (segmenter and script dictionaries, the answer modules)
    and what some first question would wait for (the thesaurus, jieba's tagger: kb.answer.preload),
    then set it aside from the garbage collector."""
    from .answer import preload

    preload()
    try:
        kb.lookup("客诉处理步骤", limit=1)
        kb.ask("客诉处理有哪几个步骤", script="hant")
    except KbError:
        pass  # an empty index: the workers load what they need when asked
    # What is loaded now stays for the process's life (pypinyin's tables are 70% of the
    # 270,000 objects the collector tracks then): frozen, a full collection no longer walks it
    # (one took 52-58 ms on DRCD's index). Over each external split's ~7,000 search queries,
    # in turn with the code before: the longest collection 74-89 → 21-25 ms, the slowest query
    # 77-107 → 31-46 ms, the collector's share of the time 2.7-3.7% → 1.7-2.0% (BENCHMARKS.md).
    # A worker forked after it also leaves those pages shared (gc.freeze's advice: freeze, fork).
    # The warm-up's own garbage goes first: a frozen cycle is never collected.
    gc.collect()
    gc.freeze()


def allowed_hosts_for(host: str) -> list[str] | None:
    """Loopback names when serving on loopback; any Host when told to listen beyond it."""
    if is_loopback(host):
        return [*LOOPBACK, host]
    return None
