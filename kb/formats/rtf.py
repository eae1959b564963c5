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


def read(path: Path, data: bytes):
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ReadError(f"{path}: not an RTF file (no {{\\rtf header)")
    try:
        lines = _Reader(data).lines()
    except (ValueError, LookupError, RecursionError) as exc:
        raise corrupt(path, exc) from exc
    layout = Layout()
    for number, (text, level) in enumerate(lines, 1):
        layout.add(text, level, Place("¶", number))
    return layout.extracted("rtf", "rtf", sha256(data))


class _Reader:
    """One pass over the tokens, keeping each group's state (skipped, its font, \\uc)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.codepage = "cp1252"
        self.fonts: dict[int, str] = {}  # font number → code page
        self.styles: dict[int, int] = {}  # paragraph style number → heading level

    def lines(self) -> list[tuple[str, int | None]]:
        out: list[tuple[str, int | None]] = []
        stack: list[dict] = []
        state = {"skip": False, "font": None, "uc": 1, "dest": None}
        text: list[str] = []  # the paragraph so far
        raw = bytearray()  # bytes (\'hh) not yet decoded
        cells: list[str] = []  # a table row's cells so far
        level: int | None = None
        style: int | None = None
        pending_skip = 0  # fallback characters still to skip after a \uN
        font_entry: dict = {}
        style_entry: dict = {}

        def save_entries() -> None:
            nonlocal font_entry, style_entry
            if font_entry:
                self.fonts[font_entry["n"]] = _CHARSETS.get(font_entry.get("charset", -1), self.codepage)
            if style_entry.get("level") is not None:
                self.styles[style_entry["n"]] = style_entry["level"]
            font_entry, style_entry = {}, {}

        def flush_bytes() -> None:
            if raw:
                page = self.fonts.get(state["font"], self.codepage) if state["font"] is not None else self.codepage
                text.append(raw.decode(page, errors="replace"))
                raw.clear()

        def end_paragraph() -> None:
            nonlocal text
            flush_bytes()
            line = _joined("".join(text)).strip()
            text = []
            if line:
                out.append((line, level if level is not None else self.styles.get(style)))

        for m in _TOKEN.finditer(self.data):
            word, param, hexbyte, symbol, brace, chars = m.groups()
            if brace == b"{":
                flush_bytes()
                stack.append(state)
                # a font's or a style's own group is still the table's
                state = dict(state, dest=state["dest"] if state["dest"] in ("fonttbl", "stylesheet") else None)
                continue
            if brace == b"}":
                flush_bytes()
                save_entries()
                state = stack.pop() if stack else state
                continue
            if state["dest"] == "fonttbl":
                if word == b"f" and param is not None:
                    save_entries()
                    font_entry = {"n": int(param)}
                elif word == b"fcharset" and param is not None and font_entry:
                    font_entry["charset"] = int(param)
                continue
            if state["dest"] == "stylesheet":
                if word in (b"s", b"cs", b"ds", b"ts") and param is not None:
                    save_entries()
                    style_entry = {"n": int(param), "level": None} if word == b"s" else {}
                elif word == b"outlinelevel" and param is not None and style_entry:
                    style_entry["level"] = min(int(param), 8) + 1
                elif chars and style_entry:
                    name = re.match(r"^\s*(.*?);?\s*$", chars.decode("latin-1"))
                    found = _HEADING_STYLE.match(name.group(1)) if name else None
                    if found and style_entry.get("level") is None:
                        style_entry["level"] = int(found.group(1))
                continue
            if word is not None:
                name = word.decode("ascii")
                if name == "rtf":
                    continue
                if name == "ansicpg" and param is not None:
                    self.codepage = f"cp{int(param)}" if int(param) != 936 else "gbk"
                    continue
                if name == "fonttbl":
                    state["dest"] = "fonttbl"
                    continue
                if name == "stylesheet":
                    state["dest"] = "stylesheet"
                    continue
                if name in _SKIP or (state.get("ignorable") and not state["skip"]):
                    state["skip"] = True
                    continue
                if state["skip"]:
                    continue
                if name == "uc" and param is not None:
                    state["uc"] = max(0, int(param))
                elif name == "u" and param is not None:
                    flush_bytes()
                    code = int(param) + (65536 if int(param) < 0 else 0)
                    if 0 <= code <= 0x10FFFF:
                        text.append(chr(code))  # half of a pair too (U+20000 is \u-10176?\u-9216?): joined below
                    pending_skip = state["uc"]
                    continue
                elif name == "f" and param is not None:
                    flush_bytes()
                    state["font"] = int(param)
                elif name in ("par", "sect", "page"):
                    end_paragraph()
                elif name == "line":
                    end_paragraph()
                elif name == "tab":
                    flush_bytes()
                    text.append(" ")
                elif name == "cell":
                    flush_bytes()
                    cells.append(" ".join(_joined("".join(text)).split()))
                    text = []
                elif name == "row":
                    flush_bytes()
                    row = [c for c in cells if c]
                    cells = []
                    text = []
                    if row:
                        out.append((CELL_SEPARATOR.join(row), None))
                elif name == "pard":
                    level, style = None, None
                elif name == "outlinelevel" and param is not None:
                    level = min(int(param), 8) + 1
                elif name == "s" and param is not None:
                    style = int(param)
                elif name in ("emdash", "endash", "bullet", "lquote", "rquote", "ldblquote", "rdblquote"):
                    flush_bytes()
                    text.append({"emdash": "—", "endash": "–", "bullet": "•", "lquote": "‘", "rquote": "’",
                                 "ldblquote": "“", "rdblquote": "”"}[name])
                pending_skip = 0
                continue
            if symbol is not None:
                if symbol == b"*":
                    state["ignorable"] = True
                    continue
                if state["skip"]:
                    continue
                if symbol in (b"\\", b"{", b"}"):
                    flush_bytes()
                    text.append(symbol.decode())
                elif symbol == b"~":
                    flush_bytes()
                    text.append(" ")
                elif symbol in (b"\n", b"\r"):
                    end_paragraph()
                continue
            if state["skip"]:
                continue
            if hexbyte is not None:
                if pending_skip:
                    pending_skip -= 1
                    continue
                raw.append(int(hexbyte, 16))
                continue
            if chars:
                piece = chars
                if pending_skip:
                    cut = min(pending_skip, len(piece))
                    pending_skip -= cut
                    piece = piece[cut:]
                if piece:
                    flush_bytes()
                    text.append(piece.decode(self.fonts.get(state["font"], self.codepage)
                                             if state["font"] is not None else self.codepage, errors="replace"))
        end_paragraph()
        return out


def _joined(text: str) -> str:
    """Unicode written as UTF-16 halves (\\u-10176?\\u-9216?) joined into the characters they
    are; a half alone becomes U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
