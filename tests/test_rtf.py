"""Rich Text Format (.rtf): files written as WordPad and Word write them (GBK bytes under
\\ansicpg936, Big5 under a font of \\fcharset136, Unicode with its fallback, the tables and
destinations Word puts around the text), read, indexed into a real index and asked."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from cli import main
from kb import KnowledgeBase, ReadError
from kb.formats import extract
from kb.location import Place


def esc(text: str, codec: str = "gbk") -> str:
    """Text as RTF writes it in a code page: \\'hh for each byte of a character outside ASCII."""
    return "".join(c if ord(c) < 128 else "".join(f"\\'{b:02x}" for b in c.encode(codec)) for c in text)


def uni(text: str) -> str:
    """Text as RTF writes it in Unicode: \\uN? (N signed 16-bit, ? the fallback for old readers)."""
    return "".join(c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in text)


WORDPAD = (  # what WordPad saves on a Chinese Windows: GBK bytes, no styles
    "{\\rtf1\\ansi\\ansicpg936\\deff0\\nouicompat\\deflang1033\\deflangfe2052{\\fonttbl{\\f0\\fnil\\fcharset134 "
    + esc("宋体") + ";}{\\f1\\fnil\\fcharset0 Calibri;}}\n{\\*\\generator Riched20 10.0.19041}\\viewkind4\\uc1 \n"
    "\\pard\\sa200\\sl276\\slmult1\\f0\\fs22\\lang2052 " + esc("投诉处理步骤") + "\\par\n"
    "1" + esc("、耐心倾听") + "\\f1\\lang1033\\par\n\\f0\\lang2052 2" + esc("、真情致歉") + "\\f1\\lang1033\\par\n}\n")

WORD = (  # what Word saves: a style sheet with headings, Unicode and bytes, a table, a field, a picture
    "{\\rtf1\\adeflang1025\\ansi\\ansicpg936\\uc1\\adeff0\\deff0\n"
    "{\\fonttbl{\\f0\\froman\\fcharset0\\fprq2 Times New Roman;}{\\f13\\fbidi \\fnil\\fcharset134\\fprq2"
    "{\\*\\panose 02010600030101010101}" + esc("宋体") + "{\\*\\falt SimSun};}"
    "{\\f40\\fnil\\fcharset136 " + esc("新細明體", "big5") + ";}}\n{\\colortbl;\\red0\\green0\\blue0;}\n"
    "{\\stylesheet{\\qj\\widctlpar \\snext0 \\sqformat Normal;}{\\s1\\qj\\keepn\\outlinelevel0\\adjustright \\b\\fs44 "
    "\\sbasedon0 \\snext0 \\sqformat heading 1;}{\\s2\\qj\\keepn\\adjustright \\b\\fs32 \\sbasedon0 \\snext0 heading 2;}}\n"
    "{\\*\\rsidtbl \\rsid1\\rsid2}{\\info{\\title " + esc("训练") + "}{\\author kb}}\n"
    "\\pard\\plain \\s1\\outlinelevel0 \\f13 " + uni("第一章：投诉处理") + "\\par\n"
    "\\pard\\plain \\f13 " + esc("客户投诉时") + uni("要先道歉，再登记诉求。") + "\\par\n"
    "\\pard\\plain \\s2 \\f13 " + esc("第一节 事件分级") + "\\par\n"
    "\\trowd \\cellx3000\\cellx6000\\pard\\intbl \\f13 " + esc("级别") + "\\cell " + esc("报告时限") + "\\cell\\row\n"
    "\\trowd \\cellx3000\\cellx6000\\pard\\intbl \\f13 " + esc("一般事件") + "\\cell 2" + esc("小时内") + "\\cell\\row\n"
    "\\pard {\\field{\\*\\fldinst { HYPERLINK \"http://example.com\" }}{\\fldrslt {\\f13 " + esc("投诉登记表")
    + "}}}\\par\n\\pard {\\f40 " + esc("繁體內容", "big5") + "\\par}\n{\\pict\\pngblip 89504e470d0a1a0a}\n"
    "\\pard \\f13 " + esc("价格") + "\\{" + esc("含税") + "\\}\\tab 5\\'a1\\'a2\\~" + esc("元") + "\\par\n}\n")


def test_wordpad_s_gbk_bytes_read_as_text(tmp_path):
    (tmp_path / "a.rtf").write_text(WORDPAD, "ascii")
    got = extract(tmp_path / "a.rtf")
    assert got.format == "rtf" and got.text.splitlines() == ["投诉处理步骤", "1、耐心倾听", "2、真情致歉"]
    assert got.places[3] == Place("¶", 3)


