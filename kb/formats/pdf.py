"""PDF (.pdf): laid out by pdfminer.six, text per page, each line carrying its page number.

A PDF stores positioned lines, not paragraphs: a paragraph wrapped at the right
margin would reach the index as pieces cut mid-word. Lines are re-joined when
one runs to the right margin and the next carries on at the left margin without
starting a numbered item or a bullet (with a space only between two Latin words
or numbers: Chinese is wrapped anywhere, Latin at spaces). A paragraph may run on over a page break: its line is on
pages 3–4. Running headers and footers (the same line at the top or bottom of
most pages, page numbers aside) are dropped.

Refused with their reason: a PDF that needs a password ('encrypted PDF'), one
whose pages hold only images ('scanned PDF: no text layer'), a damaged one.

A PDF's bookmarks (its outline, which Word and LibreOffice write from heading
styles) declare headings: the line on the bookmarked page that a bookmark names
is a heading of its level. Without bookmarks the numbering rules find them.

A table's row is one line, its cells apart by ' | ' as in every other format: the
PDF holds each cell as a line of its own, so the lines that stand side by side
on one baseline are a row where a grid is drawn around them (Word, LibreOffice
and reportlab draw one: rules between the cells, and a rule across them above
or below), or, unruled, where two rows or more in a run each hold three cells or
more. Two columns of text are no table: two lines a baseline, with at most a
rule between them and none across.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReadError
from ..location import Place
from . import CELL_SEPARATOR, Layout, corrupt, require, sha256

RUNNING_SHARE = 0.6  # of pages: a top or bottom line repeated on this many is a running header or footer
RUNNING_MIN_PAGES = 3
_TERMINAL = re.compile(r"[。！？；：!?;:.…]\s*$")
_FIRST_WORD = re.compile(r"[A-Za-z0-9]+")
_WORD_END = re.compile(r"[A-Za-z0-9]$")
_WORD_START = re.compile(r"^[A-Za-z0-9]")


@dataclass(frozen=True)
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    row: bool = False  # a table's row, its cells joined (never run on into the next line)

    @property
    def size(self) -> float:
        return max(self.top - self.bottom, 1.0)


def read(path: Path, data: bytes):
    require("pdfminer", path)
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns about every odd font on stderr
    pages: list[list[_Line]] = []
    images = False
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
        device = PDFPageAggregator(PDFResourceManager(), laparams=LAParams())
        interpreter = PDFPageInterpreter(device.rsrcmgr, device)
        page_ids = []
        for page in PDFPage.create_pages(document):
            interpreter.process_page(page)
            lines, has_images = _page_lines(device.get_result())
            pages.append(lines)
            page_ids.append(page.pageid)
            images = images or has_images
        marks = bookmarks(document, page_ids)
    except PDFPasswordIncorrect as exc:
        raise ReadError(f"{path}: encrypted PDF (needs a password)") from exc
    except PDFEncryptionError as exc:
        raise ReadError(f"{path}: encrypted PDF ({exc})") from exc
    except ReadError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file; one bad file never stops a build
        raise corrupt(path, exc) from exc
    if not any(pages):
        if images:
            raise ReadError(f"{path}: scanned PDF: no text layer ({len(pages)} page(s) of images; run OCR first)")
        raise ReadError(f"{path}: PDF with no text ({len(pages)} page(s))")
    layout = Layout()
    for paragraph, first, last, level in reflow(drop_running_lines(pages), marks):
        layout.add(paragraph, level, Place("page", first, last))
    return layout.extracted("pdf", "pdf", sha256(data))


def bookmarks(document, page_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """The PDF's outline (bookmarks, which Word and LibreOffice export from headings):
    1-based page → [(title, level)], in order. An outline that cannot be read is no outline."""
    from pdfminer.pdfdocument import PDFNoOutlines
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral

    number = {objid: n for n, objid in enumerate(page_ids, 1)}
    out: dict[int, list[tuple[str, int]]] = {}
    try:
        for level, title, dest, action, _ in document.get_outlines():
            if dest is None and action is not None:
                action = resolve1(action)
                dest = action.get("D") if isinstance(action, dict) else None
            dest = resolve1(dest)
            if isinstance(dest, (bytes, str, PSLiteral)):  # a named destination
                name = dest.name if isinstance(dest, PSLiteral) else dest
                dest = resolve1(document.get_dest(name))
            if isinstance(dest, dict):
                dest = resolve1(dest.get("D"))
            if isinstance(dest, list) and dest and title:
                page = number.get(getattr(dest[0], "objid", None))
                if page:
                    out.setdefault(page, []).append((" ".join(str(title).split()), max(1, int(level))))
    except PDFNoOutlines:
        return {}
    except Exception:  # a damaged outline must not cost the text
        return out
    return out


def _page_lines(page) -> tuple[list[_Line], bool]:
    """The text lines of a page in pdfminer's reading order, and whether it holds images."""
    from pdfminer.layout import LTFigure, LTImage, LTLine, LTRect, LTTextContainer, LTTextLine

    lines: list[_Line] = []
    rules: list[tuple[float, float, float]] = []  # the page's upright rules: (x, bottom, top)
    across: list[tuple[float, float, float]] = []  # and those that run across: (left, right, y)
    images = False

    def visit(element) -> None:
        nonlocal images
        if isinstance(element, LTTextLine):
            text = " ".join(element.get_text().split())
            if text:
                lines.append(_Line(text, element.x0, element.x1, element.y1, element.y0))
            return
        if isinstance(element, LTImage):
            images = True
            return
        if isinstance(element, (LTLine, LTRect)):  # a grid's rule, a cell's box or a bar
            x0, y0, x1, y1 = element.bbox
            if x1 - x0 <= RULE_WIDTH:
                rules.append(((x0 + x1) / 2, y0, y1))
            elif y1 - y0 <= RULE_WIDTH:
                across.append((x0, x1, (y0 + y1) / 2))
            else:  # a box: its sides
                rules.extend(((x0, y0, y1), (x1, y0, y1)))
                across.extend(((x0, x1, y0), (x0, x1, y1)))
            return
        if isinstance(element, (LTTextContainer, LTFigure)):
            for child in element:
                visit(child)

    for element in page:
        visit(element)
    return table_rows(lines, rules, across), images


