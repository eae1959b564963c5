import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from kb import Answer, KnowledgeBase, QueryError
from kb.answer import MAX_ANSWER, analyse_question
from kb.evaluate import canon

from .conftest import SEEDS, small_kb

NEWDOCS = Path(__file__).resolve().parent.parent / "eval" / "newdocs" / "docs"


@pytest.mark.parametrize(
    "question, kind",
    [
        ("处理投诉常用的策略有哪些?", "list"),
        ("客服人員應有哪三種心態?", "list"),
        ("什么是TQCSO标准?", "definition"),
        ("什麼叫首問負責制?", "definition"),  # 什么叫, 是啥, 啥意思: what a term means, in everyday words
        ("保价是啥意思?", "definition"),
        ("关键时刻施加影响三要素各占多少比例?", "figure"),
        ("波士顿矩阵在哪门课讲?", "location"),
        ("化訴為金的客服技巧有哪幾個單元?", "structure"),
        ("怎么管理负面情绪?", "method"),
        ("客户分级是哪个模块讲的", "location"),
        ("客户分级放在课程的哪一部分?", "location"),
        ("青石桥的哪一部分最先损坏?", "factoid"),  # which part of a thing, not of a course
        ("理賠流程在哪個模塊?", "location"),
        ("绩效课件第几单元讲申诉?", "location"),
        ("申訴流程在第幾章?", "location"),
        ("面單要保存幾個月?", "figure"),  # how many months: a span of time, as kb.asking reads it
        ("几月几号截止?", "factoid"),
        ("今年定了哪几个年度目标?", "list"),  # 年度 (a year's), not 几年 (how many years)
    ],
)
def test_question_kind_is_recognised_in_either_script(question, kind):
    assert analyse_question(question).kind == kind


def test_which_month_asks_no_span_of_time():
    assert analyse_question("第几个月开始考核?").kind != "figure"


@pytest.mark.parametrize("question, kind, also_where", [
    ("投诉处理五步法在哪个模块讲？分别是哪五步？", "list", True),
    ("冷藏温度标准在哪一章？是多少度？", "figure", True),
    ("講理賠流程的是哪份材料", "location", False),  # 流程 names the topic: only where is asked
    ("客户分级在哪门课讲?", "location", False),
])
def test_where_asked_beside_what_answers_what(question, kind, also_where):
    q = analyse_question(question)
    assert (q.kind, q.also_where) == (kind, also_where)


def test_an_answer_says_where_first_when_asked_where_too(tmp_path):
    """在哪个模块讲？是哪几步？: the steps, after the line saying where they are taught, its file
    reference as the file is named whatever the question's script."""
    kb = small_kb(tmp_path, {"理赔培训.md": (
        "# 理赔培训\n\n## 模块一　理赔概述\n\n理赔是快件丢失或损毁后对客户的赔付。\n\n"
        "## 模块二　理赔办理\n\n### 理赔四步法\n\n1. 受理：登记客户的理赔申请；\n2. 核实：查询轨迹并核实损失；\n"
        "3. 定责：确定责任网点；\n4. 赔付：三个工作日内完成赔付。\n"
    )})
    a = kb.ask("理賠四步法在哪個模塊講？是哪四步？")
    assert a.answered and a.kind == "list"
    first, *rest = a.answer.split("\n")
    assert "模塊二" in first and first.endswith("(理赔培训.md:9)")
    assert any("受理" in line for line in rest) and any("賠付" in line for line in rest)
    plain = kb.ask("理賠四步法是哪四步？")
    assert plain.answered and "模塊二" not in plain.answer.split("\n")[0]


def source_line(doc: str, line: int) -> str:
    return (SEEDS / doc).read_text("utf-8").splitlines()[line - 1]


def assert_cited(answer: Answer):
    """Every line of the answer is found in the source lines its citations point at."""
    cited = "".join(
        canon(source_line(c.doc, n)) for c in answer.citations for n in range(c.line_start, c.line_end + 1)
    )
    for line in answer.answer.split("\n"):
        line = canon(line.strip("…"))
        if line:
            assert line[:12] in cited, line


def test_list_answer_gives_every_item_under_the_heading(built):
    a = built.ask("处理投诉常用的策略有哪些?")
    assert a.answered and a.kind == "list"
    for item in ("息事寧人策略", "紅白臉配合策略", "丟車保帥策略", "不文明客戶處理策略"):
        assert canon(item) in canon(a.answer)
    assert_cited(a)


def test_an_answer_from_a_spun_deck_reads_repaired_and_still_quotes_its_file(built):
    """003 went through a synonym spinner (投訴 reads 贊揚, 澄清 reads 廓清): the answer gives
    the words the agent should say, then the file's own words for them, so that the line is
    still the cited source's (its words all there)."""
    a = built.ask("LSCIA模型是哪五个步骤?")
    assert a.answered and a.citations[0].doc.startswith("003")
    line = next(x for x in a.answer.split("\n") if "LSCIA" in x)
    said, _, written = line.partition("〔原文:")
    assert "澄清" in said and "廓清" not in said and "投诉" in said  # what to say
    assert {"廓清", "陈说", "赞扬"} <= set(written.rstrip("〕").split("、"))  # what the file says
    assert canon(source_line(a.citations[0].doc, a.citations[0].line_start)).find("廓清") >= 0
    # the file's word whole, as far as the word put back reads: 跟從者 (跟隨者), not 跟從
    line = next(x for x in built.ask("群體行為定律說的是什麼?").answer.split("\n") if "群體行為定律" in x)
    assert "跟隨者" in line.partition("〔")[0] and "跟從者" in line.partition("〔原文:")[2]


@pytest.mark.parametrize("question, count", [("快递大客户关系发展模型分哪四个阶段?", 4), ("客诉处理有哪五大原则", 5),
                                             ("有3种方法吗", 3), ("5P模型是什么", None), ("80/20原理讲什么", None),
                                             ("651指什么", None), ("搞定难缠客户的三招是什么", 3),
                                             ("三位一体的开拓模式指什么", None)])
def test_the_number_of_items_asked_for_is_read_and_names_are_not_counts(question, count):
    assert analyse_question(question).count == count


@pytest.mark.parametrize("question, value", [("快递员每月绩效那100分是怎么拆的？", "100"), ("1887年他去了哪里", "1887"),
                                             ("投訴處理有5個步驟嗎", None), ("有3种方法吗", None)])
def test_a_number_before_what_it_counts_is_a_count_and_any_other_a_value(question, value):
    """5个步骤 says how many are asked for; 那100分, 1887年 name what the question is about."""
    numbers = {t for group in analyse_question(question).topic for t in group if t.isdigit()}
    assert numbers == ({value} if value else set())


@pytest.mark.parametrize("question, asked, kind", [
    ("爆仓预警分哪几级", "几级", "list"), ("年终奖分几档", "几档", "list"), ("打电话没人接要打几遍", "几遍", "figure"),
    ("一个月最多能请几次假", "几次", "figure"), ("冰袋要放几块", "几块", "figure"), ("他一生有几位妻子", "几位", "figure"),
])
def test_how_many_in_a_measure_word_asks_and_is_no_topic(question, asked, kind):
    """几 with a measure word (几级, 几遍, 几块) asks how many: what the question is about is
    the rest, and a number in those units answers it."""
    q = analyse_question(question)
    assert asked not in {t for group in q.topic for t in group} and q.kind == kind


def test_a_temperature_asked_in_its_measure_stays_held_by_its_units():
    """几度 asks a figure in a measure: it stays a topic word that a temperature holds (-18℃)."""
    assert dict(analyse_question("冷链要保持几度").measures).get("几度") == "temperature"


@pytest.mark.parametrize("line, figure", [("额亦都有五位妻子", True), ("一笔赔款三千块", True), ("旺季补贴八成发放", True),
                                          ("他是一个好人", False), ("第三章 理赔", False), ("三角地带最活跃", False),
                                          ("以下两类除外", False),
                                          ("1. 核验身份", False), ("按规定办理", False)])
def test_a_number_in_words_before_its_unit_states_a_figure(line, figure):
    from kb.answer import _states_figure

    assert _states_figure(line) == figure


