"""The frequent terms' postings kept beside the engine (kb.store.frequent): the same postings,
written by a full build, an update's generation and an older index read from the engine, a
damaged file reported."""

from __future__ import annotations

import json

import pytest

from kb import IndexCorruptError, KnowledgeBase
from kb.store import IndexStore, frequent
from kb.store.records import META

from .conftest import SEEDS, small_kb

DOCS = {"a.txt": "第一章 投诉\n客户投诉时先倾听,再道歉。\n\n第二章 派件\n客户签收前检查包裹。\n",
        "b.txt": "第一节 客户\n客户的投诉要记录在案。\n"}


def _from_engine(store: IndexStore, term: str):
    return store.engine().postings(term)


def test_a_frequent_terms_postings_are_read_from_the_file_as_the_engine_gives_them(tmp_path, monkeypatch):
    monkeypatch.setattr(frequent, "FREQUENT_FROM", 3)
    kb = KnowledgeBase.build([SEEDS], tmp_path / "ix")
    store = IndexStore(tmp_path / "ix")
    written = frequent.read(store.generation)
    terms = list(written.terms())
    assert len(terms) > 100 and all(store.doc_frequency(t) >= 3 for t in terms)
    for term in terms:
        assert store._postings(term) == _from_engine(store, term)
    rare = next(t for t in store.vocabulary() if store.doc_frequency(t) < 3)
    assert written.get(rare) is None and store._postings(rare) == _from_engine(store, rare)
    written.close()
    store.verify(full=True)
    # the same hits as an index of the same passages without the file
    monkeypatch.setattr(IndexStore, "_write_frequent", staticmethod(lambda kind, gen, counts: None))
    plain = KnowledgeBase.build([SEEDS], tmp_path / "plain")
    assert not (plain.store.generation / frequent.FREQUENT).exists()
    for query in ("客户投诉怎么处理", "派件前要检查什么", "spin销售法"):
        assert [(h.passage.id, h.score, h.highlight) for h in kb.search(query)] == \
               [(h.passage.id, h.score, h.highlight) for h in plain.search(query)]


def test_an_update_through_the_same_store_reads_the_new_generation_from_the_engine(tmp_path, monkeypatch):
    # an update writes no file (it would pay for every frequent term whatever it changed): the
    # store, which read the old generation's file, lets go of it with the generation
    monkeypatch.setattr(frequent, "FREQUENT_FROM", 2)
    kb = small_kb(tmp_path, DOCS)
    store = kb.store
    before = store._postings("客户")
    assert len(before[0]) >= 2 and store._frequent and store._frequent.get("客户") is not None
    (tmp_path / "docs" / "c.txt").write_text("第一课 客户回访\n客户回访要在三天内完成。\n", "utf-8")
    kb = kb.rebuild()  # an update through the same store
    assert kb.store is store and not kb.report.rebuilt
    assert not (store.generation / frequent.FREQUENT).exists()
    after = store._postings("客户")
    assert len(after[0]) == len(before[0]) + 1 and after == _from_engine(store, "客户")
    assert kb.search("客户回访")[0].passage.doc == "c.txt"
    store.verify(full=True)
    rebuilt = KnowledgeBase.build([tmp_path / "docs"], tmp_path / "ix")  # a full build writes it again
    assert frequent.read(rebuilt.store.generation).get("客户") is not None
    assert rebuilt.store._postings("客户") == after


def test_an_index_written_without_the_file_is_read_from_the_engine(tmp_path, monkeypatch):
    monkeypatch.setattr(frequent, "FREQUENT_FROM", 2)
    monkeypatch.setattr(IndexStore, "_write_frequent", staticmethod(lambda kind, gen, counts: None))
    kb = small_kb(tmp_path, DOCS)  # as an older kb wrote it: no file, none in its manifest
    monkeypatch.undo()
    store = IndexStore(tmp_path / "ix")
    assert frequent.FREQUENT not in json.loads((store.generation / META).read_text("utf-8"))["files"]
    assert store._postings("客户") == _from_engine(store, "客户") and len(store._postings("客户")[0]) >= 2
    assert kb.search("客户投诉")


def test_a_damaged_frequent_file_is_reported_as_corrupt(tmp_path, monkeypatch):
    monkeypatch.setattr(frequent, "FREQUENT_FROM", 2)
    kb = small_kb(tmp_path, DOCS)
    path = kb.store.generation / frequent.FREQUENT
    data = bytearray(path.read_bytes())
    data[len(frequent.MAGIC)] ^= 0x01  # the first term's first passage number, the size unchanged
    path.write_bytes(bytes(data))
    store = IndexStore(tmp_path / "ix")
    with pytest.raises(IndexCorruptError, match="kb index --full"):
        for term in frequent.read(store.generation).terms():
            store._postings(term)
    with pytest.raises(IndexCorruptError):
        IndexStore(tmp_path / "ix").verify(full=True)


def test_the_file_round_trips_postings_at_single_precision(tmp_path):
    from collections import Counter

    lists = {"客户": ([0, 3, 9], [1.0, 2.299999952316284, 0.550000011920929]), "x": ([1], [1.0])}
    assert frequent.write(tmp_path, Counter({"客户": frequent.FREQUENT_FROM, "x": 1}), lambda t: lists[t]) == 1
    read = frequent.read(tmp_path)
    ids, weights = read.get("客户")
    assert ids.tolist() == lists["客户"][0] and weights.tolist() == lists["客户"][1]
    assert read.get("x") is None
    read.close()
    assert frequent.read(tmp_path / "none") is None
