"""Query understanding: synonyms, spun-text repair, acronyms, spelling, the reader's script."""

import pytest
from click.testing import CliRunner

from cli import main
from kb.analysis import normalise_text, terms
from kb.lexicon import is_spun, repair, spin_map, synonym_groups, synonyms
from kb.answer import analyse_question
from kb.query import FRAMING, MORPHEME, MORPHEME_TOP, THESAURUS, understand

from .conftest import small_kb


def test_every_synonym_is_one_token_as_documents_are_analysed():
    for group in synonym_groups():
        for word in group:
            assert len(terms(word)) == 1, word


def test_synonyms_are_symmetric():
    table = synonyms()
    for word, others in table.items():
        for other in others:
            assert word in table[other]


def test_spin_repair_keeps_positions_and_runs_once():
    text = "客户赞扬的处置"
    fixed, spans = repair(text)
    assert fixed == "客户投诉的处理"
    assert len(fixed) == len(text) and len(spans) == 2
    # 处置→处理 and 处理→解决 are both in the map: a repaired word is not repaired again
    assert spin_map()["处置"] == "处理" and "解决" not in fixed


def test_only_the_spun_seed_is_recognised_as_spun(built):
    spun = {name for name, d in built.documents().items() if d["spun"]}
    assert spun == {"003_b79be88cefedbace.txt"}
    assert not is_spun("我们要赞扬那些表现优秀的快递员,他们的服务让客户非常满意。" * 20)
    # a short ordinary text with a few words that are in the spinner's map is not spun
    words = list(spin_map())[:6]
    short = "".join(f"这篇短文介绍一位歌手的生活{w}。" for w in words).ljust(310, "好")
    assert not is_spun(short)
    assert not is_spun("".join(words) * 60)  # dense, but six words repeated are no spinner's work


@pytest.mark.parametrize("query", ["投诉处理", "投诉处理技巧", "投诉处理的方法和步骤"])
def test_complaint_query_reaches_the_spun_documents_scripts(built, query):
    hits = built.search(query, limit=10)
    spun = [h for h in hits if h.passage.doc.startswith("003")]
    assert spun, [h.passage.ref for h in hits]
    # shown repaired, in the document's script: the words the spinner replaced are put back
    assert "«投訴" in spun[0].highlight or "«處理" in spun[0].highlight
    assert "贊揚" not in spun[0].highlight


def test_a_spun_passage_is_shown_and_answered_repaired_with_its_own_words_one_step_away(built):
    passage = next(p for p in built.passages("003_b79be88cefedbace.txt") if "效力精英" in p.text)
    assert passage.spun and "服務精英" in passage.repaired_text and "效力精英" not in passage.repaired_text
    assert passage.public_json()["repaired"] == passage.repaired_text
    assert passage.public_json()["text"] == passage.source_text  # the file's own words stay in the JSON
    answer = built.ask("服务精英的五力是什么")
    said, _, written = answer.answer.partition("〔原文:")
    # read repaired, then the file's own words for what was put back (kb.answer.render)
    assert answer.answered and "服务精英" in said and "效力" not in said and "效力" in written
    ordinary = next(p for p in built.passages("000_eada5ee40357fd85.txt"))
    assert ordinary.repaired_text == "" and ordinary.public_json()["repaired"] == ""


def test_praise_in_an_ordinary_document_is_not_a_complaint(tmp_path):
    kb = small_kb(tmp_path, {"praise.txt": "第一章 表扬信\n客户来信赞扬快递员服务周到,公司给予奖励。\n",
                             "complaint.txt": "第一章 投诉处理\n客户投诉快件破损,客服当天处理并赔付。\n"})
    assert not kb.documents()["praise.txt"]["spun"]
    assert [h.passage.doc for h in kb.search("投诉")] == ["complaint.txt"]


def test_exact_wording_outranks_a_synonym(tmp_path):
    kb = small_kb(tmp_path, {"a_synonym.txt": "第一章 流程\n投诉处理的流程:登记、核实、回复。\n",
                             "b_literal.txt": "第一章 流程\n客诉处理的流程:登记、核实、回复。\n"})
    hits = kb.search("客诉处理流程")
    assert [h.passage.doc for h in hits] == ["b_literal.txt", "a_synonym.txt"]


