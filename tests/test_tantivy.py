"""The tantivy engine (kb/store/tantivy_engine.py, `pip install 'kb[fast]'`): it holds what
whoosh holds, updates and removals keep it, the manifest names it, and an index that asks
for it where it is not installed says so in one line. Skipped where tantivy is not installed,
unless CI=true (then its absence fails)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli import main
from kb import EngineMissingError, KbError, KnowledgeBase
from kb.script import to_hans, to_hant
from kb.store import IndexStore, vocabulary
from kb.store.generations import live_name
from kb.store.records import Manifest, changed_files
from kb.store.scoring import kept_length

from .conftest import ROOT, SEEDS

if os.environ.get("CI") != "true":
    pytest.importorskip("tantivy", reason="the tantivy engine is an extra: pip install 'kb[fast]'")

QUERIES = ["客诉处理有哪几个步骤", "大客户关系发展有哪几个阶段", "SPIN提问法怎么用", "化訴為金那門課第三單元講什麼",
           "怎么跟客户道歉", "派前电动车检查要点"]


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict[str, KnowledgeBase]:
    """The seeds indexed with each engine."""
    root = tmp_path_factory.mktemp("engines")
    return {name: KnowledgeBase.build([SEEDS], root / name, engine=name) for name in ("whoosh", "tantivy")}


def ranked(kb: KnowledgeBase, query: str, limit: int = 10, **kw) -> list[tuple[str, float]]:
    return [(h.passage.id, round(h.score, 9)) for h in kb.search(query, limit=limit, **kw)]


def test_the_manifest_names_the_engine_and_a_reader_opens_it(both):
    for name, kb in both.items():
        assert Manifest.read(kb.store.generation).engine == name
        opened = KnowledgeBase.open(kb.store.root)
        assert opened.store.engine().name == name and opened.store.engine_name == name


def test_tantivy_holds_the_postings_lengths_and_records_whoosh_holds(both):
    w, t = both["whoosh"].store, both["tantivy"].store
    ew, et = w.engine(), t.engine()
    assert ew.doc_count() == et.doc_count() == len(ew.lengths()) > 100
    assert [kept_length(n) for n in et.lengths()] == ew.lengths()  # whoosh keeps them in a byte, tantivy exactly
    counts = vocabulary.read(t.generation)
    assert counts == vocabulary.read(w.generation)
    for term in counts:  # every term: the same passages, the same weights (the part boosts, at whoosh's precision)
        assert et.postings(term) == ew.postings(term), term
    for number in range(ew.doc_count()):
        assert et.stored(number) == ew.stored(number)
    doc = next(iter(both["tantivy"].documents()))
    for d, k in ((doc, None), (None, "script"), (doc, "steps")):
        assert et.matching(d, k) == ew.matching(d, k)
    assert et.postings("从未出现过的词") == ([], [])
    t.verify(full=True)


@pytest.mark.parametrize("query", QUERIES)
def test_both_engines_rank_alike(both, query):
    assert ranked(both["tantivy"], query) == ranked(both["whoosh"], query)
    assert ranked(both["tantivy"], query, kind="steps") == ranked(both["whoosh"], query, kind="steps")
    assert both["tantivy"].ask(query).to_json() == both["whoosh"].ask(query).to_json()


@pytest.mark.parametrize("query", QUERIES[:4])
def test_traditional_and_simplified_twins_give_the_same_top_five_with_tantivy(both, query):
    kb = both["tantivy"]
    assert [h.passage.id for h in kb.search(to_hans(query), limit=5)] == \
        [h.passage.id for h in kb.search(to_hant(query), limit=5)]


def test_an_update_keeps_tantivy_and_answers_as_a_fresh_build(own_seeds, tmp_path):
    index = tmp_path / "ix"
    KnowledgeBase.build([own_seeds], index, engine="tantivy")
    before = index / live_name(index)
    f = next(own_seeds.glob("001*.txt"))
    f.write_text(f.read_text("utf-8") + "\n第十四部分:夜间派件安全守则\n", "utf-8")
    next(own_seeds.glob("004*.txt")).unlink()
    updated = KnowledgeBase.index([own_seeds], index)
    assert (updated.report.rebuilt, updated.report.refreshed, updated.report.dropped) == (False, 1, 1)
    assert updated.store.engine_name == "tantivy"
    # the live generation's files were hard-linked, never written through
    assert changed_files(before, Manifest.read(before).files, full=True) == []
    fresh = KnowledgeBase.build([own_seeds], tmp_path / "fresh", engine="tantivy")
    assert vocabulary.read(updated.store.generation) == vocabulary.read(fresh.store.generation)
    assert "夜间派件安全守则" in updated.search("夜间派件安全守则", limit=1)[0].passage.text
    for query in QUERIES:
        assert ranked(updated, query) == ranked(fresh, query)
    assert not [h for h in updated.search("大客户开发", limit=20) if h.passage.doc.startswith("004")]
    updated.store.verify(full=True)


def test_a_removed_document_is_gone_from_tantivy(own_seeds, tmp_path):
    index = tmp_path / "ix"
    kb = KnowledgeBase.build([own_seeds], index, engine="tantivy")
    name = kb.resolve_doc("003")
    assert any(h.passage.doc == name for h in kb.search("投诉处理", limit=10))
    kb = kb.remove("003")
    assert kb.store.engine_name == "tantivy" and name not in kb.documents()
    assert not any(h.passage.doc == name for h in kb.search("投诉处理", limit=20))
    assert kb.store.engine().matching(name, None) == set()
    kb.store.verify(full=True)
    again = kb.rebuild()  # brought up to date: the removed file stays out, the engine stays
    assert again.store.engine_name == "tantivy" and name not in again.documents()


def test_the_cli_builds_with_the_engine_asked_for_and_keeps_it(own_seeds, tmp_path):
    index = str(tmp_path / "ix")
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(own_seeds), "--index", index, "--engine", "tantivy"]).exit_code == 0
    assert IndexStore(tmp_path / "ix").engine_name == "tantivy"
    r = runner.invoke(main, ["search", "客诉处理", "--index", index, "--json"])
    assert r.exit_code == 0 and '"results"' in r.stdout
    f = next(own_seeds.glob("002*.txt"))
    f.write_text(f.read_text("utf-8") + "\n第九部分:大客户回访\n", "utf-8")
    r = runner.invoke(main, ["index", str(own_seeds), "--index", index])
    assert r.exit_code == 0 and r.stdout.startswith("Updated") and IndexStore(tmp_path / "ix").engine_name == "tantivy"
    r = runner.invoke(main, ["index", str(own_seeds), "--index", index, "--full"])
    assert r.exit_code == 0 and IndexStore(tmp_path / "ix").engine_name == "tantivy"
    r = runner.invoke(main, ["index", str(own_seeds), "--index", index, "--engine", "whoosh"])  # another engine: rebuilt
    assert r.exit_code == 0 and r.stdout.startswith("Indexed") and IndexStore(tmp_path / "ix").engine_name == "whoosh"


def test_an_index_asking_for_tantivy_where_it_is_missing_says_so_in_one_line(both, monkeypatch, tmp_path):
    root = both["tantivy"].store.root
    code = ("import sys; sys.modules['tantivy'] = None; sys.argv = ['kb'] + sys.argv[1:]; "
            "from cli import main; main()")
    for args in (["search", "客诉处理"], ["index", str(SEEDS)], ["check"]):
        r = subprocess.run([sys.executable, "-c", code, *args, "--index", str(root)], cwd=ROOT,
                           capture_output=True, text=True)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "pip install 'kb[fast]'" in r.stderr
    r = subprocess.run([sys.executable, "-c", code, "index", str(SEEDS), "--engine", "tantivy", "--index",
                        str(tmp_path / "new")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [  # said before a file is read
        "Error: kb was asked for the tantivy engine, which is not installed here: pip install 'kb[fast]'"]
    monkeypatch.setitem(sys.modules, "tantivy", None)
    with pytest.raises(EngineMissingError, match="tantivy"):
        KnowledgeBase.open(root)


def test_an_unknown_engine_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_ENGINE", "lucene")
    with pytest.raises(KbError, match="KB_ENGINE"):
        KnowledgeBase.build([SEEDS], tmp_path / "ix")
    r = CliRunner().invoke(main, ["index", str(SEEDS), "--index", str(tmp_path / "ix"), "--engine", "lucene"])
    assert r.exit_code == 2 and "lucene" in r.stderr


def test_a_damaged_tantivy_index_is_built_again_with_tantivy(both, tmp_path):
    from kb.store.faults import engine_files

    ix = tmp_path / "ix"
    shutil.copytree(both["tantivy"].store.root, ix)
    for f in engine_files(ix, data_only=True):
        f.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2])  # cut short, as a full disk leaves it
    kb = KnowledgeBase.index([SEEDS], ix)  # no engine asked for: the one the damaged index was written with
    assert kb.report.rebuilt and kb.store.engine_name == "tantivy"
    assert ranked(kb, QUERIES[0]) == ranked(both["tantivy"], QUERIES[0])