RULE_WIDTH = 2.0  # points: a drawn shape this narrow is a rule, not a box
UNRULED_CELLS = 3  # cells each row of an unruled table holds at least


def table_rows(lines: list[_Line], rules: list[tuple[float, float, float]],
               across: list[tuple[float, float, float]] = ()) -> list[_Line]:
    """A page's lines with each table's rows as one line each (cells joined by CELL_SEPARATOR,
    left to right), at the place of the table's first line: the lines on one baseline that
    drawn column rules part, under or over a rule across them (a grid: a rule between two
    columns of text, with none across, makes no table), or unruled, a run of two such
    baselines or more of three cells or more each. Every other line stays as it was, in its
    order."""
    order = sorted(range(len(lines)), key=lambda i: -_middle(lines[i]))
    bands: list[list[int]] = []  # lines on one baseline, top to bottom
    for i in order:
        if bands and abs(_middle(lines[bands[-1][0]]) - _middle(lines[i])) <= 0.5 * min(lines[i].size, lines[bands[-1][0]].size):
            bands[-1].append(i)
        else:
            bands.append([i])
    cells = [sorted(band, key=lambda i: lines[i].x0) for band in bands]
    apart = [len(c) > 1 and all(lines[a].x1 <= lines[b].x0 for a, b in zip(c, c[1:])) for c in cells]
    ruled = [ok and all(_ruled_between(lines[a], lines[b], rules) for a, b in zip(c, c[1:]))
             and _ruled_across([lines[i] for i in c], across) for ok, c in zip(apart, cells)]
    wide = [ok and len(c) >= UNRULED_CELLS for ok, c in zip(apart, cells)]
    row = [r or (w and ((k and wide[k - 1]) or (k + 1 < len(wide) and wide[k + 1]))) for k, (r, w) in enumerate(zip(ruled, wide))]
    if not any(row):
        return lines
    tables: list[list[int]] = []  # runs of rows, top to bottom: band numbers
    for k, is_row in enumerate(row):
        if is_row:
            if tables and tables[-1][-1] == k - 1:
                tables[-1].append(k)
            else:
                tables.append([k])
    at: dict[int, list[_Line]] = {}  # the first line of a table (in reading order) -> its rows
    taken: set[int] = set()
    for table in tables:
        members = [i for k in table for i in cells[k]]
        taken.update(members)
        at[min(members)] = [_row([lines[i] for i in cells[k]], rules) for k in table]
    out: list[_Line] = []
    for i, line in enumerate(lines):
        if i in at:
            out += at[i]
        elif i not in taken:
            out.append(line)
    return out


def _middle(line: _Line) -> float:
    return (line.top + line.bottom) / 2


def _ruled_between(a: _Line, b: _Line, rules: list[tuple[float, float, float]]) -> bool:
    """Whether an upright rule stands between two lines side by side, across their baseline."""
    y = (_middle(a) + _middle(b)) / 2
    return any(a.x1 - 1 <= x <= b.x0 + 1 and bottom <= y <= top for x, bottom, top in rules)


def _ruled_across(cells: list[_Line], across: list[tuple[float, float, float]]) -> bool:
    """Whether a rule runs across a row's cells, within a line's height over or under it."""
    left, right = cells[0].x1, cells[-1].x0
    top, bottom = max(c.top for c in cells), min(c.bottom for c in cells)
    reach = max(c.size for c in cells)
    return any(x0 <= left + 1 and x1 >= right - 1 and bottom - reach <= y <= top + reach for x0, x1, y in across)