def test_word_s_headings_tables_fields_and_scripts(tmp_path):
    (tmp_path / "b.rtf").write_text(WORD, "ascii")
    got = extract(tmp_path / "b.rtf")
    # the font, colour and style tables, properties, a field's instruction and a picture are no text
    assert got.text.splitlines() == [
        "第一章：投诉处理", "客户投诉时要先道歉，再登记诉求。", "第一节 事件分级",
        "级别 | 报告时限", "一般事件 | 2小时内", "投诉登记表", "繁體內容", "价格{含税} 5、 元"]
    # an outline level, or a style the style sheet calls a heading, is a heading
    assert got.levels == {1: 1, 3: 2}


def test_an_rtf_folder_is_indexed_searched_and_answered(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "客诉.rtf").write_text(WORD, "ascii")
    (folder / "步骤.rtf").write_text(WORDPAD, "ascii")
    kb = KnowledgeBase.build([folder], tmp_path / "index")
    assert kb.report.documents == 2 and not kb.report.skipped
    hit = kb.search("一般事件报告时限")[0]
    assert hit.passage.doc == "客诉.rtf" and "第一节 事件分级" in hit.passage.headings
    a = kb.ask("一般事件要多久内报告")
    assert a.answered and "2小时内" in a.answer and a.citations[0].location.startswith("¶")
    assert a.citations[0].section[-1] == "第一节 事件分级"


@pytest.mark.parametrize("content, reason", [
    (b"This is not RTF at all", r"not an RTF file"),
    (b"{\\rtf1" + b"{" * 100_000, r"corrupt \.rtf"),  # nested past what any reader follows
])
def test_a_file_named_rtf_that_is_none_says_so_in_one_line(tmp_path, content, reason):
    (tmp_path / "x.rtf").write_bytes(content)
    try:
        got = extract(tmp_path / "x.rtf")
    except ReadError as exc:
        assert re.search(reason, str(exc)) and "\n" not in str(exc)
    else:
        assert reason == r"corrupt \.rtf" and got.text == ""  # unclosed groups, nothing in them


def test_kb_index_reads_rtf_and_names_an_rtf_saved_as_doc(tmp_path):
    (tmp_path / "a.rtf").write_text(WORDPAD, "ascii")
    (tmp_path / "b.doc").write_text(WORDPAD, "ascii")
    r = CliRunner().invoke(main, ["index", str(tmp_path), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0 and "By format: rtf 1" in r.stdout
    assert "b.doc: an RTF file named .doc (rename it b.rtf)" in r.stderr


def test_unicode_past_the_basic_plane_is_joined_from_its_halves(tmp_path):
    # 𠀀 (U+20000) as Word writes it: two UTF-16 halves, each a signed \uN with its fallback
    (tmp_path / "c.rtf").write_text("{\\rtf1\\ansi\\uc1 \\u-10176?\\u-9216?\\u20013?\\par \\u-10176?x\\par}", "ascii")
    assert extract(tmp_path / "c.rtf").text.splitlines() == ["\U00020000中", "\ufffdx"]


_PIECE = st.one_of(
    st.sampled_from(["{", "}", "\\par ", "\\cell ", "\\row ", "\\pard ", "\\*", "\\fonttbl", "\\stylesheet",
                     "\\pict ", "\\fldinst ", "\\f0 ", "\\fcharset134 ", "\\ansicpg936 ", "\\uc2 ", "\\s1 ",
                     "\\outlinelevel3 ", "\\\\", "\\{", "\\~", "\\\n", "\\ansicpg99999 ", "\\fcharset7 "]),
    st.integers(-(10 ** 10) + 1, 10 ** 10 - 1).map(lambda n: f"\\u{n}?"),
    st.binary(min_size=1, max_size=2).map(lambda b: "".join(f"\\'{x:02x}" for x in b)),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters="\\{}"), max_size=8),
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(pieces=st.lists(_PIECE, max_size=60))
def test_any_rtf_is_read_or_refused_in_one_line(tmp_path_factory, pieces):
    """Control words, bytes, Unicode of any value, groups opened and never closed, in any order:
    text that encodes as UTF-8, or one ReadError line."""
    path = tmp_path_factory.mktemp("rtf") / "x.rtf"
    path.write_text("{\\rtf1 " + "".join(pieces), "latin-1")
    try:
        got = extract(path)
    except ReadError as exc:
        assert "\n" not in str(exc)
        return
    got.text.encode("utf-8")
