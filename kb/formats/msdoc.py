"""Word 97–2003 (.doc): the document's text read off its piece table, through olefile.

A .doc is an OLE compound file. Its `WordDocument` stream starts with the File
Information Block (FIB), which says where the piece table (the Clx) lies in the
`0Table` or `1Table` stream and how many characters the main text has; each piece
is a run of the text, stored either as UTF-16 or as one byte a character
(cp1252), wherever in the stream the last save left it ([MS-DOC] 2.4.1, 2.5.1,
2.9.38). The main text is what is read (no headers, footnotes or comments).

Paragraphs end at CR, a table cell or row at 0x07 (a row becomes one line, cells
joined by ' | ', as Word's own reader does), a field keeps its result and drops
its code (`HYPERLINK "…"`, `PAGE`), and pictures leave nothing. Each paragraph is
one ¶. A paragraph's properties (the PapxFkp pages) say which paragraphs are
headings: Word's built-in heading styles (heading 1–9, 标题 1–9 in a Chinese Word)
and an outline level set on the paragraph, as the navigation pane reads them. An
item of a list Word numbers itself reads as a bullet (`• 核验身份`): its number is
drawn from list definitions this reader does not follow, and an item is what the
structure and the answers need of it.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from ..errors import ReadError
from ..location import Place
from ..structure import ITEM_MARKER
from . import CELL_SEPARATOR, Layout, corrupt, require
from .package import file_digest as _digest
from .package import not_ole as _not_ole

_WORD_IDENT = 0xA5EC
_WORD6_IDENT = 0xA5DC  # Word 6.0 and 95: another layout of the same container
_ENCRYPTED = 0x0100  # FibBase.fEncrypted
_WHICH_TABLE = 0x0200  # FibBase.fWhichTblStm: 1Table, else 0Table
_CLX_INDEX = 33  # fcClx / lcbClx: the 34th pair of FibRgFcLcb97
_PAPX_INDEX = 13  # fcPlcfBtePapx / lcbPlcfBtePapx: where the paragraph properties' pages are listed
_SPRM_OUTLINE = 0x2640  # sprmPOutLvl
_SPRM_LIST = 0x460B  # sprmPIlfo: the paragraph is an item of a list (its number is drawn, not stored)
LISTED = 10  # the mark of a list item, after the heading levels
BULLET = "• "  # what a list item's drawn number is read as
_OPERAND = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}  # a sprm's operand size by its spra (6: sized)
LEVEL = 0xE000  # private-use characters carrying a paragraph's mark (a level, LISTED) through the text
_MARKED = re.compile(rf"\s*({ITEM_MARKER})")  # an item whose number is in its text
_COMPRESSED = 0x40000000  # FcCompressed.fCompressed: one byte a character
FIELD_BEGIN, FIELD_SEPARATOR, FIELD_END = "\x13", "\x14", "\x15"
CELL = "\x07"
# characters that stand for something else in the text stream: line and page breaks become
# line ends, a non-breaking hyphen a hyphen; objects, footnote marks and soft hyphens go
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x0e": "\n", "\x1e": "-", "\xa0": " "})
_DROPPED = dict.fromkeys(map(ord, "\x01\x02\x03\x04\x05\x08\x1f"), None)


def read(path: Path):
    olefile = require("olefile", path)
    try:
        if not olefile.isOleFile(str(path)):
            raise ReadError(f"{path}: {_not_ole(path, 'Word 97–2003 document', '.docx')}")
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("WordDocument"):
                raise ReadError(f"{path}: not a Word 97–2003 document (no WordDocument stream)")
            word = ole.openstream("WordDocument").read()
            ident, flags = struct.unpack_from("<H8xH", word, 0)
            if ident == _WORD6_IDENT:
                raise ReadError(f"{path}: a Word 6.0/95 document (save it as .docx)")
            if ident != _WORD_IDENT:
                raise ReadError(f"{path}: not a Word 97–2003 document (unknown header)")
            if flags & _ENCRYPTED:
                raise ReadError(f"{path}: the document is password-protected (save a copy without the password)")
            table_name = "1Table" if flags & _WHICH_TABLE else "0Table"
            if not ole.exists(table_name):
                raise ReadError(f"{path}: corrupt .doc (no {table_name} stream)")
            table = ole.openstream(table_name).read()
        text, pieces, boxes = main_text(word, table)
        try:
            text = with_levels(text, pieces, paragraph_styles(word, table))
        except (struct.error, IndexError, ValueError):
            pass  # paragraph properties damaged or absent: the text is read without its headings
        text += "\r" + boxes  # text boxes' text (a flow chart's steps, a callout), after the body
    except ReadError:
        raise
    except Exception as exc:  # a damaged container or table fails anywhere inside the parsing
        raise corrupt(path, exc) from exc
    layout = Layout()
    for number, (paragraph, level) in enumerate(blocks(text), 1):
        layout.add(paragraph, level, Place("¶", number))
    return layout.extracted("doc", "doc", _digest(path))


def _fib(word: bytes) -> tuple[int, tuple[int, ...]]:
    """(where FibRgFcLcb starts in the stream, FibRgLw97's character counts of the stories:
    ccpText, ccpFtn, ccpHdd, ccpMcr, ccpAtn, ccpEdn, ccpTxbx, ccpHdrTxbx)."""
    csw = _u16(word, 0x20)
    lw = 0x22 + 2 * csw + 2  # FibRgLw97 follows FibRgW97 and its count
    cslw = _u16(word, lw - 2)
    counts = tuple(max(0, c) for c in struct.unpack_from("<8i", word, lw + 12))
    pairs = lw + 4 * cslw + 2  # FibRgFcLcb follows FibRgLw and its count
    if _u16(word, pairs - 2) <= _CLX_INDEX:
        raise ValueError("no piece table in the FIB")
    return pairs, counts


def main_text(word: bytes, table: bytes) -> tuple[str, list[tuple[int, int, int, bool]], str]:
    """The main document's characters, piece by piece, as the piece table lays them out; the
    pieces: (first character, end, where in the stream the first is, one byte a character);
    and the text boxes' characters (their story follows the main text, the footnotes, headers,
    comments and endnotes)."""
    pairs, counts = _fib(word)
    ccp_text = counts[0]
    boxes_at = sum(counts[:6])
    total = boxes_at + counts[6]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, pairs + 8 * _CLX_INDEX)
    clx = table[fc_clx: fc_clx + lcb_clx]
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: formatting the pieces refer to, skipped
        at += 3 + _u16(clx, at + 1)
    if at >= len(clx) or clx[at] != 0x02:
        raise ValueError("no Pcdt in the Clx")
    lcb = struct.unpack_from("<I", clx, at + 1)[0]
    plc = clx[at + 5: at + 5 + lcb]
    n = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out: list[str] = []
    pieces = []
    for k in range(n):
        start, end = cps[k], min(cps[k + 1], total)
        if end <= start:
            continue
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * k + 2)[0]
        if fc & _COMPRESSED:
            offset = (fc & ~_COMPRESSED) // 2
            out.append(word[offset: offset + end - start].decode("cp1252", "replace"))
            pieces.append((start, end, offset, True))
        else:
            out.append(word[fc: fc + 2 * (end - start)].decode("utf-16-le", "replace"))
            pieces.append((start, end, fc, False))
    text = "".join(out)
    main = [(a, min(b, ccp_text), fc, c) for a, b, fc, c in pieces if a < ccp_text]
    return text[:ccp_text], main, text[boxes_at:total]


def paragraph_styles(word: bytes, table: bytes) -> list[tuple[int, int, int | None]]:
    """(first byte, end, mark) of each run of paragraph marks in the stream, read off the
    paragraph properties' pages (PlcBtePapx → PapxFkp). The mark: a paragraph in one of Word's
    built-in heading styles (style 1–9, heading 1–9 in any language) or with an outline level
    of its own is a heading of that level; an item of a list is LISTED (its number is drawn
    from list definitions this reader does not follow, so it reads as a bullet); else None."""
    pairs = _fib(word)[0]
    fc_plc, lcb_plc = struct.unpack_from("<II", word, pairs + 8 * _PAPX_INDEX)
    plc = table[fc_plc: fc_plc + lcb_plc]
    n = (len(plc) - 4) // 8
    runs = []
    for pn in struct.unpack_from(f"<{n}I", plc, 4 * (n + 1)):
        page = word[(pn & 0x3FFFFF) * 512:][:512]
        crun = page[511]
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for i in range(crun):
            at = page[4 * (crun + 1) + 13 * i] * 2  # BxPap.bOffset, in words
            level = None
            if at:
                cb = page[at]
                start, size = (at + 1, 2 * cb - 1) if cb else (at + 2, 2 * page[at + 1])
                istd = _u16(page, start)
                outline, listed = _properties(page[start + 2: start + size])
                if 1 <= istd <= 9:
                    level = istd
                elif outline is not None and outline < 9:
                    level = outline + 1
                elif listed:
                    level = LISTED
            runs.append((fcs[i], fcs[i + 1], level))
    return sorted(runs)


def _properties(grpprl: bytes) -> tuple[int | None, bool]:
    """Among a paragraph's own properties: sprmPOutLvl's operand (0 = level 1 … 9 = body text),
    and whether sprmPIlfo makes it a list's item."""
    at, outline, listed = 0, None, False
    while at + 2 < len(grpprl):
        sprm = _u16(grpprl, at)
        at += 2
        if sprm == _SPRM_OUTLINE:
            outline = grpprl[at]
        elif sprm == _SPRM_LIST and at + 2 <= len(grpprl):
            listed = _u16(grpprl, at) != 0
        spra = sprm >> 13
        at += grpprl[at] + 1 if spra == 6 else _OPERAND[spra]
    return outline, listed