def _row(cells: list[_Line], rules: list[tuple[float, float, float]]) -> _Line:
    """A table's row as one line. A line pdfminer made of two cells or more (7～15个工作日 70公斤,
    its cells a space apart) is parted again where rules cross it, when its spaces are as many."""
    texts: list[str] = []
    for cell in cells:
        y = _middle(cell)
        inside = sum(1 for x, bottom, top in rules if cell.x0 + 1 < x < cell.x1 - 1 and bottom <= y <= top)
        pieces = cell.text.split(" ")
        texts += pieces if inside and len(pieces) == inside + 1 else [cell.text]
    return _Line(CELL_SEPARATOR.join(texts), min(c.x0 for c in cells), max(c.x1 for c in cells),
                 max(c.top for c in cells), min(c.bottom for c in cells), row=True)


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()))


def drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop the header and footer lines that most pages repeat (page numbers aside)."""
    if len(pages) < RUNNING_MIN_PAGES:
        return pages
    edges = Counter()
    for lines in pages:
        if lines:
            top = max(lines, key=lambda ln: ln.top)
            bottom = min(lines, key=lambda ln: ln.bottom)
            edges.update({_shape(top.text), _shape(bottom.text)})
    running = {shape for shape, n in edges.items() if n >= RUNNING_SHARE * len(pages)}
    if not running:
        return pages
    out = []
    for lines in pages:
        if not lines:
            out.append(lines)
            continue
        top = max(lines, key=lambda ln: ln.top)
        bottom = min(lines, key=lambda ln: ln.bottom)
        out.append([ln for ln in lines if not ((ln is top or ln is bottom) and _shape(ln.text) in running)])
    return out


def reflow(pages: list[list[_Line]], marks: dict[int, list[tuple[str, int]]] | None = None
           ) -> list[tuple[str, int, int, int | None]]:
    """The document's lines as paragraphs (text, first page, last page, heading level): a line
    that reaches the right margin goes on in the next line at the left margin, on the same page
    or the next. A line a bookmark names is a heading of the bookmark's level, on its own."""
    out: list[tuple[str, int, int, int | None]] = []
    prev: _Line | None = None
    prev_margins = (0.0, 0.0)
    # the right margin is the document's: on a page of short lines the longest one is not full
    right = max((ln.x1 for lines in pages for ln in lines), default=0.0)
    rest = ""  # what a wrapped bookmarked heading still has to say
    for number, lines in enumerate(pages, 1):
        if not lines:
            prev = None
            continue
        titles = list((marks or {}).get(number, []))
        margins = (min(ln.x0 for ln in lines), right)
        for i, line in enumerate(lines):
            flat = "".join(line.text.split())
            if rest and rest.startswith(flat):  # a bookmarked heading wrapped onto this line
                text, first, _, level = out[-1]
                out[-1] = (text + line.text, first, number, level)
                rest = rest[len(flat):]
                prev = line
                continue
            level, rest = _bookmarked(flat, titles)
            goes_on = prev is not None and level is None and out[-1][3] is None and not (prev.row or line.row) and (
                _continues(prev, line, margins) if i else _turns_page(prev, prev_margins, line, margins))
            if goes_on and _TERMINAL.search(out[-1][0]):
                # a sentence ended at the margin: the next line may as well start a paragraph,
                # and cutting a paragraph between sentences loses nothing (the source's lines
                # are kept wherever the PDF does not say otherwise)
                goes_on = False
            if goes_on:
                text, first, _, _ = out[-1]
                sep = " " if _WORD_END.search(text) and _WORD_START.match(line.text) else ""
                out[-1] = (text + sep + line.text, first, number, None)
            else:
                out.append((line.text, number, number, level))
            prev = line
        prev_margins = margins
    return out


def _bookmarked(flat: str, titles: list[tuple[str, int]]) -> tuple[int | None, str]:
    """The level of the first bookmark on the page that names this line (then used up), and
    the rest of the bookmark's title when the heading wraps onto the next line."""
    for i, (title, level) in enumerate(titles):
        title = "".join(title.split())
        if flat and title.startswith(flat):
            del titles[i]
            return level, title[len(flat):]
    return None, ""


def _full(line: _Line, right: float, following: _Line) -> bool:
    """No room was left on the line for the next line's first word (a Latin word wraps whole)."""
    word = _FIRST_WORD.match(following.text)
    width = (following.x1 - following.x0) / max(1, len(following.text)) * (len(word.group()) if word else 1)
    return right - line.x1 <= max(2.0 * line.size, width + line.size)


def _continues(prev: _Line, line: _Line, margins: tuple[float, float]) -> bool:
    """The previous line ran to the right margin, and this one goes on at the left margin just below it."""
    left, right = margins
    size = prev.size
    at_margin = line.x0 <= left + 0.5 * size
    below = 0 <= prev.bottom - line.top <= 1.2 * size
    return _full(prev, right, line) and at_margin and below and _same_size(prev, line)


def _turns_page(prev: _Line, prev_margins: tuple[float, float], line: _Line, margins: tuple[float, float]) -> bool:
    """The last line of a page ran to its right margin, and the next page opens at its left margin."""
    return _full(prev, prev_margins[1], line) and line.x0 <= margins[0] + 0.5 * line.size and _same_size(prev, line)


def _same_size(a: _Line, b: _Line) -> bool:
    return abs(a.size - b.size) <= 0.1 * a.size