def test_colloquial_word_finds_the_authors_word(built):
    top = built.search("大客户为什么重要", limit=10)
    assert any("關鍵客戶" in h.passage.text or "重点客户" in h.passage.text for h in top)


@pytest.mark.parametrize("query, text", [("spin", "SPIN"), ("SPIN", "SPIN"), ("mot", "MOT"), ("5w2h", "5W2H"), ("80/20", "80/20")])
def test_acronyms_match_whole_and_case_insensitively(built, query, text):
    hits = built.search(query, limit=3)
    assert hits and text.lower() in hits[0].passage.text.lower()


def test_acronym_glued_to_chinese_is_found(built):
    assert any("關鍵時刻MOT" in h.passage.text for h in built.search("MOT", limit=5))


@pytest.mark.parametrize("typed, fixed", [("头诉处理原则", "投诉处理原则"), ("派件前电动车检差", "派件前电动车检查"), ("理解客户心情的画术", "理解客户心情的话术")])
def test_same_pinyin_typos_are_fixed(built, typed, fixed):
    assert built.explain(typed).corrected == fixed


@pytest.mark.parametrize("typed, fixed", [("FBAE法则", "FABE法则"), ("SPNI提问", "SPIN提问"), ("5w2g分析", "5w2h分析"), ("LSICA模型", "LSCIA模型")])
def test_letter_typos_are_fixed_one_edit_away(built, typed, fixed):
    assert built.explain(typed).corrected == fixed


@pytest.mark.parametrize("query", ["FABE法则", "abc", "xyzzy模型"])
def test_known_or_far_letter_words_are_not_fixed(built, query):
    assert built.explain(query).corrections == ()


def test_edit_distance_counts_a_swap_as_one():
    from kb.spelling import edits as _edits

    assert [_edits("fbae", "fabe"), _edits("spin", "spn"), _edits("5w2g", "5w2h"), _edits("fabe", "smart")] == [1, 1, 1, 4]


def test_a_cut_the_corpus_would_not_make_is_read_again(built):
    from kb.query import understand

    # jieba cuts 做客|服 (客服 is rare in its dictionary); the corpus knows 做 and 客服
    words = [g.word for g in understand("做客服要有什么样的心态", built.store).groups]
    assert "客服" in words and "做客" not in words and "服" not in words


def test_the_thesaurus_holds_cilins_synonym_groups():
    from kb.lexicon import thesaurus

    t = thesaurus()
    assert len(t) > 40_000 and "心境" in t["心情"] and "本领" in t["本事"]


def test_thesaurus_synonyms_stand_in_only_for_words_the_corpus_lacks(built):
    from kb.query import THESAURUS, understand

    lacks = {g.word: g for g in understand("经理要遵守哪些守则", built.store).groups}["守则"]
    assert ("规则", THESAURUS, "thesaurus") in [(a.term, a.weight, a.kind) for a in lacks.alternatives]
    assert all(len(a.term) > 1 for a in lacks.alternatives)  # no one-character synonyms
    has = {g.word: g for g in understand("客户的心情", built.store).groups}["心情"]
    assert not [a for a in has.alternatives if a.kind == "thesaurus"]  # the corpus says 心情


def test_a_word_read_only_as_single_characters_stays_one_word(built):
    from kb.query import PART, understand

    groups = {g.word: g for g in understand("SPIN提问分哪四类问题", built.store).groups}
    assert "四类" in groups and "四" not in groups and "类" not in groups
    assert [(a.term, a.weight, a.kind) for a in groups["四类"].alternatives[1:]] == [("四", PART, "part"), ("类", PART, "part")]


def test_a_real_word_the_corpus_lacks_is_not_a_typo(built):
    assert built.explain("接手客户投诉").corrections == ()


