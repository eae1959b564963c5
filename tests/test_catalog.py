"""The catalog (kb/catalog.py): what an index was built from, its typed staleness, and the one
fingerprint of everything at index time that shapes what is indexed."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from kb import KnowledgeBase, SkipKind, StaleKind
from kb import catalog
from kb.catalog import Catalog, digest, fingerprint_inputs, pipeline_fingerprint
from kb.store.generations import live_name

from .conftest import ROOT

DATA = Path(str(resources.files("kb.data")))
SPUN_DOC = ("第一章 客户服务\n客户服务的第一步是倾听客户的诉求,第二步是复述客户的问题,"
            "第三步是给出解决方案并跟进到底,让客户满意。\n")


def _docs(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text, "utf-8")
    return folder


@pytest.fixture()
def library(tmp_path) -> tuple[Path, KnowledgeBase]:
    folder = _docs(tmp_path, {
        "a.txt": SPUN_DOC,
        "b.md": "# 谈判技巧\n\n让步要有条件,每次让步都要换回对方的承诺。\n",
        "deck.key": b"PK",  # no reader takes it
        "broken.txt": b"\x00\x01\x02\xff\xfe" * 100 + b"\x00",  # a reader cannot use it
    })
    return folder, KnowledgeBase.build([folder], tmp_path / "ix")


@pytest.fixture()
def fresh_fingerprint():
    """A test that changes what the fingerprint reads starts and ends with it read afresh."""
    pipeline_fingerprint.cache_clear()
    yield
    pipeline_fingerprint.cache_clear()


# --- the manifest ---------------------------------------------------------------------------


def test_the_catalog_records_sources_documents_and_typed_skips(library):
    folder, kb = library
    cat = kb.catalog
    assert [s.name for s in cat.sources] == ["a.txt", "b.md"]
    a = cat.sources[0]
    assert a.path == str((folder / "a.txt").resolve()) and a.format == "txt" and len(a.sha256) == 64
    assert a.size == (folder / "a.txt").stat().st_size
    assert [s.format for s in cat.sources] == ["txt", "md"]
    assert cat.documents["b.md"]["title"] and cat.documents["a.txt"]["encoding"] == "utf-8"
    kinds = {Path(s.path).name: s.kind for s in cat.skipped}
    assert kinds == {"deck.key": SkipKind.UNSUPPORTED, "broken.txt": SkipKind.UNREADABLE}
    assert {Path(s.path).name: s.kind for s in kb.report.skipped} == kinds
    assert cat.inputs == (str(folder.resolve()),) and cat.pipeline == pipeline_fingerprint()


def test_the_catalog_is_frozen_and_reads_back_as_written(library):
    _, kb = library
    cat = kb.catalog
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat.pipeline = "other"  # type: ignore[misc]
    assert Catalog.from_meta(cat.to_meta()) == cat
    assert KnowledgeBase.open(kb.store.root).documents() == kb.documents() == dict(cat.documents)


def test_a_meta_json_that_holds_no_catalog_is_a_corrupt_index_that_kb_index_builds_again(library):
    import json

    from kb import IndexCorruptError

    folder, kb = library
    meta = kb.store.generation / "meta.json"
    data = json.loads(meta.read_text("utf-8"))
    meta.write_text(json.dumps({**data, "sources": [{"no": "path"}]}), "utf-8")
    with pytest.raises(IndexCorruptError, match="kb index --full"):
        KnowledgeBase.open(kb.store.root).documents()
    assert KnowledgeBase.index([folder], kb.store.root).report.rebuilt


# --- typed staleness ------------------------------------------------------------------------


def test_a_fresh_index_has_no_staleness(library):
    _, kb = library
    stale = kb.staleness()
    assert not stale and stale.reasons == () and kb.stale_reasons() == []


def test_added_changed_and_removed_files_are_typed_with_their_paths(library):
    folder, kb = library
    (folder / "c.txt").write_text("第一章 回访\n回访客户时先问候,再确认问题是否已经解决。\n", "utf-8")
    (folder / "a.txt").write_text(SPUN_DOC + "第四步是回访。\n", "utf-8")
    (folder / "b.md").unlink()
    stale = kb.staleness()
    assert stale.kinds == {StaleKind.ADDED, StaleKind.CHANGED, StaleKind.REMOVED}
    assert stale.paths(StaleKind.ADDED) == (str((folder / "c.txt").resolve()),)
    assert stale.paths(StaleKind.CHANGED) == (str((folder / "a.txt").resolve()),)
    assert stale.paths(StaleKind.REMOVED) == (str((folder / "b.md").resolve()),)
    assert not stale.full and not stale.inputs_missing
    assert kb.stale_reasons() == ["1 new file(s), e.g. c.txt", "1 file(s) removed, e.g. b.md",
                                  "1 file(s) changed, e.g. a.txt"]


def test_a_file_touched_but_not_changed_is_fresh(library):
    folder, kb = library
    a = folder / "a.txt"
    os.utime(a, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns + 10**9))
    assert not kb.staleness()


def test_a_skipped_file_is_not_new_until_it_changes(library):
    folder, kb = library
    assert not kb.staleness()
    (folder / "broken.txt").write_text("第一章 修好了\n夜间派件要核对收件人身份。\n", "utf-8")
    assert kb.staleness().paths(StaleKind.ADDED) == (str((folder / "broken.txt").resolve()),)


def test_a_missing_input_folder_is_typed_and_the_cli_answers_without_rebuilding(library):
    folder, kb = library
    index = kb.store.root
    shutil.rmtree(folder)
    stale = kb.staleness()
    assert stale.inputs_missing and stale.paths(StaleKind.INPUTS_MISSING) == (str(folder.resolve()),)
    before = live_name(index)
    r = CliRunner().invoke(main, ["search", "让步", "--index", str(index)])
    assert "answering from the index as built" in r.stderr and "indexed path(s) gone" in r.stderr
    assert live_name(index) == before and "让步" in r.stdout


def test_a_changed_questions_file_is_typed_and_needs_a_full_build(library):
    folder, kb = library
    (folder / "typical_questions.txt").write_text("a.txt\t客户服务分几步\n", "utf-8")
    stale = kb.staleness()
    assert stale.kinds == {StaleKind.QUESTIONS_CHANGED} and stale.full
    assert KnowledgeBase.index([folder], kb.store.root).report.rebuilt


# --- the pipeline's fingerprint -------------------------------------------------------------


def test_an_index_built_under_another_fingerprint_is_stale_and_rebuilt_in_full(library, monkeypatch, fresh_fingerprint):
    folder, kb = library
    index = kb.store.root
    monkeypatch.setattr(catalog, "pipeline_fingerprint", lambda: "another pipeline")
    stale = KnowledgeBase.open(index).staleness()
    assert stale.kinds == {StaleKind.PIPELINE_CHANGED} and stale.full and not stale.inputs_missing
    assert "pipeline" in str(stale)
    # `kb search` sees it, builds the index again in full, then answers
    before = live_name(index)
    r = CliRunner().invoke(main, ["search", "让步", "--index", str(index)])
    assert r.exit_code == 0 and "out of date (the indexing pipeline" in r.stderr and "让步" in r.stdout
    assert live_name(index) != before
    rebuilt = KnowledgeBase.open(index)
    assert rebuilt.catalog.pipeline == "another pipeline" and not rebuilt.staleness()
    monkeypatch.undo()  # the pipeline as shipped: `kb index` builds in full, not an update
    assert KnowledgeBase.open(index).staleness().kinds == {StaleKind.PIPELINE_CHANGED}
    report = KnowledgeBase.index([folder], index).report
    assert report.rebuilt and sorted(report.added) == ["a.txt", "b.md"]


@pytest.mark.parametrize("module, name, value", [
    ("kb.structure", "MAX_PASSAGE", 401),
    ("kb.passages", "MAX_TEXT", 801),
    ("kb.passages", "WINDOW", 601),
    ("kb.lexicon", "MIN_SPUN_WORDS", 21),
    ("kb.lexicon", "SPUN_DENSITY", 12.5),
    ("kb.clean", "RUN_ON", 201),
    ("kb.clean", "MOJIBAKE_RARE", 4),
    ("kb.ingest", "MAX_CHARS", 1000),
    ("kb.formats", "MAX_BYTES", {"txt": 1}),
    ("kb.formats.pdf", "RUNNING_SHARE", 0.5),
    ("kb.store.fields", "PART_BOOSTS", (1.0, 2.0, 0.5, 1.0)),
    ("kb.analysis", "ANALYZER_VERSION", "2"),
    ("kb.script", "_T2S_ALGORITHM", "t2s 2"),
    ("kb.store.store", "FORMAT", 99),
    ("kb.store.whoosh_engine", "SCHEMA", 1),
    ("kb.measures", "UNITS", ("元",)),
])
def test_the_fingerprint_follows_every_index_time_constant(monkeypatch, fresh_fingerprint, module, name, value):
    from importlib import import_module

    before = pipeline_fingerprint()
    target = import_module(module)
    monkeypatch.setattr(target, name, value)
    if module == "kb.store.store":  # read through the package
        monkeypatch.setattr(import_module("kb.store"), name, value)
    pipeline_fingerprint.cache_clear()
    assert pipeline_fingerprint() != before


def test_every_reader_is_an_index_time_module():
    """A reader's constants shape what is indexed: each one's are in the fingerprint."""
    from kb.catalog import INDEX_TIME_MODULES
    from kb.formats import READERS

    assert {f"kb.formats.{module}" for _, module in READERS.values()} <= set(INDEX_TIME_MODULES)


def test_constants_that_only_steer_the_work_leave_the_fingerprint_alone(monkeypatch, fresh_fingerprint):
    import kb.build
    import kb.ingest

    before = pipeline_fingerprint()
    monkeypatch.setattr(kb.ingest, "PARALLEL_INGEST", 1)
    monkeypatch.setattr(kb.build, "PARALLEL_INDEX", 1)
    pipeline_fingerprint.cache_clear()
    assert pipeline_fingerprint() == before


def test_how_a_question_is_read_leaves_the_fingerprint_alone(monkeypatch, fresh_fingerprint):
    """kb.asking's grammar (what a question asks a figure or a rule in) is read only at query
    time: changing it must not make every index stale. The unit tables it is built on, which
    the build reads, stay in the fingerprint (the test above, kb.measures)."""
    import kb.asking

    before = pipeline_fingerprint()
    monkeypatch.setattr(kb.asking, "ASKED", (("money", "多少钱"),))
    monkeypatch.setattr(kb.asking, "RULE_WORDS", "不得")
    pipeline_fingerprint.cache_clear()
    assert pipeline_fingerprint() == before
    assert not any(key.startswith("const:kb.asking") or key.endswith((".ASKED", ".STATED", ".ASKS_LEAVE"))
                   for key in fingerprint_inputs())


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("data") / "data"
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.mark.parametrize("name", catalog.INDEX_TIME_DATA)
def test_the_fingerprint_follows_every_index_time_data_file(data_copy, name):
    before = digest(fingerprint_inputs(data_copy))
    assert before == digest(fingerprint_inputs())  # the copy fingerprints as the package's own
    path = data_copy / name
    original = path.read_bytes()
    try:
        path.write_bytes(original + "\n# one more line\n".encode())
        assert digest(fingerprint_inputs(data_copy)) != before
    finally:
        path.write_bytes(original)


def test_the_fingerprint_follows_the_indexed_boosts_of_ranking_toml_only(data_copy):
    path = data_copy / "ranking.toml"
    original = path.read_text("utf-8")
    before = digest(fingerprint_inputs(data_copy))
    try:
        assert "[fields]" in original and "heading = 1.3" in original
        path.write_text(original.replace("heading = 1.3", "heading = 1.4"), "utf-8")
        assert digest(fingerprint_inputs(data_copy)) != before
        path.write_text(original + "\n[unused]\nx = 1\n", "utf-8")  # a query-time table: no new index
        assert digest(fingerprint_inputs(data_copy)) == before
    finally:
        path.write_text(original, "utf-8")


def test_query_time_data_files_leave_the_fingerprint_alone(data_copy):
    before = digest(fingerprint_inputs(data_copy))
    path = data_copy / "synonyms.txt"
    original = path.read_bytes()
    try:
        path.write_bytes(original + "客诉 投诉\n".encode())
        assert digest(fingerprint_inputs(data_copy)) == before
    finally:
        path.write_bytes(original)


def test_every_data_file_is_either_fingerprinted_or_not_read_at_index_time():
    """A new file in kb/data must be placed: read at index time (then fingerprinted) or not."""
    files = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*")
             if p.is_file() and p.suffix != ".pyc" and p.name != "__init__.py"}
    index_time = set(catalog.INDEX_TIME_DATA) | {catalog.INDEX_TIME_TABLES[0]}
    assert files == index_time | catalog.QUERY_TIME_DATA | catalog.DATA_NOTES
    assert not set(catalog.INDEX_TIME_DATA) & catalog.QUERY_TIME_DATA


def test_every_data_file_a_build_opens_is_fingerprinted(tmp_path):
    """Read off the build path itself: a fresh process builds an index of the seeds and of
    one seed in every format kb reads, and records each file of kb/data it opens."""
    from .conftest import seed
    from .seed_formats import FORMATS, write

    formats = tmp_path / "formats"
    for fmt in FORMATS:
        write(seed("001"), formats, fmt)
    code = f"""
