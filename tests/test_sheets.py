"""Spreadsheets (.xlsx, .csv, .tsv): workbooks written by openpyxl and, part by part, as Excel
writes them; CSV in the encodings Excel saves; each read, indexed into a real index, searched
and asked."""

from __future__ import annotations

import datetime
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from kb import KnowledgeBase, ReadError
from kb.formats import extract
from kb.location import Place, label, parse

openpyxl = pytest.importorskip("openpyxl")


def _workbook(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


FAQ = [
    ["分类", "客户问题", "标准话术"],
    ["拒收", "客人说不退钱就不签收怎么办", "先致歉，再说明拒收后原件退回商家，由商家在3个工作日内办理退款。"],
    ["延误", "件好几天都没到", "您好，很抱歉让您久等了，我马上帮您查询物流节点并在2小时内回电。"],
]


def test_a_workbook_reads_a_row_a_line_sheet_by_sheet(tmp_path):
    path = _workbook(tmp_path / "价格.xlsx", {
        "首重续重": [["重量", "首重", "续重", "生效日期"],
                 ["1公斤以内", 12, 0, datetime.date(2024, 6, 1)],
                 ["1-5公斤", 12, 2.5, datetime.datetime(2024, 6, 1, 9, 30)],
                 [None, None, None, None],
                 ["偏远地区", None, 5, None]],
        "附加费": [["燃油附加费", 0.15]],
        "草稿": [["不对外的备注"]],
    }, hidden=("草稿",))
    got = extract(path)
    assert got.format == "xlsx"
    assert got.text.splitlines() == [
        "首重续重", "重量 | 首重 | 续重 | 生效日期", "重量：1公斤以内 | 首重：12 | 续重：0 | 生效日期：2024-06-01",
        "重量：1-5公斤 | 首重：12 | 续重：2.5 | 生效日期：2024-06-01 09:30",
        "重量：偏远地区 | 续重：5",  # a blank row leaves no line, a blank cell no cell
        "附加费", "燃油附加费 | 0.15"]  # a first row of a name and a figure names no columns
    assert got.levels == {1: 1, 6: 1}  # each sheet's name heads its rows; the hidden sheet is left out
    # rows restart in each sheet, so a workbook of several is located by sheet
    assert {got.places[n] for n in range(1, 6)} == {Place("sheet", 1)} and got.places[7] == Place("sheet", 2)
    # and titled by its file's name, not its first sheet's (which titles no other sheet) ...
    assert got.title == "价格"
    # ... unless its properties give it a title
    book = openpyxl.load_workbook(path)
    book.properties.title = "2024年 快递价格表"
    book.save(tmp_path / "titled.xlsx")
    assert extract(tmp_path / "titled.xlsx").title == "2024年 快递价格表"


def test_a_lone_sheet_is_located_by_row_and_excel_s_default_name_heads_nothing(tmp_path):
    got = extract(_workbook(tmp_path / "faq.xlsx", {"Sheet1": [["编号", "内容"], [1, "先听后说"], [2, "先情后理"]]}))
    assert got.text.splitlines() == ["编号 | 内容", "编号：1 | 内容：先听后说", "编号：2 | 内容：先情后理"]
    assert got.levels == {} and [got.places[n] for n in (1, 2, 3)] == [Place("row", 1), Place("row", 2), Place("row", 3)]
    assert got.title == "faq"  # its first line is a row of column names, no title


def test_a_row_says_its_columns_names_only_under_a_row_of_names(tmp_path):
    # a price list read a row at a time (a passage, an answer's line) still says what 2.5 is
    named = extract(_workbook(tmp_path / "a.xlsx", {"Sheet1": [["区域", "首重（元）", "续重（元/公斤）"], ["一、华东"],
                                                              ["江浙沪", 10, 2], ["安徽", 12, 3]]}))
    assert named.text.splitlines() == ["区域 | 首重（元） | 续重（元/公斤）", "一、华东",  # a title row stays a title
                                       "区域：江浙沪 | 首重（元）：10 | 续重（元/公斤）：2", "区域：安徽 | 首重（元）：12 | 续重（元/公斤）：3"]
    # a first row of figures, or of long text, names nothing
    bare = extract(_workbook(tmp_path / "b.xlsx", {"Sheet1": [["江浙沪", 10, 2], ["安徽", 12, 3]]}))
    assert bare.text.splitlines() == ["江浙沪 | 10 | 2", "安徽 | 12 | 3"]
    prose = extract(_workbook(tmp_path / "c.xlsx", {"Sheet1": [["来电先问候，报工号", "再核对单号。"], ["一", "二"]]}))
    assert prose.text.splitlines()[1] == "一 | 二"


def test_a_faq_sheet_reads_as_questions_over_their_answers(tmp_path):
    got = extract(_workbook(tmp_path / "话术.xlsx", {"话术库": FAQ}))
    assert got.text.splitlines() == [
        "话术库",
        "问：客人说不退钱就不签收怎么办", "答：先致歉，再说明拒收后原件退回商家，由商家在3个工作日内办理退款。 | 拒收",
        "问：件好几天都没到", "答：您好，很抱歉让您久等了，我马上帮您查询物流节点并在2小时内回电。 | 延误"]
    assert got.places[2] == got.places[3] == Place("row", 2)


def _excel_parts(path: Path) -> Path:
    """A workbook as Excel writes one: shared strings (one rich, with a phonetic guide over it),
    an inline string, a formula with its last value, an error, a boolean, a date style, the 1904
    date system, and the workbook named by an absolute target."""
    main_ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '</Types>'),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rels}/officeDocument" Target="/xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<workbook {main_ns} {rel_ns}><workbookPr date1904="1"/><sheets>'
            '<sheet name="投诉处理" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rels}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{rels}/styles" Target="styles.xml"/></Relationships>'),
        "xl/sharedStrings.xml": (
            f'<sst {main_ns} count="2" uniqueCount="2"><si><t>步骤</t></si>'
            '<si><r><rPr><b/></rPr><t>耐心</t></r><r><t>倾听</t></r><rPh sb="0" eb="2"><t>ナイシン</t></rPh></si></sst>'),
        "xl/styles.xml": (
            f'<styleSheet {main_ns}><numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="176"/></cellXfs></styleSheet>'),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet {main_ns}><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>要点</t></is></c></row>'
            '<row r="3"><c r="A3"><v>1</v></c><c r="B3" t="s"><v>1</v></c><c r="C3" t="str"><f>"先"&amp;"道歉"</f><v>先道歉</v></c>'
            '<c r="D3" t="e"><v>#N/A</v></c><c r="E3" t="b"><v>1</v></c><c r="F3" s="1"><v>0</v></c></row>'
            '</sheetData></worksheet>'),
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


