"""Real files of every supported format, written from the seeds by the formats' own tools,
indexed into a real index (either engine): the same query finds the same passage in each, with a
reference in the format's own terms."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from kb import KnowledgeBase, ReadError
from kb.evaluate import canon
from kb.formats import extract, format_counts
from kb.location import Place, find, label, parse
from kb.structure import UNLEVELLED

from .conftest import seed
from .seed_formats import FORMATS, write

SEEDS = ("000", "002")  # Traditional (complaint handling) and Simplified (key accounts, delivery)
# query → the seed it is about
QUERIES = {
    "客诉处理有哪几个步骤": "000",
    "化訴為金的客服技巧": "000",
    "派前电动车检查要点": "002",
    "SPIN提问法": "002",
}
UNIT = {"docx": "¶", "pptx": "slide", "pdf": "page", "html": "¶", "md": "", "gbk.txt": "", "big5.txt": ""}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Two seeds, each as .txt and as every other format, in one folder."""
    folder = tmp_path_factory.mktemp("formats") / "library"
    folder.mkdir()
    for prefix in SEEDS:
        shutil.copy(seed(prefix), folder)
        for fmt in FORMATS:
            write(seed(prefix), folder, fmt)
    return folder


@pytest.fixture(scope="module")
def library(corpus, tmp_path_factory) -> KnowledgeBase:
    return KnowledgeBase.build([corpus], tmp_path_factory.mktemp("formats-index") / "index")


def name(prefix: str, fmt: str) -> str:
    return f"{seed(prefix).stem}.{fmt}"


def top(kb: KnowledgeBase, query: str, doc: str):
    hits = kb.search(query, limit=1, doc=doc)
    assert hits, (query, doc)
    return hits[0].passage


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's character pairs that the other holds (script and spacing aside)."""
    pa, pb = (set(zip(t, t[1:])) for t in (canon(a), canon(b)))
    return len(pa & pb) / max(1, min(len(pa), len(pb)))


# --- every format, one index -------------------------------------------------------

def test_the_whole_folder_indexes_without_a_skip(library):
    r = library.report
    assert r.skipped == ()
    assert r.documents == len(SEEDS) * (len(FORMATS) + 1)
    assert format_counts(library.documents()) == {"txt": 6, "docx": 2, "pptx": 2, "pdf": 2, "md": 2, "html": 2}


def test_a_fresh_index_of_every_format_is_not_stale(library):
    assert library.stale_reasons() == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", QUERIES)
def test_same_query_finds_the_same_passage_in_every_format(library, query, fmt):
    prefix = QUERIES[query]
    expected = top(library, query, name(prefix, "txt"))
    found = top(library, query, name(prefix, fmt))
    assert overlap(found.text, expected.text) >= 0.8, (found.ref, found.text[:80], expected.text[:80])


