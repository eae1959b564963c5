"""Rich Text Format (.rtf): what WordPad saves by default, and what older office tools export.

The file is text of groups and control words (RTF 1.9.1). Its characters are written three
ways: as they are (ASCII), as bytes of the document's code page or of the current font's
character set (`\\'c4\\'e3`: GBK under \\ansicpg936 or a font of \\fcharset134, Big5 under
\\fcharset136), or as Unicode (`\\u20320?`, its fallback characters skipped, \\ucN of them).
Paragraphs (\\par) are lines; a table's row (\\cell … \\row) is one line, its cells joined by
CELL_SEPARATOR as in every other format; a paragraph with an outline level (\\outlinelevelN, or
a style the style sheet calls heading N / 标题 N) is a heading. What is not text is left out:
the font, colour and style tables, document properties, pictures, objects, headers and
footers, a field's instructions (its shown result is kept), and every group marked ignorable
(\\*). Each paragraph and table row with text is one ¶, as in a Word file.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ReadError
from ..location import Place
from . import CELL_SEPARATOR, Layout, corrupt, sha256

_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|([^\\{}\r\n]+)|[\r\n]+")
# destinations whose text is no text of the document
_SKIP = frozenset((
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "objdata", "header", "headerl", "headerr",
    "headerf", "footer", "footerl", "footerr", "footerf", "fldinst", "xmlnstbl", "listtable", "listoverridetable",
    "rsidtbl", "generator", "themedata", "colorschememapping", "datastore", "latentstyles", "pgdsctbl",
    "filetbl", "revtbl", "bkmkstart", "bkmkend", "footnote", "annotation", "atnid", "atnauthor", "nonshppict",
    "shppict", "userprops", "mmathPr", "wgrffmtfilter", "fchars", "lchars", "pnseclvl",
))
# a font's character set → the code page its bytes are in (RTF 1.9.1, \fcharset)
_CHARSETS = {0: "cp1252", 128: "cp932", 129: "cp949", 134: "gbk", 136: "big5", 161: "cp1253", 162: "cp1254",
             177: "cp1255", 178: "cp1256", 186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250"}
_HEADING_STYLE = re.compile(r"^(?:heading|标题|標題)\s*(\d)$", re.I)


_PUNCTUATION = {"emdash": "—", "endash": "–", "bullet": "•", "lquote": "‘", "rquote": "’", "ldblquote": "“",
                "rdblquote": "”", "tab": " "}
_BREAKS = frozenset(("par", "sect", "page", "line"))


def read(path: Path, data: bytes):
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ReadError(f"{path}: not an RTF file (no {{\\rtf header)")
    try:
        lines = _Reader().read(data)
    except (ValueError, LookupError) as exc:
        raise corrupt(path, exc) from exc
    layout = Layout()
    for number, (text, level) in enumerate(lines, 1):
        layout.add(text, level, Place("¶", number))
    return layout.extracted("rtf", "rtf", sha256(data))


class _Group:
    """What a group ({…}) reads with: whether its text is skipped, its font, how many fallback
    characters follow a \\uN, which table it is part of (fonttbl, stylesheet), whether \\* marked it."""

    __slots__ = ("skip", "font", "uc", "table", "ignorable")

    def __init__(self, skip=False, font=None, uc=1, table=None, ignorable=False) -> None:
        self.skip, self.font, self.uc, self.table, self.ignorable = skip, font, uc, table, ignorable

    def child(self) -> "_Group":
        return _Group(self.skip, self.font, self.uc, self.table, False)


class _Reader:
    """One pass over the file's tokens: the lines of its paragraphs and table rows, each with
    its heading level (None for body text)."""

    def __init__(self) -> None:
        self.codepage = "cp1252"
        self.fonts: dict[int, str] = {}  # font number → the code page of its bytes
        self.styles: dict[int, int] = {}  # paragraph style number → heading level
        self.entry: dict = {}  # the font or style the table being read is describing
        self.out: list[tuple[str, int | None]] = []
        self.group = _Group()
        self.stack: list[_Group] = []
        self.text: list[str] = []  # the paragraph (or table cell) so far
        self.raw = bytearray()  # bytes (\\'hh) not yet decoded
        self.cells: list[str] = []  # the table row's cells so far
        self.level: int | None = None  # the paragraph's outline level, as a heading level
        self.style: int | None = None  # the paragraph's style
        self.fallback = 0  # characters still to skip after a \\uN

    def read(self, data: bytes) -> list[tuple[str, int | None]]:
        for m in _TOKEN.finditer(data):
            word, param, hexbyte, symbol, brace, chars = m.groups()
            if brace:
                self._brace(brace)
            elif self.group.table:
                self._table(word, param, chars)
            elif word:
                self._word(word.decode("ascii"), None if param is None else int(param))
            elif symbol:
                self._symbol(symbol)
            elif self.group.skip:
                continue
            elif hexbyte:
                if self.fallback:
                    self.fallback -= 1
                else:
                    self.raw.append(int(hexbyte, 16))
            elif chars:
                cut = min(self.fallback, len(chars))
                self.fallback -= cut
                if chars[cut:]:
                    self._decoded()
                    self.text.append(chars[cut:].decode(self._page(), errors="replace"))
        self._paragraph()
        return self.out

    def _brace(self, brace: bytes) -> None:
        self._decoded()
        if brace == b"{":
            self.stack.append(self.group)
            self.group = self.group.child()
        else:
            self._entry_done()
            if self.stack:
                self.group = self.stack.pop()

    def _table(self, word: bytes | None, param: bytes | None, chars: bytes | None) -> None:
        """A token of the font table (each font's character set) or the style sheet (each
        paragraph style's outline level, or a name that says heading N)."""
        if self.group.table == "fonttbl":
            if word == b"f" and param is not None:
                self._entry_done()
                self.entry = {"font": int(param)}
            elif word == b"fcharset" and param is not None and self.entry:
                self.entry["charset"] = int(param)
            return
        if word in (b"s", b"cs", b"ds", b"ts") and param is not None:
            self._entry_done()
            self.entry = {"style": int(param)} if word == b"s" else {}
        elif word == b"outlinelevel" and param is not None and self.entry:
            self.entry["level"] = min(int(param), 8) + 1
        elif chars and self.entry and "level" not in self.entry:
            found = _HEADING_STYLE.match(chars.decode("latin-1").strip().rstrip(";").strip())
            if found:
                self.entry["level"] = int(found.group(1))

    def _entry_done(self) -> None:
        entry, self.entry = self.entry, {}
        if "font" in entry:
            self.fonts[entry["font"]] = _CHARSETS.get(entry.get("charset", -1), self.codepage)
        elif "style" in entry and "level" in entry:
            self.styles[entry["style"]] = entry["level"]

    def _word(self, name: str, param: int | None) -> None:
        group = self.group
        if name in ("fonttbl", "stylesheet"):
            group.table = name
            return
        if name == "ansicpg" and param is not None:
            self.codepage = "gbk" if param == 936 else f"cp{param}"
            return
        if name in _SKIP or group.ignorable:  # a destination that is no text, or one \\* says may be
            group.skip = True
        if group.skip:
            return
        fallback, self.fallback = self.fallback, 0
        if name == "u" and param is not None:
            code = param + 65536 if param < 0 else param
            if 0 <= code <= 0x10FFFF:
                self._decoded()
                self.text.append(chr(code))  # a UTF-16 half too (U+20000 is \\u-10176?\\u-9216?): _joined
            self.fallback = group.uc
        elif name == "uc" and param is not None:
            group.uc = max(0, param)
        elif name == "f" and param is not None:
            self._decoded()
            group.font = param
        elif name in _BREAKS:
            self._paragraph()
        elif name in _PUNCTUATION:
            self._decoded()
            self.text.append(_PUNCTUATION[name])
        elif name == "cell":
            self._decoded()
            self.cells.append(" ".join(_joined("".join(self.text)).split()))
            self.text = []
        elif name == "row":
            self._decoded()
            row = [c for c in self.cells if c]
            self.cells, self.text = [], []
            if row:
                self.out.append((CELL_SEPARATOR.join(row), None))
        elif name == "pard":
            self.level = self.style = None
        elif name == "outlinelevel" and param is not None:
            self.level = min(param, 8) + 1
        elif name == "s" and param is not None:
            self.style = param
        else:
            self.fallback = fallback  # a word of formatting (\\b, \\fs22) between a \\uN and its fallback

    def _symbol(self, symbol: bytes) -> None:
        if symbol == b"*":
            self.group.ignorable = True
        elif self.group.skip:
            return
        elif symbol in (b"\\", b"{", b"}"):
            self._decoded()
            self.text.append(symbol.decode())
        elif symbol == b"~":  # a non-breaking space
            self._decoded()
            self.text.append(" ")
        elif symbol in (b"\n", b"\r"):  # an escaped line break is a paragraph's end
            self._paragraph()

    def _page(self) -> str:
        """The code page of the bytes at this point: the font's, else the document's."""
        return self.fonts.get(self.group.font, self.codepage) if self.group.font is not None else self.codepage

    def _decoded(self) -> None:
        if self.raw:
            self.text.append(self.raw.decode(self._page(), errors="replace"))
            self.raw.clear()

    def _paragraph(self) -> None:
        self._decoded()
        line = _joined("".join(self.text)).strip()
        self.text = []
        if line:
            self.out.append((line, self.level if self.level is not None else self.styles.get(self.style)))


def _joined(text: str) -> str:
    """Unicode written as UTF-16 halves (\\u-10176?\\u-9216?) joined into the characters they
    are; a half alone becomes U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
