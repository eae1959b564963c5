"""kb.measures: one grammar of the words a number is said with, read by every stage."""

import re

import pytest

from kb import asking, measures
from kb.answer import _states_figure
from kb.answer.question import analyse_question
from kb.answer.sentences import holds_measure
from kb.structure import heading_rank


def test_each_word_is_listed_once_under_what_it_counts_or_measures():
    tables = {name: getattr(measures, name) for name in ("COUNTERS", "GRADES", "EVENTS", "GOODS", "PEOPLE", "RATIO",
                                                         "AGE", "TIME", "MONEY", "WEIGHT", "LENGTH", "TEMPERATURE")}
    seen: dict[str, str] = {}
    for name, words in tables.items():
        for w in words:
            # 块 is both a piece (两块蛋糕) and a yuan (三千块): the one word listed twice
            assert w not in seen or {seen[w], name} == {"GOODS", "MONEY"}, (w, seen.get(w), name)
            seen[w] = name
    assert measures.BEGINS_WORDS <= set(measures.UNITS) and measures.ENDS_WORDS <= set(measures.UNITS)


@pytest.mark.parametrize("question, asked", [("要分几级处理", "几级"), ("一天要派几趟", "几趟"), ("奶粉能寄几罐", "几罐"),
                                             ("培训要上几期", "几期")])
def test_ji_with_a_classifier_asks_how_many_never_what_about(question, asked):
    # (几天, 几块钱 ask a figure in a measure: they stay in the topic, held where such a figure is)
    q = analyse_question(question)
    assert not any(asked in group for group in q.topic)


@pytest.mark.parametrize("text, figure", [
    ("赔偿上限为三千块", True), ("须有两名员工在场", True), ("每天派送两趟", True), ("保质期三个月", True),
    ("检查车辆四周有无障碍", False),  # 周 ends 四周 (around): no duration
    ("三角形的标识", False), ("分为三类", False), ("设三级预警", False),  # counters and grades lay a text out
])
def test_a_number_in_words_states_a_figure_before_a_unit_or_what_it_counts(text, figure):
    assert _states_figure(text) is figure


@pytest.mark.parametrize("kind, text, held", [
    ("money", "运费5毛一票", True), ("money", "赔偿50美元", True), ("money", "收费三千块", True),
    ("weight", "不超过25kg", True), ("weight", "重约两公斤", True), ("weight", "两克拉", False),
    ("duration", "3个工作日内", True), ("duration", "需要两个星期", True), ("duration", "一月一日起", False),
])
def test_a_figure_in_a_measure_is_said_in_that_measure_s_units(kind, text, held):
    assert holds_measure(kind, text) is held


@pytest.mark.parametrize("kind, text, held", [
    ("weight", "四十多斤的箱子", True), ("money", "两千来块的运费", True), ("duration", "十余天", True),
    ("money", "三十几块", True), ("weight", "40多公斤", True), ("duration", "等了两个钟头", True),
    ("duration", "放了三个礼拜", True), ("money", "收五十蚊", True), ("length", "宽60公分", True),
    ("weight", "多斤", False), ("money", "来块蛋糕", False),  # no number: no figure
])
def test_a_figure_said_roughly_or_in_an_everyday_unit_is_a_figure_in_its_measure(kind, text, held):
    # a caller states a case roughly (四十多斤, 两千来块) and in the units people say (钟头,
    # 礼拜; Hong Kong's 蚊, Taiwan's 公分); the material states its rule as a figure in the same
    # measure, and a question asking one (几个钟头, 几多蚊) asks that measure
    pattern = asking.stated().get(kind) or re.compile(asking._said(measures.LENGTH))
    assert bool(pattern.search(text)) is held


@pytest.mark.parametrize("question, kind", [("几个钟头内要上报", "duration"), ("要等几个礼拜", "duration"),
                                            ("搬上楼要加几多蚊", "money")])
def test_a_question_in_everyday_units_asks_a_figure_in_that_measure(question, kind):
    assert kind in asking.asked_measures(question)


@pytest.mark.parametrize("question, kind", [
    # whether a charge applies, and how it is charged, ask a figure in money as 多少钱 does
    ("改天送要加钱吗", "money"), ("上楼收不收费", "money"), ("晚上送另外收费吗", "money"), ("要额外掏钱不", "money"),
    ("运费咋算", "money"), ("纸箱怎么卖", "money"), ("超重怎么收费", "money"), ("丢了赔多少", "money"),
    ("等几耐先可以走", "duration"), ("要几日先到", "duration"), ("几粒钟可以送到", "duration"),
    ("箱子最长可以多长", "length"), ("门口的路要多宽", "length"), ("送多远都免费", "length"),
    ("仓库起码要多大", "area"), ("门店面积要多大", "area"), ("租多大的场地", "area"), ("要几十平", "area"),
])
def test_a_question_asking_a_charge_or_a_size_asks_a_figure_in_that_measure(question, kind):
    assert kind in asking.asked_measures(question)


