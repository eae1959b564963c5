"""Spelling fixes only where they fix something: never for text the corpus holds, found
without a scan of the vocabulary, and kept exact through updates (kb.spelling)."""

from array import array
from collections import Counter

import pytest

from kb import KnowledgeBase
from kb.store import searchable_text
from kb.spelling import PAIRS, CharPairs, add_pairs, pair_code, read_pair_counts, speller_of

from .conftest import small_kb

NAME = {"name.txt": "第一章 人物\n于乐是一位歌手,出道多年。\n",
        "trade.txt": "第一章 行业\n他从事娱乐工作,也写歌。\n"}


def _pairs_file(kb: KnowledgeBase):
    return kb.store.generation / PAIRS


def _recount(kb: KnowledgeBase) -> dict[int, int]:
    """The pair counts of the live passages, counted afresh."""
    counts: Counter = Counter()
    for p in kb.store.passages():
        add_pairs(counts, searchable_text(p))
    return dict(counts)


def test_a_name_jieba_cuts_into_characters_is_not_fixed(tmp_path):
    kb = small_kb(tmp_path, NAME)
    assert kb.explain("于乐").corrections == ()
    # what stops it is the text holding 于乐: a corpus word sounds the same (yu le)
    assert speller_of(kb.store).same_sound("于乐") == "娱乐"


def test_a_word_inside_a_longer_token_is_not_fixed(tmp_path):
    kb = small_kb(tmp_path, {"nba.txt": "第一章 球队\n洛杉矶湖人队赢得总冠军。\n",
                             "history.txt": "第一章 历史\n胡人南下,北方动荡。\n"})
    assert kb.store.doc_frequency("湖人") == 0  # jieba indexes 湖人队 whole
    assert kb.explain("湖人").corrections == ()
    assert speller_of(kb.store).same_sound("湖人") == "胡人"


def test_a_typo_the_text_never_holds_is_fixed(tmp_path):
    kb = small_kb(tmp_path, {"a.txt": "第一章 投诉\n客户投诉处理的原则:先处理情绪,再处理事情。\n"})
    plan = kb.explain("头诉处理原则")
    assert plan.corrections == (("头诉", "投诉"),)
    assert plan.corrected == "投诉处理原则"


@pytest.mark.parametrize("typed, fixed", [("fbae", "fabe"), ("5w2g", "5w2h"), ("fab", "fabe"), ("fabbe", "fabe"),
                                          ("FBAE法则", "FABE法则")])
def test_letter_words_one_edit_away_are_fixed(tmp_path, typed, fixed):
    kb = small_kb(tmp_path, {"a.txt": "第一章 方法\nFABE法则与5W2H分析是常用的方法。\n"})
    assert kb.explain(typed).corrected == fixed


@pytest.mark.parametrize("typed", ["fbea", "xyzw", "fa"])
def test_letter_words_further_away_or_short_are_left_alone(tmp_path, typed):
    kb = small_kb(tmp_path, {"a.txt": "第一章 方法\nFABE法则与5W2H分析是常用的方法。\n"})
    assert kb.explain(typed).corrections == ()


def test_pairs_are_adjacent_characters_of_one_line():
    counts: Counter = Counter()
    add_pairs(counts, "于乐\n歌手")
    pairs = CharPairs(array("I", sorted(counts)))
    assert pairs.holds("于乐") and pairs.holds("歌手")
    assert not pairs.holds("乐歌")  # across the line break
    assert pair_code("于", "乐") in counts
    three = CharPairs(array("I", sorted(pair_code(*p) for p in ("洛杉", "杉矶"))))
    assert three.holds("洛杉矶") and not three.holds("洛矶")


def test_an_index_without_the_pairs_file_still_answers(tmp_path):
    kb = small_kb(tmp_path, NAME)
    _pairs_file(kb).unlink()  # as an older kb built it
    old = KnowledgeBase.open(tmp_path / "ix")
    assert old.search("歌手")
    # it falls back to the token check: 于乐 is no token, so the old fix comes back
    assert old.explain("于乐").corrections == (("于乐", "娱乐"),)
    assert old.explain("头诉").corrections == ()  # nothing sounds like it: no fix, no error


def test_a_damaged_pairs_file_is_read_as_none(tmp_path):
    kb = small_kb(tmp_path, NAME)
    path = _pairs_file(kb)
    path.write_bytes(path.read_bytes()[:20])
    again = KnowledgeBase.open(tmp_path / "ix")
    assert again.explain("于乐").corrections == (("于乐", "娱乐"),)
    assert read_pair_counts(path) is None


