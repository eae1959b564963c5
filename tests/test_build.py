"""kb/build.py: build, update, refresh and remove over real documents in a real index, each
saying what it did in a typed BuildReport."""

from __future__ import annotations

import pytest

from kb import BuildReport, KbError, KnowledgeBase, SkipKind
from kb import build
from kb.store import IndexStore
from kb.store.generations import live_name

DOCS = {
    "a.txt": "第一章 客户服务\n客户服务的第一步是倾听客户的诉求,第二步是复述客户的问题,第三步是给出解决方案。\n",
    "b.txt": "第一章 谈判技巧\n让步要有条件,每次让步都要换回对方的承诺,不要一次让到底线。\n",
    "c.txt": "第一章 投诉处理\n处理投诉时先道歉,再了解情况,最后给出补偿方案并跟进结果。\n",
}


@pytest.fixture()
def folder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, "utf-8")
    (docs / "notes.key").write_bytes(b"PK")
    return docs


def test_a_full_build_reports_every_document_as_added(folder, tmp_path):
    store = IndexStore(tmp_path / "ix")
    report = build.build(store, [folder])
    assert isinstance(report, BuildReport)
    assert report.rebuilt and report.added == ("a.txt", "b.txt", "c.txt") and report.changed == report.removed == ()
    assert report.documents == 3 and report.passages == report.indexed == store.manifest.passages > 0
    assert [(s.kind, s.reason) for s in report.skipped] == [(SkipKind.UNSUPPORTED, "unsupported file type .key")]
    assert report.seconds > 0 and not report.unchanged


def test_an_update_reports_what_was_added_changed_and_removed(folder, tmp_path):
    index = tmp_path / "ix"
    before = KnowledgeBase.build([folder], index)
    (folder / "a.txt").write_text(DOCS["a.txt"] + "第四步是回访,确认客户满意。\n", "utf-8")
    (folder / "d.txt").write_text("第一章 夜间派件\n夜间派件要核对收件人身份,核对后再请其签收。\n", "utf-8")
    (folder / "c.txt").unlink()
    messages = []
    kb = KnowledgeBase.index([folder], index, progress=messages.append)
    r = kb.report
    assert not r.rebuilt and r.added == ("d.txt",) and r.changed == ("a.txt",) and r.removed == ("c.txt",)
    assert (r.refreshed, r.dropped, r.documents) == (2, 1, 3)
    assert r.indexed == len(kb.passages("a.txt")) + len(kb.passages("d.txt"))
    assert r.passages == len(kb.passages()) == len(before.passages()) - 2 + r.indexed - len(before.passages("a.txt")) + 1
    assert "removed c.txt" in messages
    assert sorted(kb.documents()) == ["a.txt", "b.txt", "d.txt"]


def test_an_update_with_nothing_to_do_writes_nothing(folder, tmp_path):
    index = tmp_path / "ix"
    KnowledgeBase.build([folder], index)
    generation = live_name(index)
    r = KnowledgeBase.index([folder], index).report
    assert r.unchanged and r.documents == 3 and r.indexed == 0 and live_name(index) == generation
    assert [s.kind for s in r.skipped] == [SkipKind.UNSUPPORTED]


def test_remove_reports_the_document_dropped_and_refresh_keeps_it_out(folder, tmp_path):
    index = tmp_path / "ix"
    built = KnowledgeBase.build([folder], index)
    kept = len(built.passages()) - len(built.passages("b.txt"))
    kb = built.remove("b")
    r = kb.report
    assert r.removed == ("b.txt",) and not r.rebuilt and r.documents == 2
    assert r.passages == kept == len(kb.passages())
    assert kb.catalog.excluded == (str((folder / "b.txt").resolve()),)
    assert not kb.staleness()
    again = kb.rebuild()
    assert again.report.unchanged and "b.txt" not in again.documents()
    back = KnowledgeBase.index([folder], index)  # indexed by name again: back in
    assert back.report.added == ("b.txt",) and "b.txt" in back.documents()


def test_the_last_document_cannot_be_removed(tmp_path):
    docs = tmp_path / "one"
    docs.mkdir()
    (docs / "a.txt").write_text(DOCS["a.txt"], "utf-8")
    kb = KnowledgeBase.build([docs], tmp_path / "ix")
    with pytest.raises(KbError, match="only indexed document"):
        kb.remove("a.txt")


def test_a_folder_with_nothing_readable_leaves_the_index_as_it_was(folder, tmp_path):
    index = tmp_path / "ix"
    KnowledgeBase.build([folder], index)
    generation = live_name(index)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.key").write_bytes(b"PK")
    with pytest.raises(KbError, match="nothing to index .*unsupported file type .key.*unchanged"):
        KnowledgeBase.build([empty], index)
    assert live_name(index) == generation


def test_a_changed_file_that_no_longer_reads_is_skipped_and_its_old_passages_dropped(folder, tmp_path):
    index = tmp_path / "ix"
    KnowledgeBase.build([folder], index)
    (folder / "c.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 100 + b"\x00")
    kb = KnowledgeBase.index([folder], index)
    assert [(s.kind, s.path) for s in kb.report.skipped if s.kind is SkipKind.UNREADABLE] == \
        [(SkipKind.UNREADABLE, str((folder / "c.txt").resolve()))]
    assert "c.txt" not in kb.documents() and not kb.staleness()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_streamed_build_writes_the_generation_a_build_in_memory_writes(tmp_path, seeds_dir, monkeypatch, workers):
    # many files are streamed (read, analysed and written as they come); a few are read whole
    # first: the same passages, vocabulary, character pairs, typical questions and catalog
    import json
    import shutil

    from kb import ingest
    from kb.questions import QUESTIONS_FILE

    docs = tmp_path / "docs"
    shutil.copytree(seeds_dir, docs)
    (docs / QUESTIONS_FILE).write_text("001\t大客户是什么意思\nzz\t没有的文件\n", "utf-8")
    (docs / "broken.docx").write_bytes(b"PK not a zip")
    told: dict[str, list[str]] = {}
    stores = {}
    for way, parallel in (("whole", 100), ("streamed", 1)):
        monkeypatch.setattr(ingest, "PARALLEL_INGEST", parallel)
        stores[way] = IndexStore(tmp_path / way)
        told[way] = []
        build.build(stores[way], [docs], progress=told[way].append, workers=workers)
    whole, streamed = (s.generation for s in stores.values())
    for name in ("passages.jsonl", "vocabulary.tsv", "pairs.bin"):
        assert (whole / name).read_bytes() == (streamed / name).read_bytes(), name
    assert any("大客户是什么意思" in line for line in (streamed / "passages.jsonl").read_text("utf-8").splitlines())
    meta = [json.loads((g / "meta.json").read_text("utf-8")) for g in (whole, streamed)]
    for key in ("documents", "sources", "skipped", "questions", "passages"):
        assert meta[0][key] == meta[1][key], key
    assert sorted(m for m in told["whole"] if m.startswith("warning")) == \
        sorted(m for m in told["streamed"] if m.startswith("warning")) != []
