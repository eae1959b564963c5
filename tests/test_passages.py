import re

import pytest

from kb import QueryError
from kb.clean import clean, page_marker_title
from kb.passages import MAX_TEXT, OVERLAP, WINDOW, build_passages
from kb.structure import MAX_PASSAGE, build_document

from .conftest import seed


def seed_passages(path):
    raw = path.read_text("utf-8")
    return build_passages(build_document(path.name, clean(raw), page_marker_title(raw))), raw


@pytest.fixture(scope="module")
def all_passages(seeds_dir):
    return {p.name: seed_passages(p) for p in sorted(seeds_dir.glob("*.txt"))}


def test_every_passage_text_is_in_its_cleaned_lines(all_passages):
    for name, (passages, raw) in all_passages.items():
        cleaned = {line.no: line.text for line in clean(raw)}
        for p in passages:
            span = "".join(cleaned.get(n, "") for n in range(p.line_start, p.line_end + 1))
            for piece in p.text.split("\n"):
                assert piece in cleaned.get(p.line_start, "") or _in_order(piece, span), (p.id, piece[:30])


def _in_order(piece: str, span: str) -> bool:
    it = iter(re.sub(r"\s", "", span))
    return all(ch in it for ch in re.sub(r"\s", "", piece))


def test_passages_are_small_enough_to_read_at_a_glance(all_passages):
    for passages, _ in all_passages.values():
        # a section packs up to MAX_PASSAGE; one long paragraph is read in windows of WINDOW
        assert all(len(p.text) <= (WINDOW if len(p.lines) == 1 else MAX_PASSAGE) + 20 for p in passages)


def test_a_short_section_keeps_all_its_numbered_steps(all_passages):
    passages, _ = all_passages["000_eada5ee40357fd85.txt"]
    holder = [p for p in passages if "顧客抱怨、投訴處理的步驟" in p.text]
    assert len(holder) == 1
    for step in ("第一步", "第二步", "第三步", "第四步", "第五步"):
        assert step in holder[0].text
    assert holder[0].kind == "steps"
    assert holder[0].section[-1] == "第三單元 處理客戶抱怨、投訴的要訣"


def test_breadcrumb_starts_with_document_title(all_passages):
    passages, _ = all_passages["000_eada5ee40357fd85.txt"]
    assert all(p.section[0] == "《經營效益提升管道整體課程》服務方案" for p in passages)


def test_quoted_speech_is_a_script(all_passages):
    passages, _ = all_passages["003_b79be88cefedbace.txt"]
    holder = next(p for p in passages if "公司委托我來處置這件事情" in p.text)
    assert holder.kind == "script"


def test_boilerplate_never_becomes_a_passage(all_passages):
    for passages, _ in all_passages.values():
        for p in passages:
            assert "盆腔器官" not in p.text and "溫馨提示" not in p.text and "下載本文檔" not in p.text


def test_line_spans_are_one_based_and_ordered(all_passages):
    for passages, raw in all_passages.values():
        n = len(raw.splitlines())
        assert all(1 <= p.line_start <= p.line_end <= n for p in passages)


# A real paragraph (DRCD 3297_慈禧太后.txt, line 6 of the article): 928 characters, one line.
CIXI = (
    "1898年，光緒帝在康有為、梁啓超等人的鼓動下，決定發起改革。6月10日，光緒帝令翁同龢起草《明定國是詔》，送交慈禧審查，"
    "得到了准許，並於翌日頒布，拉開了戊戌變法的序幕。這次變法涉及了政治、軍事、教育、經濟等方面，遭到眾多保守派大臣的強烈反對，"
    "其中包括軍機大臣世鐸、剛毅等人，他們多次向慈禧表示反對變法。慈禧也越來越反對與光緒帝的變法觀點，帝黨和太后黨的矛盾越來越尖銳，"
    "而康有為等人此時已有殺害慈禧的計劃。光緒帝計劃與慈禧一起前往天津閱兵，民間風傳慈禧要廢黜光緒帝，也有傳聞說光緒帝要把慈禧幽禁於頤和園。"
    "9月19日，慈禧突然離開頤和園，回到紫禁城；隨即發動政變，將光緒帝遷居瀛台。慈禧宣布光緒帝得病，不能視朝，自己臨朝稱制，重新訓政。"
    "戊戌變法被廢止，變法中的重要人物譚嗣同、楊銳、林旭、劉光第、楊深秀、康有溥等維新六君子被斬首，康有為、梁啓超則流亡國外。"
    "根據雷家聖《失落的真相：晚清戊戌政變史事新探》一書指出：戊戌變法期間，日本前首相伊藤博文至中國訪問。"
    "當時英國傳教士李提摩太向變法派領袖康有為建議，要求清朝方面聘請伊藤為顧問，甚至付以事權。"
    "於是變法派官員在伊藤抵華後，紛紛上書請求重用伊藤，引起保守派官員的警惕。"
    "保守派官員楊崇伊甚至密奏慈禧太后：風聞東洋故相伊藤博文，將專政柄。伊藤果用，則祖宗所傳之天下，不啻拱手讓人。"
    "這種激烈的言論，促使慈禧太后在9月19日由頤和園回到紫禁城，意欲了解光緒皇帝對伊藤有何看法。"
)


