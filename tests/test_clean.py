import re

import pytest

from kb.clean import RUN_ON, clean, page_marker_title


def texts(raw: str) -> list[str]:
    return [line.text for line in clean(raw)]


def test_pinyin_annotations_are_removed():
    assert texts("客戶關(guān)系維護(hù)") == ["客戶關系維護"]


def test_pinyin_whose_tone_mark_a_legacy_encoding_lost_is_removed():
    # Big5 and GBK hold no tone-marked vowels: Notepad's "ANSI" save writes '?' in their place
    assert texts("客戶關(gu?n)系維護(h?)與權(qu?n)益") == ["客戶關系維護與權益"]
    assert texts("版權(qu?n)說明:本文檔由用戶提供並上傳") == []  # and the boilerplate line is known again
    assert texts("他問(what?)") == ["他問(what?)"]


def test_latin_in_brackets_is_not_mistaken_for_pinyin():
    assert texts("傾聽(Listen to) 分擔(Share) 目標(PURPOSE)") == ["傾聽(Listen to) 分擔(Share) 目標(PURPOSE)"]


def test_site_notice_block_and_its_numbered_items_are_dropped():
    raw = "正文一\n溫馨提示\n- 1. 本站所有資源如無特殊說明\n  • 2. 本站的文檔不包含任何第三方\n正文二"
    assert texts(raw) == ["正文一", "正文二"]


def test_latest_documents_list_of_unrelated_titles_is_dropped():
    raw = "最新文檔\n- 盆腔器官脫垂的中國診治指南(2023年)\n- 加油站電路火災應急預案(3篇)\n評論\n0/150\n提交評論"
    assert texts(raw) == []


@pytest.mark.parametrize("opener", ["相關文章", "推薦閱讀", "熱門文章", "延伸閱讀"])
def test_a_site_s_list_of_other_pages_is_dropped_under_any_of_its_names(opener):
    raw = f"85分為達標。\n{opener}\n• 以電郵回覆客户查詢的格式\n• 派送站主任工作手冊\n正文二"
    assert texts(raw) == ["85分為達標。", "正文二"]


def test_a_page_s_breadcrumb_share_bar_counts_and_links_to_other_pages_are_dropped():
    raw = ("首页 > 文库 > 物流管理 > 运营方案\n分享到：微信  微博  QQ空间\n阅读：3021次   下载：87次   收藏\n"
           "2024年双11电商旺季运营保障方案\n一、业务预测\n点击下载完整版方案（含附件表格）\n"
           "上一篇：2024年春节期间收派服务安排\n下一篇：转运中心新员工操作手册")
    assert texts(raw) == ["2024年双11电商旺季运营保障方案", "一、业务预测"]
    assert texts("阅读理解的三个层次") == ["阅读理解的三个层次"]  # a title that starts with 阅读 stays


def test_download_and_copyright_lines_are_dropped():
    raw = (
        "已閱讀5頁,還剩28頁未讀, 繼續(xù)免費閱讀\n下載本文檔\n"
        "版權(quán)說明:本文檔由用戶提供并上傳,收益歸屬內(nèi)容提供方\n文檔簡介\n保留這行"
    )
    assert texts(raw) == ["保留這行"]


def test_page_markers_are_dropped_and_give_the_title():
    raw = "星級客戶服務培訓_第1頁\n星級客戶服務培訓_第2頁\n內容"
    assert texts(raw) == ["內容"]
    assert page_marker_title(raw) == "星級客戶服務培訓"


def test_script_garbage_and_bare_page_numbers_are_dropped():
    raw = "ห้องสมุดไป่ตู้\n05\n1 2\n規??爝f企業"
    assert texts(raw) == ["規企業"]  # '爝f' is what is left of 模快遞 after the lost '??'


