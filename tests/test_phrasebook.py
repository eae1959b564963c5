"""The phrasebook (kb/data/phrasebook.txt): what people say, bridged to the material's words."""

import re
from importlib import resources

import pytest

from kb.analysis import normalise_text
from kb.lexicon import phrasebook
from kb.query import FRAMING, PHRASEBOOK, PIECE, understand

from .conftest import small_kb


def _text() -> str:
    return resources.files("kb.data").joinpath("phrasebook.txt").read_text("utf-8")


def test_every_situation_says_where_its_words_come_from():
    lines = _text().splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("[")]
    assert len(headers) >= 50
    for i in headers:
        assert re.match(r"\[(agent|rep|trainer|world|ops|framing)\.[a-z0-9_]+\] \S", lines[i]), lines[i]
        assert lines[i + 1].startswith("# source:"), lines[i]


def test_the_phrasebook_holds_thousands_of_everyday_expressions():
    book = phrasebook()
    assert len(book) >= 2000  # distinct after conversion to Simplified
    assert book["退钱"].words and book[normalise_text("退錢")] == book["退钱"]  # either script
    assert book["咋办"].words == ()  # a framing, not a topic


def test_a_word_the_corpus_lacks_reaches_the_material_s_words(tmp_path):
    kb = small_kb(tmp_path, {
        "a.txt": "第一章 退款处理\n客户要求退款时,先核实订单与付款记录,再按公司规定办理退款或赔偿,并告知到账时间。\n",
        "b.txt": "第一章 派件\n快递员派件前要检查车辆,确认快件数量与派送路线,注意交通安全。\n",
    })
    plan = understand("客人要退钱", kb.store)
    bridged = {a.term: a for g in plan.groups for a in g.alternatives if a.why.startswith("phrasebook")}
    assert "退款" in bridged and bridged["退款"].weight == PHRASEBOOK and bridged["退款"].kind == "phrasebook"
    assert "[agent." in bridged["退款"].why and "退钱" in bridged["退款"].why  # --explain shows the bridge
    assert kb.search("客人要退钱")[0].passage.doc == "a.txt"


def test_a_material_word_the_corpus_lacks_reaches_the_words_given_beside_it(tmp_path):
    # 压价 is written on the right of the price-pressure lines (砍一刀, 讲价 … = 压价, 议价, 利润空间)
    # but this corpus never says it: the words those lines give with it stand in for it
    lines = [e for e in phrasebook().values() if "压价" in e.words]
    assert lines, "the phrasebook gives 压价 as a material word"
    kb = small_kb(tmp_path, {
        "a.txt": "第三节 报价\n报价时先了解对方的预算,再给出有条件的让步,价格不要一次降到底。\n",
        "b.txt": "第一章 派件\n快递员派件前要检查车辆,确认快件数量与派送路线,注意交通安全。\n",
    })
    plan = understand("客户压价", kb.store)
    group = next(g for g in plan.groups if g.word == "压价")
    kin = [a for a in group.alternatives if a.why.startswith("phrasebook: given with 压价")]
    assert kin and all(a.weight == PHRASEBOOK and a.kind == "kin" for a in kin)
    assert {a.term for a in kin} == {"价格"}
    assert kb.search("客户压价")[0].passage.doc == "a.txt"


def test_a_word_the_corpus_uses_is_not_bridged_away(tmp_path):
    kb = small_kb(tmp_path, {"a.txt": "第一章 退钱\n客户说要退钱的时候,先听客户把话说完,再核实订单,不要急于下结论。\n"})
    plan = understand("退钱", kb.store)
    assert not any(a.why.startswith("phrasebook") for g in plan.groups for a in g.alternatives)


def test_a_word_the_corpus_has_a_synonym_for_is_not_bridged_away(tmp_path):
    # 开场白 is not in this corpus, but its synonym 开场 is: the phrasebook's line for 开场怎么说
    # (= 开场白, 恰当开场, 问候) would only compete with it
    kb = small_kb(tmp_path, {"a.txt": "第二节 接听电话\n接起电话的开场要报出公司和工号,再问客户有什么需要。\n"})
    plan = understand("开场白怎么说", kb.store)
    group = next(g for g in plan.groups if g.word == "开场白")
    assert "开场" in group.terms()
    assert not any(a.why.startswith("phrasebook") for a in group.alternatives)