def _article_passages(text):
    from kb.clean import Line

    lines = [Line(1, "慈禧太后"), Line(2, text)]
    return build_passages(build_document("cixi.txt", lines))


def test_a_long_paragraph_is_read_in_overlapping_windows():
    passages = [p for p in _article_passages(CIXI) if 2 in p.lines]
    assert len(passages) >= 2
    assert all(len(p.text) <= WINDOW for p in passages)
    for before, after in zip(passages, passages[1:]):
        # the next window opens with the sentences closing the one before it
        head = after.text[: after.text.index("。") + 1]
        assert head in before.text and len(head) <= OVERLAP


def test_every_two_sentences_of_a_paragraph_stand_together_in_some_window():
    # an answer and the sentence before it (where the question's words are) are found together
    passages = [p.text for p in _article_passages(CIXI) if 2 in p.lines]
    sentences = [s + "。" for s in CIXI.split("。") if s]
    for first, second in zip(sentences, sentences[1:]):
        if len(first) + len(second) <= OVERLAP:
            assert any(first + second in text for text in passages), first[:12]


def test_windows_give_back_the_paragraph_whole():
    passages = [p.text.split("\n")[-1] for p in _article_passages(CIXI) if 2 in p.lines]
    rebuilt = passages[0]
    for text in passages[1:]:
        overlap = next(k for k in range(min(len(text), len(rebuilt)), -1, -1) if rebuilt.endswith(text[:k]))
        rebuilt += text[overlap:]
    assert rebuilt == CIXI


def test_a_first_line_that_is_the_title_alone_is_left_to_the_breadcrumb():
    passages = _article_passages(CIXI)
    assert passages[0].section == ("慈禧太后",)
    assert all(1 not in p.lines for p in passages)  # no passage's text repeats the title line


def test_a_first_line_that_says_more_than_the_title_stays():
    from kb.clean import Line

    lines = [Line(1, "客户服务培训 第一版 讲师:王老师"), Line(2, "本课程讲客户服务的基本功。")]
    doc = build_document("a.txt", lines)
    assert doc.title != lines[0].text
    assert any(1 in p.lines for p in build_passages(doc))


def test_the_json_text_is_the_files_own_text_readings_and_all(built):
    """DESIGN.md's contract: `text` is the passage's original text. Cleaning takes the scraper's
    readings out of what is searched and shown (the highlight), not out of what the file says."""
    raw = seed("004").read_text("utf-8")
    hit = built.search("送货时间延迟 给客户带来不便", limit=1)[0]
    out = hit.to_json()
    assert "(shí)" in out["text"] and out["text"] in raw.splitlines()[hit.passage.line_start - 1]
    assert "(shí)" not in hit.passage.text and "(shí)" not in out["highlight"]
    assert len(out["text"]) <= MAX_TEXT


def test_every_passage_of_a_file_with_readings_stays_within_the_contracts_length(built):
    assert all(len(h.passage.source_text) <= MAX_TEXT for h in built.search("客户 投诉 处理 快递", limit=50))
    plain = next(p for p in built.search("大客户", limit=20) if p.passage.doc.startswith("002"))
    assert plain.passage.original == "" and plain.to_json()["text"] == plain.passage.text


def test_a_passage_in_context_is_among_its_neighbours_and_around_cannot_be_negative(built):
    target = built.passages("000")[10]
    assert built.context(target.id, around=0) == [target]
    assert built.context(target.id, around=10**100) == built.passages("000")
    with pytest.raises(QueryError, match="around"):  # found by tests/test_fuzz.py: it gave []
        built.context(target.id, around=-1)


@pytest.mark.parametrize("numbers", [("一", "二", "三"), ("1", "2", "3")])
def test_steps_numbered_in_either_numerals_make_a_steps_passage(numbers):
    """第1步 numbers a procedure as 第一步 does (a deck's 申诉流程 was read as an outline)."""
    from kb.clean import Line

    texts = ["绩效考核培训", "第四单元 申诉流程"] + [f"第{n}步：{t}" for n, t in zip(numbers, (
        "收到扣分通知后3个工作日内在系统提交申诉", "附上通话录音、聊天截图等证据", "站长2个工作日内初审"))]
    doc = build_document("a.txt", [Line(i, t) for i, t in enumerate(texts, 1)])
    (passage,) = [p for p in build_passages(doc) if "申诉" in p.text]
    assert passage.kind == "steps"


@pytest.mark.parametrize("markers", [("①", "②", "③"), ("一、", "二、", "三、"), ("（1）", "（2）", "（3）")])
def test_a_procedure_s_items_are_read_with_the_item_grammar(markers):
    """A heading naming a procedure (流程) over items in any numbering the item grammar knows
    (kb.structure.ITEM_MARKER: circled, 一、, full-width brackets) makes a steps passage."""
    from kb.clean import Line

    texts = ["分拣作业指引", "第二节 错分处理流程"] + [f"{m}{t}" for m, t in zip(markers, (
        "发现错分件后立即扫描登记并隔离存放", "当班主管核对面单信息，重新分拣至正确格口", "次日晨会通报错分原因"))]
    doc = build_document("a.txt", [Line(i, t) for i, t in enumerate(texts, 1)])
    (passage,) = [p for p in build_passages(doc) if "错分" in p.text]
    assert passage.kind == "steps"