def test_a_list_need_not_repeat_the_name_its_document_is_about(tmp_path):
    """双11爆仓预警分哪几级: the sections of 双11旺季保障方案.txt do not say 11 again; the levels
    under 三级预警 (numbered （一）, full width, as official documents do; the heading says how
    many levels it lists) answer, not the part's sub-headings nor a section that mentions 11月."""
    kb = small_kb(tmp_path, {"双11旺季保障方案.txt": (
        "旺季运营保障方案\n\n"
        "第五部分 爆仓预警与应急处置\n\n"
        "一、三级预警\n"
        "（一）黄色预警：场地库存件超过日处理能力的80%，启动加班，增派临时工；\n"
        "（二）橙色预警：库存件超过日处理能力的100%，暂停散件揽收，向商家发布限量通知；\n"
        "（三）红色预警：库存件超过日处理能力的120%，启动分流方案，并在1小时内向省区报告。\n\n"
        "二、网点积压\n网点积压件超过其2天派送量时，由片区经理从周边网点抽调人员支援，必要时启用夜间派送。\n\n"
        "三、客服应急\n旺季期间客服热线增开临时坐席30个，服务时间延长至晚上22:00；查件量激增时，"
        "统一向受影响客户发送延误告知短信，减少重复来电。\n\n"
        "第六部分 安全与激励\n\n"
        "一、安全\n临时工不得操作叉车和传送带总控台；每日班前进行5分钟安全提醒；夜班连续作业超过4小时须安排轮换休息。\n\n"
        "二、临时工管理\n临时工实行日结工资，每天200元，当天工作满10小时另加班费；临时工工牌每日上岗时领取、"
        "下班时交回，禁止带离作业现场。\n\n"
        "第七部分 复盘总结\n\n"
        "一、11月25日前，各网点提交复盘报告，内容包括峰值数据、爆仓情况、投诉情况。\n"
        "二、复盘会于11月28日召开，对各组保障目标的完成情况逐项打分。\n"
        "三、去年旺季某网点未及时上报积压，今年凡隐瞒积压不报的，取消旺季评优资格。\n"
    )})
    a = kb.ask("双11爆仓预警分哪几级？")
    assert a.answered and all(level in a.answer for level in ("黄色预警", "橙色预警", "红色预警"))
    assert "复盘" not in a.answer


def test_a_heading_that_states_its_count_answers_how_many_asked_in_another_word(tmp_path):
    """有哪几招 asks how many in 招; the heading 四大策略 says how many it lists in 大, over four
    items: that list answers, not the unit's opening sentence, which says more of the question's
    words (让投诉的客户满意) and lists nothing."""
    kb = small_kb(tmp_path, {"客服.md": (
        "# 客服技巧\n\n## 第四单元 超越客户满意\n\n"
        "怎样让投诉过的客户以后还愿意来，甚至更满意？最有效的方式就是超越满意形成粘性。\n\n"
        "1、投诉处理水平鉴定\n(1)客户投诉处理水平测试\n(2)对照：我在什么位置？\n"
        "2、超越客户满意的四大策略\n(1)提高服务品质，增强价值感知\n(2)降低客户期望值，提高满意度\n"
        "(3)主动服务客户，创造客户惊喜\n(4)适时提供帮助，维系客户情感\n"
        "3、戒掉负面情绪\n(1)区分负面情绪与正面情绪\n(2)心理暗示\n"
    )})
    a = kb.ask("想让被投诉过的客户反而更满意 有哪几招?")
    assert a.answered and all(x in a.answer for x in ("降低客户期望值", "创造客户惊喜", "维系客户情感"))


def _among_manuals(tmp_path, work: str, who: str, others, docs: dict[str, str]):
    """`docs` in a library beside other manuals that each say `work` (as a network's manuals
    do), so that its words weigh less than the one a question asks for."""
    filler = {f"{t}.md": f"# {t}\n\n{t}是{work}工作的一部分，{who}前须先了解{t}的要求。\n" for t in others}
    return small_kb(tmp_path, {**filler, **docs})


def test_a_list_noun_is_named_by_a_heading_counting_in_its_counter(tmp_path):
    """步骤 asked of a manual whose steps are titled 上门收件“五步法”: the heading numbers its
    list in 步, which names the steps as well as 步骤 would; another manual's list, headed 处理步骤
    but about damaged parcels, does not answer, and the answer is given as sure of itself as when
    the question asks 哪几步."""
    # 上门 and 收件 said in other manuals too, as a network's manuals do: they weigh less than
    # 步骤, which only the wrong list's heading says
    kb = _among_manuals(tmp_path, "上门收件", "收件员上门", ("仪容仪表", "安全驾驶", "车辆检查", "客户隐私", "交接班"), {
        "上门服务.md": (
        "# 上门服务规范\n\n## 第二单元 上门收件“五步法”\n\n"
        "① 提前预约：出发前电话告知到达时间\n② 敲门等候：轻敲三下，后退一步站立\n③ 亮证介绍：出示工牌，说明来意\n"
        "④ 确认打包：当面确认物品，按规范包装、称重\n⑤ 致谢告别：告知运单号和预计送达时间\n"
    ), "破损件.md": (
        "# 破损件处理\n\n## 处理步骤\n\n1. 立即停止流转，不得继续派送；\n2. 拍照：外包装六个面各一张；\n"
        "3. 称重，与面单重量比对；\n4. 填写破损登记表并上报。\n"
    )})
    for question in ("上门收件的步骤有哪些", "上门收件有哪几步"):
        a = kb.ask(question)
        assert a.answered and all(x in a.answer for x in ("提前预约", "亮证介绍", "致谢告别")), question
        assert "停止流转" not in a.answer and a.confidence >= 0.8
    from kb.answer.question import counted_in

    assert counted_in("步骤").search("投诉处理五步法") and not counted_in("步骤").search("进一步确认")
    assert counted_in("类型").search("异常件分四类") and counted_in("原则") is None


def test_a_word_the_question_counts_in_a_counter_is_named_by_a_heading_counting_in_it(tmp_path):
    """诀窍是哪几招 asked of a manual whose tips are titled 拜访客户“四招”: the question counts 诀窍 in
    招, a word no heading says, and the heading numbering its list in 招 names it (declined, or
    given at 0.17, when only list_nouns.txt's nouns were); another manual's list about visits,
    numbered in no such counter, does not answer."""
    kb = _among_manuals(tmp_path, "拜访客户", "销售代表拜访", ("仪容仪表", "商务礼仪", "合同管理", "客户分级", "报价审批"), {
        "大客户拜访.md": (
        "# 大客户拜访\n\n## 第三单元 拜访客户“四招”\n\n"
        "① 先约后访：提前一天电话确认时间和参加人\n② 带着数据去：准备客户近三个月的发件量和时效分析\n"
        "③ 先听后讲：前十分钟只提问，不介绍产品\n④ 当场约下一步：离开前约好方案演示的时间\n"
    ), "拜访记录.md": (
        "# 拜访记录\n\n## 拜访后要做的事\n\n1. 当天填写拜访记录表；\n2. 把客户提出的问题转给对应部门；\n"
        "3. 三天内把会议纪要发给客户确认。\n"
    )})
    for question in ("拜访的诀窍是哪几招？", "拜访客户的诀窍是哪几招？"):
        a = kb.ask(question)
        assert a.answered and all(x in a.answer for x in ("先约后访", "先听后讲", "当场约下一步")), question
        assert "拜访记录表" not in a.answer and a.confidence >= 0.8, question
    from kb.answer.question import analyse_question

    assert analyse_question("拜访客户的诀窍是哪几招？").counts_of == (("诀窍", "招"),)
    assert analyse_question("收件验视一共有哪几步").counts_of == (("验视", "步"),)
    assert analyse_question("客户有哪几个").counts_of == ()  # 个 counts anything: no list's counter


