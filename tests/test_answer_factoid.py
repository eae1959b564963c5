"""Sentence answers to factoid questions (who, when, where, how many) over a real index of a
few encyclopedia-style documents written for these tests, and the confidence they carry."""

import pytest

from kb.answer import analyse_question, confidence, draft, evidence, sentence_answer, sentence_candidates, sentences

from .conftest import small_kb

DOCS = {
    "青石桥.txt": (
        "青石桥是江南一座县城的石拱桥，横跨清溪河。青石桥始建于1632年，由当地商人周文远出资修建。"
        "桥长约40米，共有五个桥孔。1958年大修时，桥面换上了新的石板。如今青石桥是县级文物保护单位。\n"
    ),
    "清溪河.txt": (
        "清溪河发源于北部的云雾山，全长约120公里。河流自北向南流经三个乡镇，最后注入白沙湖。"
        "清溪河沿岸的农田以种植水稻为主。\n"
    ),
    "白沙湖.txt": "白沙湖位于县城东南，面积约20平方公里。湖中有一座小岛，名为鹭鸟洲，每年春天有大批白鹭停留。\n",
}


@pytest.fixture(scope="module")
def wiki(tmp_path_factory):
    return small_kb(tmp_path_factory.mktemp("wiki"), DOCS)


@pytest.mark.parametrize(
    "question, kind",
    [
        ("第一个电池是谁制造出来的?", "factoid"),
        ("王处直墓在哪里?", "factoid"),
        ("在哪一年武漢大學歡慶百年校慶?", "factoid"),
        ("SWOT分析在哪个单元讲?", "location"),
        ("波士顿矩阵在哪门课讲?", "location"),
        ("清溪河全长多长?", "figure"),
    ],
)
def test_a_place_or_time_question_is_a_factoid_and_where_taught_is_a_location(question, kind):
    assert analyse_question(question).kind == kind


@pytest.mark.parametrize(
    "question, wanted",
    [("青石桥由谁出资修建?", "person"), ("青石橋是哪一年始建的?", "time"), ("清溪河最后注入哪里?", "place"),
     ("桥有多少个桥孔?", "number"), ("湖中小岛叫什么名字?", "name"), ("怎么处理客户投诉?", None)],
)
def test_what_a_factoid_question_asks_for(question, wanted):
    assert sentences.wanted(question) == wanted


@pytest.mark.parametrize("question, asking", [
    ("青石桥的修建有何特别之处?", "何"),
    ("周文远凭何種手藝修桥?", "何种"),
    ("桥面的石板来自哪家石场?", "哪家"),
    ("修桥共用去幾萬兩白銀?", "几万"),
    ("清溪河流域住着几万人?", "几万"),
    ("修桥时用了什麼東西做桥墩?", "东西"),
    ("桥建成那年出了什么事?", "事"),
])
def test_an_interrogative_is_never_a_topic_word(question, asking):
    """何, 何种, 哪家, 几万 ask; they are never what the answer must hold (nor what it lacks)."""
    words = {t for group in analyse_question(question).topic for t in group}
    assert asking not in words and not any(asking in w for w in words)


def test_a_sentence_holds_a_thing_of_the_asked_kind_only_when_the_question_does_not_name_it():
    assert sentences.holds_wanted("time", "青石桥始建于1632年", "青石桥是哪一年始建的")
    assert not sentences.holds_wanted("time", "1632年的青石桥", "1632年的青石桥有几个孔")
    assert sentences.holds_wanted("number", "全长约120公里", "清溪河全长多少公里")
    assert not sentences.holds_wanted("number", "桥面换上了新的石板", "桥有多少个桥孔")


@pytest.mark.parametrize(
    "question, holds",
    [
        ("青石桥是哪一年始建的?", "1632"),
        ("青石桥由谁出资修建?", "周文远"),
        ("清溪河最后注入哪里?", "白沙湖"),
        ("清溪河全长多少公里?", "120"),
        ("青石橋是由誰出資修建的?", "周文遠"),  # asked in Traditional, answered in Traditional
    ],
)
def test_factoid_answer_is_the_sentence_that_holds_it(wiki, question, holds):
    a = wiki.ask(question)
    assert a.answered, a.answer
    assert holds in a.answer
    assert len(a.answer) <= 120
    assert 0.0 < a.confidence <= confidence.CAP
    assert "(" not in a.answer  # a sentence, not a breadcrumb with a file reference


def test_a_place_answer_cites_the_file_by_its_own_name(wiki):
    a = wiki.ask("清溪河最後注入哪裡?")
    assert a.answered and "白沙湖" in a.answer
    assert {c.doc for c in a.citations} == {"清溪河.txt"}