def test_mojibake_stretches_go_and_rare_words_stay():
    garbled = "客戶、跨境電商客戶等??蛻粜袨樘卣骺蛻粜枨笞兓瘋€(gè)人客戶追求快速"
    assert texts(garbled) == ["客戶、跨境電商客戶等人客戶追求快速"]
    lost = "引發客戶不滿??焖夙憫?yīng)機制建立快速響應機制"
    assert texts(lost) == ["引發客戶不滿機制建立快速響應機制"]
    # a reading that lost its '(' with the character it read: the bytes around it went too
    assert texts("如丟件賠付、延誤補償?shù)?,解決客戶後顧之憂") == ["如丟件賠付、延誤補償,解決客戶後顧之憂"]
    assert texts("也要適當?shù)木徍蜌夥?,比如問") == ["也要適當,比如問"]
    # rare characters in real text: a list of elements, a fish's taxonomy, names
    for kept in ("擁有一些稀有金屬如:鈮、鉭、鋰、銣、銫、鎂、鍶等。",
                 "为辐鳍鱼纲鳗鲡目糯鳗亚目通鳃鳗科的其中一个种",
                 "晉國的荀䓨、荀偃、士匄帶著諸侯聯軍進攻偪陽國",
                 "铙钹、大钹、小钹、水钹、齐钹、镲钹、铰子"):
        assert texts(kept) == [kept]


def test_simplified_download_notices_are_dropped_too():
    raw = "- 1、下载文档前请自行甄别文档内容的完整性\n- 3、如文档侵犯您的权益,请联系客服反馈\n派前电动车检查要点"
    assert texts(raw) == ["派前电动车检查要点"]


def test_kept_lines_keep_their_source_line_numbers():
    raw = "溫馨提示\n- 1. 本站\n\n第一行\n\n05\n第二行"
    assert [(line.no, line.text) for line in clean(raw)] == [(4, "第一行"), (7, "第二行")]


def test_every_cleaned_line_of_the_seeds_is_in_its_source_line(seeds_dir):
    for path in seeds_dir.glob("*.txt"):
        source = path.read_text("utf-8").splitlines()
        for line in clean(path.read_text("utf-8")):
            # cleaning only removes characters: what is left appears in order in the source line
            it = iter(source[line.no - 1])
            assert all(ch in it for ch in line.text.replace("• ", "")), (path.name, line.no)


# --- real lines keep their content ------------------------------------------------
# Excerpts of the external Wikipedia corpora (DRCD, CMRC 2018: /work/shared/eval/external/corpus)
# and of the seeds: cleaning must return an article's line exactly as it is.

@pytest.mark.parametrize("line", [
    "巴吞他尼府（泰文：ปทุมธานี；英文：Pathum Thani）是泰国中部之一个府。",  # cmrc DEV_487
    "荨(qián)麻是荨麻属中大约30-45种植物的通用俗称，广泛分布在全球的温带和热带地区。",  # cmrc DEV_503
    "他的别名是厄俄斯福洛斯（Εωσφόρος，字面意思是“黎明的”）。",  # cmrc: Greek
    "鄂罗克人 (，自称：ульта，ulta，ulcha）是居住在库页岛东边的一个小族群",  # cmrc: Cyrillic
    "世宗大学（谚文：세종대학교，朝鲜汉字：），创立于1940年",  # cmrc: Korean
    "停止！！ 云雀(ストップ!!_ひばりくん!)，是日本漫画家江口寿史的漫画作品",  # cmrc: kana
    "佛教中，出家人通称为僧伽，（巴利文: सन्घ ，Saṅgha， . 梵文：संघ，Saṃgha，Sangha）",  # cmrc: Devanagari
    "在洪都拉斯Útila岛的亚种\"O. v. deschauenseei\"有时会被认为已经灭绝",  # cmrc: accented Latin
    "民间艺术与传统博物馆（Musée des Arts et Traditions populaires），东北濒临",  # cmrc
    "El Niño與Müller在咖啡館(café)見面",  # accented words in brackets after a Traditional character
    "他問:真的?!",  # a real '?!' (no '》' follows: not a lost '《')
])
def test_article_lines_in_any_script_are_kept_exactly(line):
    assert texts(line) == [line]


