import os

import pytest

from kb import IndexCorruptError, IndexMissingError, KbError, KnowledgeBase

from kb.store.faults import live_marker, set_live_marker
from kb.store.generations import live_name

from .conftest import ROOT, small_kb


def test_build_reports_documents_and_passages(built):
    r = built.report
    assert r.documents == 5
    assert r.passages > 100
    assert r.skipped == ()
    assert len(built.documents()) == 5


def test_index_records_corpus_fingerprint_and_analyzer(built):
    meta = built.store.meta
    assert len(meta["sources"]) == 5
    assert all(len(s["sha256"]) == 64 for s in meta["sources"])
    assert meta["pipeline"]


def test_open_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissingError, match="kb index"):
        KnowledgeBase.open(tmp_path / "nowhere")


def test_corrupt_current_pointer_is_reported(own_index):
    set_live_marker(own_index, "gen-999999\n")
    with pytest.raises(IndexCorruptError, match="rebuild"):
        KnowledgeBase.open(own_index)


def test_damaged_engine_files_are_reported_not_a_traceback(own_index):
    from kb.store.faults import engine_files

    for f in engine_files(own_index):
        f.write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError):  # on open, by the files' sizes, or at the first search
        KnowledgeBase.open(own_index).search("客诉处理")


def test_failed_build_leaves_the_old_index_live(own_index, tmp_path):
    before = live_marker(own_index)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(KbError, match="unchanged"):
        KnowledgeBase.build([empty], own_index)
    assert live_marker(own_index) == before
    assert KnowledgeBase.open(own_index).search("客诉处理", limit=1)


def test_rebuild_swaps_generations_and_keeps_one_previous(own_seeds, tmp_path):
    index = tmp_path / "ix"
    for _ in range(3):
        KnowledgeBase.build([own_seeds], index)
    gens = sorted(p.name for p in index.glob("gen-*"))
    assert len(gens) == 2
    assert live_name(index) == gens[-1]
    assert not list(index.glob("building-*"))


def test_reader_on_the_old_generation_keeps_working_during_a_rebuild(own_seeds, tmp_path):
    index = tmp_path / "ix"
    KnowledgeBase.build([own_seeds], index)
    reader = KnowledgeBase.open(index)
    first = [h.passage.id for h in reader.search("派前电动车检查要点", limit=3)]
    KnowledgeBase.build([own_seeds], index)
    assert [h.passage.id for h in reader.search("派前电动车检查要点", limit=3)] == first


def test_changed_file_makes_the_index_stale(own_seeds, tmp_path):
    index = tmp_path / "ix"
    kb = KnowledgeBase.build([own_seeds], index)
    assert kb.stale_reasons() == []
    f = next(own_seeds.glob("001*.txt"))
    f.write_text(f.read_text("utf-8") + "\n新增一段:客户回访话术,您好,我是快递公司的客服,上周您反映的派送问题"
                 "已经处理完毕,想了解一下您对处理结果是否满意,还有哪些地方需要我们改进?\n", "utf-8")
    assert any("changed" in r for r in kb.stale_reasons())
    kb = kb.rebuild()
    assert kb.stale_reasons() == []
    assert any("客户回访话术" in h.passage.text for h in kb.search("客户回访话术", limit=3))


def test_new_and_removed_files_make_the_index_stale(own_seeds, tmp_path):
    index = tmp_path / "ix"
    kb = KnowledgeBase.build([own_seeds], index)
    (own_seeds / "005_new.txt").write_text("第一章 新课程\n派件时如何核对收件人身份", "utf-8")
    assert any("new file" in r for r in kb.stale_reasons())
    next(own_seeds.glob("004*.txt")).unlink()
    reasons = kb.stale_reasons()
    assert any("removed" in r for r in reasons)


def test_unreadable_file_is_skipped_and_the_rest_indexed(own_seeds, tmp_path):
    (own_seeds / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 100 + b"\x00")
    kb = KnowledgeBase.build([own_seeds], tmp_path / "ix")
    assert kb.report.documents == 5
    assert [os.path.basename(s.path) for s in kb.report.skipped] == ["broken.txt"]
    assert "broken.txt" in kb.report.skipped[0].reason


