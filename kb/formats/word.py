"""Word (.docx): parsed by python-docx, paragraphs and tables in document order.

Heading styles (Heading 1–9, 标题 1, or any style with an outline level, which
is what Word's navigation pane reads) become the section tree. List numbers
that Word draws but does not store in the text (a "List Number" paragraph,
一、 from a Chinese numbering definition) are rendered from numbering.xml, so a
numbered step still reads `1.` to the structure stage. A table row is one line,
cells joined by ' | '. Each paragraph and table row with text is one ¶: a hit
in a Word file is 'heading path, ¶ 14'.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ReadError
from ..location import Place
from . import CELL_SEPARATOR, Layout, corrupt, require
from .package import open_package

_HEADING_STYLE = re.compile(r"^(?:heading|标题|標題)\s*(\d)$", re.I)


def read(path: Path):
    docx = require("docx", path)
    package, digest = open_package(path)
    try:
        document = docx.Document(package)
        layout = Layout()
        styles = _Styles()
        numbering = _Numbering(document, styles)
        paragraph = 0
        for block in _blocks(document.element.body, document._body):
            if hasattr(block, "rows"):  # a table
                for row in block.rows:
                    cells = _row_cells(row)
                    if cells:
                        paragraph += 1
                        layout.add(CELL_SEPARATOR.join(cells), place=Place("¶", paragraph))
                continue
            text = paragraph_text(block._p)
            if not text.strip():
                continue
            paragraph += 1
            layout.add(numbering.label(block) + text, heading_level(block, styles), Place("¶", paragraph))
    except ReadError:
        raise
    except Exception as exc:  # a damaged package can fail anywhere inside python-docx or lxml
        raise corrupt(path, exc) from exc
    return layout.extracted("docx", "docx", digest)


class _Styles:
    """What a paragraph's style chain says, looked up once per style: python-docx finds a
    paragraph's style by scanning every style in the document, each time it is asked."""

    def __init__(self) -> None:
        self.cache: dict[str | None, tuple[int | None, tuple]] = {}

    def of(self, paragraph) -> tuple[int | None, tuple]:
        """(heading level its name gives, the pPr elements of the chain, nearest first)."""
        key = paragraph._p.style
        if key not in self.cache:
            named, props = None, []
            style = paragraph.style
            while style is not None and len(props) < 10:
                m = _HEADING_STYLE.match((style.name or "").strip())
                if m and named is None:
                    named = max(1, int(m.group(1)))
                props.append(style.element.pPr)
                style = style.base_style
            self.cache[key] = (named, tuple(p for p in props if p is not None))
        return self.cache[key]


def heading_level(paragraph, styles: _Styles) -> int | None:
    """The heading level a paragraph's style gives it: Heading N, or an outline level (the
    paragraph's own, else its style's), which is what Word's navigation pane reads."""
    named, props = styles.of(paragraph)
    if named:
        return named
    for ppr in (paragraph._p.pPr, *props):
        level = _outline_level(ppr)
        if level is not None:
            return level + 1 if level < 9 else None
    return None


def _outline_level(ppr) -> int | None:
    if ppr is None:
        return None
    from docx.oxml.ns import qn

    lvl = ppr.find(qn("w:outlineLvl"))
    if lvl is None:
        return None
    value = lvl.get(qn("w:val"))
    return int(value) if value and value.isdigit() else None