def test_thai_mojibake_banner_goes_wherever_it_stands():
    # seeds/002 line 290: the Thai rendering of the 百度文库 banner, alone on its line or glued in
    assert texts("ห้องสมุดไป่ตู้\n第二章 大客户市场需求分析ห้องสมุดไป่ตู้") == ["第二章 大客户市场需求分析"]


def test_lost_open_title_mark_goes_but_its_text_stays():
    # seeds/000 line 4: '?!' is what a mis-decoded '《' became; its '》' follows
    # and the mis-decoded opening of the title after it (督洜I for 《經營)
    assert texts("服務方案的出發點?!督洜I效益提升管道》服務方案") == ["服務方案的出發點效益提升管道》服務方案"]


# seeds/002 line 247: a list item on a long line; the old rule took its '1、' for a chunk counter
LIST_ITEM = (
    "1、参与人员:开发经理、部门负责人、公司高 层 2、阶段工作内容 (1)通过对关键决策人的充分了解,加上内线 的协助,"
    "设计与关键决策人的接触方式,投其 所好,建立信任度。 (2)和关键决策人进行深层次沟通,把握成交 机会,"
    "并对与关键决策人的渗透程度做出评估 。我们应当认识到,和采购相关的大部分活动 是销售人员所无法参加的,"
    "比如说客户的内部 会议。因此销售的结果很大程度上是由客户内 部沟通和相互影响决定的,是由支持我们的关 "
    "键决策人、与我们有相同利益的、支持我司的 人来完成的。"
)


def test_a_list_item_opening_a_long_line_keeps_its_number():
    assert len(LIST_ITEM) > RUN_ON
    assert texts("与关键决策人建立良好关系\n" + LIST_ITEM) == ["与关键决策人建立良好关系", LIST_ITEM]


def test_numbered_paragraphs_that_end_their_sentences_keep_their_numbers():
    # drcd 3208 (南加州大学): long numbered paragraphs of an article, each a whole sentence
    paragraph = (
        "2004年3月2日，由Max Nikias院長領導的南加大工程學院重新命名為Andrew and Erna Viterbi工程學院，"
        "用以紀念高通公司創辦人Andrew Erna Viterbi夫婦，最近曾捐贈5200萬美元給學校，這份禮物是有史以來工程學院改名最大的。"
        "Viterbi工程學院不斷的收到來自各方的捐贈，其中包含2004年來自矽谷的資本家Mark Stevens和Mary夫婦所成立的"
        "USC Stevens Institute；2002年以不動產企業家Daniel J. Epstein為名的Epstein工業工程學系。"
    )
    raw = "\n".join(f"{n}、{paragraph}" for n in (38, 39, 40))
    assert len(paragraph) > RUN_ON
    assert texts(raw) == raw.splitlines()


def test_the_sites_chunk_counters_go(seeds_dir):
    # seeds/003: successive run-on lines 1、 … 10、, each chunk picking up the sentence the one
    # before broke off ('…三項讓渡價值VS二' / '2、項讓渡本錢…')
    path = next(seeds_dir.glob("003*.txt"))
    kept = {line.no: line.text for line in clean(path.read_text("utf-8"))}
    assert kept[14].startswith("星級客戶效力.目錄客戶總價值")
    assert kept[16].startswith("項讓渡本錢功能價值")
    assert kept[32].startswith("回復一下客戶。")
    assert not any(re.match(r"\d+、", kept[no]) for no in range(14, 33, 2))


def test_two_common_characters_before_lost_ones_go_with_the_mojibake():
    from kb.clean import drop_mojibake

    line = "“您還沒吃午飯吧,要不要我?guī)湍喴环蒿??諸如此類關懷的話"
    assert drop_mojibake(line) == "“您還沒吃午飯吧,要不要我諸如此類關懷的話"
    # a stretch must start at mojibake: question marks after ordinary words stay
    assert drop_mojibake("客戶問:包裹到了嗎??我們回答") == "客戶問:包裹到了嗎??我們回答"