def test_typo_query_still_finds_the_intended_passage(built):
    assert "投诉" in built.search("头诉处理原则", limit=1)[0].passage.text


def test_fix_runs_the_corrected_query(built):
    result = built.lookup("头诉处理原则", limit=3, fix=True)
    assert result.fixed and result.query == "投诉处理原则"


def test_explain_shows_tokens_expansions_and_fixes(own_index):
    r = CliRunner().invoke(main, ["search", "头诉处理原则", "--explain", "-n", "1", "--index", str(own_index)])
    assert r.exit_code == 0
    assert "spelling: 头诉 → 投诉" in r.output
    assert "客诉 0.70 (synonym of 投诉)" in r.output
    assert "spun text: 投诉 also matches 赞扬" in r.output
    assert "Did you mean: 投诉处理原则" in r.stderr


def test_explain_shows_framing_words_thesaurus_and_lists(own_index):
    r = CliRunner().invoke(main, ["search", "大客户经理为什么要遵守哪些守则", "--explain", "-n", "1", "--index", str(own_index)])
    assert r.exit_code == 0
    assert "为什么 1.00 (query) [frames the question: counts 0.30]" in r.output
    assert "规则 0.50 (thesaurus synonym of 守则)" in r.output
    r = CliRunner().invoke(main, ["search", "客诉处理有哪几个步骤", "--explain", "-n", "1", "--index", str(own_index)])
    assert "asks for a list of: 步骤" in r.output


@pytest.mark.parametrize("script, expect", [("hant", "處理"), ("hans", "处理")])
def test_script_option_renders_snippets_in_the_readers_script(own_index, script, expect):
    r = CliRunner().invoke(main, ["search", "客户投诉处理原则", "-n", "1", "--script", script, "--index", str(own_index)])
    assert r.exit_code == 0 and expect in r.output.splitlines()[2]


def test_auto_script_follows_the_query(own_index):
    r = CliRunner().invoke(main, ["search", "顧客抱怨投訴處理的步驟", "-n", "1", "--snippet", "0",
                                 "--index", str(own_index)])
    snippet = r.output.splitlines()[2]
    assert "處理" in snippet and "处理" not in snippet


def test_a_word_nothing_stands_in_for_reaches_corpus_words_sharing_its_characters(tmp_path):
    # 址 (派件址: the delivery address) is no corpus word and has no synonym; 地址 shares it
    kb = small_kb(tmp_path, {
        "a.txt": "第二节 地址变更\n快件发出后客户要求变更收件地址,先核实身份,再联系派件网点修改。\n",
        "b.txt": "第一章 派件\n快递员派件前要检查车辆,确认快件数量与派送路线,注意交通安全。\n",
    })
    plan = understand("派件址", kb.store)
    group = next(g for g in plan.groups if g.word == "址")
    near = {a.term: a for a in group.alternatives if a.why.startswith("shares a character")}
    assert "地址" in near and near["地址"].weight == MORPHEME < THESAURUS
    assert len(near) <= MORPHEME_TOP
    # b.txt says 派件 twice and a.txt once: 地址 puts a.txt first
    assert [h.passage.doc for h in kb.search("派件址")] == ["a.txt", "b.txt"]


def test_a_word_with_a_stand_in_does_not_reach_for_shared_characters(built):
    # 客诉 has its synonym 投诉: characters it shares with other words (客户, 诉求) are not asked
    plan = understand("客诉", built.store)
    assert not any(a.why.startswith("shares a character") for g in plan.groups for a in g.alternatives)


def test_shared_characters_count_by_how_telling_they_are(tmp_path):
    # 钱 is in four of this corpus's words, 退 in one: 退款 says more of 退钱 than 赚钱 does
    from kb.spelling import speller_of

    kb = small_kb(tmp_path, {"a.txt": "第一章 费用\n客户申请退款。快递员赚钱靠揽件,价钱要公道,金钱往来要记账,钱包要收好。\n"})
    near = [w for w, _ in speller_of(kb.store).sharing("退钱")]
    assert near[0] == "退款" and set(near) >= {"赚钱", "价钱", "金钱"}