def _blocks(element, parent):
    """The body's paragraphs and tables in order, those inside content controls (w:sdt) too,
    which python-docx's iter_inner_content passes over."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, parent)


def paragraph_text(p) -> str:
    """All the text Word shows in a paragraph: runs, links, inline content controls, tracked
    insertions, text boxes (python-docx's Paragraph.text reads only plain runs and links).
    A text box's fallback copy (mc:Fallback) and tab-stop definitions are not text."""
    from docx.oxml.ns import qn

    t, tab, br, cr = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
    skip = {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback", qn("w:tabs")}
    out = []
    for el in p.iter(t, tab, br, cr):
        if any(a.tag in skip for a in el.iterancestors()):
            continue
        out.append((el.text or "") if el.tag == t else "\t" if el.tag == tab else "\n")
    return "".join(out)


def _row_cells(row) -> list[str]:
    """A row's cell texts, a merged cell once."""
    from docx.oxml.ns import qn

    out: list[str] = []
    last = None
    for cell in row.cells:
        if last is not None and cell._tc is last:
            continue
        last = cell._tc
        text = " ".join(" ".join(paragraph_text(p) for p in cell._tc.iter(qn("w:p"))).split())
        if text:
            out.append(text)
    return out


# --- list numbers ---------------------------------------------------------------

_CHINESE = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CHINESE[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CHINESE[tens]) + "十" + (_CHINESE[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def _letter(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
    "decimalEnclosedCircle": lambda n: chr(0x245F + n) if 1 <= n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: chr(0x245F + n) if 1 <= n <= 20 else str(n),
    "decimalEnclosedParen": lambda n: f"({n})",
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "japaneseCounting": _chinese,
    "ideographDigital": lambda n: "".join("〇一二三四五六七八九"[int(c)] for c in str(n)),
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "lowerLetter": _letter,
    "upperLetter": lambda n: _letter(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
    "none": lambda n: "",
}


class _Numbering:
    """Renders the list labels Word would draw (1., 一、, (1), •), counting as Word counts."""

    def __init__(self, document, styles: _Styles) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.styles = styles
        self.abstract_of: dict[str, str] = {}
        self.levels: dict[tuple[str, int], tuple[str, str, int, str]] = {}
        self.start_override: dict[tuple[str, int], int] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            aid = abstract.get(qn("w:abstractNumId"))
            for lvl in abstract.findall(qn("w:lvl")):
                self.levels[(aid, int(lvl.get(qn("w:ilvl"), "0")))] = (
                    self._val(lvl, "w:numFmt", "decimal"),
                    self._val(lvl, "w:lvlText", "%1."),
                    int(self._val(lvl, "w:start", "1") or 1),
                    self._val(lvl, "w:suff", "tab"),
                )
        for num in root.findall(qn("w:num")):
            nid = num.get(qn("w:numId"))
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self.abstract_of[nid] = ref.get(qn("w:val"))
            for override in num.findall(qn("w:lvlOverride")):
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    self.start_override[(nid, int(override.get(qn("w:ilvl"), "0")))] = int(start.get(qn("w:val"), "1"))

    def _val(self, element, tag: str, default: str) -> str:
        child = element.find(self.qn(tag))
        return child.get(self.qn("w:val"), default) if child is not None else default

    def _num_pr(self, paragraph) -> tuple[str, int] | None:
        """(numId, level) from the paragraph, else from its style chain."""
        qn = self.qn
        candidates = [paragraph._p.pPr, *self.styles.of(paragraph)[1]]
        num_id = ilvl = None
        for ppr in candidates:
            numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if numpr is None:
                continue
            if num_id is None and numpr.find(qn("w:numId")) is not None:
                num_id = numpr.find(qn("w:numId")).get(qn("w:val"))
            if ilvl is None and numpr.find(qn("w:ilvl")) is not None:
                ilvl = int(numpr.find(qn("w:ilvl")).get(qn("w:val"), "0"))
        if num_id is None or num_id == "0" or num_id not in self.abstract_of:
            return None
        return num_id, ilvl or 0

    def label(self, paragraph) -> str:
        """The label Word draws before this paragraph ('' when it is not in a list)."""
        found = self._num_pr(paragraph)
        if not found:
            return ""
        num_id, ilvl = found
        aid = self.abstract_of[num_id]
        if (aid, ilvl) not in self.levels:
            return ""
        counts = self.counters.setdefault(num_id, {})
        start = lambda lv: self.start_override.get((num_id, lv), self.levels.get((aid, lv), ("", "", 1, ""))[2])  # noqa: E731
        counts[ilvl] = counts.get(ilvl, start(ilvl) - 1) + 1
        for deeper in [lv for lv in counts if lv > ilvl]:
            del counts[deeper]
        fmt, text, _, suffix = self.levels[(aid, ilvl)]
        if fmt == "bullet":
            return "• "

        def level_value(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            n = counts.get(lv, start(lv))
            lv_fmt = self.levels.get((aid, lv), (fmt,))[0]
            return FORMATS.get(lv_fmt, str)(n)

        rendered = re.sub(r"%(\d)", level_value, text)
        return rendered + ("" if suffix == "nothing" or not rendered else " ")