def with_levels(text: str, pieces: list[tuple[int, int, int, bool]], runs: list[tuple[int, int, int | None]]) -> str:
    """The text with each heading paragraph's level marked just before its mark (LEVEL + level):
    a paragraph's properties are those of the run its mark's byte falls in."""
    from bisect import bisect_right

    starts = [r[0] for r in runs]
    out, at = [], 0
    for start, end, fc, compressed in pieces:
        cp = text.find("\r", start, end)
        while cp >= 0:
            byte = fc + (cp - start) * (1 if compressed else 2)
            k = bisect_right(starts, byte) - 1
            if k >= 0 and byte < runs[k][1] and runs[k][2]:
                out.append(text[at:cp] + chr(LEVEL + runs[k][2]))
                at = cp
            cp = text.find("\r", cp + 1, end)
    return "".join(out) + text[at:]


def paragraphs(text: str) -> list[str]:
    """The text's lines: its blocks, a paragraph's line breaks apart."""
    return [line for block, _ in blocks(text) for line in block.split("\n") if line.strip()]


def blocks(text: str) -> list[tuple[str, int | None]]:
    """The text's paragraphs: fields reduced to their results, table rows to one line each.

    In the text a table is its cells, each ending at a mark (0x07), and after each row's
    cells one more mark, alone; a cell's paragraphs are apart by CR as anywhere else. Which
    empty run is a row's end is told by the table's width: the least number of cells such
    that every row is that many cells then an empty run."""
    text = without_field_codes(text).translate(_BREAKS).translate(_DROPPED)
    out: list[tuple[str, int | None]] = []
    run: list[str] = []  # a table's cells as read, row marks included (empty)
    pending: list[str] = []  # paragraphs of a cell whose mark is still to come
    for part in _runs(text):
        segment, mark = part
        level = None
        if segment and LEVEL < ord(segment[-1]) <= LEVEL + LISTED:
            segment, level = segment[:-1], ord(segment[-1]) - LEVEL
            if level == LISTED:
                level = None
                segment = segment if _MARKED.match(segment) else BULLET + segment.lstrip()
        if mark == CELL:
            run.append(" ".join(" ".join([*pending, segment]).split()))
            pending = []
        elif run and run[-1]:  # inside a row: a paragraph of the next cell
            pending.append(segment)
        else:
            if run:  # a paragraph after a row's end: the table is over
                out += _rows(run)
                run, pending = [], []
            if segment.strip():
                out.append((segment, level))
    if run:
        out += _rows(run)
    return out