def test_a_list_of_kinds_is_read_off_the_sections_that_name_them(tmp_path):
    """有哪几种 asked of a manual that gives each kind a section of its own (二、直营渠道, 三、加盟渠道,
    四、代理渠道, each with its subsections): the kinds are its sections' headings, read off the
    outline however many passages they span; the manual's other sections (五、渠道考核) are not
    kinds of 渠道 and are left out, as are the subsections' own lists."""
    body = "".join(
        f"## {n}、{name}渠道\n\n### {i}.1 特点\n\n{name}渠道由{who}经营，网点的收派和结算都按{name}方式进行。"
        f"{name}渠道的优势在于{good}，不足在于{bad}。\n\n### {i}.2 管理要求\n\n1. 每月核对{name}网点的业务量；\n"
        f"2. 每季度检查{name}网点的服务质量；\n3. 每年评估{name}网点的合同执行情况。\n\n"
        for i, (n, name, who, good, bad) in enumerate((
            ("二", "直营", "公司自己", "管控有力、服务统一", "投入大、扩张慢"),
            ("三", "加盟", "加盟商", "扩张快、投入小", "服务质量参差不齐"),
            ("四", "代理", "代理商", "覆盖偏远地区", "利润分成高")), start=2))
    kb = small_kb(tmp_path, {"渠道管理手册.md": (
        "# 渠道管理手册\n\n## 一、渠道概述\n\n渠道是快递服务到达客户的途径，网络的覆盖和服务质量都取决于渠道的建设。\n\n"
        + body + "## 五、渠道考核\n\n各渠道每季度按时效、投诉率和回款情况考核，考核结果与下一年度的合作挂钩。\n")})
    a = kb.ask("快递的销售渠道有哪几种？")
    assert a.answered and all(f"{name}渠道" in a.answer for name in ("直营", "加盟", "代理")), a.answer
    assert "渠道考核" not in a.answer and "管理要求" not in a.answer


def test_full_width_numbering_marks_items():
    from kb.answer.lists import _items_after

    lines = [(1, "一、三级预警", None), (2, "（一）黄色预警：场地库存件超过日处理能力的80%，启动加班", None),
             (3, "（二）橙色预警：库存件超过日处理能力的100%，暂停散件揽收", None),
             (4, "（三）红色预警：库存件超过日处理能力的120%，启动分流方案", None), (5, "二、网点积压", None)]
    assert [no for no, _, _ in _items_after(lines, 0)] == [2, 3, 4]


@pytest.mark.parametrize("title, units, count", [("三级预警", ("级",), 3), ("投诉处理五步法", ("步",), 5),
                                                 ("大客户关系的四个阶段", ("阶段",), 4), ("三级客户", ("步",), None),
                                                 ("2024年计划", ("年",), None)])
def test_a_heading_says_how_many_it_lists_in_the_unit_asked(title, units, count):
    from kb.answer.lists import _count_stated

    assert _count_stated(title, units) == count


def test_a_numbered_list_ends_where_its_numbering_starts_again():
    from kb.answer.lists import _items_after

    lines = [(1, "开发模型", None), (2, "1) 孕育阶段 2) 初期阶段", None), (3, "3) 稳定阶段 4) 战略阶段", None),
             (4, "策略: 1) 等待机会 2) 找到关键人", None)]
    assert [t for _, t, _ in _items_after(lines, 0)] == ["1) 孕育阶段", "2) 初期阶段", "3) 稳定阶段", "4) 战略阶段"]


def test_a_list_with_as_many_items_as_asked_is_the_answer(built):
    a = built.ask("快递大客户关系发展模型分哪四个阶段?")
    assert a.answered
    for stage in ("孕育阶段", "初期合作阶段", "稳定合作阶段", "战略合作阶段"):
        assert stage in a.answer
    assert "等待机会" not in a.answer  # the next list, numbered from 1 again


def test_answer_follows_the_question_script(built):
    hant = built.ask("客服人員應有哪三種心態?")
    hans = built.ask("客服人员应有哪三种心态?")
    assert "陽光服務心態" in hant.answer
    assert "阳光服务心态" in hans.answer
    assert built.ask("客服人員應有哪三種心態?", script="hans").answer == hans.answer
    assert_cited(hant)


def test_structure_answer_lists_the_units_of_a_course(built):
    a = built.ask("化訴為金的客服技巧有哪幾個單元?")
    assert a.answered and a.kind == "structure"
    assert [ln for ln in a.answer.split("\n") if "單元" in ln] == [
        "第一單元 客服人員的職業素養",
        "第二單元 服務中不同客戶特徵的溝通技巧",
        "第三單元 處理客戶抱怨、投訴的要訣",
        "第四單元、超越客戶滿意,形成粘性",
    ]


def test_figure_answer_holds_the_numbers(built):
    a = built.ask("关键时刻施加影响三要素各占多少比例?")
    assert a.answered
    for figure in ("52%", "33%", "15%"):
        assert figure in a.answer
    assert_cited(a)


def test_definition_answer_is_the_defining_sentence(built):
    a = built.ask("什么是TQCSO标准?")
    assert a.answered and "TQCSO" in a.answer
    assert len(a.answer) < 400


def test_location_answer_names_course_and_reference(built):
    a = built.ask("波士顿矩阵在哪门课讲?")
    assert a.answered
    assert "课程一" in a.answer and "000_eada5ee40357fd85.txt:" in a.answer  # in the question's script


def test_location_answer_names_the_section_inside_a_passage(tmp_path):
    """Small sections share a passage (2.3 with 2.3.1 and 2.3.2): where a topic is taught is the
    one among them whose heading holds it, not only the passage's first."""
    kb = small_kb(tmp_path, {"入职手册.txt": (
        "新员工入职手册\n"
        "2.3 请假与休假\n"
        "2.3.1 请假流程\n"
        "请假须提前在员工App提交申请，三天以内由组长审批，三天以上由网点负责人审批。\n"
        "2.3.2 假期标准\n"
        "年休假按累计工作年限计算，婚假三天，丧假三天。\n"
    )})
    a = kb.ask("请假流程在入职手册的哪里讲?")
    assert a.answered and "2.3.1 请假流程" in a.answer


def test_where_a_topic_is_taught_when_no_passage_says_its_rarest_word(tmp_path):
    """客诉 is no word of the course's: search reads it as 投诉, which the section says. Where it is
    taught is then read off the next rarest word's passages (处理), not given up for a sentence;
    讲讲 of 第几讲讲的 is 第几讲 asked and 讲的, no topic."""
    kb = small_kb(tmp_path, {"客服课程.md": (
        "# 客服课程\n\n## 第一讲 服务礼仪\n\n接听电话先问好，通话结束等客户先挂机。\n\n"
        "## 第二讲 投诉处理\n\n客户投诉时先道歉，再记录问题，当天给出处理方案并回访。\n\n"
        "## 第三讲 包装要求\n\n易碎品用五层纸箱，箱内填充不少于5厘米。\n"
    )})
    a = kb.ask("客诉处理是第几讲讲的？")
    assert a.answered and a.answer.startswith("客服课程 › 第二讲 投诉处理"), a.answer  # a breadcrumb
    words = {t for group in analyse_question("门店收费标准是第几讲讲的？").topic for t in group}
    assert "讲讲" not in words and {"门店", "收费", "标准"} <= words


def test_the_part_asked_for_and_the_document_named_are_no_topic():
    """哪一章, 第几单元 say what is asked (where); 课件, 讲义 which document: neither is what
    the section must be about."""
    words = {t for group in analyse_question("绩效课件第几单元讲申诉和消分？").topic for t in group}
    assert "申诉" in words and not words & {"第几", "单元", "课件"}
    words = {t for group in analyse_question("理赔讲义里讲话术的是哪一章").topic for t in group}
    assert "话术" in words and not words & {"一章", "讲义"}


def test_which_unit_of_a_deck_is_answered_with_the_unit(tmp_path):
    """第几单元讲申诉: the unit whose slides teach it, not the deck's title slide that names the
    document the question names (课件)."""
    body = "，".join(["站点每月汇总一次", "由质控专员复核", "结果在员工App公示"] * 4) + "。\n\n"
    kb = small_kb(tmp_path, {"绩效考核课件.md": (
        "# 快递员绩效考核与扣分办法（培训课件）\n\n本课件共四个单元。\n\n"
        "## 第一单元 考核指标\n\n绩效考核看业务量、时效、服务质量三项指标。" + body +
        "## 第二单元 投诉扣分\n\n有效投诉一次扣3分，计入当月绩效。" + body +
        "## 第三单元 申诉流程\n\n对扣分有异议的，3个工作日内向站点提出申诉。" + body +
        "## 第四单元 课后测验\n\n完成本课件的测验题。" + body
    )})
    a = kb.ask("绩效课件第几单元讲申诉？")
    assert a.answered and "第三单元" in a.answer.split("\n")[0]


