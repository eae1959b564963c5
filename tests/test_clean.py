from kb.clean import clean, page_marker_title


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
    assert texts(raw) == ["規爝f企業"]


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