def test_excel_s_own_parts_are_read_as_excel_shows_them(tmp_path):
    got = extract(_excel_parts(tmp_path / "excel.xlsx"))
    # a rich string is its runs' text, not its phonetic guide; a formula its last value; an
    # error nothing; a date in the 1904 system its day (1904-01-01); row 2 is empty
    assert got.text.splitlines() == ["投诉处理", "步骤 | 要点", "步骤：1 | 耐心倾听 | 要点：先道歉 | TRUE | 1904-01-01"]
    assert got.places[3] == Place("row", 3)


def test_a_faq_sheet_is_searched_asked_and_shown_by_row(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    _workbook(folder / "客服话术.xlsx", {"话术库": FAQ})
    _workbook(folder / "价格.xlsx", {"首重": [["重量", "首重"], ["1公斤以内", 12]], "附加费": [["燃油附加费", 0.15]]})
    kb = KnowledgeBase.build([folder], tmp_path / "index")
    assert kb.report.documents == 2 and not kb.report.skipped
    hit = kb.search("客人不退钱就不签收")[0]
    assert hit.passage.doc == "客服话术.xlsx" and hit.passage.location.startswith("row")
    # a workbook files its passages under its own name, each sheet a heading
    assert {p.section[0] for p in kb.passages() if p.doc == "价格.xlsx"} == {"价格"}
    assert {p.section[0] for p in kb.passages() if p.doc == "客服话术.xlsx"} == {"客服话术"}
    answer = kb.ask("件好几天都没到怎么回复客户")
    assert answer.answered and "2小时内回电" in answer.answer
    assert any(c.doc == "客服话术.xlsx" for c in answer.citations)
    assert "件好几天都没到" in kb.show("客服话术.xlsx:row3").text


def test_an_answer_from_a_small_sheet_packed_with_another_cites_its_own_sheet(tmp_path):
    # two small sheets share a passage; the answer's line is under the second sheet's name, and
    # not under the FAQ question before it (a question heads its answer alone)
    folder = tmp_path / "docs"
    folder.mkdir()
    _workbook(folder / "综合.xlsx", {"话术库": FAQ[:2], "附加费": [["项目", "金额"], ["燃油附加费", "每票0.15元"]]})
    kb = KnowledgeBase.build([folder], tmp_path / "index")
    assert len(list(kb.passages())) == 1
    answer = kb.ask("燃油附加费每票多少钱")
    assert answer.answered and "0.15" in answer.answer
    assert answer.citations[0].section == ("综合", "附加费") and answer.citations[0].location == "sheet 2"


def test_csv_and_tsv_in_the_encodings_excel_saves(tmp_path):
    rows = "日期,课程,讲师\n2024-06-01,投诉处理技巧,王老师\n2024-06-02,\"大客户开发,\n谈判\",李老师\n"
    (tmp_path / "ansi.csv").write_bytes(rows.encode("gbk"))  # Excel's 'CSV' on a Chinese Windows
    (tmp_path / "utf8.csv").write_bytes(rows.encode("utf-8-sig"))  # Excel's 'CSV UTF-8'
    (tmp_path / "big5.csv").write_bytes("日期,課程,講師\n2024-06-01,投訴處理技巧,王老師\n".encode("big5"))
    semi = "日期;课程;讲师\n2024-06-01;投诉处理技巧;王老师\n2024-06-02;\"大客户开发,\n谈判\";李老师\n"
    (tmp_path / "semi.csv").write_text(semi, "utf-8")  # Excel's CSV where a comma is the decimal mark
    (tmp_path / "tabs.tsv").write_text(semi.replace(";", "\t"), "utf-8")
    for name in ("ansi.csv", "utf8.csv", "semi.csv", "tabs.tsv"):
        got = extract(tmp_path / name)
        assert got.text.splitlines() == ["日期 | 课程 | 讲师", "日期：2024-06-01 | 课程：投诉处理技巧 | 讲师：王老师",
                                         "日期：2024-06-02 | 课程：大客户开发, 谈判 | 讲师：李老师"], name
        assert got.places[3] == Place("row", 3)  # a cell's line break keeps the row one row
    assert extract(tmp_path / "big5.csv").text.splitlines()[0] == "日期 | 課程 | 講師"
    assert extract(tmp_path / "ansi.csv").encoding == "gb18030"
    assert extract(tmp_path / "ansi.csv").title == "ansi"  # titled by its name, not by its first row
    # a cell holding a whole text, longer than csv's own limit (128 K characters)
    (tmp_path / "long.csv").write_text("标题,内容\n长文,\"" + "客户服务" * 40000 + "\"\n", "utf-8")
    assert extract(tmp_path / "long.csv").text.splitlines()[1] == "标题：长文 | 内容：" + "客户服务" * 40000


def test_spreadsheets_kb_cannot_read_say_what_to_do(tmp_path):
    (tmp_path / "good.csv").write_text("问题,答案\n怎么寄件,带身份证到网点\n", "utf-8")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an Excel 97 workbook, cut off")
    (tmp_path / "renamed.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an Excel 97 workbook, renamed")
    (tmp_path / "export.xls").write_text("<html><body><table><tr><td>单号</td></tr></table></body></html>", "utf-8")
    _workbook(tmp_path / "modern.xls", {"Sheet1": [["a", "b"]]})  # an .xlsx under the old name
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 cut off in transfer")
    (tmp_path / "wps.et").write_bytes(b"a WPS spreadsheet")
    (tmp_path / "libre.odt").write_bytes(b"PK\x03\x04 an OpenDocument text")
    r = CliRunner().invoke(main, ["index", str(tmp_path), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0 and "By format: csv 1" in r.stdout
    assert re.search(r"old\.xls: corrupt \.xls \(.+\)", r.stderr)
    assert "renamed.xlsx: an old binary .xls file named .xlsx (rename it renamed.xls)" in r.stderr
    assert "export.xls: a web page named .xls (rename it export.html)" in r.stderr
    assert "modern.xls: a .xlsx file named .xls (rename it modern.xlsx)" in r.stderr
    assert re.search(r"broken\.xlsx: corrupt \.xlsx \(.+\)", r.stderr)
    assert "wps.et: unsupported file type .et (save it as .xlsx)" in r.stderr
    assert "libre.odt: unsupported file type .odt (save it as .docx)" in r.stderr
    with pytest.raises(ReadError, match="corrupt .xlsx"):
        extract(tmp_path / "broken.xlsx")


@pytest.mark.parametrize("places, text", [
    ([Place("row", 7)], "row 7"),
    ([Place("row", 7), Place("row", 9)], "rows 7–9"),
    ([Place("sheet", 1), Place("sheet", 2)], "sheets 1–2"),
])
def test_rows_and_sheets_label_and_parse_back(places, text):
    assert label(places) == text
    span = parse(text)
    assert (span.unit, span.first, span.last) == (places[0].unit, places[0].number, places[-1].number)
    assert (parse("row12").unit, parse("r 12").first, parse("sheet2").unit) == ("row", 12, "sheet")


def _xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An Excel 97–2003 workbook, written by xlwt (BIFF8, as Excel 97–2003 saves one)."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value, dated) if isinstance(value, datetime.date) else sheet.write(r, c, value)
    book.save(str(path))
    return path


def test_an_old_xls_reads_as_its_newer_twin(tmp_path):
    sheets = {"话术库": FAQ, "价格表": [["重量", "续重", "生效日期"], ["1-5公斤", 2.5, datetime.date(2024, 6, 1)]]}
    old, new = extract(_xls(tmp_path / "表.xls", sheets)), extract(_workbook(tmp_path / "表.xlsx", sheets))
    assert old.format == "xls" and old.text == new.text and old.levels == new.levels and old.places == new.places
    assert old.title == new.title == "表"
    lone = extract(_xls(tmp_path / "one.xls", {"Sheet1": [["编号", "内容"], [1, "先听后说"]]}))
    assert lone.text.splitlines() == ["编号 | 内容", "编号：1 | 内容：先听后说"] and lone.places[2] == Place("row", 2)
    assert lone.title == "one"


def test_a_workbook_past_its_xml_cap_is_refused_with_its_size(tmp_path):
    # a sheet read a row at a time may expand to sheets.MAX_XML (200 MB), five times a .docx's;
    # past it, the one line says what it would expand to (the package is measured, not inflated)
    from kb.formats import sheets

    path = _workbook(tmp_path / "big.xlsx", {"Sheet1": [["a", "b"]]})
    with zipfile.ZipFile(path, "a") as z:
        info = zipfile.ZipInfo("xl/worksheets/padding.xml")
        z.writestr(info, b"<x/>" + b" " * (sheets.MAX_XML + 1), compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(ReadError, match=r"expands to 2\d\d MB of XML .*over the 200 MB kb reads"):
        extract(path)