def test_a_line_that_introduces_a_table_is_answered_with_its_rows(tmp_path):
    """格口分为四种尺寸: is followed by a table (a row a line, cells apart): the answer is the
    rows, however long the introducing line."""
    kb = small_kb(tmp_path, {"快递柜.md": (
        "# 快递柜营运指引\n\n"
        "## 柜机规格\n\n"
        "每组标准柜机由一个主控柜与四至八个副柜组成，按包裹大小，格口分为四种尺寸：\n\n"
        "| 格口类型 | 内部尺寸（厘米） | 适用包裹 |\n"
        "|---|---|---|\n"
        "| 迷你格 | 45×35×8 | 信封、文件 |\n"
        "| 小格 | 45×35×18 | 衣物、化妆品 |\n"
        "| 中格 | 45×35×30 | 鞋盒、小家电 |\n"
        "| 大格 | 45×35×45 | 箱装食品 |\n\n"
        "单件重量超过20公斤的包裹不得投递入柜。\n"
    )})
    a = kb.ask("快递柜的格口有哪几种?")
    assert a.answered and all(kind in a.answer for kind in ("迷你格", "小格", "中格", "大格"))
    assert "20公斤" not in a.answer


def test_a_heading_over_a_table_is_answered_with_its_rows(tmp_path):
    """A unit whose heading names the topic and whose body is a table (a row a line): its rows
    are the items a list question asks for, not a sentence of another unit."""
    kb = small_kb(tmp_path, {"加盟.md": (
        "# 加盟站营运管理\n\n"
        "## 第二单元 加盟流程\n\n加盟主递送申请后，经资格审核、实地考察、签约三个环节开业。\n\n"
        "## 第三单元 费用项目\n\n"
        "| 费用项目 | 金额 | 收取方式 |\n"
        "|---|---|---|\n"
        "| 加盟保证金 | 30万元 | 签约时一次缴纳 |\n"
        "| 品牌管理费 | 每月1.5万元 | 按月扣缴 |\n"
        "| 转运操作费 | 每件0.8元 | 随月结对帐单收取 |\n\n"
        "## 第四单元 退出\n\n加盟主提前解约须提前90天书面通知，其间完成在途货件配送。\n"
    )})
    a = kb.ask("加盟有哪几种费用？")
    assert a.answered and all(fee in a.answer for fee in ("加盟保证金", "品牌管理费", "转运操作费"))


def test_a_heading_over_a_sentence_then_a_table_is_answered_with_its_rows(tmp_path):
    """A heading, one sentence that introduces the table under it, then the table: the rows
    are the items (not the heading's sibling headings as a list of the part above)."""
    kb = small_kb(tmp_path, {"开业指引.md": (
        "# 新门店开业指引\n\n"
        "## 第三部分 手续\n\n"
        "### 一、开业前要办的手续\n\n"
        "下列手续都办完才能对外营业，最晚在开业前一个月递交材料。\n\n"
        "| 手续 | 办理部门 | 一般用时 |\n"
        "|---|---|---|\n"
        "| 营业执照 | 市场监管部门 | 5个工作日 |\n"
        "| 分支机构备案 | 邮政管理部门 | 20个工作日 |\n"
        "| 消防检查 | 消防部门 | 10个工作日 |\n\n"
        "### 二、开业前自查\n\n"
        "门店负责人按自查表逐项检查并签字。\n"
    )})
    a = kb.ask("开门店之前要办哪些手续？")
    assert a.answered and all(x in a.answer for x in ("营业执照", "分支机构备案", "消防检查"))
    assert "开业前自查" not in a.answer


def test_a_list_numbered_on_from_another_section_is_its_heading_s_own(tmp_path):
    """Word numbers every List Number paragraph of a document on (the second list reads
    4. 5. 6.): under its own heading, far from the list before, it is that heading's list."""
    import docx

    document = docx.Document()
    document.add_heading("门店开业筹备", level=1)
    document.add_heading("一、选址要求", level=2)
    for line in ("门前能停靠厢式货车", "操作场地不少于一百平方米", "租期不少于三年"):
        document.add_paragraph(line, style="List Number")
    document.add_heading("二、装修", level=2)
    document.add_paragraph("装修按公司形象手册进行，工期一般不超过半个月，门头招牌须按统一样式制作。")
    document.add_heading("三、系统开通步骤", level=2)
    for line in ("提交网点编码申请", "开通员工账号和巴枪权限", "画好派送范围的电子围栏"):
        document.add_paragraph(line, style="List Number")
    folder = tmp_path / "docs"
    folder.mkdir()
    document.save(folder / "筹备指引.docx")
    kb = KnowledgeBase.build([folder], tmp_path / "ix")
    assert "4. 提交网点编码申请" in "\n".join(p.text for p in kb.passages())  # as Word shows it
    a = kb.ask("门店的系统开通有哪几步？")
    assert a.answered and all(x in a.answer for x in ("网点编码申请", "巴枪权限", "电子围栏"))


def test_items_numbered_on_from_a_list_just_above_are_its_tail():
    """④⑤⑥ under a title, right after ①②③ in the same section, are the tail of that list, not
    the title's own; numbered on from a list in another section, they are the title's."""
    from kb.answer.lists import _items_after

    tail = [(1, "一、服务标准", None), (2, "1. 接听不超过三声", None), (3, "2. 先报工号", None),
            (4, "3. 结束时感谢来电", None), (5, "注意事项", None), (6, "4. 不得抢话", None), (7, "5. 不得推诿", None)]
    assert _items_after(tail, 4) == []
    alone = [(5, "注意事项", None), (6, "4. 不得抢话", None), (7, "5. 不得推诿", None)]
    assert [t for _, t, _ in _items_after(alone, 0)] == ["4. 不得抢话", "5. 不得推诿"]
def test_items_marked_with_the_bullets_of_pdfs_and_text_files_are_a_list(tmp_path):
    """● ◆ ▪ □ … open the items of a list as • does (a PDF or a text file keeps the glyph Word
    drew): the heading over them answers with them, one an item, not with the document's outline."""
    kb = small_kb(tmp_path, {"收件规范.txt": (
        "上门收件规范\n一、收件前的准备\n出发前检查巴枪电量、面单和包装材料是否带齐。\n二、收件时的检查要点\n"
        "● 核对寄件人身份证件，完成实名登记后才能收件\n● 当面开箱验视，确认物品不属于禁寄物品\n"
        "● 称重并量尺寸，体积重量大于实际重量的按体积重量计费\n● 易碎物品加贴易碎标识，提醒客户保价\n"
        "三、收件后的交接\n当天收件当天交回网点，不得把快件留在车上过夜。\n"
    )})
    a = kb.ask("上门收件时要检查哪些要点？")
    lines = a.answer.split("\n")
    assert a.answered and lines[0] == "二、收件时的检查要点" and len(lines) == 5
    assert all(x in a.answer for x in ("实名登记", "开箱验视", "体积重量", "易碎标识"))


def test_a_definition_is_found_where_the_document_defines_its_term(tmp_path):
    """A term a document is about is in every passage of it; the sentence that defines it
    (本手册所称偏远地区，是指…) answers what it is, however it ranks, and 定义 asks, it is no topic."""
    kb = small_kb(tmp_path, {"偏远地区派送.txt": (
        "偏远地区派送手册\n"
        "第一章 偏远地区的派送时效\n偏远地区的快件收件后第三天送达，山区按固定派送日送达。偏远地区遇大雨顺延。\n"
        "第二章 偏远地区的收费\n寄往偏远地区的快件每件加收二十元，偏远地区附加费在收件时向寄件人收取。\n"
        "第三章 名词\n本手册所称偏远地区，是指离最近网点车程超过一小时，或每日派件不到二十件的乡镇。\n"
        "第四章 偏远地区的代收点\n偏远地区可在村里设代收点，每个村至多两个。\n"
    )})
    assert "定义" not in {t for g in analyse_question("偏远地区是怎么定义的？").topic for t in g}
    for question in ("“偏远地区”是怎么定义的？", "什么是偏远地区？"):
        a = kb.ask(question)
        assert a.answered and "车程超过一小时" in a.answer and "第三天送达" not in a.answer, question