def test_folder_walk_skips_hidden_temp_and_unsupported_files(own_seeds, tmp_path):
    (own_seeds / ".hidden.txt").write_text("隐藏", "utf-8")
    (own_seeds / "~$deck.txt").write_text("临时", "utf-8")
    (own_seeds / "~$deck.pptx").write_bytes(b"PK")
    (own_seeds / "deck.key").write_bytes(b"PK")
    kb = KnowledgeBase.build([own_seeds], tmp_path / "ix")
    assert kb.report.documents == 5
    assert [s.reason for s in kb.report.skipped] == ["unsupported file type .key"]


@pytest.mark.parametrize("query", ["客户服务的步骤", "客户投诉处理", "大客户开发的技巧与客户关系", "SPIN"])
def test_numpy_and_python_scoring_give_the_same_candidates(built, monkeypatch, query):
    # a large library's postings are scored with numpy (kb.store.store.VECTOR_FROM; a small
    # one's from fewer, VECTOR_MIN): the same passages, in the same order, with the same scores
    # as the plain Python loop
    from kb.store import store as kb_store
    from kb.query import understand
    from kb.search import engine_weights, gather

    plan = understand(query, built.store)
    _, idf = gather(built.store, plan, 10)
    boosts = engine_weights(plan, idf)
    monkeypatch.setattr(kb_store, "VECTOR_FROM", 10 ** 9)
    monkeypatch.setattr(kb_store, "VECTOR_MIN", 10 ** 9)
    python = [(c.passage.id, round(c.score, 9)) for c in built.store.candidates(boosts, 10)]
    monkeypatch.setattr(kb_store, "VECTOR_FROM", 0)
    vectorised = [(c.passage.id, round(c.score, 9)) for c in built.store.candidates(boosts, 10)]
    assert python and vectorised == python
    filtered = built.store.candidates(boosts, 5, kind="steps")
    assert all(c.passage.kind == "steps" for c in filtered)


def test_a_generation_is_readable_by_whoever_may_read_the_index(tmp_path):
    import os
    import stat

    from kb import KnowledgeBase

    old = os.umask(0o022)
    try:
        kb = KnowledgeBase.build([ROOT / "seeds"], tmp_path / "ix")
    finally:
        os.umask(old)
    mode = stat.S_IMODE(os.stat(kb.store.generation).st_mode)
    assert mode == 0o755


# found by tests/test_fuzz.py: an id was split at its first '#', show took no ':' before it,
# and no line break in a name
@pytest.mark.parametrize("name", ["C#入门.txt", "x:y.txt", "line\nbreak.txt"])
def test_a_passage_of_a_file_with_an_odd_name_is_found_by_its_id_and_its_reference(tmp_path, name):
    kb = small_kb(tmp_path, {name: "客户投诉处理\n一、处理步骤\n先道歉再跟进\n"})
    for p in kb.passages():
        assert kb.passage(p.id) == p and kb.show(p.id) == p and kb.show(p.ref) == p


def test_a_build_tells_its_progress_over_every_phase_with_counts(tmp_path):
    from kb import ProgressStep

    steps: list[str] = []
    kb = KnowledgeBase.build([ROOT / "seeds"], tmp_path / "ix", progress=steps.append)
    assert all(isinstance(s, ProgressStep) for s in steps)
    assert [s.phase for s in steps] == sorted((s.phase for s in steps), key=["reading", "indexing", "saving"].index)
    reading = [s for s in steps if s.phase == "reading"]
    assert [(s.done, s.total) for s in reading] == [(i, 5) for i in range(1, 6)]
    indexing = [s for s in steps if s.phase == "indexing"]
    total = kb.report.passages
    assert indexing[0].done == 0 and indexing[-1].done == total and all(s.total == total for s in indexing)
    assert [s.done for s in indexing] == sorted(s.done for s in indexing) and len(indexing) <= 102
    assert steps[-1].phase == "saving" and steps[-1].done == total
    assert steps[0].startswith("[1/5] 000_") and steps[0].endswith(" passages")  # still a line of text