@pytest.mark.parametrize("question", ["运费到付怎么操作", "加收的运费归谁", "影响有多大", "多长时间能到", "收件要注意什么",
                                      "迟到一次扣多少分", "要多少时间", "一天收多少件", "客户嫌收费不合理"])
def test_a_question_naming_a_measure_without_asking_a_figure_asks_none_but_its_own(question):
    # naming money or a size is not asking one; 多长时间 asks a duration, not a length
    assert not {"money", "length", "area"} & set(asking.asked_measures(question))


@pytest.mark.parametrize("question, kind", [
    # how many years, months or weeks; a weight or a length in Latin units; a rate or a discount; an age
    ("快件要保存几年", "duration"), ("合同签多少年", "duration"), ("试用期多少个月", "duration"),
    ("最多能寄几kg", "weight"), ("限重是多少", "weight"), ("箱子长度是多少", "length"), ("最长多少cm", "length"),
    ("签收率要达到多少", "share"), ("大客户能打几折", "share"), ("百分之多少", "share"),
    ("多少岁可以当快递员", "age"), ("年龄要多大", "age"),
    ("新员工试用期多长", "duration"), ("时效有多长", "duration"), ("绳子多长", "length"),
])
def test_years_rates_discounts_and_ages_asked_ask_a_figure_in_that_measure(question, kind):
    assert kind in asking.asked_measures(question)


@pytest.mark.parametrize("question", ["读几年级", "前几年件量大", "这几年来一直亏", "用别家好几年了", "干了十几年",
                                      "折叠箱怎么用", "效率低怎么办"])
def test_several_years_said_or_a_fold_asks_no_figure(question):
    # 好几年 and 十几年 say several years, 前几年 a time, 几年级 a grade: none asks how many years;
    # 折叠 is folding, not a discount; naming a rate is not asking one
    assert not asking.asked_measures(question)


@pytest.mark.parametrize("kind, text, held", [
    ("share", "月结客户打8折", True), ("share", "可享九折优惠", True), ("age", "年满18周岁", True),
    ("age", "未满十八岁", True), ("share", "对折后封箱", False),
])
def test_a_discount_or_an_age_is_stated_in_its_units(kind, text, held):
    assert holds_measure(kind, text) is held


@pytest.mark.parametrize("kind, text, held", [
    ("length", "门前道路能通行4.2米厢式货车", True), ("length", "3公里内", True), ("length", "长边不超过120cm", True),
    ("area", "面积不少于80平方米", True), ("area", "仓库200㎡", True), ("area", "约五十平米", True),
    ("area", "平方米", False), ("length", "大米一袋", False),
])
def test_a_length_or_an_area_is_stated_in_its_units(kind, text, held):
    assert holds_measure(kind, text) is held


@pytest.mark.parametrize("question", [
    "可以先接件吗", "锂电池能寄吗", "必须本人签收吗", "可唔可以放管理处", "得唔得改地址", "使唔使簽名", "要不要签字",
    "需不需要身份证", "收不收液体", "能不能代签", "什么样的包裹不能上分拣机", "哪些东西不让寄", "不能收的有哪些",
])
def test_a_question_asking_whether_it_may_or_must_be_done_asks_a_rule(question):
    # 能 / 可以 / 必须 … 吗 with what may be done between, the A-not-A forms, Cantonese 可唔可以
    # and 使唔使 as the query reads them (standard Chinese first: 可不可以, 使不使), and which
    # things may not be done (a rule's list of what is barred)
    from kb.lexicon import standard
    from kb.analysis import normalise_text

    assert asking.asks_leave(standard(normalise_text(question)))


@pytest.mark.parametrize("question", ["客户投诉怎么处理", "怎么跟客户说", "是不是丢件了", "签收流程有哪几步",
                                      "时效标准是什么", "升级需要满足什么条件", "能做些什么", "准时到吗",
                                      "客户为什么不能签收", "不能准时送达怎么办", "不能签收是什么原因"])
def test_a_question_asking_how_or_what_asks_no_rule(question):
    assert not asking.asks_leave(question)


def test_a_unit_after_a_section_number_makes_a_figure_unless_it_begins_words():
    for unit in measures.UNITS:
        line = f"1.5 {unit}以内"
        if unit in measures.BEGINS_WORDS:
            assert heading_rank(line) == 4.2, line  # 1.5 月以内 is as likely 1.5 月结客户
        else:
            assert heading_rank(line) is None, line
    assert re.fullmatch(measures.alternation(("斤", "公斤")), "公斤")
