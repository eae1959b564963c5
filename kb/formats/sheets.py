"""Spreadsheets: Excel workbooks (.xlsx, .xlsm), and comma- or tab-separated text (.csv, .tsv).

Training departments keep FAQ sheets and script banks (客户问题 | 标准话术), price lists, course
schedules and question banks in Excel. A sheet's rows are read in order, one line per row
that holds text, its cells joined by CELL_SEPARATOR as a Word or HTML table's are, and each
line carries its row number, so a hit says 'row 12' (in a workbook of several sheets, whose
rows are each numbered from 1, 'sheet 2'). A workbook's sheets are its sections,
each headed by its name (a lone sheet with Excel's default name, Sheet1 or 工作表1, heads
nothing); hidden sheets and chart sheets are left out. A workbook is titled by the title its
properties give it, else by its file's name, and so is a .csv (its first row is no title). Numbers read as Excel shows them
without formatting (3000, 0.15); dates and times as ISO dates (2024-06-01, 2024-06-01 09:30);
a formula by its last computed value.

A sheet of questions and answers (a header row naming a question column, 问题 or 客户问题, and
an answer column, 答案 or 标准话术) is read as a FAQ: each row becomes `问：…` then `答：…`,
the other cells of the row after the answer, so that search matches the question as a heading
and ask answers with what the row says (kb.structure's FAQ pairs).

An .xlsx is an Office Open XML package, opened as .docx and .pptx are (package.py: measured
before it is parsed, pictures never read); the parts are read with the standard library, no
extra. A .csv or .tsv is decoded as plain text is (kb.read: UTF-8, GB18030, Big5, UTF-16).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from ..errors import ReadError
from ..location import Place
from ..read import decode_bytes
from . import CELL_SEPARATOR, Extracted, Layout, corrupt, names_columns, sha256
from .package import MB, open_package

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_WORKSHEET = "/worksheet"  # the end of a worksheet relationship's type (a chart sheet's is /chartsheet)

# Excel's default sheet names (English, Simplified and Traditional Chinese): a lone sheet so named is no section
DEFAULT_NAME = re.compile(r"(?:sheet|工作表)\s*\d+", re.I)
# a header row's column names: what a FAQ sheet calls its questions and its answers
QUESTION_COLUMN = re.compile(
    r"(?:客户|顾客|客戶|顧客|常见|常見)?(?:问题|問題|提问|提問|问|問)(?:描述|内容|內容)?|q|question|faq")
ANSWER_COLUMN = re.compile(
    r"(?:标准|標準|参考|參考|推荐|推薦)?(?:答案|回答|解答|答复|答覆|回复|回覆|话术|話術|答)(?:内容|內容)?|a|answer|reply")
# built-in number formats that show a date, a time or both (ECMA-376, 18.8.30, with the East
# Asian ones: 27–36 and 50–58 of the Chinese, Japanese and Korean locales)
_BUILT_IN_TIMES = {**dict.fromkeys((14, 15, 16, 17, 27, 28, 29, 30, 31, 34, 35, 36, *range(50, 59)), "%Y-%m-%d"),
                   **dict.fromkeys((18, 19, 20, 21, 32, 33, 45, 46, 47), "%H:%M"), 22: "%Y-%m-%d %H:%M"}
_DELIMITERS = ",\t;|"
# The XML a workbook may expand to: its sheets are read a row at a time (a .docx's XML becomes a
# whole tree, so 40 MB is the cap there, package.MAX_XML), and what they hold is bounded by the
# characters kb reads of one file (ingest.MAX_CHARS). Two sheets of 60,000 rows, 132 MB of XML
# (no shared strings, as openpyxl writes them; 22.6 million characters): read in 7 s at 277 MB,
# `kb index` in 53 s at 545 MB; at 200 MB a workbook holds more characters than kb reads.
MAX_XML = 200 * MB


def read(path: Path) -> Extracted:
    """An Excel workbook (.xlsx, .xlsm), read from the disk."""
    package, digest = open_package(path, MAX_XML)
    try:
        with zipfile.ZipFile(package) as parts:
            layout = Layout()
            book = _Workbook(parts)
            sheets = book.sheets()
            for number, (name, part) in enumerate(sheets, 1):
                add_sheet(layout, name, book.rows(part), number, len(sheets))
            # a workbook is titled by its own title, else its file's name: its first line is a
            # sheet's name, which titles no other sheet, or a row of column names
            title = book.title() or path.stem
    except ReadError:
        raise
    except Exception as exc:  # a damaged package can fail anywhere in its XML
        raise corrupt(path, exc) from exc
    return layout.extracted("xlsx", "xlsx", digest, title)


def read_delimited(path: Path, data: bytes) -> Extracted:
    """Comma- or tab-separated text (.csv, .tsv), decoded as plain text is."""
    text, encoding = decode_bytes(data, name=str(path))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _delimiter(text)
    # a cell may hold a whole text (csv's default limit, 128 K characters, refused it): the
    # file's own size bounds it (MAX_BYTES)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    rows = ((number, [cell.strip() for cell in row])
            for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1))
    layout = Layout()
    try:
        add_rows(layout, rows)
    except csv.Error as exc:
        raise corrupt(path, exc) from exc
    # titled by its file's name: its first line is a row, most often of column names
    return layout.extracted(path.suffix.lower().lstrip("."), encoding, sha256(data), path.stem)


def _delimiter(text: str) -> str:
    """A .csv's delimiter: a comma, unless its first lines are cut more evenly by a tab, a
    semicolon (Excel's choice where a comma is the decimal mark) or a bar."""
    sample = [line for line in text[:20000].splitlines()[:20] if line.strip()]
    if not sample:
        return ","

    def even(d: str) -> tuple[bool, int]:
        counts = [line.count(d) for line in sample]
        return min(counts) > 0 and len(set(counts)) == 1, min(counts)

    best = max(_DELIMITERS, key=even)
    return best if even(best)[1] else ","


def add_sheet(layout: Layout, name: str, rows, number: int, sheets: int) -> None:
    """A workbook's sheet (its `number` of `sheets`): its name as a heading (a lone sheet with
    Excel's default name heads nothing), then its rows. Rows are numbered within their sheet, so
    in a workbook of several every line is located by its sheet (a passage may pack two small
    ones), in a lone sheet by its row."""
    place = Place("sheet", number) if sheets > 1 else None
    if sheets > 1 or not DEFAULT_NAME.fullmatch(name.strip()):
        layout.add(name, 1, place)
    add_rows(layout, rows, place)


def add_rows(layout: Layout, rows, sheet: Place | None = None) -> None:
    """A sheet's rows ((row number, cells)) as lines, one a row that holds text; a FAQ sheet's
    as its questions and answers; under a header row of column names, each cell with its
    column's name (重量：1-5公斤 | 续重：2.5), so that a row read alone, in a passage or an
    answer, still says what its figures are. Each line's place is its row, or `sheet`."""
    faq: tuple[int, int] | None = None
    names: list[str] = []
    first = True
    for number, cells in rows:
        if not any(cells):
            continue
        place = sheet or Place("row", number)
        if first:
            first = False
            faq = _faq_columns(cells)
            if faq:
                continue  # the column names, which every pair below says again
            names = [" ".join(c.split()) for c in cells] if names_columns(cells) else []
        elif faq:
            q, a = faq
            question = cells[q] if q < len(cells) else ""
            answer = cells[a] if a < len(cells) else ""
            rest = [c for i, c in enumerate(cells) if c and i not in faq]
            if question:
                layout.add(f"问：{question}", place=place)
            if answer or rest:
                layout.add("答：" + CELL_SEPARATOR.join(c for c in (answer, *rest) if c), place=place)
            continue
        elif names and sum(1 for c in cells if c) > 1:  # a row of values (one cell alone is a title: 一、华东)
            named = (f"{names[i]}：{c}" if i < len(names) and names[i] else c for i, c in enumerate(cells) if c)
            layout.add(CELL_SEPARATOR.join(" ".join(c.split()) for c in named), place=place)
            continue
        layout.add(CELL_SEPARATOR.join(" ".join(c.split()) for c in cells if c), place=place)


def _faq_columns(cells: list[str]) -> tuple[int, int] | None:
    """(question column, answer column) when a header row names both, else None."""
    names = [re.sub(r"[\s:：_\-]+", "", c).lower() for c in cells]
    q = next((i for i, n in enumerate(names) if n and QUESTION_COLUMN.fullmatch(n)), None)
    a = next((i for i, n in enumerate(names) if n and i != q and ANSWER_COLUMN.fullmatch(n)), None)
    return (q, a) if q is not None and a is not None else None


class _Workbook:
    """The parts of a workbook kb reads: its sheets in order, their shared strings, the number
    formats that show dates."""

    def __init__(self, parts: zipfile.ZipFile) -> None:
        self.parts = parts
        self.names = names = set(parts.namelist())
        self.path = _office_document(parts, names)
        folder = PurePosixPath(self.path).parent
        rels = _rels(parts, names, self.path)
        self.targets = {rid: (str(_resolve(folder, target)), kind) for rid, (target, kind) in rels.items()}
        workbook = ElementTree.fromstring(parts.read(self.path))
        pr = workbook.find(f"{_MAIN}workbookPr")
        date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        self.epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
        self.workbook = workbook
        by_kind = {kind.rsplit("/", 1)[-1]: target for target, kind in self.targets.values()}
        self.strings = self._shared_strings(by_kind.get("sharedStrings"), names)
        self.dates = self._date_styles(by_kind.get("styles"), names)

    def title(self) -> str:
        """The title the workbook's properties give it (File › Info in Excel), or ''."""
        for target, kind in _rels(self.parts, self.names, "").values():
            path = str(_resolve(PurePosixPath(""), target))
            if kind.endswith("/metadata/core-properties") and path in self.names:
                found = ElementTree.fromstring(self.parts.read(path)).findtext("{http://purl.org/dc/elements/1.1/}title")
                return " ".join((found or "").split())
        return ""

    def sheets(self) -> list[tuple[str, str]]:
        """(name, part) of each visible worksheet, in the workbook's order."""
        out = []
        for sheet in self.workbook.iter(f"{_MAIN}sheet"):
            if sheet.get("state") in ("hidden", "veryHidden"):
                continue
            target, kind = self.targets.get(sheet.get(f"{_DOC_REL}id", ""), ("", ""))
            if kind.endswith(_WORKSHEET) and target in self.names:
                out.append((sheet.get("name", ""), target))
        return out

    def rows(self, part: str):
        """(row number, cell texts) of a worksheet, in order, streamed a row at a time."""
        last = 0
        with self.parts.open(part) as stream:
            for _, row in ElementTree.iterparse(stream):
                if row.tag != f"{_MAIN}row":
                    continue
                number = int(row.get("r") or last + 1)
                last = number
                cells: dict[int, str] = {}
                for place, cell in enumerate(row.iter(f"{_MAIN}c")):
                    column = _column(cell.get("r")) if cell.get("r") else place
                    text = self._value(cell)
                    if text:
                        cells[column] = text
                row.clear()
                if cells:
                    yield number, [cells.get(i, "") for i in range(max(cells) + 1)]

    def _value(self, cell) -> str:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            node = cell.find(f"{_MAIN}is")
            return _text(node).strip() if node is not None else ""
        value = cell.findtext(f"{_MAIN}v")
        if value is None or kind == "e":  # no value, or an error (#N/A, #DIV/0!)
            return ""
        if kind == "s":
            index = int(value)
            return self.strings[index].strip() if 0 <= index < len(self.strings) else ""
        if kind == "b":
            return "TRUE" if value.strip() == "1" else "FALSE"
        if kind in ("str", "d"):
            return value.strip()
        try:
            number = float(value)
        except ValueError:
            return value.strip()
        shown = self.dates.get(int(cell.get("s") or 0))
        if shown:
            return self._date(number, shown)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else f"{number:.15g}"

    def _date(self, serial: float, shown: str) -> str:
        """A date or time serial number as its style shows it (shown: a strftime format)."""
        if not 0 <= serial < 2958466:  # past 9999-12-31: not a date Excel shows
            return f"{serial:.15g}"
        return (self.epoch + timedelta(days=serial)).strftime(shown)

    def _shared_strings(self, part: str | None, names: set[str]) -> list[str]:
        if not part or part not in names:
            return []
        out = []
        with self.parts.open(part) as stream:
            for _, item in ElementTree.iterparse(stream):
                if item.tag == f"{_MAIN}si":
                    out.append(_text(item))
                    item.clear()
        return out

    def _date_styles(self, part: str | None, names: set[str]) -> dict[int, str]:
        """The cell styles (by index) whose number format shows a date, a time or both: how to
        write their serial numbers (a strftime format)."""
        if not part or part not in names:
            return {}
        styles = ElementTree.fromstring(self.parts.read(part))
        formats = dict(_BUILT_IN_TIMES)
        for fmt in styles.iter(f"{_MAIN}numFmt"):
            # what the format shows, outside its quoted text, [colours] and escaped characters
            code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt.get("formatCode", "")).lower()
            day, clock = bool(re.search("[yd]", code)), bool(re.search("[hs]", code))
            shown = " ".join(f for f, on in (("%Y-%m-%d", day or "m" in code and not clock), ("%H:%M", clock)) if on)
            number = int(fmt.get("numFmtId", "-1"))
            if shown:
                formats[number] = shown
            else:
                formats.pop(number, None)  # a custom format may take a built-in's number
        xfs = styles.find(f"{_MAIN}cellXfs")
        if xfs is None:
            return {}
        return {i: formats[n] for i, xf in enumerate(xfs.iter(f"{_MAIN}xf")) if (n := int(xf.get("numFmtId") or 0)) in formats}