def _runs(text: str) -> list[tuple[str, str]]:
    """(text, what ends it: CR, a cell mark, or '' at the end)."""
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == "\r" or ch == CELL:
            out.append((text[start:i], ch))
            start = i + 1
    if start < len(text):
        out.append((text[start:], ""))
    return out


def _rows(cells: list[str]) -> list[tuple[str, None]]:
    """A table's cells, row marks included, as one line a row."""
    n = len(cells)
    width = next((k for k in range(1, n) if n % (k + 1) == 0 and not any(cells[k::k + 1])), n)
    rows = []
    for at in range(0, n, width + 1):
        line = CELL_SEPARATOR.join(c for c in cells[at: at + width] if c)
        if line:
            rows.append((line, None))
    return rows


def without_field_codes(text: str) -> str:
    """A field is code, separator, result, end (nested fields inside either): its result stays,
    its code goes; a field with no separator shows nothing."""
    out: list[str] = []
    stack: list[bool] = []  # per open field: whether its separator was seen (its result is shown)
    for ch in text:
        if ch == FIELD_BEGIN:
            stack.append(False)
        elif ch == FIELD_SEPARATOR and stack:
            stack[-1] = True
        elif ch == FIELD_END and stack:
            stack.pop()
        elif all(stack):
            out.append(ch)
    return "".join(out)


def _u16(buf: bytes, at: int) -> int:
    return struct.unpack_from("<H", buf, at)[0]