def test_bm25_ties_go_to_the_lower_place_and_come_all_at_the_cut():
    # four passages with the same posting and length tie; `order` (each passage's place by
    # identity) decides, in plain Python as with numpy, and the cut keeps every tie for the store
    import numpy as np

    from kb.store import scoring

    postings = {"退款": ([0, 1, 2, 3], [1.0, 1.0, 1.0, 1.0])}
    order = [3, 1, 2, 0]
    python = scoring.top_python(postings, {"退款": 1.0}, None, [5, 5, 5, 5], 5.0, 2, 1.2, 0.4, order)
    arrays = {"退款": (np.array([0, 1, 2, 3]), np.array([1.0] * 4))}
    vectorised = scoring.top_vectorised(arrays, {"退款": 1.0}, None, np.ones(4), 2, 1.2, 0.4, np.array(order))
    assert [n for n, _ in python] == [n for n, _ in vectorised] == [3, 1, 2, 0]
    assert [n for n, _ in scoring.top_python(postings, {"退款": 1.0}, None, [5] * 4, 5.0, 2, 1.2, 0.4)] == [0, 1]


def test_bm25_over_most_of_a_large_index_keeps_the_same_best_and_every_tie_at_the_cut():
    # a common term in most passages: numpy seeks the cut in a sample first (scoring.SAMPLE);
    # few distinct lengths and weights, so that many passages tie at it
    import random

    import numpy as np

    from kb.store import scoring

    rnd = random.Random(16)
    n = 20_000
    lengths = [rnd.choice([5, 8, 13]) for _ in range(n)]
    average = sum(lengths) / n
    postings = {}
    for term, share in (("客户", 0.9), ("投诉", 0.3), ("退款", 0.01)):
        ids = sorted(rnd.sample(range(n), int(n * share)))
        postings[term] = (ids, [float(rnd.choice([1, 2, 3])) for _ in ids])
    idfs = {"客户": 0.2, "投诉": 1.1, "退款": 3.0}
    order = [rnd.randrange(500) for _ in range(n)]
    arrays = {t: (np.array(ids), np.array(ws)) for t, (ids, ws) in postings.items()}
    rel = np.array(lengths, dtype=np.float64) / average
    kept = []
    for limit in (1, 20, 300):
        python = scoring.top_python(postings, idfs, None, lengths, average, limit, 1.2, 0.75, order)
        vectorised = scoring.top_vectorised(arrays, idfs, None, rel, limit, 1.2, 0.75, np.array(order))
        assert vectorised == python
        kept.append(len(python))
    assert kept[0] == 1 and kept[2] > 300  # ties at the last cut, all kept


def test_bm25_from_each_term_s_kept_divisors_scores_as_from_its_postings():
    # the store keeps each term's divisors (tf + the passage's length norm) across queries:
    # numpy then scores the same, bit for bit, as from the postings and the norms each query
    import random

    import numpy as np

    from kb.store import scoring

    rnd = random.Random(4)
    n = 3_000
    lengths = [rnd.randint(1, 400) for _ in range(n)]
    average = sum(lengths) / n
    rel = np.array(lengths, dtype=np.float64) / average
    order = np.array([rnd.randrange(200) for _ in range(n)])
    arrays = {}
    for term in ("客户", "投诉", "退款", "签收"):
        ids = np.array(sorted(rnd.sample(range(n), rnd.randint(1, n // 3))))
        arrays[term] = (ids, np.array([rnd.choice([1.0, 2.0, 2.5, 3.5]) for _ in ids]))
    for k1, b in ((1.2, 0.4), (2.0, 0.75)):
        norms = k1 * (1 - b + b * rel)
        divisors = {t: scoring.divisors(a, norms) for t, a in arrays.items()}
        for _ in range(20):
            idfs = {t: rnd.uniform(0.1, 5.0) for t in rnd.sample(sorted(arrays), rnd.randint(1, 4))}
            plain = scoring.top_vectorised(arrays, idfs, None, rel, 20, k1, b, order, norms)
            kept = scoring.top_vectorised(arrays, idfs, None, rel, 20, k1, b, order, norms, divisors)
            assert kept == plain == scoring.top_vectorised(arrays, idfs, None, rel, 20, k1, b, order)
            assert all(isinstance(number, int) and isinstance(score, float) for number, score in kept)