def test_a_material_phrase_stands_in_whole_and_its_words_only_as_pieces(tmp_path):
    # 聊家常 = 恰当开场, 融洽关系, 共同话题: the segmenter splits 恰当开场 into 恰当 and 开场; 开场
    # stands in as a piece of it, and 恰当, in every passage here, says nothing of openings
    assert "恰当开场" in phrasebook()["聊家常"].words
    kb = small_kb(tmp_path, {
        "a.txt": "第二单元 恰当开场\n拜访客户时先营造轻松的氛围,从对方关心的事情谈起。\n",
        "b.txt": "第一章 包装\n包装材料要选用恰当,恰当的填充能减少破损,封箱也要恰当。\n",
    })
    plan = understand("聊家常", kb.store)
    bridged = {a.term: a.weight for g in plan.groups for a in g.alternatives if a.why.startswith("phrasebook")}
    assert bridged["恰当开场"] == PHRASEBOOK and bridged["开场"] == PIECE < PHRASEBOOK
    assert "恰当" not in bridged
    assert kb.search("聊家常")[0].passage.doc == "a.txt"


def test_everyday_framing_weighs_as_a_question_word(built):
    plan = understand("客户投诉咋办", built.store)
    assert {g.word: g.weight for g in plan.groups}.get("咋办") == FRAMING


def test_ask_answers_an_apology_question_with_the_apology_step(built):
    answer = built.ask("怎么跟客户道歉")
    assert answer.answered and "致歉" in answer.answer


def test_ask_reads_a_customer_as_the_material_s_customer(built):
    answer = built.ask("客人投訴怎麼處理")
    assert answer.answered and "傾聽" in answer.answer


def test_an_expression_said_with_a_few_words_in_between_still_bridges(tmp_path):
    """People pad the phrases they know: 客户自己的错 says 客户的错 (agent.not_our_fault)."""
    kb = small_kb(tmp_path, {
        "a.txt": "第一章 巧妙的分辩\n责任在客户一方时,不与客户争吵,用巧妙的分辩说明误解,再给出解决办法。\n",
        "b.txt": "第一章 派件\n快递员派件前要检查车辆,确认快件数量与派送路线,注意交通安全。\n",
    })
    assert "客户的错" in phrasebook() and "自己的错" not in phrasebook()
    padded = understand("明明是客户自己的错", kb.store)
    bridged = {a.term for g in padded.groups for a in g.alternatives if "客户的错" in a.why}
    assert "分辩" in bridged or "巧妙" in bridged
    assert kb.search("明明是客户自己的错")[0].passage.doc == "a.txt"
    # too far apart is no longer the expression
    apart = understand("客户说我们的人做错了", kb.store)
    assert not any("客户的错" in a.why for g in apart.groups for a in g.alternatives)


def test_finding_something_wanting_reads_as_the_complaint_it_is(tmp_path):
    """嫌 (find it too …) is how callers and prospects complain: 嫌贵 is a price objection and
    嫌慢 a late parcel, with what they find wanting said in between (嫌运费贵)."""
    kb = small_kb(tmp_path, {
        "a.txt": "第一章 价格异议\n客户提出价格异议时,先认同再讲价值,议价要守住底线。\n",
        "b.txt": "第一章 延误处理\n送货延迟时,先致歉,说明原因并承诺时效。\n",
    })
    assert kb.search("老板嫌报价高")[0].passage.doc == "a.txt"
    assert kb.search("客人嫌慢")[0].passage.doc == "b.txt"
    assert any(a.term == "延误" for g in understand("客人嫌慢", kb.store).groups for a in g.alternatives)


def test_an_expression_is_said_only_on_word_edges(built):
    """比例会 (a proportion will …) does not hold 例会 (a routine meeting)."""
    from kb.query import _phrase_matches

    assert "例会" in phrasebook()
    assert not any(key == "例会" for key, _ in _phrase_matches("有多大比例会继续购买"))
    assert any(key == "例会" for key, _ in _phrase_matches("每周例会讲什么"))


def test_no_expression_repeats_a_synonym_group_s_word():
    # the header's rule: interchangeable words live in synonyms.txt, read at a synonym's weight;
    # the same word here too would also bridge it to the phrasebook's material words
    from kb.lexicon import phrasebook, synonym_groups

    synonyms = {w for group in synonym_groups() for w in group}
    assert not [key for key in phrasebook() if key in synonyms]


def _said_in(kb, word: str) -> dict[str, float]:
    """The stand-ins `word` gains from the phrasebook lines it is said in, with their weights."""
    group = next(g for g in understand(word, kb.store).groups if g.word == word)
    return {a.term: a.weight for a in group.alternatives if a.why.startswith("phrasebook: said in")}


