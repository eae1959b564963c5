"""scripts/pg_spike.py on the seeds: kb's own BM25 written as SQL over a PostgreSQL postings
table finds the candidates kb finds. Skipped unless psycopg is installed and a PostgreSQL
answers at $KB_PG_DSN (default: the local socket's `kbspike` database); CI needs neither."""

from __future__ import annotations

import importlib.util
import os

import pytest

from kb import evaluate

from .conftest import ROOT, SHARED_EVAL

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (the spike is not a dependency)")


@pytest.fixture()
def conn():
    try:
        connection = psycopg.connect(os.environ.get("KB_PG_DSN", "dbname=kbspike"), connect_timeout=2)
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL to measure against ({str(exc).strip().splitlines()[0]})")
    with connection:
        yield connection


def spike():
    spec = importlib.util.spec_from_file_location("pg_spike", ROOT / "scripts" / "pg_spike.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kb_bm25_in_sql_finds_kb_s_candidates(built, conn):
    judged = SHARED_EVAL / "search_dev.jsonl"
    if not judged.exists():
        pytest.skip(f"{judged} is not here")
    rows = evaluate.load(judged)
    table = f"kbtest{os.getpid()}"
    try:
        report = spike().compare(rows, [built.store], conn, table, rounds=1)
    finally:
        conn.rollback()
        conn.execute(f"DROP TABLE IF EXISTS {table}_tsv, {table}_postings, {table}_lengths")
        conn.commit()
    kb, *_, sql = report["results"]
    assert kb["system"].startswith("kb over") and sql["system"].startswith("PostgreSQL postings")
    assert sql["same top 20"] == 1.0
    assert sql["recall@20"] == kb["recall@20"] and sql["recall@100"] == kb["recall@100"]
    assert report["passages"] == built.store.doc_count()