def test_what_the_documents_do_not_say_is_declined(wiki):
    a = wiki.ask("青石桥的设计师毕业于哪所大学?")
    assert not a.answered
    assert a.confidence == 0.0


def test_confidence_rises_with_the_evidence_and_never_reads_as_certainty(wiki):
    d = draft(wiki, "青石桥是哪一年始建的?")
    assert d.parts and len(d.features) == len(confidence.FEATURES)
    weaker = list(d.features)
    weaker[confidence.FEATURES.index("support")] /= 2
    assert confidence.estimate(weaker) < confidence.estimate(d.features) <= confidence.CAP
    assert confidence.estimate([1.0] * len(confidence.FEATURES)) <= confidence.CAP
    assert not confidence.covered(weaker) or weaker[0] >= confidence.floor()


def test_a_title_chosen_as_the_answer_brings_the_items_under_it(tmp_path):
    kb = small_kb(tmp_path, {
        "接待课.txt": "第二单元 接待客户\n"
                     "1、接待三字诀:“看、听、问”\n"
                     "(1)看:观察客户的表情和语气;\n"
                     "(2)听:耐心听完客户的诉求,不打断;\n"
                     "(3)问:用开放式问题确认客户的需求。\n"
                     "2、接待后的记录\n"
                     "每次接待后在系统里登记客户的问题和处理结果。\n",
    })
    a = kb.ask("接待三字诀具体指什么?")
    assert a.answered
    lines = a.answer.split("\n")
    assert "接待三字诀" in lines[0]
    assert any("观察客户" in x for x in lines) and any("开放式问题" in x for x in lines)
    assert "登记" not in a.answer  # the next heading's text is not part of it


def test_a_sections_title_states_no_fact_figure_or_definition(tmp_path):
    """A chapter's title names its subject (第三章 限寄物品) and states nothing of it: it is no
    candidate for what a definition, a figure or a fact asks; for a list it may head the items."""
    kb = small_kb(tmp_path, {"收寄规范.md": (
        "# 收寄规范\n\n## 第三章 限寄物品\n\n### 定义\n\n"
        "限寄物品是指可以寄递、但对数量、包装或运输方式有限制的物品，例如充电宝只能走陆运。\n\n"
        "### 常见限寄物品\n\n1. 充电宝：每票不超过2个。\n2. 白酒：每票不超过6瓶。\n"
    )})
    titles = {"收寄规范", "第三章 限寄物品", "定义", "常见限寄物品"}
    for question in ("什么是限寄物品?", "限寄的充电宝每票最多多少个?"):
        q, hits, w = evidence(kb, question)
        said = {c.text.strip() for c in sentence_candidates(q, hits, w)}
        assert not said & titles
        assert "1. 充电宝：每票不超过2个。" in said  # a numbered item states what it says
    assert kb.ask("什么是限寄物品?").answer.startswith("限寄物品是指")
    q, hits, w = evidence(kb, "常见的限寄物品有哪些?")
    assert "常见限寄物品" in {c.text.strip() for c in sentence_candidates(q, hits, w)}


def test_a_neighbouring_sentence_joins_the_answer_only_within_the_margin(wiki):
    q, hits, w = evidence(wiki, "青石桥是哪一年始建的?")
    cands = sentence_candidates(q, hits, w)
    chosen, top, _ = sentences.best(cands)
    near = [c for c in cands if c.rank == chosen.rank and abs(c.index - chosen.index) == 1]
    gap = top - max(sentences.score(c.features) for c in near)
    assert sentences.neighbour(chosen, cands, margin=None) is None
    assert sentences.neighbour(chosen, cands, margin=gap / 2) is None
    joined = sentences.neighbour(chosen, cands, margin=gap)
    assert joined in near
    # a line of ordinary length is answered whole, with a neighbour or without
    assert [p.text for p in sentence_answer(chosen, w, joined)] == [p.text for p in sentence_answer(chosen, w)]


def test_a_line_that_only_asks_is_never_the_answer(tmp_path):
    """An exercise's question restates what is asked (3. 什么情况下会被认定为虚假签收?) and
    answers nothing: the sentence that says what it is answers."""
    kb = small_kb(tmp_path, {
        "派送考核.txt": "考核指标\n- 虚假签收率：零容忍。未实际交到收件人手中却标记本人签收的，视为虚假签收。\n",
        "课后练习.txt": "课后练习\n1. 虚假签收要罚多少钱？\n2. 什么情况下会被认定为虚假签收？\n3. 发现同事虚假签收怎么办？\n",
    })
    answer = kb.ask("什么是虚假签收?")
    assert answer.answered
    assert "未实际交到收件人手中" in answer.answer
    assert "什么情况下" not in answer.answer