@pytest.mark.parametrize("route", [
    "快递员派件前要检查车辆,确认快件数量与派送路线,注意交通安全。",
    "快递员到家派件前要检查车辆,家里没人时先打电话。",  # 家 of 别家 is a word here (家里)
])
def test_a_word_said_inside_several_expressions_reaches_what_they_mean(tmp_path, route):
    # 别家 is no expression of its own, but the competitor lines say it (比别家贵, 别家报价低,
    # 转投别家 …): a corpus without it reaches the material word those lines give most, even
    # where one of its characters (家) is a corpus word, which says nothing of competitors
    from kb.query import _expressions_by_word

    assert "别家" not in phrasebook() and len(_expressions_by_word()["别家"]) >= 2
    kb = small_kb(tmp_path, {
        "a.txt": "第三节 应对竞争对手\n面对竞争对手的低价,强调服务质量与时效,不要贬低对方。\n",
        "b.txt": f"第一章 派件\n{route}\n",
    })
    if "家里" in route:
        group = next(g for g in understand("别家", kb.store).groups if g.word == "别家")
        assert any(a.term == "家" for a in group.alternatives)
    assert _said_in(kb, "别家").get("竞争对手") == PHRASEBOOK
    assert kb.search("别家")[0].passage.doc == "a.txt"


def test_a_word_inside_a_name_gains_nothing_from_the_name(tmp_path):
    # 天天 is said inside the carrier name 天天快递 (the world's sections: companies, brands,
    # theories) and in one topic line (天天有人打电话); a name says nothing of the words inside it,
    # so 天天 (every day) is not read as a carrier or a competitor
    from kb.lexicon import phrasebook as entries
    from kb.query import _expressions_by_word

    names = [e for k, e in entries().items() if "天天" in k and e.section.startswith("world.")]
    assert names and "竞争对手" in names[0].words  # the name's line is there, and gives 竞争对手
    assert not any(e.section.startswith("world.") for e in _expressions_by_word().get("天天", ()))
    kb = small_kb(tmp_path, {
        "a.txt": "第三节 应对竞争对手\n面对竞争对手的低价,强调服务质量与时效,不要贬低对方。\n",
        "b.txt": "第一章 催件\n客户来电催件时,先查询物流轨迹,再告知预计送达时间。\n",
    })
    assert "竞争对手" not in _said_in(kb, "天天")
    assert kb.search("客户天天打电话来催")[0].passage.doc == "b.txt"


def test_ask_counts_a_material_phrase_the_index_splits_as_said(tmp_path):
    # 聊家常 = 恰当开场, …: the passage saying 恰当开场 holds what was asked, though the index
    # only knows 恰当 and 开场
    kb = small_kb(tmp_path, {
        "a.txt": "第二单元 恰当开场\n拜访客户时先营造轻松的氛围,从对方关心的事情谈起,再自然转入正题。\n",
        "b.txt": "第一章 包装\n包装材料要选用恰当,恰当的填充能减少破损,封箱也要恰当。\n",
    })
    answer = kb.ask("怎么聊家常")
    assert answer.answered and "恰当开场" in answer.answer
    assert "氛围" in answer.answer  # the title with the line under it, not the title alone


def test_a_word_with_only_a_thesaurus_synonym_still_reaches_what_the_expressions_mean(tmp_path):
    # 赚钱 is said in the phrasebook's lines on a network's earnings (网点赚钱, 不赚钱 …), which give
    # 经营效益; the general thesaurus only offers 盈利, which this corpus uses of something else
    kb = small_kb(tmp_path, {
        "a.txt": "单元二 经营效益提升管道\n提升网点经营效益的三条管道:增收、降本、提效。\n",
        "b.txt": "第一章 财务报表\n公司盈利情况按季度公布,报表由财务部审核。\n",
    })
    assert _said_in(kb, "赚钱").get("经营效益") == PHRASEBOOK
    group = next(g for g in understand("赚钱", kb.store).groups if g.word == "赚钱")
    assert any(a.term == "盈利" for a in group.alternatives)  # the thesaurus's synonym stays, beside it
    assert kb.search("网点怎么多赚钱")[0].passage.doc == "a.txt"


def test_the_query_s_other_words_say_which_lines_a_word_means(tmp_path):
    # 赚钱 is said in the lines on a network's earnings (网点赚钱 → 经营效益) and in one on which
    # market pays (哪块市场赚钱 → 明星市场): beside 市场 it means the second, alone the first; a
    # word every line says (客户) tells nothing of which
    kb = small_kb(tmp_path, {
        "a.txt": "单元二 经营效益提升管道\n提升网点经营效益的三条管道:增收、降本、提效。\n",
        "b.txt": "二、找到明星市场\n明星市场增长快、份额高,是网点投入的重点。\n",
        "c.txt": "第一章 客户拜访\n拜访客户前准备资料,客户的需求要记录。\n客户回访每月一次。\n",
    })
    assert _said_in(kb, "赚钱").get("经营效益") == PHRASEBOOK
    group = next(g for g in understand("哪个市场最赚钱", kb.store).groups if g.word == "赚钱")
    kin = {a.term for a in group.alternatives if a.why.startswith("phrasebook: said in")}
    assert "明星市场" in kin and "经营效益" not in kin
    assert kb.search("哪个市场最赚钱")[0].passage.doc == "b.txt"
    group = next(g for g in understand("客户怎么让网点赚钱", kb.store).groups if g.word == "赚钱")
    assert "经营效益" in {a.term for a in group.alternatives}


