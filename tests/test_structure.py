import pytest

from kb.clean import RUN_ON, Line, clean, page_marker_title
from kb.structure import MAX_PASSAGE, build_document, cut_run_on, heading_rank, outline, sentence_cuts


@pytest.mark.parametrize(
    "text, rank",
    [
        ("課程四:《化訴為金的客服技巧》", 1),
        ("第一篇 2B報價客戶市場開拓能力訓練", 2),
        ("第四部分 处理客户投诉的能力", 2),
        ("第五章 大客户关系的维系与管理", 2),
        ("單元一 快遞行業的現狀", 3),
        ("第三單元 處理客戶抱怨、投訴的要訣", 3),
        ("第一节 大客户关系发展模型", 4),
        ("一、快遞行業的市場基本狀況", 5),
        ("(二)找出快递企业自身的优势与劣势", 5),
        ("2、顧客抱怨、投訴處理的步驟", 6),
        ("4.团队激励的主要方式", 6),
        ("(1)第一步:耐心傾聽", 7),
        ("1)目標(PURPOSE)—上級指令", 7),
        ("a) 幫助學員掌握業績提升團隊5P模型", 7),
        ("模块二 快件收寄验视", 2),
        ("項目五快件派送業務操作", 2),
        ("任务四", 3),
        ("第三讲 投诉电话的接听", 3),
        ("第2課 服務禮儀", 3),
        ("1.2 目的与适用范围", 4.2),
        ("3.1.2 禁寄物品的识别", 4.4),
        # a title that begins with a character that is also a unit (个 of 3.5 个工作日, 月 of 2 月):
        # a unit that begins everyday words does not make the number a figure (kb.measures)
        ("4.1 个人物品进境", 4.2),
        ("2.1 月结客户的分级", 4.2),
        ("3.2 日常检查", 4.2),
        ("1.3 成本核算", 4.2),
    ],
)
def test_numbering_styles_are_headings_with_their_rank(text, rank):
    assert heading_rank(text) == rank


@pytest.mark.parametrize("text", ["第一步耐心傾聽", "2020年CR5單票價格", "ü 克服異議的步驟", "12.5%的增長", "快刀斩乱麻",
                                  "12.5 公斤以內按首重計", "1.5 个月内", "2.5 工作日", "3.5 万元以上", "1.64 0.71 29.93%", "2.5元/公斤", "第二讲述了什么", "项目经理要求",
                                  "第一课程"])
def test_plain_lines_and_bullets_are_not_headings(text):
    assert heading_rank(text) is None


def lines(*texts):
    return [Line(i, t) for i, t in enumerate(texts, 1)]


def test_headings_nest_by_rank_into_a_tree():
    doc = build_document("d.txt", lines(
        "課程四:《化訴為金的客服技巧》",
        "第三單元 處理客戶抱怨、投訴的要訣",
        "2、顧客抱怨、投訴處理的步驟",
        "(1)第一步:耐心傾聽",
        "(2)第二步:表示同情理解并真情致歉",
        "第四單元、超越客戶滿意,形成粘性",
        "正文",
    ))
    course = doc.root.children[0]
    assert [c.title for c in course.children] == ["第三單元 處理客戶抱怨、投訴的要訣", "第四單元、超越客戶滿意,形成粘性"]
    steps = course.children[0].children[0]
    assert [c.title for c in steps.children] == ["(1)第一步:耐心傾聽", "(2)第二步:表示同情理解并真情致歉"]
    assert course.children[1].body[0].text == "正文"


def test_an_exercise_sections_numbered_questions_head_nothing():
    """课后练习 asks (1. 简述…): its numbered lines are its body, so the search's heading feature
    does not take them for titles that name the section's subject."""
    doc = build_document("d.md", lines(
        "第五章 派送异常处理",
        "一、严禁行为",
        "1. 未经同意私自标记签收，按虚假签收处理，每票罚款50元。",
        "課後練習",
        "1. 簡述路線規劃五步法。",
        "2. 什么情况下会被认定为虚假签收？",
    ), levels={1: 1, 4: 2})  # as a Markdown file, say, declares 第五章 and 課後練習
    chapter = doc.root.children[0]
    rules, exercises = chapter.children
    assert rules.children[0].title.startswith("1. 未经同意")  # a numbered line elsewhere heads its text
    assert exercises.children == [] and [s.text for s in exercises.body] == [
        "1. 簡述路線規劃五步法。", "2. 什么情况下会被认定为虚假签收？"]