def test_a_definition_question_asks_of_the_term_said_next_to_the_asking():
    """新加坡汉字的字源名称是什么 asks what the 字源名称 is, not what 新加坡汉字 is."""
    from kb.answer.definitions import asked_terms

    terms = asked_terms(analyse_question("新加坡汉字的字源名称是什么？"))
    assert terms[0] == "字源名称" and "新加坡汉字" not in terms
    assert asked_terms(analyse_question("什么是大客户？")) == ("大客户",)
    assert asked_terms(analyse_question("群体行为定律说的是什么？"))[0] == "群体行为定律"


CLAIMS = ("快件理赔办理手册\n"
          "第一章 理赔受理\n客户提出理赔时，客服专员应在2小时内登记建单，并告知客户理赔单号。\n"
          "第二章 理赔材料\n申请理赔须提交以下材料：\n1. 快递面单或运单号；\n2. 物品价值证明，如购物发票；\n"
          "3. 外包装及破损物品照片。\n"
          "第三章 赔偿标准\n未保价快件丢失，按运费的三倍赔偿，最高不超过一千元；保价快件按声明价值赔偿。\n"
          "第四章 结案\n赔款在审批通过后五个工作日内支付，客服专员回访客户后结案。\n")


def test_everyday_words_a_manual_never_uses_do_not_decline_what_it_answers(tmp_path):
    """An agent's everyday words (来, 让, 准备) that a manual happens not to use say little about
    whether it answers; the rare word a question turns on (清关, 锂电池) says much. The decline
    weighs each by how telling it is in the language at large too (kb.rankdata.telling)."""
    kb = small_kb(tmp_path, {"理赔手册.txt": CLAIMS})
    for question in ("东西坏了客人来找我们要赔钱，要让他交哪些材料？", "我们得让客户准备哪些理赔材料", "理赔要准备啥材料"):
        a = kb.ask(question)
        assert a.answered and "物品价值证明" in a.answer, question
    for question in ("跨境包裹清关要交哪些材料？", "寄锂电池要交哪些材料？", "寄到美国要交多少关税？"):
        assert not kb.ask(question).answered, question
    # what the manual lacks is named the most telling first
    assert "未涉及:锂电池" in kb.ask("客人来问寄锂电池要交哪些材料？").answer


def test_a_cantonese_question_is_answered_as_its_mandarin_twin(tmp_path):
    """送貨上樓要加幾多錢㗎: the particle 㗎 is tone, not a topic the manual lacks; the question is
    answered as 送貨上樓要加幾多錢 is."""
    kb = small_kb(tmp_path, {"大件送貨.txt": "第一章 大件送货收费\n一、上楼费\n没有电梯的楼宇，送货上楼每层每件加收50元，"
                             "由收货人现场支付。\n二、改期\n送货日前一日下午3时前可免费改期一次，之后每次改期收费200元。\n"})
    plain, toned = kb.ask("送貨上樓要加幾多錢"), kb.ask("送貨上樓要加幾多錢㗎")
    assert toned.answered and "50元" in toned.answer and toned.answer == plain.answer
    a = kb.ask("改期要收錢㗎")
    assert a.answered and "免費改期" in a.answer


def test_a_question_may_name_what_only_the_file_name_says(tmp_path):
    """香港派送有咩服務指標: the Hong Kong office's handbook never says 香港, its file name does;
    the answer from it holds what was asked, and the Shanghai one's answers 上海."""
    kb = small_kb(tmp_path, {
        "香港分公司_派送服務標準.txt": "前線同事手冊\n一、派送服務指標\n•準時派送率：不低於97%；\n"
        "•首次派送成功率：不低於90%；\n•客戶投訴率：低於千分之二。\n二、派送時段\n平日派送時間為上午9時至晚上8時，"
        "星期六派送至下午5時。\n三、重新派送\n首次派送不成功的，派送員須留下派送通知卡，翌日再派一次。\n",
        "上海分公司_收件服務標準.txt": "前線同事手冊\n一、收件服務指標\n•上門收件準時率：不低於95%；\n"
        "•收件差錯率：低於千分之一。\n二、收件時段\n收件時間為上午8時至晚上7時。\n",
    })
    a = kb.ask("香港派送有咩服務指標要達到？")
    assert a.answered and "首次派送成功率" in a.answer and a.citations[0].doc.startswith("香港")
    a = kb.ask("上海收件有什么服务指标")
    assert a.answered and "收件差错率" in a.answer


def test_a_word_held_through_a_stand_in_counts_as_search_credits_it(tmp_path):
    """客诉, which the manual never says, is held where it says 投诉 (a domain synonym), but for
    the decline only as much as search credits a synonym: a stand-in is not the word."""
    from kb.answer.topic import evidence
    from kb.plan import SYNONYM

    kb = small_kb(tmp_path, {"理赔手册.txt": CLAIMS + "第五章 投诉\n客户投诉理赔结果的，由质管专员在24小时内回访。\n"})
    _, _, w = evidence(kb, "客诉回访")
    held = dict(zip((m for m, _ in w.groups), w.held_shares("客户投诉理赔结果的，由质管专员在24小时内回访。")))
    assert held["回访"] == 1.0 and held["客诉"] == SYNONYM < 1.0


def test_a_sentence_holding_none_of_the_question_does_not_shut_out_one_that_does(tmp_path):
    """热线电话接听时限是几秒: under the section titled with the question's words the best-scored
    figure (两小时内覆电) holds none of them; the figure that does (三声内, 约10秒) answers, not nothing."""
    kb = small_kb(tmp_path, {"热线.txt": (
        "热线接听规范\n"
        "一、热线电话接听时限\n1. 道歉：先为给客户带来的不便道歉。\n2. 方案：提出具体可行的方案，例如两小时内覆电。\n"
        "3. 跟进：按时回电。\n"
        "二、其他\n•电话铃响三声内（约10秒）必须接听；\n•一通电话最多转接2次。\n")})
    a = kb.ask("热线电话接听时限是几秒？")
    assert a.answered and "10秒" in a.answer


def test_a_word_the_language_uses_everywhere_tells_less_than_a_rare_one():
    from kb.analysis import language_rate
    from kb.rankdata import idf, language_prior, telling

    prior = language_prior()
    assert prior > 0  # fitted by scripts/fit_answer.py
    everyday, rare = language_rate("准备"), language_rate("报关")
    assert everyday > rare > 0
    # general text names 美国 often; a manual's not naming it is telling all the same
    assert language_rate("美国") == language_rate("广州") == 0
    # absent from a corpus of 80 passages: the corpus alone weighs them the same, the prior does not
    assert telling(80, 0, everyday, 150.0, 0) == telling(80, 0, rare, 150.0, 0) == idf(80, 0)
    assert telling(80, 0, everyday, 150.0, prior) < telling(80, 0, rare, 150.0, prior)
    # a word the corpus uses in most passages tells little whatever the language says
    assert telling(80, 70, rare, 150.0, prior) < telling(80, 0, rare, 150.0, prior)


@pytest.mark.parametrize("question", ["从广州寄10公斤到成都运费多少钱?", "顺丰快递的客服热线电话是多少?", "寄到新疆要几天才能到?"])
def test_what_the_corpus_does_not_say_is_declined_with_suggestions(built, question):
    a = built.ask(question)
    assert not a.answered
    assert a.citations == ()
    assert "没有" in a.answer and "\n" not in a.answer


def test_answers_stay_short(built):
    for q in ("渠道的谈判包括哪些内容?", "客户满意度管理讲了什么?", "SPIN提问法怎么用?"):
        assert len(built.ask(q).answer) <= MAX_ANSWER + 10


def test_empty_question_is_a_query_error(built):
    with pytest.raises(QueryError):
        built.ask("   ")


def test_ask_json_contract(own_index):
    r = CliRunner().invoke(main, ["ask", "处理投诉常用的策略有哪些?", "--json", "--index", str(own_index)])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {"question", "answered", "answer", "citations"} <= set(data)
    c = data["citations"][0]
    assert set(c) == {"doc", "section", "line_start", "line_end", "location"}
    assert c["location"] == ""  # plain text: the lines are the reference