@pytest.mark.parametrize("fmt", ["docx", "pptx", "html", "md"])
def test_format_headings_give_the_breadcrumbs_the_seed_numbering_gives(library, fmt):
    expected = top(library, "派前电动车检查要点", seed("002").name)
    found = top(library, "派前电动车检查要点", name("002", fmt))
    assert found.section == expected.section
    assert "派前电动车检查要点" in found.section[-1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_references_are_in_the_formats_own_terms_and_kb_show_takes_them(library, fmt):
    p = top(library, "客诉处理有哪几个步骤", name("000", fmt))
    span = parse(p.location)
    assert (span.unit if span else "") == UNIT[fmt]
    assert p.ref.startswith(f"{p.doc}:{p.line_start}")
    assert library.show(p.ref) == p
    if span:
        assert p.ref.endswith(f"({p.location})")
        # as labelled ('slides12–13'): the first passage there (a page can hold several; its ref is exact)
        assert library.show(f"{p.doc}:{p.location.replace(' ', '')}").location == p.location
        assert parse(library.show(f"{p.doc}:{span.unit}{span.first}").location).holds(span.first)


def test_a_deck_hit_says_its_slide_and_a_pdf_hit_its_page(library):
    deck = top(library, "派前电动车检查要点", name("002", "pptx"))
    assert re.fullmatch(r"slides? \d+(–\d+)?", deck.location)
    handout = top(library, "派前电动车检查要点", name("002", "pdf"))
    assert re.fullmatch(r"pages? \d+(–\d+)?", handout.location)
    manual = top(library, "派前电动车检查要点", name("002", "docx"))
    assert re.fullmatch(r"¶ \d+(–\d+)?", manual.location)


def test_show_reads_p_as_page_in_a_pdf_and_paragraph_in_a_word_file(library):
    assert parse(library.show(f"{name('000', 'pdf')}:p3").location).unit == "page"
    assert parse(library.show(f"{name('000', 'docx')}:p3").location).unit == "¶"


@pytest.mark.parametrize("ref, message", [
    ("000_eada5ee40357fd85.pptx:page3", "located by slide"),
    ("000_eada5ee40357fd85.txt:slide3", "located by line"),
    ("000_eada5ee40357fd85.pptx:slide999", "slide 999"),
    ("000_eada5ee40357fd85.pptx:chapter3", "bad reference"),
])
def test_a_reference_in_the_wrong_terms_is_a_clear_error(library, ref, message):
    with pytest.raises(Exception, match=message):
        library.show(ref)


def test_markdown_lines_are_the_files_lines(library, corpus):
    p = top(library, "派前电动车检查要点", name("002", "md"))
    source = (corpus / name("002", "md")).read_text("utf-8").splitlines()
    first = p.text.split("\n")[0]
    assert first[:10] in source[p.line_start - 1]


def test_legacy_encodings_are_detected_and_recorded(library):
    docs = library.documents()
    assert docs[name("000", "gbk.txt")]["encoding"] == "gb18030"
    assert docs[name("000", "big5.txt")]["encoding"] == "big5"


def test_scripts_and_styles_of_a_web_page_are_not_text(library):
    html = [p for p in library.passages() if p.doc.endswith(".html")]
    assert html and not [p for p in html if "腳本" in p.text or "正文" in p.text]
    # a search may still reach ordinary passages through a synonym (样式 → 形式), never the script's words
    assert not [h for h in library.search("腳本樣式不是正文", limit=5) if "腳本" in h.passage.text]


def test_a_pdf_paragraph_wrapped_at_the_margin_reads_as_one_line(corpus):
    lines = extract(corpus / name("000", "pdf")).text.splitlines()
    steps = "(2)第二步:表示同情理解并真情致歉"  # short: on one line in the seed and in the PDF
    assert steps in lines
    long = next(ln for ln in seed("000").read_text("utf-8").splitlines() if len(ln) > 120)
    assert any(long[:60] in ln and long[-20:] in ln for ln in lines)


# --- the CLI --------------------------------------------------------------------

def test_search_json_carries_the_location_and_show_takes_it(library):
    runner = CliRunner()
    index = str(library.store.root)
    r = runner.invoke(main, ["search", "派前电动车检查要点", "--doc", name("002", "pptx"), "--json", "--index", index])
    assert r.exit_code == 0, r.output
    hit = json.loads(r.stdout)["results"][0]
    assert hit["location"].startswith("slide") and isinstance(hit["line_start"], int)
    r = runner.invoke(main, ["show", f"{hit['doc']}:{hit['location']}", "--index", index])
    assert r.exit_code == 0, r.output
    # the first passage on that slide, then the others there (the hit among them, by its exact ref)
    lines = {hit["line_start"], hit["line_end"]}
    ref = f"{hit['doc']}:{'-'.join(map(str, sorted(lines)))} ({hit['location']})"
    assert f"({hit['location']})" in r.stdout.splitlines()[1] and ref in r.stdout


# --- what a real folder also holds ---------------------------------------------

@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, KnowledgeBase]:
    """One good deck among the files a shared drive collects."""
    folder = tmp_path_factory.mktemp("messy") / "drive"
    folder.mkdir()
    write(seed("002"), folder, "pptx", stem="good")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 this is not a real package" * 10)
    (folder / "broken.pptx").write_bytes(b"\x00\x01 not a zip at all" * 10)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n% truncated in transfer\n")
    (folder / "empty.docx").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"  \n\n")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    (folder / "~$good.pptx").write_bytes(b"owner file Office leaves while a deck is open")
    (folder / ".hidden.docx").write_bytes(b"hidden")
    _encrypted_pdf(folder / "locked.pdf")
    _scanned_pdf(folder / "scan.pdf")
    kb = KnowledgeBase.build([folder], tmp_path_factory.mktemp("messy-index") / "index")
    return folder, kb


