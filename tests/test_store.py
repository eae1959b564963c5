"""The store package (kb/store): the engine stays behind it, kb counts its own vocabulary,
and generations are followed through it."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from kb import KnowledgeBase
from kb.errors import IndexCorruptError
from kb.store import IndexStore, vocabulary
from kb.store.fields import PART_BOOSTS, analyse, terms
from kb.store.faults import engine_files, generation_files as engine_and_store_files
from kb.store.generations import live_name

from .conftest import ROOT, small_kb

ENGINE_IMPORT = re.compile(r"^\s*(from|import)\s+(whoosh|tantivy)\b", re.M)


def test_no_module_outside_the_store_imports_an_engine():
    outside = [p for p in [ROOT / "cli.py", *(ROOT / "kb").rglob("*.py")] if "store" not in p.relative_to(ROOT).parts]
    assert outside and not [p.name for p in outside if ENGINE_IMPORT.search(p.read_text("utf-8"))]


def test_no_code_reads_an_engine_private_name():
    private = re.compile(r"\.(_read_ids|_read_weights|_next_block|_atend|_ids|_weights|_terms|_perdoc)\b")
    code = [p for p in [ROOT / "cli.py", *(ROOT / "kb").rglob("*.py")]]
    assert not [p.name for p in code if private.search(p.read_text("utf-8"))]


def test_the_vocabulary_counts_each_terms_passages_as_the_engine_holds_them(built):
    store = built.store
    counts = vocabulary.read(store.generation)
    assert counts and set(counts) == store.vocabulary()
    for term in ("客户", "投诉", "spin"):
        assert counts[term] == store.doc_frequency(term) == len(store._postings(term)[0]) > 0
    assert store.doc_frequency("从未出现过的词") == 0
    store.verify(full=True)  # every term: the engine's postings against the vocabulary


def test_a_passage_is_analysed_once_into_boosted_tokens(built):
    p = next(p for p in built.passages("000") if p.headings)
    fields = analyse(p)
    boosts = {t.boost for t in fields["text"]}
    assert boosts <= set(PART_BOOSTS) and len(boosts) >= 2  # body and heading at least
    positions = [t.pos for t in fields["text"]]
    assert positions == sorted(positions)
    assert terms(fields) == {t.term for t in fields["text"]}


def test_whoosh_is_given_each_passages_terms_as_it_would_make_them(built):
    # index_items (made in a build's worker) against whoosh's own Positions format over the
    # passage's postings as a string, and back through PreAnalysed (an index written before)
    pytest.importorskip("whoosh")
    from whoosh.fields import TEXT

    from kb.store.whoosh_analysis import PreAnalysed, encode, index_items, items_text, packed, unpacked

    stock = TEXT(analyzer=PreAnalysed(), phrase=True)
    passages = list(built.passages())
    assert len(passages) > 100
    for p in passages:
        postings = analyse(p)["text"]
        items = index_items(postings)
        assert items == list(stock.index(encode(postings)))
        assert unpacked(packed(postings)) == items
        assert list(stock.index(items_text(items))) == items
    assert unpacked(packed([])) == []


def test_an_update_counts_the_vocabulary_a_full_build_would(own_seeds, tmp_path):
    index = tmp_path / "ix"
    KnowledgeBase.build([own_seeds], index)
    f = next(own_seeds.glob("001*.txt"))
    f.write_text(f.read_text("utf-8") + "\n第十四部分:夜间派件安全守则\n", "utf-8")
    next(own_seeds.glob("004*.txt")).unlink()
    updated = KnowledgeBase.index([own_seeds], index)
    assert (updated.report.rebuilt, updated.report.refreshed, updated.report.dropped) == (False, 1, 1)  # an update
    fresh = KnowledgeBase.build([own_seeds], tmp_path / "fresh")
    assert vocabulary.read(updated.store.generation) == vocabulary.read(fresh.store.generation)
    assert updated.store.doc_frequency("夜间") >= 1
    updated.store.verify(full=True)


def test_a_whoosh_index_written_before_its_terms_came_ready_is_updated_as_it_is_built(own_seeds, tmp_path, monkeypatch):
    # an index whose `text` field analyses a string (kb before PreIndexed), updated by this kb:
    # every term's postings as a full build's
    pytest.importorskip("whoosh")
    from whoosh.fields import TEXT

    from kb.store import whoosh_engine
    from kb.store.whoosh_analysis import PreAnalysed

    new_schema = whoosh_engine.schema

    def old_schema():
        s = new_schema()
        s.remove("text")
        s.add("text", TEXT(analyzer=PreAnalysed(), phrase=True))
        return s

    index = tmp_path / "ix"
    monkeypatch.setattr(whoosh_engine, "schema", old_schema)
    KnowledgeBase.build([own_seeds], index, engine="whoosh")
    monkeypatch.setattr(whoosh_engine, "schema", new_schema)
    f = next(own_seeds.glob("001*.txt"))
    f.write_text(f.read_text("utf-8") + "\n第十四部分:夜间派件安全守则\n", "utf-8")
    updated = KnowledgeBase.index([own_seeds], index)
    assert not updated.report.rebuilt
    fresh = KnowledgeBase.build([own_seeds], tmp_path / "fresh", engine="whoosh")
    old, new = updated.store, fresh.store
    assert vocabulary.read(old.generation) == vocabulary.read(new.generation)
    for term in ("夜间", "客户", "投诉", "spin"):
        got, want = old._postings(term), new._postings(term)
        assert sorted(got[1]) == sorted(want[1]) and len(got[0]) == len(want[0]) > 0
    old.verify(full=True)


def test_the_vocabulary_file_round_trips(tmp_path):
    counts = Counter({"客户": 3, "a b": 1, "spin": 2})
    vocabulary.write(tmp_path, counts)
    assert vocabulary.read(tmp_path) == counts
    vocabulary.write(tmp_path, Counter())
    assert vocabulary.read(tmp_path) == Counter()


def test_a_reader_is_told_when_another_generation_goes_live(tmp_path):
    kb = small_kb(tmp_path, {"a.txt": "投诉处理的步骤\n先道歉，再处理。\n"})
    store = IndexStore(kb.store.root)
    store.generation  # noqa: B018  (reads the live one)
    assert store.live_changed() is False
    (tmp_path / "docs" / "a.txt").write_text("投诉处理的步骤\n先倾听，再道歉。\n", "utf-8")
    KnowledgeBase.build([tmp_path / "docs"], kb.store.root)
    assert store.live_changed() is True
    assert live_name(kb.store.root) != store.generation.name


def test_a_reader_whose_generation_is_collected_as_it_opens_it_reads_the_live_one(tmp_path):
    # a reader reads CURRENT, then two updates go live and the second collects the generation
    # it named, file by file, while the reader opens it: it answers from the live one, not with
    # "index is corrupt" (seen in CI under load: test_searches_during_updates_never_fail)
    kb = small_kb(tmp_path, {"a.txt": "投诉处理的步骤\n先道歉，再处理。\n"})
    root = kb.store.root
    store = IndexStore(root)
    old = store.generation
    files = engine_and_store_files(root)
    (tmp_path / "docs" / "a.txt").write_text("投诉处理的步骤\n先倾听，再道歉。\n", "utf-8")
    KnowledgeBase.build([tmp_path / "docs"], root)
    for f in files:  # the collection under way: the folder still there, its files going
        f.unlink()
    assert old.is_dir() and live_name(root) != old.name
    hits = store.candidates({"倾听": 1.0}, limit=5)
    assert hits and "倾听" in hits[0].passage.text and store.generation.name == live_name(root)


def test_a_damaged_live_generation_is_still_reported_as_corrupt(tmp_path):
    kb = small_kb(tmp_path, {"a.txt": "投诉处理的步骤\n先道歉，再处理。\n"})
    root = kb.store.root
    for f in engine_files(root):
        f.unlink()
    store = IndexStore(root)
    with pytest.raises(IndexCorruptError):
        store.candidates({"道歉": 1.0}, limit=5)


def test_a_changed_vocabulary_is_reported_and_the_next_index_repairs_it(own_seeds, tmp_path):
    from kb import IndexCorruptError

    index = tmp_path / "ix"
    KnowledgeBase.build([own_seeds], index)
    before = KnowledgeBase.open(index).search("客诉处理", limit=3)
    target = next(f for f in engine_and_store_files(index) if f.name == vocabulary.VOCABULARY)
    text = target.read_text("utf-8")
    digit = next(i for i, c in enumerate(text) if c.isdigit() and text[i - 1] == "\t")
    target.write_text(text[:digit] + str((int(text[digit]) + 1) % 10) + text[digit + 1:], "utf-8")
    kb = KnowledgeBase.open(index)
    try:
        kb.search("客诉处理")
    except IndexCorruptError as exc:
        assert "kb index --full" in str(exc)
    else:
        raise AssertionError("a changed vocabulary was read")
    repaired = KnowledgeBase.index([own_seeds], index)
    assert [h.passage.id for h in repaired.search("客诉处理", limit=3)] == [h.passage.id for h in before]


def test_every_file_is_checked_against_its_checksum_and_the_advised_rebuild_repairs_it(own_seeds, tmp_path):
    from click.testing import CliRunner

    from cli import main
    from kb.store.faults import engine_files

    index = tmp_path / "ix"
    KnowledgeBase.build([own_seeds], index)
    seg = max(engine_files(index, data_only=True), key=lambda f: f.stat().st_size)
    data = bytearray(seg.read_bytes())
    data[len(data) // 2] ^= 0xFF  # a flipped byte: same size, so only the full check can tell
    seg.write_bytes(bytes(data))
    r = CliRunner().invoke(main, ["check", "--index", str(index)])
    assert r.exit_code == 2 and seg.name in r.stderr and "kb index --full" in r.stderr
    assert CliRunner().invoke(main, ["index", str(own_seeds), "--full", "--index", str(index)]).exit_code == 0
    assert CliRunner().invoke(main, ["check", "--index", str(index)]).exit_code == 0

    # a file cut short is noticed on open, before anything is read from it
    passages = next(f for f in engine_and_store_files(index) if f.name == "passages.jsonl")
    passages.write_bytes(passages.read_bytes()[:-10])
    r = CliRunner().invoke(main, ["search", "客诉处理", "--index", str(index)])
    assert r.exit_code == 2 and "passages.jsonl is not as it was written" in r.stderr
