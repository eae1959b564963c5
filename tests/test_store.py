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
    # packed (made in a build's worker) against whoosh's own Frequency format over the
    # passage's postings as a string: the same terms, frequencies and weights, bit for bit
    pytest.importorskip("whoosh")
    from whoosh.fields import TEXT

    from kb.store.whoosh_analysis import PreAnalysed, encode, packed, unpacked

    stock = TEXT(analyzer=PreAnalysed(), phrase=False)
    passages = list(built.passages())
    assert len(passages) > 100
    for p in passages:
        postings = analyse(p)["text"]
        items = unpacked(packed(postings))
        assert [(t, f, w) for t, f, w, _ in items] == [(t, f, w) for t, f, w, _ in stock.index(encode(postings))]
        assert all(v is None for *_, v in items)
    assert unpacked(packed([])) == []


def test_a_whoosh_build_past_a_segments_postings_writes_several_that_answer_as_one(own_seeds, tmp_path, monkeypatch):
    # past SEGMENT_POSTINGS the writer starts a new segment rather than spilling its pool to
    # disk: the passages are numbered on across the segments, and every figure is one segment's
    pytest.importorskip("whoosh")
    from kb.store import whoosh_engine

    one = KnowledgeBase.build([own_seeds], tmp_path / "one", engine="whoosh")
    monkeypatch.setattr(whoosh_engine.WhooshWriter, "SEGMENT_POSTINGS", 2000)
    many = KnowledgeBase.build([own_seeds], tmp_path / "many", engine="whoosh")
    a, b = one.store.engine(), many.store.engine()
    assert len(a._leaves) == 1 and len(b._leaves) > 3
    assert a.lengths() == b.lengths() and a.doc_count_all() == b.doc_count_all()
    for term in sorted(one.store.vocabulary())[::40] + ["客户", "投诉"]:
        assert a.postings(term) == b.postings(term)
    for number in (0, 70, a.doc_count_all() - 1):
        assert a.stored(number) == b.stored(number)
    assert a.matching("000_eada5ee40357fd85.txt", None) == b.matching("000_eada5ee40357fd85.txt", None)
    for q in ("客诉处理有哪几个步骤", "SPIN提问法怎么用", "谈判时怎么让步"):
        assert [(h.passage.id, h.score) for h in one.search(q)] == [(h.passage.id, h.score) for h in many.search(q)]
    many.store.verify(full=True)
    f = next(own_seeds.glob("001*.txt"))  # and an update of it
    f.write_text(f.read_text("utf-8") + "\n第十四部分:夜间派件安全守则\n", "utf-8")
    updated = KnowledgeBase.index([own_seeds], tmp_path / "many")
    assert not updated.report.rebuilt and updated.store.doc_frequency("夜间") >= 1
    updated.store.verify(full=True)


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


def _old_whoosh(monkeypatch):
    """whoosh indexes written as kb wrote them before its text field kept no positions: the
    field analyses a string of postings (phrase=True: whoosh's Positions format), and the
    pipeline's fingerprint is that kb's."""
    from whoosh.fields import TEXT

    from kb import catalog
    from kb.store import whoosh_engine
    from kb.store.whoosh_analysis import PreAnalysed, encode

    new_schema = whoosh_engine.schema

    def old_schema():
        s = new_schema()
        s.remove("text")
        s.add("text", TEXT(analyzer=PreAnalysed(), phrase=True))
        return s

    monkeypatch.setattr(whoosh_engine, "schema", old_schema)
    monkeypatch.setattr(whoosh_engine.Whoosh, "prepare", staticmethod(lambda fields: encode(fields["text"])))
    monkeypatch.setattr(whoosh_engine, "SCHEMA", 1)
    catalog.pipeline_fingerprint.cache_clear()


def test_a_whoosh_index_keeps_no_positions_and_reads_as_one_that_kept_them(own_seeds, tmp_path):
    # kb reads a term's passages and weights and each passage's length, never a position
    pytest.importorskip("whoosh")
    from whoosh.formats import Existence

    from kb import catalog

    with pytest.MonkeyPatch.context() as mp:
        _old_whoosh(mp)
        old = KnowledgeBase.build([own_seeds], tmp_path / "old", engine="whoosh")
    catalog.pipeline_fingerprint.cache_clear()
    new = KnowledgeBase.build([own_seeds], tmp_path / "new", engine="whoosh")
    was, now = old.store.engine(), new.store.engine()
    assert isinstance(now._ix.schema["text"].format, Existence)
    assert not isinstance(was._ix.schema["text"].format, Existence)
    assert was.lengths() == now.lengths()
    for term in sorted(new.store.vocabulary())[::50] + ["客户", "投诉", "spin"]:
        assert was.postings(term) == now.postings(term)
    assert _engine_bytes(new.store.generation) < _engine_bytes(old.store.generation)


def _engine_bytes(gen) -> int:
    from kb.store.whoosh_engine import Whoosh

    return sum(f.stat().st_size for f in Whoosh().files(gen, data_only=True))


def test_a_whoosh_index_that_kept_positions_still_answers_and_is_rebuilt_by_an_update(own_seeds, tmp_path):
    # an index an older kb wrote opens and answers as a new one does; it is stale (another
    # pipeline), so `kb index` builds it again in full, never adding passages without positions
    # to a field that keeps them; a document can still be removed from it
    pytest.importorskip("whoosh")
    from whoosh.formats import Existence

    from kb import StaleKind, catalog

    index = tmp_path / "ix"
    with pytest.MonkeyPatch.context() as mp:
        _old_whoosh(mp)
        KnowledgeBase.build([own_seeds], index, engine="whoosh")
    catalog.pipeline_fingerprint.cache_clear()
    fresh = KnowledgeBase.build([own_seeds], tmp_path / "fresh", engine="whoosh")
    old = KnowledgeBase.open(index)
    assert old.staleness().kinds == {StaleKind.PIPELINE_CHANGED}
    for q in ("客诉处理有哪几个步骤", "SPIN提问法怎么用", "谈判时怎么让步"):
        assert [(h.passage.id, h.score) for h in old.search(q)] == [(h.passage.id, h.score) for h in fresh.search(q)]
    name = sorted(old.documents())[-1]
    assert name not in old.remove(name).documents()
    old.store.verify(full=True)
    f = next(own_seeds.glob("001*.txt"))
    f.write_text(f.read_text("utf-8") + "\n第十四部分:夜间派件安全守则\n", "utf-8")
    updated = KnowledgeBase.index([own_seeds], index)
    assert updated.report.rebuilt
    assert isinstance(updated.store.engine()._ix.schema["text"].format, Existence)
    assert updated.store.doc_frequency("夜间") >= 1
    updated.store.verify(full=True)


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