def test_ask_cli_prints_sources_and_not_covered(own_index):
    r = CliRunner().invoke(main, ["ask", "处理投诉常用的策略有哪些?", "--index", str(own_index)])
    assert "Sources" in r.output and "000_eada5ee40357fd85.txt:" in r.output
    r = CliRunner().invoke(main, ["ask", "从广州寄10公斤到成都运费多少钱?", "--index", str(own_index)])
    assert r.exit_code == 1 and "Nearest sections" in r.output  # not covered: exit 1, as grep finding nothing


def test_ask_bad_input_is_one_line_error(own_index):
    r = CliRunner().invoke(main, ["ask", "", "--index", str(own_index)])
    assert r.exit_code == 2 and r.output.startswith("Error: ")


def test_the_list_choice_reads_its_fitted_table():
    """scripts/fit_lists.py writes answer.toml's [list] table; every weight the choice reads is in it
    (a writer of the file's other tables that dropped it would leave the defaults unfitted)."""
    from kb.answer.lists import _LIST_DEFAULTS
    from kb.rankdata import fitted

    assert set(fitted("answer.toml", "list")) == set(_LIST_DEFAULTS)


def test_an_item_does_not_head_its_siblings(tmp_path):
    """A course's bullets of questions it answers (• 如何让投诉的客户更满意?) are items of one list:
    the bullets after one are its siblings, not its answer; the unit's numbered items are."""
    kb = small_kb(tmp_path, {"课程.txt": (
        "化诉为金的客服技巧\n"
        "课程背景\n"
        "• 如何让投诉的客户变得更满意?\n"
        "• 为何有的人处理一件投诉要一个小时?\n"
        "• 客服主管如何点评指导员工?\n"
        "第四单元 超越客户满意,形成粘性\n"
        "1、降低客户期望值\n"
        "2、创造客户惊喜\n"
        "3、维系客户情感\n"
    )})
    a = kb.ask("怎么让投诉的客户更满意?")
    assert a.answered and "创造客户惊喜" in a.answer
    assert "一个小时" not in a.answer


def test_what_a_count_is_of_is_read(tmp_path):
    assert analyse_question("SPIN提问的四种问题各问什么?").counted == ("问题",)
    assert "几招" not in {t for g in analyse_question("留住老客户有哪几招?").topic for t in g}  # how many, not what
    assert analyse_question("大客户关系要经过哪几个阶段?").counted == ("阶段",)
    assert analyse_question("什么是SPIN提问?").counted == ()


def test_items_that_name_what_was_counted_weigh_for_their_list(tmp_path):
    """Two lists of four under one topic: the items of one are each of what the question counts
    (四种问题 → …的问题), whatever that noun is, and that weighs for its list (kb.answer.lists'
    `named`, as for a list noun such as 阶段)."""
    from kb.answer import evidence
    from kb.answer.lists import list_candidates

    kb = small_kb(tmp_path, {"顾问式销售.txt": (
        "第四章 SPIN顾问式销售\n"
        "一、如何运用SPIN提问\n"
        "1、拜访前认真准备\n"
        "2、平时多练习,多实践\n"
        "3、先讲数量,再重质量\n"
        "4、先在朋友间运用\n"
        "二、SPIN提问方式\n"
        "1、Situation question 询问客户现状的问题\n"
        "2、Problem question 了解客户困难的问题\n"
        "3、Implication question 引申出更多问题的问题\n"
        "4、Need-payoff question 明确产品价值的问题\n"
    )})
    q, hits, w = evidence(kb, "SPIN提问的四种问题各是问什么的?")
    named = {c.units[c.at][1]: c.named for c in list_candidates(kb, q, hits, w)}
    assert named["二、SPIN提问方式"] > 0
    assert named["一、如何运用SPIN提问"] == 0


def test_a_title_s_items_never_come_from_the_next_section(tmp_path):
    """A case study's numbered title, then a section of exercises numbered from one: the
    exercises are that section's, not the case's items, even packed in one passage."""
    kb = small_kb(tmp_path, {"派送.md": (
        "# 派送作业\n\n## 模块五　派送异常处理\n\n### 2. 严禁行为\n\n"
        "- 未经收件人同意，私自将快件放在门口并标记签收；\n- 在未派送前批量操作签收。\n\n"
        "### 3. 案例：老城区片区的路线重排\n\n"
        "某网点老城区片区有12条小巷，收派员小陈每天派件约130票，经常到晚上九点才能派完。"
        "组长陪同小陈跑了两天后，改为由远及近派送，完成时间提前到晚上七点左右。\n\n---\n\n"
        "## 课后练习\n\n1. 简述路线规划五步法。\n2. 哪几类快件须在上门前30分钟电话联系？\n"
        "3. 什么情况下会被认定为虚假签收？\n"
    )})
    a = kb.ask("老城区片区的路线重排案例讲了什么?")
    assert a.answered and "由远及近" in a.answer
    assert "简述" not in a.answer and "虚假签收" not in a.answer


def test_a_title_over_prose_answers_with_its_rule_and_the_line_after_it(tmp_path):
    """A manual's subsection titled with the term asked about, then prose on lines of their own
    (a PDF breaks its paragraphs at sentence ends): the title answers with the rule and the
    line that completes it (TITLE_BODY_LINES), not the rule alone, nor the next subsection."""
    from kb.answer.lists import _with_items
    from kb.answer.render import Part

    kb = small_kb(tmp_path, {"国际快件.md": (
        "# 国际快件基础\n\n## 1.2 常用术语\n\n"
        "### 1.2.2 体积重量\n\n体积重量 = 长×宽×高（厘米）÷5000。\n"
        "计费重量取实际重量与体积重量中的较大者，不足0.5公斤的按0.5公斤计。\n"
        "例如60×40×40厘米、实重8公斤的纸箱，体积重量为19.2公斤。\n\n"
        "### 1.2.3 贸易条款\n\nDAP指目的地交货，进口税费由收件人支付。\n"
    )})
    passage = next(p for p in kb.passages() if "1.2.2 体积重量" in p.text)
    line = next(no for no, t in passage.numbered_lines() if t.strip() == "1.2.2 体积重量")
    answer = [part.text for part in _with_items(kb, [Part("1.2.2 体积重量", passage, line)])]
    assert answer == ["1.2.2 体积重量", "体积重量 = 长×宽×高（厘米）÷5000。",
                      "计费重量取实际重量与体积重量中的较大者，不足0.5公斤的按0.5公斤计。"]


FAQ = (
    "客服中心常见问题解答\n"
    "一、查件与时效\n"
    "问：客户说快递三天了还没到，怎么回复？\n"
    "答：先查询物流轨迹，告知客户当前所在网点和预计到达时间；如超出承诺时效，主动致歉并登记催件。\n"
    "问：物流信息一直不更新怎么办？\n"
    "答：超过48小时未更新的，视为疑似滞留件，客服须在系统中发起查件工单，由网点当天核实。\n"
    "二、赔偿与理赔\n"
    "问：客户要求按商品原价赔偿，但没有保价，怎么处理？\n"
    "答：未保价快件按运费的3倍以内赔偿，最高不超过500元；说明条款时语气要委婉。\n"
    "问：客户拒绝签收，要求先退款怎么办？\n"
    "答：不得与客户争执，先记录拒收原因，告知退款须在退回件入库后3个工作日内办理。\n"
)


@pytest.mark.parametrize("question, said", [
    ("物流一直不更新", "疑似滞留件"),
    ("客户不签收还要退钱", "记录拒收原因"),
    ("没保价 客户要原价赔 咋办", "运费的3倍以内"),
])
def test_a_faq_question_is_answered_by_its_answer(faq_kb, question, said):
    """问：… 答：… pairs: each question heads its answer (kb.structure), and an answer's
    sentence is read with the question over it, in a passage that packs several pairs."""
    a = faq_kb.ask(question)
    assert a.answered and a.answer.startswith("答：") and said in a.answer


