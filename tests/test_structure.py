import pytest

from kb.clean import Line, clean, page_marker_title
from kb.structure import build_document, heading_rank, outline


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
    ],
)
def test_numbering_styles_are_headings_with_their_rank(text, rank):
    assert heading_rank(text) == rank


@pytest.mark.parametrize("text", ["第一步耐心傾聽", "2020年CR5單票價格", "ü 克服異議的步驟", "12.5%的增長", "快刀斩乱麻"])
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