def _encrypted_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt="secret")
    pdf.drawString(72, 720, "Confidential price list")
    pdf.save()


def _scanned_pdf(path: Path) -> None:
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(Image.new("RGB", (200, 100), "white")), 72, 600, 200, 100)
    pdf.save()


def reasons(kb: KnowledgeBase) -> dict[str, str]:
    return {Path(s.path).name: s.reason.removeprefix(f"{s.path}: ") for s in kb.report.skipped}


def test_one_good_file_is_indexed_among_bad_ones(messy):
    _, kb = messy
    assert kb.report.documents == 1
    assert list(kb.documents()) == ["good.pptx"]


@pytest.mark.parametrize("file, reason", [
    ("broken.docx", r"^corrupt \.docx \(.+\)$"),
    ("broken.pptx", r"^corrupt \.pptx \(.+\)$"),
    ("broken.pdf", r"^corrupt \.pdf \(.+\)$"),
    ("empty.docx", r"^empty file$"),
    ("blank.txt", r"^empty file$"),
    ("old.doc", r"^not a Word 97–2003 document \(no OLE container\)$"),
    ("photo.jpg", r"^unsupported file type \.jpg$"),
    ("locked.pdf", r"^encrypted PDF"),
    ("scan.pdf", r"^scanned PDF: no text layer"),
])
def test_each_skipped_file_says_why_in_one_line(messy, file, reason):
    _, kb = messy
    why = reasons(kb)[file]
    assert re.search(reason, why) and "\n" not in why


def test_hidden_and_office_temp_files_are_not_even_reported(messy):
    _, kb = messy
    assert not {"~$good.pptx", ".hidden.docx"} & set(reasons(kb))