@pytest.fixture(scope="module")
def faq_kb(tmp_path_factory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("faq") / "docs"
    folder.mkdir()
    (folder / "客服FAQ.txt").write_text(FAQ, "utf-8")
    return KnowledgeBase.build([folder], folder.parent / "ix")


def test_a_faq_question_without_a_question_mark_still_only_asks(tmp_path):
    """A FAQ typed without question marks (a spreadsheet's question column, most often): the
    question line says what was asked, the 答： line answers; neither the question nor the next
    one is the answer."""
    kb = small_kb(tmp_path, {"客服FAQ.txt": FAQ.replace("？", "")})
    for question in ("客户拒绝签收，要求先退款怎么办", "客户不签收还要退钱"):  # as the FAQ asks it, and in other words
        a = kb.ask(question)
        assert a.answered and a.answer.startswith("答：") and "记录拒收原因" in a.answer and "问：" not in a.answer


def test_a_table_row_answers_with_its_columns_names(tmp_path):
    """A row of a table says what its figures are only under the table's first row: answered
    alone, it reads with the columns' names; the file's text, and search, stay as written."""
    kb = small_kb(tmp_path, {"分级.html": (
        "<html><body><h1>信息泄露事件处置</h1><h2>事件分级</h2><table>"
        "<tr><td>级别</td><td>判定标准</td><td>报告时限</td></tr>"
        "<tr><td>一般事件</td><td>涉及客户信息10条以内</td><td>发现后2小时内</td></tr>"
        "<tr><td>较大事件</td><td>涉及10条至500条</td><td>发现后1小时内</td></tr>"
        "<tr><td>重大事件</td><td>超过500条或涉及身份证件号码</td><td>发现后立即电话报告</td></tr>"
        "</table><p>报告须写明泄露的范围、原因和已采取的措施。</p></body></html>")})
    a = kb.ask("较大事件多久内要报告")
    assert a.answered and "级别：较大事件 | 判定标准：涉及10条至500条 | 报告时限：发现后1小时内" in a.answer
    assert "较大事件 | 涉及10条至500条 | 发现后1小时内" in kb.search("较大事件")[0].passage.text


def test_a_faq_question_heads_its_answer_and_nothing_else(tmp_path):
    from kb.structure import build_document
    from kb.clean import clean

    doc = build_document("faq.txt", clean(FAQ + "问：这一行没有答案\n后面是别的内容。\n"))
    part = doc.root.children[0]
    assert part.title == "一、查件与时效"
    assert [c.title for c in part.children] == ["问：客户说快递三天了还没到，怎么回复？", "问：物流信息一直不更新怎么办？"]
    assert part.children[1].body[0].text.startswith("答：超过48小时")
    last = doc.root.children[-1]
    assert not any(c.title.startswith("问：这一行") for c in last.children)  # no answer under it: no heading


ROUTES = {"路线.md": (
    "# 派送路线规划\n\n## 模块三 路线规划方法\n\n### 1. 路线规划五步法\n\n"
    "1. **看量**：出仓前查看本频次票数和重量；\n2. **分组**：按楼栋把快件分成若干组；\n"
    "3. **定起点**：从最远的片区开始派送，由远及近，空驶里程最短；\n4. **排顺序**：同一区域内顺时针行进；\n"
    "5. **留余量**：每条线路预留约15%的时间余量。\n\n"
    "### 2. 车辆与装载\n\n电动三轮车满电续航一般为60公里，车辆载重不得超过200公斤。\n\n"
    "## 课后练习\n\n1. 简述路线规划五步法，并说明为什么推荐由远及近。\n2. 车辆载重的上限是多少？\n")}


def test_a_numbered_title_answers_with_its_own_list_not_its_siblings(tmp_path):
    """### 1. 五步法 then 1. … 5.: the list under a numbered title may start again at one, and
    ends where the numbering goes back (### 2. 车辆与装载 is the title's sibling)."""
    a = small_kb(tmp_path, ROUTES).ask("路线规划五步法是哪五步?")
    assert a.answered and all(w in a.answer for w in ("看量", "分组", "定起点", "排顺序", "留余量"))
    assert "车辆" not in a.answer and "简述" not in a.answer


def test_an_exercise_asks_and_never_answers(tmp_path):
    """A section of exercises (课后练习, 思考题) asks, whatever its wording (简述…, 说明…)."""
    a = small_kb(tmp_path, ROUTES).ask("路线规划五步法为什么推荐由远及近?")
    assert a.answered and "简述" not in a.answer and "空驶里程最短" in a.answer


def test_a_sentence_is_read_with_every_heading_over_it_in_its_passage(tmp_path):
    """eval/newdocs' handbook (a PDF): 4.2 晋升条件 › 4.2.1 收派员晋升高级收派员 › its conditions, small sections
    packed in one passage: the conditions are read with both headings (条件 is only in the
    outer one), and the title chosen as the answer brings the line it heads."""
    a = KnowledgeBase.build([NEWDOCS], tmp_path / "ix").ask("收派员升高级收派员需要满足什么条件？")
    assert a.answered and "12个月" in a.answer and "95分" in a.answer and "晋升路径" not in a.answer


def test_a_word_the_documents_never_use_is_held_at_half_weight_by_its_thesaurus_synonym(tmp_path):
    """夏天 where the manual says 夏季: search reads the thesaurus's synonym for a word the corpus
    lacks; the answer's topic holds it too, as a part holds a word (half its weight)."""
    from kb.answer import evidence

    kb = small_kb(tmp_path, {"冷链.md": "# 冷链包装\n\n## 冷媒\n\n冰袋的重量不少于货物重量的20%，夏季提高到30%。\n\n"
                                        "## 箱体\n\n使用标准泡沫箱，箱壁厚度不少于2厘米。\n"})
    _, _, w = evidence(kb, "夏天冰袋放多少")
    summer, plain, said = (w.share(t) for t in ("冰袋重量的20%，夏季提高到30%", "冰袋重量的20%", "夏天冰袋"))
    assert plain < summer < said
    assert summer == pytest.approx(plain + w.PART * w.idf["夏天"] / w.total)


def test_a_question_asking_two_things_gets_both(tmp_path):
    """自提柜怎么管理？…多少钱？ asks a method, then a figure: the items that say how the lockers
    are run, and the figure (in them) too; not the one item with a figure alone."""
    kb = small_kb(tmp_path, {"网点运营.md": (
        "# 网点运营手册\n\n## 一、自提柜管理\n\n"
        "(1) 自提柜由网点主管每日巡检一次，柜门故障须在2小时内报修。\n"
        "(2) 快件在柜内存放超过48小时未取的，系统自动短信提醒收件人。\n"
        "(3) 每格每使用一次，网点向柜主支付服务费0.5元，按月结算。\n\n"
        "## 二、门店收费\n\n寄件一律按公司价目表收费，门店不得加收包装费以外的任何费用。\n"
    )})
    a = kb.ask("自提柜平时怎么管理？放一件给柜主多少钱？")
    assert a.answered
    assert all(x in a.answer for x in ("每日巡检", "超过48小时", "0.5元")), a.answer
    assert "价目表" not in a.answer


@pytest.mark.parametrize("question, kinds", [
    ("部落里的代收点怎么管理？代收一件给多少钱？", ["method", "figure"]),
    ("客户来投诉时,应该按什么步骤来处理?请分步说明。", []),  # the second sentence asks nothing
    ("派送路线规划五步法在哪个模块讲？是哪五步？", []),  # where is said before the answer
    ("新员工试用期多长？试用期有多少天？", []),  # two figures: one kind, asked as one
    ("充電寶可以走航空件嗎？每票最多能寄幾個？", ["method", "list"]),  # 幾個: how many, a list
    ("客户欠款还清了，被停掉的月结多久能恢复，有啥附加条件", ["figure", "method"]),  # the first clause tells
    ("熱線電話響幾聲之內一定要接？要人等嘅話點做？", ["figure", "method"]),  # 點做: how, in Cantonese
])
def test_what_a_question_asks_apart(question, kinds):
    from kb.answer import _asks_apart

    assert [c.kind for c in _asks_apart(analyse_question(question))] == kinds


def test_a_word_the_manual_says_another_way_is_held_by_its_stand_in(tmp_path):
    """收件 is in the manual, but the steps asked about say 揽收 (its domain synonym, which search
    reads 收件 as): the steps hold the word at search's credit for it, not nothing, and answer."""
    from kb.answer import evidence

    kb = small_kb(tmp_path, {"网点手册.md": (
        "# 网点作业手册\n\n## 一、揽收检查步骤\n\n"
        "1. 核对寄件人身份证件，完成实名登记；\n2. 当面开箱查看内件；\n3. 称重并录入系统；\n4. 封箱贴标。\n\n"
        "## 二、收件时间\n\n网点每天8:00至20:00收件，节假日照常。\n"
    )})
    _, _, topic = evidence(kb, "收件检查有哪几步？")
    assert topic.held_shares("1. 揽收时核对寄件人身份证件；")[[m for m, _ in topic.groups].index("收件")] == pytest.approx(0.7)
    a = kb.ask("收件检查有哪几步？")
    assert a.answered and all(x in a.answer for x in ("核对寄件人身份", "称重", "封箱贴标")), a.answer


@pytest.mark.parametrize("question, framing, topic", [
    ("小哥进了客户家里，哪些事情绝对不能做？", ("绝对", "做"), ("客户", "家里")),
    ("熱線電話響幾聲之內一定要接？", ("一定",), ("热线电话",)),
    ("要核对些什么资料才能讲派送进度", ("些",), ("核对", "派送")),
    ("这种投诉咋搞", ("搞",), ("投诉",)),
    ("客戶資料入面，邊啲屬於敏感資料？", ("属于", "里面", "入", "面", "边", "些"), ("客户资料", "敏感")),  # 入面, 邊啲: Cantonese
    ("热线电话响几声之内一定要接", ("之内",), ("热线电话",)),
    ("大客户谈判价格压得太低怎么办", ("太",), ("大客户", "谈判", "价格")),  # how much so
])
def test_how_firmly_how_many_and_that_something_is_done_frame_a_question(question, framing, topic):
    """Adverbs of modality (一定, 绝对), determiners of number (些), light verbs (做, 搞), verbs
    of classing (属于) and nouns of place in a thing (里面, 之内) say how a question asks, not
    what about: none is a topic word the answer must hold."""
    words = {w for group in analyse_question(question).topic for w in group}
    assert not words & set(framing) and set(topic) <= words, words


def test_a_title_that_says_how_many_lines_it_has_answers_with_as_many(tmp_path):
    """A slide's title says it has three principles, and three unnumbered lines follow, each
    longer than a bare item: the answer gives all three, not the two lines a title over prose gets."""
    kb = small_kb(tmp_path, {"包装课件.md": (
        "# 包装规范\n\n## 第二讲 包装要求\n\n"
        "为什么要重视包装\n一票快件从揽收到签收，平均经过4次分拣、6次装卸\n\n"
        "封箱三原则\n"
        "牢固：封箱后能承受1.2米高度跌落不开裂\n"
        "适度：箱内空隙不超过箱子容积的百分之二十\n"
        "整洁：胶带平整不起皱，旧面单全部撕掉或涂黑\n\n"
        "## 第三讲 收费\n\n门店按公司价目表收取包装费。\n"
    )})
    a = kb.ask("封箱三原则是哪三条？")
    assert a.answered and all(x in a.answer for x in ("牢固", "适度", "整洁")), a.answer
    assert "价目表" not in a.answer


@pytest.mark.parametrize("question, said", [
    ("a", "说得太少"),
    ("问", "说得太少"),
    ("怎么办？多少钱？哪些？", "说得太少"),  # 钱 alone, asked three ways
    ("請問，，，，", "只有问话的词"),
    ("怎么办", "只有问话的词"),
])
def test_a_question_that_says_too_little_is_not_answered(built, question, said):
    """One character (a, 问, the 钱 of 多少钱) is in half the passages, and only question words name
    nothing: no answer, and a reply that says why instead of a passage at confidence 0.97."""
    a = built.ask(question, script="hans")
    assert not a.answered and said in a.answer and a.confidence == 0.0, a.answer


def test_a_name_cut_into_characters_still_asks(tmp_path):
    """邓兆棠 is read as three characters: three of them are a topic, not too little."""
    kb = small_kb(tmp_path, {"人物.txt": "人物介绍\n\n邓兆棠是香港的电视演员，1980年代加入无线电视。\n\n其他\n\n本页介绍几位演员的生平。\n"})
    a = kb.ask("邓兆棠是谁？")
    assert a.answered and "电视演员" in a.answer


@pytest.mark.parametrize("width", ["full", "ascii"])
def test_a_sentence_ends_the_same_in_either_width(tmp_path, width):
    # most Chinese text writes ！？； full width, a scraped page or a slide ASCII: a sentence
    # ends at ！ or ？ in either, and a semicolon joins the clauses of one sentence in either
    text = "网点须在每日18点前完成对账；差异超过50元的须上报。遇到台风怎么办？停止派送！"
    if width == "ascii":
        text = text.replace("；", ";").replace("？", "?").replace("！", "!")
    kb = small_kb(tmp_path, {"a.txt": f"第一章 对账\n{text}\n"})
    from kb.answer import sentences

    (passage,) = [p for p in kb.passages() if "对账" in p.text and "18" in p.text]
    pieces = [s for _, s in sentences.split(passage) if "第一章" not in s]
    assert len(pieces) == 3, pieces
    assert "18" in pieces[0] and "50" in pieces[0]  # one sentence, its two clauses


def test_a_count_asked_in_steps_is_answered_by_the_list_a_heading_calls_steps(tmp_path):
    # 哪几步 says what is asked without the noun: 步 counts 步骤 and nothing else a list is made of,
    # so the heading naming 步骤 heads the answer, not a checklist holding more of the other words
    kb = small_kb(tmp_path, {"a.docx.txt": (
        "第三章 理赔\n"
        "第二节 理赔操作步骤\n"
        "受理时请按以下步骤操作：\n"
        "1. 核实身份：请客户出示有效证件。\n"
        "2. 登记损失：记录物品名称、数量和价值。\n"
        "3. 收集凭证：拍照并收取购物凭证。\n"
        "4. 提交审核：在系统中提交理赔单。\n"
        "附录 理赔申请自查清单\n"
        "□ 是否核实了客户身份\n"
        "□ 是否拍照留存\n"
        "□ 是否告知了处理时限\n"
        "□ 是否在系统中提交\n"
    ), "b.txt": "第一章 月结\n客户申请月结须提交营业执照。\n申请通过后开通月结账号。\n",
        "c.txt": "第一章 加盟\n加盟申请由区域经理审核，申请人须年满25岁。\n"})
    answer = kb.ask("理赔申请一共有哪几步？")
    assert answer.answered and "理赔操作步骤" in answer.answer, answer.answer
    assert "登记损失" in answer.answer and "□" not in answer.answer


def test_a_heading_over_a_slide_s_unmarked_lines_answers_a_list_with_them(tmp_path):
    # a slide's bullets reach the text without their markers: the short lines under its title
    # are its items, up to the next slide's title, which is no item of them
    from .seed_formats import write_pptx

    lines = ["网点安全培训", "第三讲 网点安全：全年目标", "全年无重大交通事故", "电动车头盔佩戴率100%",
             "消防器材每月检查一次", "新员工安全培训覆盖率100%", "电动车充电试点",
             "充电区设在室外，每个车位配一个灭火器", "充电时有人值守，充满即拔，夜间不得充电",
             "电动车停放", "车辆停放在划线区域内，不得堵塞消防通道",
             "第四讲 安全检查", "每周由站长带队检查一次。检查结果记入台账，问题限期整改。"]
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pptx("\n".join(lines), {2: 1, 7: 2, 10: 2, 12: 1}, folder / "deck.pptx")
    (folder / "other.txt").write_text("第一章 派送\n派送前检查车辆，确认快件数量。\n", "utf-8")
    kb = KnowledgeBase.build([folder], tmp_path / "ix")
    answer = kb.ask("网点安全定了哪几个目标？")
    assert answer.answered, answer.answer
    for item in ("全年无重大交通事故", "头盔佩戴率", "消防器材", "安全培训覆盖率"):
        assert item in answer.answer, answer.answer
    assert "充电试点" not in answer.answer and "台账" not in answer.answer