def test_a_word_said_inside_a_padded_expression_gains_nothing_from_it(tmp_path):
    # 一直砍价说 holds the call-closing expression 一直说 with 砍价 said in between: its bridge
    # (快刀斩乱麻) is for 一直说's own words, never for the price haggling said inside it
    assert "一直说" in phrasebook()
    kb = small_kb(tmp_path, {
        "a.txt": "第三节 应对竞争对手\n面对竞争对手的低价,强调服务质量与时效,别着急降价。\n",
        "c.txt": "第二节 结束通话\n客户一直说个不停时,要快刀斩乱麻,礼貌地结束通话。\n",
    })
    group = next(g for g in understand("客户一直砍价说", kb.store).groups if g.word == "砍价")
    assert not [a for a in group.alternatives if "一直说" in a.why]


def test_ask_does_not_count_a_word_the_question_says_twice(tmp_path):
    # 改地址 → 收件人信息, 地址: for the question 怎么改地址, 地址 is the question's own word, so a
    # passage that only mentions an address holds 地址, not 改 as well
    from kb.answer.topic import evidence

    kb = small_kb(tmp_path, {
        "a.txt": "第一节 收集竞争对手资料\n收集竞争对手的名称、地址、业务场所的数量。\n",
        "b.txt": "第二节 收件人信息\n派送前核对收件人信息,电话联系确认。\n",
    })
    plan = understand("怎么改地址", kb.store)
    assert any(a.term == "地址" for g in plan.groups if g.word == "改" for a in g.alternatives)
    _, _, topic = evidence(kb, "怎么改地址")
    assert "地址" not in topic.standins.get("改", ())
    assert topic.share("收集竞争对手的名称、地址") < 1.0


def _phrase_matches_by_trying_every_stretch(text: str) -> list[tuple[str, str]]:
    """kb.query._phrase_matches without its tables: every stretch between word edges looked up,
    every expression of a padded expression's first character tried, in the phrasebook's order."""
    import re

    from kb.analysis import normalise_text
    from kb.lexicon import phrasebook, phrasebook_by_first
    from kb.query import _LONGEST_PHRASE, PADDING, _padded, _word_edges

    book = phrasebook()
    norm = re.sub(r"\s+", "", normalise_text(text))
    edges = _word_edges(norm)
    out, taken, i = [], [False] * len(norm), 0
    while i < len(norm):
        ends = [e for e in sorted(edges, reverse=True) if i + 2 <= e <= i + min(_LONGEST_PHRASE, len(norm) - i)]
        key = next((norm[i:e] for e in ends if i in edges and norm[i:e] in book), None)
        if key:
            out.append((key, key))
            taken[i: i + len(key)] = [True] * len(key)
            i += len(key)
        else:
            i += 1
    i = 0
    while i < len(norm) and PADDING:
        best = None
        if not taken[i] and i in edges:
            for key in phrasebook_by_first().get(norm[i], ()):
                end = _padded(key, norm, i, taken)
                if end and end in edges and (best is None or len(key) > len(best[0])):
                    best = (key, end)
        if best:
            out.append((best[0], norm[i: best[1]]))
            taken[i: best[1]] = [True] * (best[1] - i)
            i = best[1]
        else:
            i += 1
    return out


def test_the_phrasebook_s_tables_find_what_trying_every_stretch_finds():
    # the expressions are looked for only where the tables say one can start (its first two
    # characters, its lengths; a padded one's second character within PADDING of its first):
    # the same as trying every stretch, on expressions said whole, padded and cut
    import random

    from kb.lexicon import phrasebook
    from kb.query import _phrase_matches

    rnd = random.Random(16)
    keys = sorted(phrasebook())
    texts = ["客人说不退钱就不签收", "客户自己的错", "件全丢了怎么办", "有多大比例会继续购买", "每周例会讲什么"]
    for _ in range(1500):
        key = rnd.choice(keys)
        cut = rnd.randint(1, len(key) - 1)
        pad = "".join(rnd.choice("的了是我都就也还在不全") for _ in range(rnd.randint(0, 3)))
        texts.append(rnd.choice(["客户说", "我们", "", "为什么"]) + key[:cut] + pad + key[cut:] + rnd.choice(["怎么办", "", "了吗"]))
    found = [_phrase_matches(t) for t in texts]
    assert found == [_phrase_matches_by_trying_every_stretch(t) for t in texts]
    assert sum(1 for f in found if any(said != key for key, said in f)) > 100  # padded ones among them