def test_colloquial_forms_read_as_standard_chinese():
    from kb.lexicon import standard

    assert standard(normalise_text("我哋唔要")) == "我们不要"
    assert standard(normalise_text("佢冇簽收")) == "他没有签收"
    assert standard("客户投诉怎么处理") == "客户投诉怎么处理"  # standard text is left as it is
    # 唔好 is 不要, but 唔好意思 is 不好意思 and 好唔好 is 好不好, not 不要意思, 好不要
    assert standard(normalise_text("真係唔好意思，你話好唔好")) == "真系不好意思,你话好不好"


def test_colloquial_forms_are_not_read_across_standard_words():
    """点解 is Cantonese for 为什么, but 网点解决 is 网点 + 解决 and 重点处理 is 重点 + 处理: a
    form is not read where words standard Chinese writes run across it (kb.lexicon.standard)."""
    from kb.lexicon import standard

    for mandarin in ("网点解决不了客户的问题", "一点解释都没有", "重点处理投诉", "海边度假村", "个人客户", "然而家里没人"):
        assert standard(mandarin) == mandarin, mandarin
    assert standard(normalise_text("網點解決唔到點算")) == "网点解决不到怎么办"
    assert standard(normalise_text("請問點解未到")) == "请问为什么未到"
    assert standard(normalise_text("易碎品要點樣包")) == "易碎品要怎样包"  # 要点 is a word, 样包 none
    # a one-character form ending a word is the word's: 揀 (Cantonese for 挑选) in 分揀機 is 分拣's
    for text in ("什么样的包裹不能放上自动分拣机", "分揀中心幾點開工"):
        assert "分拣" in standard(normalise_text(text)), text
    assert standard(normalise_text("你揀邊個")) == "你挑选谁"


def test_cantonese_particles_are_read_as_a_pause():
    """㗎, 喎, 啩 carry a Cantonese sentence's tone, not its topic: read as a pause."""
    from kb.lexicon import standard

    assert standard(normalise_text("要加錢㗎")).strip() == "要加钱"
    assert standard(normalise_text("佢話唔收喎點算")) == "他话不收 怎么办"
    assert "啩" not in standard(normalise_text("應該今日到啩"))


def test_a_cantonese_query_is_understood_as_its_mandarin_twin(built):
    cantonese = understand("客人話個包裹唔見咗", built.store)
    words = {g.word for g in cantonese.groups}
    assert not words & {"唔", "咗", "哋"} and "不见" in words
    bridged = {a.term for g in cantonese.groups for a in g.alternatives if a.why.startswith("phrasebook")}
    mandarin = understand("客人说包裹不见了", built.store)
    assert bridged and bridged <= {a.term for g in mandarin.groups for a in g.alternatives}
    assert cantonese.text == "客人話個包裹唔見咗"  # shown as typed


def test_a_framing_word_reaches_for_no_topic_words(built):
    plan = understand("客户投诉怎么办", built.store)
    framing = next(g for g in plan.groups if g.word == "怎么办")
    assert framing.weight == FRAMING
    assert [a.term for a in framing.alternatives] == ["怎么办"]


@pytest.mark.parametrize("query, modal", [("充电宝必须走陆运吗", "必须"), ("新人需要考几科才能上岗", "需要"),
                                         ("锂电池不能寄的原因", "不能"), ("客户想寄白酒有啥限制", "想"),
                                         ("客户愿意换快递吗", "愿意")])
def test_a_modal_verb_frames_a_query_and_is_no_topic(built, query, modal):
    """What may, must or can be done frames a question; the material states the rule without it."""
    from kb.answer import analyse_question

    plan = understand(query, built.store)
    assert next(g for g in plan.groups if g.word == modal).weight == FRAMING
    assert modal not in {t for group in analyse_question(query).topic for t in group}


def test_wanting_a_thing_is_no_modal(built):
    """想要 takes a thing (他想要啥: what he wants is the topic), unlike 想 before a verb."""
    plan = understand("我咋摸清他想要啥", built.store)
    assert next(g for g in plan.groups if g.word == "想要").weight == 1.0


