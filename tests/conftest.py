"""Shared fixtures: the real seeds indexed once per session into a real index, with the engine
$KB_ENGINE names (kb.store.engines: whoosh unless it says tantivy), as every index a test builds."""

from __future__ import annotations

import asyncio
import shutil
import signal
from pathlib import Path

import pytest

from kb import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


def pytest_configure(config) -> None:
    # A suite started as a script's background job (`pytest &`) inherits SIGINT ignored, and so
    # does every process it starts: the Ctrl+C tests' builds and servers would never see theirs
    # (the build finished, the test failed, every run). Tests run as a terminal's foreground job.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_report_header(config) -> str:
    from kb.store.engines import default_name

    return f"kb engine: {default_name()} (KB_ENGINE)"


@pytest.fixture(autouse=True)
def own_data_home(tmp_path_factory, monkeypatch) -> Path:
    """A per-user data folder of each test's own: the default index (kb.knowledge.default_index)
    of a command run without --index lands there, never in the home of whoever runs the tests."""
    home = tmp_path_factory.mktemp("data-home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> KnowledgeBase:
    """The five seeds in a real index, shared by read-only tests."""
    index = tmp_path_factory.mktemp("shared") / "index"
    return KnowledgeBase.build([SEEDS], index)


@pytest.fixture()
def own_index(tmp_path, built) -> Path:
    """A private copy of the built index, for tests that change or break it."""
    dest = tmp_path / "index"
    shutil.copytree(built.store.root, dest)
    return dest


@pytest.fixture()
def own_seeds(tmp_path) -> Path:
    """A private copy of the seeds, for tests that edit files."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


def seed(name_prefix: str) -> Path:
    return next(SEEDS.glob(f"{name_prefix}*.txt"))


def small_kb(tmp_path: Path, docs: dict[str, str]) -> KnowledgeBase:
    """A real index of a few documents written for one test: {file name: text}."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in docs.items():
        (folder / name).write_text(text, "utf-8")
    return KnowledgeBase.build([folder], tmp_path / "ix")


def asgi_get(app, path: str, query: bytes = b"", raw_path: bytes | None = None) -> tuple[int, bytes]:
    """One GET straight into an ASGI app, as a server hands it over: the path decoded, the
    query string as the bytes the client sent (a test client would have cleaned them up)."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": raw_path or path.encode(), "query_string": query,
             "root_path": "", "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 50000),
             "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