def test_a_manuals_modules_lectures_and_decimal_numbers_nest():
    """A trainer's own manual numbers its sections its own way (模块 › 第N讲 › 1.1 › 1.1.1 ›
    items): each numbering nests inside the one above it, and a figure is no heading."""
    doc = build_document("d.txt", lines(
        "模块一 快件收寄",
        "第一讲 收寄验视",
        "1.1 验视的范围",
        "1.1.1 禁寄物品",
        "(1)易燃易爆物品",
        "(2)管制刀具",
        "1.1.2 限寄物品",
        "12.5 公斤以内按首重计",
        "1.2 验视的步骤",
        "第二讲 包装",
        "模块二 派送",
    ))
    one, two = doc.root.children
    assert [c.title for c in (one, two)] == ["模块一 快件收寄", "模块二 派送"]
    lecture = one.children[0]
    assert [c.title for c in one.children] == ["第一讲 收寄验视", "第二讲 包装"]
    assert [c.title for c in lecture.children] == ["1.1 验视的范围", "1.2 验视的步骤"]
    kinds, limits = lecture.children[0].children
    assert [c.title for c in kinds.children] == ["(1)易燃易爆物品", "(2)管制刀具"]
    assert limits.title == "1.1.2 限寄物品" and limits.body[0].text == "12.5 公斤以内按首重计"


def test_a_taiwan_document_s_parts_numbered_in_capital_numerals_nest_their_sections():
    """壹、貳、參 number a Taiwan document's parts, over 一、 and (一): each part holds its own
    一、二、, not a flat run of sections numbered from 一 again and again."""
    doc = build_document("t.txt", lines(
        "壹、市區即時配送服務說明",
        "一、服務定義",
        "市區即時配送是指在同一縣市內由專人取件、直接送達收件人的急件服務。",
        "二、服務時段",
        "每日上午8時至晚上10時，全年無休。",
        "貳、代收貨款作業",
        "一、開辦條件",
        "寄件人須為月結客戶，代收金額單筆不超過新臺幣2萬元。",
    ))
    one, two = doc.root.children
    assert [c.title for c in (one, two)] == ["壹、市區即時配送服務說明", "貳、代收貨款作業"]
    assert [c.title for c in one.children] == ["一、服務定義", "二、服務時段"]
    assert [c.title for c in two.children] == ["一、開辦條件"]


def test_long_numbered_line_splits_into_title_and_body():
    doc = build_document("d.txt", lines("4、派前电动车检查要点 (1)检查轮胎气压,气压不足及时充气。 (2)检查车把转向是否可靠,前台刹车是否灵敏,整车螺"))
    section = doc.root.children[0]
    assert section.title == "4、派前电动车检查要点"
    assert section.body[0].text.startswith("(1)检查轮胎气压")


def test_run_on_deck_is_cut_at_titles_its_table_of_contents_confirms(seeds_dir):
    path = next(seeds_dir.glob("004*.txt"))
    raw = path.read_text("utf-8")
    doc = build_document(path.name, clean(raw), page_marker_title(raw))
    titles = [c.title for c in doc.root.children]
    assert titles == ["行業認知基礎", "客戶定位策略", "客戶開發技巧", "客戶關系維護", "投訴處理與挽回", "數據化工具應用"]
    # an item number inside a unit ('01競爭格局') is not a unit
    assert all("競爭格局" not in t for t in titles)


def test_document_title_skips_a_bare_label(seeds_dir):
    path = next(seeds_dir.glob("001*.txt"))
    raw = path.read_text("utf-8")
    assert build_document(path.name, clean(raw)).title == "服务与渠道营销"


def test_outline_lists_sections_not_bare_items(seeds_dir):
    path = next(seeds_dir.glob("000*.txt"))
    raw = path.read_text("utf-8")
    entries = outline(build_document(path.name, clean(raw)))
    titles = [t for _, t, _ in entries]
    assert "課程四:《化訴為金的客服技巧》" in titles
    assert "第三單元 處理客戶抱怨、投訴的要訣" in titles
    assert "(1)第一步:耐心傾聽" not in titles
    depth = {t: d for d, t, _ in entries}
    assert depth["第三單元 處理客戶抱怨、投訴的要訣"] == depth["課程四:《化訴為金的客服技巧》"] + 1


# --- cutting run-on lines keeps every character --------------------------------------
# Excerpts of the external Wikipedia corpora (DRCD, CMRC 2018) unless marked otherwise.