def test_removing_a_document_removes_its_pairs(tmp_path):
    kb = small_kb(tmp_path, NAME)
    assert kb.explain("于乐").corrections == ()
    kb = kb.remove("name.txt")
    assert read_pair_counts(_pairs_file(kb)) == _recount(kb)
    assert kb.explain("于乐").corrections == (("于乐", "娱乐"),)


def test_an_update_keeps_the_counts_exact(tmp_path):
    kb = small_kb(tmp_path, NAME)
    before = _pairs_file(kb)
    written = before.read_bytes()
    docs = tmp_path / "docs"
    (docs / "name.txt").write_text("第一章 人物\n歌手出道多年,常写新歌。\n", "utf-8")
    (docs / "new.txt").write_text("第一章 新人\n于乐后来也做了制作人。\n", "utf-8")
    kb = KnowledgeBase.index([docs], tmp_path / "ix")
    assert kb.report.rebuilt is False  # an update, not a build from nothing
    assert _pairs_file(kb) != before and before.read_bytes() == written  # the previous generation is untouched
    assert read_pair_counts(_pairs_file(kb)) == _recount(kb)
    assert kb.explain("于乐").corrections == ()  # new.txt holds it now
    (docs / "new.txt").unlink()
    kb = KnowledgeBase.index([docs], tmp_path / "ix")
    assert kb.report.rebuilt is False
    assert read_pair_counts(_pairs_file(kb)) == _recount(kb)
    assert kb.explain("于乐").corrections == (("于乐", "娱乐"),)


def test_an_update_of_an_index_without_pairs_counts_them_afresh(tmp_path):
    kb = small_kb(tmp_path, NAME)
    _pairs_file(kb).unlink()
    (tmp_path / "docs" / "more.txt").write_text("第一章 更多\n她也是歌手。\n", "utf-8")
    kb = KnowledgeBase.index([tmp_path / "docs"], tmp_path / "ix")
    assert kb.report.rebuilt is False
    assert _pairs_file(kb).is_file()
    assert read_pair_counts(_pairs_file(kb)) == _recount(kb)
    assert kb.explain("于乐").corrections == ()


def test_the_spelling_index_is_built_once_per_store(tmp_path, monkeypatch):
    kb = small_kb(tmp_path, {"a.txt": "第一章 投诉\n客户投诉要及时处理,电动车要检查。\nFABE法则。\n"})
    store = kb.store
    calls = []
    real = store.vocabulary
    monkeypatch.setattr(store, "vocabulary", lambda: calls.append(1) or real())
    queries = ("头诉处理", "电动车检差", "fbae")
    assert [kb.explain(q).corrected for q in queries] == ["投诉处理", "电动车检查", "fabe"]
    built = len(calls)
    assert built <= 2  # the words by character, the letter words by deletion
    assert [kb.explain(q).corrected for q in queries * 3] == ["投诉处理", "电动车检查", "fabe"] * 3
    assert len(calls) == built  # later fixes never go through the vocabulary (the old code: every candidate)
    assert store.speller() is store.speller()
    speller = store.speller()
    store.close()
    assert store.speller() is not speller  # a new generation gets its own


def test_a_real_word_the_corpus_lacks_also_reaches_the_corpus_word_that_sounds_the_same(tmp_path):
    # a pinyin keyboard offers real words: 投宿 (to lodge) for 投诉 stands beside the word typed,
    # as a synonym would; the word itself is kept, a fix being only for what no dictionary knows
    from kb.query import SYNONYM, understand

    kb = small_kb(tmp_path, {
        "a.txt": "第三单元 投诉处理\n客户投诉时先倾听,再道歉,然后给出方案。\n",
        "b.txt": "第一章 派件\n快递员派件前检查车辆。\n",
    })
    group = next(g for g in understand("客人投宿怎么处理", kb.store).groups if g.word == "投宿")
    sounds = [a for a in group.alternatives if a.why == "sounds like 投宿"]
    assert [(a.term, a.weight, a.kind) for a in sounds] == [("投诉", SYNONYM, "sounds-like")]
    assert group.alternatives[0].term == "投宿"
    assert kb.search("客人投宿怎么处理")[0].passage.doc == "a.txt"