def test_a_question_with_its_answer_on_the_same_line_is_answered_by_that_line(tmp_path):
    kb = small_kb(tmp_path, {"冷链.txt": "冷链件为什么要预冷？因为预冷能让箱内温度在装箱后两小时内降到5℃以下。\n"})
    answer = kb.ask("冷链件为什么要预冷?")
    assert answer.answered and "两小时内降到5℃以下" in answer.answer


@pytest.mark.parametrize("question, word, measure", [
    ("冷冻温区要求多少度？", "多少度", "temperature"),
    ("收派员派一票件提成多少钱？", "钱", "money"),
    ("每个月几号发工资？", "几号", "date"),
])
def test_a_figure_asked_in_a_measure_is_read_with_its_measure(question, word, measure):
    assert (word, measure) in analyse_question(question).measures


MANUAL = {"冷链操作.txt": (
    "冷冻温区\n"
    "装车时冷冻品放在车厢最里侧，交接时双方核对件数和温度记录，温度超出范围超过30分钟的须拍照上报。\n"
    "冷冻品全程温度须保持在-18℃以下。\n"
    "发薪\n"
    "网点每月15日发工资，收派员每派送一票提成1.2元。\n"
)}


@pytest.mark.parametrize("question, figure", [
    ("冷冻温区要求多少度？", "-18℃"),
    ("收派员派一票件提成多少钱？", "1.2元"),
    ("每个月几号发工资？", "15日"),
])
def test_a_figure_question_is_answered_with_a_figure_in_its_measure(tmp_path, question, figure):
    """多少度 wants a temperature, not the 30 minutes beside it; 钱 and 几号, which the
    document never says, are held by 1.2元 and 15日, so the answer is not declined."""
    answer = small_kb(tmp_path, MANUAL).ask(question)
    assert answer.answered and figure in answer.answer


def test_how_it_is_charged_is_answered_with_the_charges_not_a_date(tmp_path):
    """怎么收费 asks how something is charged: a figure in money (kb.measures), though 怎么
    reads as asking a method. The opening lines hold more of the question's words (大件, 家私,
    安装) and a figure too, the date they were updated; the fee table's line states money."""
    from kb.answer.question import analyse_question

    assert analyse_question("大件家具送货和安装怎么收费？").kind == "figure"
    assert analyse_question("大件家具送货前怎么联络客户？").kind == "method"
    kb = small_kb(tmp_path, {"大件.txt": (
        "大型家私送货及安装服务指引\n"
        "香港分公司大件派送组 更新日期：2024年5月 适用：大件送货及安装师傅\n"
        "一、收费一览\n"
        "基本送货（首件） $380，每加一件 $120，楼梯费每层每件$50。\n"
        "二、预约\n"
        "客户服务主任收到订单后24小时内致电收货人预约送货日期。\n"
    )})
    answer = kb.ask("香港那边大件家具送货和安装怎么收费？")
    assert answer.answered and "$380" in answer.answer and "2024" not in answer.answer


def test_a_measure_the_documents_never_state_still_declines(tmp_path):
    answer = small_kb(tmp_path, {"发薪.txt": "发薪\n网点每月按时发工资，由财务统一办理。\n"}).ask("每个月几号发工资？")
    assert not answer.answered


def test_a_figure_question_is_answered_by_the_best_sentence_stating_a_figure(tmp_path):
    """The sentence that restates the question best (免征 and 税额 without a figure) is no
    answer to 多少; the best sentence that states a figure is."""
    kb = small_kb(tmp_path, {"清关.txt": (
        "个人物品进境\n"
        "个人物品进境应当以自用、合理数量为限，进口税税额较低的个人物品可以免征，以下两类除外。\n"
        "税额在人民币50元（含）以内的，海关予以免征。\n"
        "超出合理数量的，按货物办理进口手续。\n"
    )})
    answer = kb.ask("个人物品的进口税税额多少以下可以免征？")
    assert answer.answered and "50元" in answer.answer


def test_the_sentences_of_the_fifth_hit_are_candidates_too(tmp_path):
    """The sentence that answers may stand in the fifth passage search ranks (its words shared
    by four passages that restate the question): the top five hits' sentences are candidates
    (PASSAGES, measured), not only the top four's."""
    docs = {f"{i}.txt": f"第{i}节 石桥\n青石桥是清溪河上的石拱桥，桥面铺着青石板，第{i}次修缮记录见档案。\n" for i in range(1, 5)}
    docs["5.txt"] = "第五节 修建\n青石桥始建于1632年。\n"
    kb = small_kb(tmp_path, docs)
    q, hits, w = evidence(kb, "青石桥是哪一年修建的?")
    assert len(hits) >= 5
    said = {c.passage.doc for c in sentence_candidates(q, hits, w)}
    assert {h.passage.doc for h in hits[:5]} <= said