def test_kb_index_lists_the_skipped_files_and_goes_on(messy, tmp_path):
    folder, _ = messy
    r = CliRunner().invoke(main, ["index", str(folder), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0
    assert "Indexed 1 document(s)" in r.stdout and "By format: pptx 1" in r.stdout
    assert "Skipped 9 file(s):" in r.stderr
    assert re.search(r"locked\.pdf: encrypted PDF", r.stderr)
    assert "broken.docx: corrupt .docx (" in r.stderr


# --- each reader on a file made for it -------------------------------------------

def test_word_numbered_lists_headings_and_tables(tmp_path):
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_heading("第一章 客诉处理", level=1)
    document.add_paragraph("处理投诉的步骤:")
    for step in ("耐心倾听", "表示同情", "提出方案"):
        document.add_paragraph(step, style="List Number")
    wps = document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)  # as WPS names its heading styles
    document.add_paragraph("一、倾听", style=wps)
    outlined = document.add_paragraph("二、致歉")  # no heading style, but an outline level
    outlined._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="1"/>'))
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "时效", "标准"
    table.cell(1, 0).text, table.cell(1, 1).text = "同城", "当日达"
    table.cell(2, 0).merge(table.cell(2, 1)).text = "节假日顺延"
    w = nsdecls("w")
    # a tracked insertion and a content control, both of which python-docx's own .text passes over
    document.add_paragraph("先")._p.append(parse_xml(f'<w:ins {w} w:id="1" w:author="a"><w:r><w:t>致歉</w:t></w:r></w:ins>'))
    document.element.body.insert(len(document.element.body) - 1, parse_xml(
        f'<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>控件里的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    document.save(tmp_path / "manual.docx")
    ex = extract(tmp_path / "manual.docx")
    assert ex.text.splitlines() == ["第一章 客诉处理", "处理投诉的步骤:", "1. 耐心倾听", "2. 表示同情", "3. 提出方案",
                                    "一、倾听", "二、致歉", "时效 | 标准", "同城 | 当日达", "节假日顺延", "先致歉",
                                    "控件里的段落"]
    assert ex.levels == {1: 1, 6: 2, 7: 2}
    assert [ex.places[n] for n in (1, 9)] == [Place("¶", 1), Place("¶", 9)]


def test_slides_titles_body_tables_and_notes(tmp_path):
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "客户服务培训"
    slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    slide.shapes.title.text = "投诉处理五步"
    slide.shapes.add_textbox(Inches(1), Inches(4), Inches(6), Inches(1)).text_frame.text = "下方文字"
    slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1)).text_frame.text = "上方文字"
    rows = slide.shapes.add_table(2, 2, Inches(1), Inches(5), Inches(6), Inches(1)).table
    rows.cell(0, 0).text, rows.cell(0, 1).text = "步骤", "要点"
    slide.notes_slide.notes_text_frame.text = "讲师备注:先示范再练习"
    deck.save(tmp_path / "deck.pptx")
    ex = extract(tmp_path / "deck.pptx")
    assert ex.text.splitlines() == ["客户服务培训", "投诉处理五步", "上方文字", "下方文字", "步骤 | 要点", "讲师备注:先示范再练习"]
    assert ex.levels == {2: 0}  # the deck's title is not a section; a slide title has no level
    assert {ex.places[n].number for n in range(2, 7)} == {2}


def test_html_blocks_lists_and_declared_encoding(tmp_path):
    page = ('<html><head><meta charset="gbk"><title>x</title></head><body><h1>客诉处理</h1>'
            "<ol><li><p>耐心倾听</p></li><li>表示<b>同情</b></li></ol><ul><li>记录</li></ul>"
            "<table><tr><th>时效</th><td>当日达</td></tr></table><p>第一行<br>第二行</p>"
            '<div style="display: none">隐藏</div><script>var a = "脚本";</script></body></html>')
    (tmp_path / "page.html").write_bytes(page.encode("gbk"))
    ex = extract(tmp_path / "page.html")
    assert ex.encoding == "gb18030"
    assert ex.text.splitlines() == ["客诉处理", "1. 耐心倾听", "2. 表示同情", "• 记录", "时效 | 当日达", "第一行", "第二行"]
    assert ex.levels == {1: 1}
    # an editor's Western default declared over Chinese bytes: detected instead
    (tmp_path / "old.htm").write_bytes(page.replace('charset="gbk"', 'charset="iso-8859-1"').encode("gbk"))
    assert extract(tmp_path / "old.htm").text.splitlines()[0] == "客诉处理"


SITE_TOP = ('<html><head><meta charset="utf-8"><title>快递柜指引｜学习平台</title></head><body>'
            '<header class="topbar"><a href="/">员工学习平台</a><ul class="nav"><li><a href="/">首页</a></li>'
            '<li><a href="/c">课程总览</a></li></ul></header>'
            '<nav class="breadcrumb"><a href="/">首页</a> &gt; 末端营运</nav>'
            '<aside><h4>本单元相关课程</h4><ul><li><a href="/r">派送路线规划</a></li></ul><h4>下载</h4></aside>')
SITE_END = ('<footer><p>未经授权请勿转载</p><p>© 2026 教育训练组 版权所有</p></footer></body></html>')
ARTICLE = ("<h1>快递柜营运指引</h1><h2>一、投递流程</h2><p>投递前须确认收件人同意使用快递柜。订单备注本人签收、"
           "货到付款或申报价值超过五千元的保价件，不得投柜，应改为送货上门。</p>"
           "<h2>二、保管期限</h2><p>包裹入柜后免费保管二十四小时，逾期按每十二小时加收保管费，满七十二小时取件码失效，"
           "由配送员取出转回营业所。</p><aside><p>小贴士：高价值保价件不得投柜。</p></aside>")


@pytest.mark.parametrize("page, tip", [
    (SITE_TOP + "<main><article>" + ARTICLE + "</article><div>浏览次数：3,412</div></main>" + SITE_END, True),
    (SITE_TOP + '<div role="main">' + ARTICLE + "</div>" + SITE_END, True),
    # no article nor main: the page's header, sidebars and footer are left out, the tip's aside too
    (SITE_TOP + "<div>" + ARTICLE + "</div>" + SITE_END, False),
])
def test_a_saved_web_page_is_read_without_the_site_around_it(tmp_path, page, tip):
    """A trainer saves a course page from the learning site: its menus, breadcrumb, sidebar of
    other courses and footer are not the course; an aside inside the article is."""
    (tmp_path / "page.html").write_text(page, "utf-8")
    lines = extract(tmp_path / "page.html").text.splitlines()
    assert lines[0] == "快递柜营运指引"
    assert ("小贴士：高价值保价件不得投柜。" in lines) == tip
    assert "浏览次数：3,412" not in lines
    for chrome in ("首页", "课程总览", "本单元相关课程", "派送路线规划", "下载", "版权所有", "员工学习平台"):
        assert not any(chrome in line for line in lines), chrome


def test_markdown_keeps_file_lines_and_reads_its_syntax(tmp_path):
    (tmp_path / "notes.md").write_text(
        "# 客诉处理\n\n1. 耐心**倾听**\n2. 表示[同情](http://x)\n\n| 时效 | 标准 |\n|---|---|\n| 同城 | 当日达 |\n", "utf-8")
    ex = extract(tmp_path / "notes.md")
    lines = ex.text.split("\n")
    assert lines[:4] == ["客诉处理", "", "1. 耐心倾听", "2. 表示同情"]
    assert lines[5] == "时效 | 标准" and lines[7] == "同城 | 当日达"
    assert ex.levels == {1: 1} and ex.places == {}


def test_missing_extra_is_one_line_naming_it(tmp_path):
    write(seed("002"), tmp_path, "docx", stem="manual")
    code = ("import sys; sys.modules['docx'] = None\n"  # as if python-docx were not installed
            "from pathlib import Path; from kb.formats import extract; from kb import ReadError\n"
            f"try: extract(Path({str(tmp_path / 'manual.docx')!r}))\n"
            "except ReadError as e: print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out.endswith("manual.docx: needs the formats extra: pip install -e '.[formats]'")


def test_an_unreadable_file_named_on_the_command_line_is_a_read_error(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"not a pdf")
    with pytest.raises(ReadError, match="corrupt .pdf"):
        extract(tmp_path / "x.pdf")


# --- locations, as data ----------------------------------------------------------

@pytest.mark.parametrize("places, text", [
    ([Place("slide", 12)], "slide 12"),
    ([Place("slide", 12), Place("slide", 13)], "slides 12–13"),
    ([Place("page", 3, 4)], "pages 3–4"),
    ([Place("¶", 14), Place("¶", 16)], "¶ 14–16"),
    ([], ""),
])
def test_location_labels_and_parse_back(places, text):
    assert label(places) == text
    if places:
        span = parse(text)
        assert (span.unit, span.first, span.last) == (places[0].unit, places[0].number, max(p.last for p in places))


@pytest.mark.parametrize("typed, unit, first", [
    ("slide12", "slide", 12), ("Slide 12", "slide", 12), ("page3", "page", 3), ("pg 3", "page", 3),
    ("¶14", "¶", 14), ("para14", "¶", 14), ("p14", "p", 14), ("p.3", "p", 3),
])
def test_typed_locations(typed, unit, first):
    span = parse(typed)
    assert (span.unit, span.first) == (unit, first)


def test_a_prefix_with_the_format_suffix_names_one_of_several_copies(library):
    assert library.resolve_doc("000.pptx") == name("000", "pptx")
    assert library.resolve_doc("000.gbk.txt") == name("000", "gbk.txt")
    assert library.resolve_doc("000.txt") == name("000", "txt")
    assert library.show("000.pdf:page1").doc == name("000", "pdf")
    with pytest.raises(Exception, match="several documents"):
        library.resolve_doc("000")


@pytest.mark.parametrize("spec, found_or_error", [
    ("slide3", "slides 3–4"),
    ("p5", "slide 5"),  # a deck has no pages or paragraphs: 'p' can only mean its unit
    ("slide2", "slide 2 of deck.pptx holds no indexed text (blank or boilerplate); nearest passage: slide 1"),
    ("slide9", "deck.pptx has slides 1–5, no slide 9"),
    ("page2", "deck.pptx is located by slide, e.g. deck.pptx:slide2"),
])
def test_finding_a_place_among_located_passages(spec, found_or_error):
    located = ["slide 1", "slides 3–4", "slide 5"]
    try:
        assert find(located, parse(spec), str, "deck.pptx", str) == found_or_error
    except Exception as exc:
        assert str(exc) == found_or_error


def test_a_citation_says_where_its_own_lines_are(library):
    spanning = next(p for p in library.passages(name("000", "docx")) if "–" in p.location)
    first = spanning.lines[0]
    assert spanning.location_of(first, first) == f"¶ {spanning.places[0]}"
    answer = library.ask("客户来投诉时应该按什么步骤处理?")
    located = [c for c in answer.citations if not c.doc.endswith(".txt")]
    for c in located:
        assert parse(c.location).unit == UNIT[c.doc.split(".", 1)[1]], c


def test_pdf_bookmarks_declare_headings_numbering_would_miss(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(tmp_path / "handout.pdf"), pagesize=A4)
    for page, (title, body) in enumerate([("市场分析", "快递市场规模庞大。"), ("客户开发", "先找关键决策人。")], 1):
        pdf.setFont("STSong-Light", 14)
        pdf.bookmarkHorizontal(f"p{page}", 72, 760)
        pdf.addOutlineEntry(title, f"p{page}", level=0)
        pdf.drawString(72, 740, title)
        pdf.setFont("STSong-Light", 10.5)
        pdf.drawString(72, 720, body)
        pdf.showPage()
    pdf.save()
    ex = extract(tmp_path / "handout.pdf")
    assert ex.text.splitlines() == ["市场分析", "快递市场规模庞大。", "客户开发", "先找关键决策人。"]
    assert ex.levels == {1: 1, 3: 1}
    assert [ex.places[n].number for n in (1, 2, 3, 4)] == [1, 1, 2, 2]


def _table_pdf(path: Path, grid: bool) -> None:
    """A page with a heading, a table (drawn grid or none), then two columns of text."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=10.5, leading=15)
    rows = [["产品", "时效", "重量上限", "带电产品"],
            ["标准快递", "3～7个工作日", "70公斤", "内置电池可寄"],
            ["经济快递", "7～15个工作日", "70公斤", "不可寄"]]
    table = Table([[Paragraph(c, style) for c in r] for r in rows], colWidths=[90, 110, 80, 110])
    if grid:
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    columns = Table([[Paragraph("左栏讲收件的要求。", style), Paragraph("右栏讲派件的要求。", style)]], colWidths=[200, 200])
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Paragraph("2.2 产品规格对照", style), table, Paragraph("下面两栏是两段话。", style), columns])


@pytest.mark.parametrize("grid", [True, False])
def test_a_pdf_table_reads_a_row_a_line_as_in_every_other_format(tmp_path, grid):
    # the PDF holds each cell as a line of its own (read so, 标准快递 | 3～7个工作日 | 70公斤
    # came apart into a column of short lines that looked like a title and its items): the cells
    # on one baseline are a row where rules part them, or unruled, in a run of 3 cells or more
    _table_pdf(tmp_path / "t.pdf", grid)
    lines = extract(tmp_path / "t.pdf").text.splitlines()
    assert lines[:4] == ["2.2 产品规格对照", "产品 | 时效 | 重量上限 | 带电产品",
                         "标准快递 | 3～7个工作日 | 70公斤 | 内置电池可寄", "经济快递 | 7～15个工作日 | 70公斤 | 不可寄"]
    # two columns of text side by side are no table: no rule parts them, and a row holds two
    assert "左栏讲收件的要求。" in lines and "右栏讲派件的要求。" in lines


def test_two_columns_of_text_parted_by_a_rule_are_no_table(tmp_path):
    # a leaflet's two columns with a rule drawn between them: each baseline holds two lines a
    # rule parts, but no rule runs across them, as a table's grid would
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(tmp_path / "leaflet.pdf"), pagesize=A4)
    pdf.setFont("STSong-Light", 10.5)
    left = ["收件前先核对寄件人身份。", "贵重物品建议客户保价。", "易碎品须加内衬再封箱。"]
    right = ["派件前先电话联系收件人。", "无人在家时按约定投柜。", "签收后及时上传回单。"]
    for i, (a, b) in enumerate(zip(left, right)):
        pdf.drawString(72, 700 - 18 * i, a)
        pdf.drawString(320, 700 - 18 * i, b)
    pdf.line(300, 720, 300, 640)
    pdf.save()
    lines = extract(tmp_path / "leaflet.pdf").text.splitlines()
    assert not any(" | " in line for line in lines)
    assert set(left + right) <= set(lines)


def test_a_hostile_deeply_nested_html_file_is_skipped_and_the_build_goes_on(tmp_path):
    from kb import KnowledgeBase

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "deep.html").write_text("<html><body>" + "<div>" * 3000 + "客户投诉" + "</div>" * 3000 + "</body></html>", "utf-8")
    (folder / "ok.txt").write_text("第一章 派件\n快递员派件前要检查车辆,确认快件数量与派送路线。\n", "utf-8")
    kb = KnowledgeBase.build([folder], tmp_path / "ix")
    assert list(kb.documents()) == ["ok.txt"]
    assert [s.reason for s in kb.report.skipped] == [f"{folder / 'deep.html'}: nested too deeply to read"]


# --- Word and PowerPoint 97–2003 ---------------------------------------------------
# tests/data/legacy: table.docx, lists.docx and deck.pptx written with python-docx and
# python-pptx, and table.doc, lists.doc and deck.ppt made of them by LibreOffice 7.4 (soffice
# --headless --convert-to doc, ppt); the thumbnail LibreOffice puts in the .ppt's summary
# stream is zeroed (570 KB of it).
LEGACY = Path(__file__).parent / "data" / "legacy"


@pytest.mark.parametrize("old, new", [("deck.ppt", "deck.pptx"), ("table.doc", "table.docx")])
def test_an_old_binary_office_file_reads_as_its_newer_twin(old, new):
    a, b = extract(LEGACY / old), extract(LEGACY / new)
    assert a.text == b.text and a.places == b.places
    assert a.format == old.split(".")[1]


def test_a_ppt_has_its_titles_text_boxes_and_speaker_notes_slide_by_slide():
    e = extract(LEGACY / "deck.ppt")
    lines = e.text.splitlines()
    assert lines[0] == "客戶投訴處理培訓" and 1 not in e.levels  # the title slide's title is the deck's
    assert e.levels == {3: UNLEVELLED, 10: UNLEVELLED}
    assert "第五步：跟進實施" in lines and "講師提示：每一步都要請學員演練。" in lines
    box = lines.index("先安撫情緒，再說明保價規定與賠償標準。") + 1
    assert e.places[box] == Place("slide", 3)


def test_a_doc_keeps_its_headings_and_its_list_items():
    old, new = extract(LEGACY / "lists.doc"), extract(LEGACY / "lists.docx")
    assert old.levels == new.levels == {1: 1, 6: 2}  # Heading 1, Heading 2
    lines = old.text.splitlines()
    # Word draws a numbered list's numbers: the items read as items, bullets in place of 1. 2. 3.
    assert lines[2:5] == ["• 核验身份", "• 询问内件", "• 开箱查看"]
    assert lines[6:] == new.text.splitlines()[6:] == ["• 液体须加防漏袋", "• 易碎品须加内衬"]


def test_a_doc_keeps_its_table_a_row_a_line():
    lines = extract(LEGACY / "table.doc").text.splitlines()
    assert "迷你格 | 45×35×8 | 信封、文件" in lines
    assert "小格 | 衣物、化妆品" in lines  # an empty cell leaves no gap
    assert lines[-1] == "单件重量超过20公斤的包裹不得投递入柜。"


def test_a_doc_field_shows_its_result_and_a_row_is_one_line():
    from kb.formats.msdoc import paragraphs

    text = ("第一章 總則\r詳見\x13 HYPERLINK \"http://x\" \x14服務標準\x15第3頁\x13 PAGE \x15。\r"
            "類型\x07重量\x07\x07文件\x07\x07\x07包裹\x07二十公斤\x07\x07其後\r")
    assert paragraphs(text) == ["第一章 總則", "詳見服務標準第3頁。", "類型 | 重量", "文件", "包裹 | 二十公斤", "其後"]


def test_a_folder_of_old_office_files_is_indexed_searched_and_answered(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("deck.ppt", "table.doc"):
        shutil.copy(LEGACY / name, folder / name)
    kb = KnowledgeBase.build([folder], tmp_path / "ix")
    assert kb.report.documents == 2 and not kb.report.skipped
    hit = kb.search("客人要十倍赔偿怎么办")[0]
    assert hit.passage.doc == "deck.ppt" and re.fullmatch(r"slides? [\d–]+", hit.passage.location)
    answer = kb.ask("快递柜的格口有哪几种?")
    assert answer.answered and "迷你格" in answer.answer and answer.citations[0].doc == "table.doc"


@pytest.mark.parametrize("name, reason", [
    ("cut.doc", r"^corrupt \.doc \(.+\)$"),
    ("cut.ppt", r"^corrupt \.ppt \(.+\)$"),
    ("renamed.doc", r"^a \.docx file named \.doc \(rename it renamed\.docx\)$"),
    ("rich.doc", r"^an RTF file named \.doc \(rename it rich\.rtf\)$"),
])
def test_a_damaged_or_misnamed_old_office_file_is_skipped_in_one_line(tmp_path, name, reason):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("第一章 客诉处理\n先倾听，再致歉。\n", "utf-8")
    source = {"cut.doc": LEGACY / "table.doc", "cut.ppt": LEGACY / "deck.ppt"}
    if name in source:
        (folder / name).write_bytes(source[name].read_bytes()[:4096])
    elif name == "renamed.doc":
        shutil.copy(LEGACY / "table.docx", folder / name)
    else:
        (folder / name).write_bytes(b"{\\rtf1\\ansi\\ansicpg936 hello}")
    kb = KnowledgeBase.build([folder], tmp_path / "ix")
    why = reasons(kb)[name]
    assert re.search(reason, why) and "\n" not in why
    assert kb.report.documents == 1