def pieces(text: str) -> list[str]:
    return [seg.text for seg, _ in cut_run_on(Line(1, text), "")]


def test_a_cut_keeps_the_dot_and_abbreviations_are_not_cut():
    # drcd 3208 (南加州大学): the old cut ate the dot of every initial: 'Daniel JEpstein'
    text = ("2002年以不動產企業家Daniel J. Epstein為名的Epstein工業工程學系。"
            "2005年美國能源公司首席執行長John Mork家族為名的Mork家族化學工程與材料科學系。")
    assert pieces(text) == ["2002年以不動產企業家Daniel J. Epstein為名的Epstein工業工程學系。",
                            "2005年美國能源公司首席執行長John Mork家族為名的Mork家族化學工程與材料科學系。"]


@pytest.mark.parametrize("text", [
    "The Machaeroidinae are sometimes placed here, e.g. by Egi, 2001.类剑齿虎亚科有时亦被分类在鬣齿兽科中",
    "底特律圣保罗座堂（Cathedral Church of St. Paul）是美国圣公会密歇根教区的主教座堂",
    "不过好戏才正要登场...耕作最初见到的美少女，其实是身为男人的大空家长子",
    "是对僵死的观念的一种挑战……anomie不是一种邪恶的东西",
    "它在2004年4月28日公布的iTunes4.5和QuickTime6.5.1的其中一部份",
    "牠们的齿式是：上颚1-3.1.4.2；下颚3.1.4.2-3",
    "引起旧生不满，发起网上联署行动，参见https://www.facebook.com/events/154761701328646/",
    "所属事务所Cube Inc.。兴趣是钓鱼",
    "美商溫瑞爾公司的U.S. Army合約由Mr. Klein與No. 5工廠簽下",  # constructed: U.S., Mr., No.
])
def test_no_cut_inside_abbreviations_numbers_ellipses_or_domains(text):
    assert [c for c in sentence_cuts(text) if text[c - 1] == "."] == []
    assert "".join(pieces(text)) == text


def test_a_slide_break_dot_is_still_a_cut_and_stays_in_the_text():
    # seeds/003 line 14: '.' between two slides of a deck scraped into one line
    assert pieces("1、星級客戶效力.目錄客戶總價值大于競爭對手") == ["1、星級客戶效力.", "目錄客戶總價值大于競爭對手"]
    # seeds/003 line 28: the dot after a sentence end is the break, not a piece of its own
    assert pieces("我們會盡力協助您將損失減少到最小。.客戶贊揚處置技巧") == ["我們會盡力協助您將損失減少到最小。.", "客戶贊揚處置技巧"]


def in_order_with_only_whitespace_between(parts: list[str], line: str) -> bool:
    pos = 0
    for part in parts:
        found = line.find(part, pos)
        if found < 0 or line[pos:found].strip():
            return False
        pos = found + len(part)
    return not line[pos:].strip()


def test_every_run_on_line_of_the_seeds_is_cut_without_losing_a_character(seeds_dir):
    # seeds/003 and 004 hold whole decks in lines of up to 10,000 characters: the hard cut at
    # MAX_PASSAGE (a soft break) and the sentence cuts together give back the line
    for path in seeds_dir.glob("*.txt"):
        raw = path.read_text("utf-8")
        lines = clean(raw)
        doc = build_document(path.name, lines, page_marker_title(raw))
        for line in lines:
            if len(line.text) > RUN_ON:
                parts = [s.text for s in doc.root.segments() if s.line == line.no]
                assert in_order_with_only_whitespace_between(parts, line.text), (path.name, line.no)
                assert all(len(p) <= MAX_PASSAGE for p in parts)


def test_the_hard_cut_at_a_soft_break_keeps_every_character():
    # drcd 3208 words, repeated past MAX_PASSAGE with no sentence end: cut at spaces, each space
    # kept with the piece before it, so the pieces joined as passages join them give the line
    text = " ".join(["Daniel J. Epstein"] * (MAX_PASSAGE // 10))
    parts = pieces(text)
    assert len(parts) > 1 and all(len(p) <= MAX_PASSAGE for p in parts)
    assert "".join(parts) == text


def test_a_space_after_a_sentence_cut_stays_between_the_words():
    # cmrc: 'Wow! eye Taiwan' lost its space when the pieces of a line were joined back
    text = "Wow! eye Taiwan全民影音创作大赛" + "，由行政院新闻局主办" * 30
    assert "".join(pieces(text)) == text