@pytest.mark.parametrize("query, total", [("收件验视一共有哪几步", "一共"), ("投诉处理总共几个环节", "总共")])
def test_an_adverb_of_the_total_frames_a_count(built, query, total):
    """How many in all (一共, 总共) asks a count; the material lists the items without it."""
    from kb.answer import analyse_question

    plan = understand(query, built.store)
    assert next(g for g in plan.groups if g.word == total).weight == FRAMING
    assert total not in {t for group in analyse_question(query).topic for t in group}


@pytest.mark.parametrize("query, adverb", [("客户一直催件怎么回", "一直"), ("老板总是压价", "总是")])
def test_an_adverb_of_frequency_frames_a_query(built, query, adverb):
    """How often something happens (一直, 总是, 经常) never says what it is."""
    plan = understand(query, built.store)
    assert next(g for g in plan.groups if g.word == adverb).weight == FRAMING


def test_every_stand_in_says_its_kind(built):
    # kinds are told apart by Alternative.kind, never by weight (two kinds may weigh the same:
    # a synonym and a phrasebook bridge, a spelling fix's replaced character and a morpheme)
    from kb.plan import KINDS

    queries = ("客诉处理有哪几个步骤", "头诉处理原则", "经理要遵守哪些守则", "SPIN提问分哪四类问题",
               "客人说不退钱怎么办", "投诉处理流程")
    kinds = {a.why: a.kind for q in queries for g in understand(q, built.store).groups for a in g.alternatives}
    assert set(kinds.values()) <= set(KINDS)
    assert {kinds[w] for w in kinds if w.startswith("spelling:")} == {"spelling"}
    assert {kinds[w] for w in kinds if w.startswith("synonym of")} == {"synonym"}
    assert {kinds[w] for w in kinds if w.startswith("thesaurus synonym")} == {"thesaurus"}
    assert {kinds[w] for w in kinds if w.startswith("phrasebook [")} <= {"phrasebook", "piece"}


@pytest.mark.parametrize("words, value", [("三千", 3000), ("两万五", 25000), ("一百二", 120), ("十二", 12),
                                          ("一百零五", 105), ("三十万", 300000), ("客户", None)])
def test_numbers_in_words_are_read(words, value):
    from kb.query import number_in_words

    assert number_in_words(words) == value


def test_a_value_said_in_words_is_found_where_the_documents_write_digits(tmp_path):
    """三千块 is 3000元 to the documents: search finds the passage saying 3000元, and the answer
    holds the question's value there (not a missing word that declines it)."""
    kb = small_kb(tmp_path, {"理赔.md": (
        "# 理赔规范\n\n## 审批\n\n单笔赔款超过3000元的，须报分公司质量管理部审批，网点不得自行赔付。\n\n"
        "## 回访\n\n赔付完成后三日内电话回访客户，确认无异议后结案。\n\n"
        "## 时限\n\n理赔申请应在快件寄出之日起一年内提出，逾期不予受理。\n"
    )})
    plan = kb.explain("赔款超过三千块谁审批")
    assert any(a.term == "3000元" for g in plan.groups for a in g.alternatives)
    a = kb.ask("赔款超过三千块要谁审批")
    assert a.answered and "质量管理部" in a.answer


def test_an_adverb_of_order_frames_and_after_or_again_stays_topic(built):
    """先 (我想先拖一拖, 要先摸清) says when, not what: it weighs as a question word and is no
    topic of an answer; 后 and 再 also say after and again (瓜分后, 再变为平局) and stay."""
    plan = understand("客户狮子大开口 我想先拖一拖要怎么回", built.store)
    assert {g.word: g.weight for g in plan.groups}.get("先") == FRAMING
    words = {t for group in analyse_question("我想先拖一拖要怎么回").topic for t in group}
    assert "先" not in words and "拖" in words
    words = {t for group in analyse_question("东罗马帝国遭到瓜分后，哪个国家宣称继承?").topic for t in group}
    assert "后" in words