def _text(node) -> str:
    """A rich or plain string's text: its runs', without the phonetic guides (rPh) over them."""
    out = []
    for child in node:
        if child.tag == f"{_MAIN}t":
            out.append(child.text or "")
        elif child.tag == f"{_MAIN}r":
            out.append("".join(t.text or "" for t in child.iter(f"{_MAIN}t")))
    return "".join(out)


def _column(ref: str) -> int:
    """A cell reference's column, from 0 (A1 → 0, AB7 → 27)."""
    number = 0
    for ch in ref:
        if not ch.isalpha():
            break
        number = number * 26 + ord(ch.upper()) - 64
    return number - 1


def _office_document(parts: zipfile.ZipFile, names: set[str]) -> str:
    """The workbook part, as the package's relationships name it (xl/workbook.xml)."""
    for target, kind in _rels(parts, names, "").values():
        if kind.endswith("/officeDocument"):
            path = str(_resolve(PurePosixPath(""), target))
            if path in names:
                return path
    if "xl/workbook.xml" in names:
        return "xl/workbook.xml"
    raise ReadError("no workbook in the package")


def _rels(parts: zipfile.ZipFile, names: set[str], part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships ('' for the package's own): id → (target, type)."""
    where = PurePosixPath(part)
    rels = str(where.parent / "_rels" / f"{where.name}.rels") if part else "_rels/.rels"
    if rels not in names:
        return {}
    root = ElementTree.fromstring(parts.read(rels))
    return {r.get("Id", ""): (r.get("Target", ""), r.get("Type", "")) for r in root.iter(f"{_PKG_REL}Relationship")
            if r.get("TargetMode") != "External"}


def _resolve(folder: PurePosixPath, target: str) -> PurePosixPath:
    """A relationship's target as a part name: absolute (/xl/…) from the package's root,
    else from the folder of the part it belongs to."""
    if target.startswith("/"):
        return PurePosixPath(target.lstrip("/"))
    out: list[str] = list(folder.parts) if str(folder) not in ("", ".") else []
    for piece in target.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece and piece != ".":
            out.append(piece)
    return PurePosixPath(*out)