import sys
opened = set()
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and {str(DATA)!r} in args[0]:
        opened.add(args[0])
sys.addaudithook(hook)
from kb import KnowledgeBase
kb = KnowledgeBase.build([{str(ROOT / 'seeds')!r}, {str(formats)!r}], {str(tmp_path / 'ix')!r})
assert len(kb.documents()) == 5 + {len(FORMATS)}, kb.report.skipped
print("\\n".join(sorted(opened)))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KB_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    opened = {Path(line).relative_to(DATA).as_posix() for line in out.stdout.split()
              if not line.endswith((".py", ".pyc"))}  # the package's own module, kb.data
    assert {"kinds.txt", "userdict.txt", "stopwords.txt", "spin.txt", "boilerplate_lines.txt",
            "common_chars.txt", "opencc/TSCharacters.txt"} <= opened
    assert opened <= set(catalog.INDEX_TIME_DATA) | {catalog.INDEX_TIME_TABLES[0]}


def test_the_fingerprint_is_the_same_in_every_process():
    """Sets and dicts of constants are read in a fixed order, not string hashing's."""
    code = "from kb.catalog import pipeline_fingerprint; print(pipeline_fingerprint())"
    prints = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}).stdout.strip()
              for seed in ("1", "2", "3")}
    assert prints == {pipeline_fingerprint()}
