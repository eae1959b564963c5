"""HTML (.html, .htm): parsed by BeautifulSoup, read as a browser lays out its blocks.

Each block (paragraph, heading, list item, table row, <br>-separated piece) is
one line and one paragraph (¶); <h1>–<h6> are headings; an ordered list's items
keep their numbers (`1. `), bullets read `• `; scripts, styles and other
non-text elements are dropped, and so is the site around the page's own text (_content). The encoding is the one the page declares
(<meta charset>), else the one kb.read detects.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..location import Place
from ..read import decode_bytes
from . import CELL_SEPARATOR, Layout, corrupt, require, sha256

SKIP = frozenset({"script", "style", "noscript", "template", "svg", "math", "canvas", "iframe", "object",
                  "embed", "head", "select", "button"})
BLOCKS = frozenset({"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
                    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header",
                    "hgroup", "hr", "html", "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
                    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"})
HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SINGLE_BYTE = {"cp1252", "iso8859-1", "latin-1", "ascii", "cp1250", "iso8859-15"}
# Declared encodings that name a subset of what documents labelled so actually hold.
WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs", "iso-8859-1": "cp1252"}


def read(path: Path, data: bytes):
    bs4 = require("bs4", path)
    text, encoding = _decode(data, path)
    try:
        soup = bs4.BeautifulSoup(text, "html.parser")
    except Exception as exc:  # a parser can fail anywhere in a damaged page; one bad file never stops a build
        raise corrupt(path, exc) from exc
    root = _content(soup)
    walker = _Walker(bs4, whole_page=root is soup)
    walker.walk(root)
    walker.flush()
    return walker.layout.extracted("html", encoding, sha256(data))


# A saved web page wraps its text in the site's chrome: menus, breadcrumbs, a sidebar of other
# courses, a footer. The page's own text is its one <article> or <main> (role="main"), when that
# holds at least CONTENT_SHARE of the page's text; otherwise the whole page is read, less its
# sidebars, headers and footers outside any article. Navigation (<nav>) is never read.
CONTENT_SHARE = 0.5
CHROME = frozenset({"nav", "aside", "header", "footer"})


def _content(soup):
    total = len(soup.get_text(" ", strip=True))
    for found in (soup.find_all("article"), soup.find_all("main") or soup.find_all(attrs={"role": "main"})):
        if len(found) == 1 and len(found[0].get_text(" ", strip=True)) >= CONTENT_SHARE * total:
            return found[0]
    return soup


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """The page's declared encoding, unless it is wrong; a Chinese page declaring a Western
    single-byte one (an editor's default) is detected instead."""
    from bs4.dammit import EncodingDetector

    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    if declared:
        name = WIDER.get(declared.lower(), declared.lower())
        try:
            western = codecs.lookup(name).name in _SINGLE_BYTE and not data.isascii()
            if not western:
                return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: detect instead
    return decode_bytes(data, name=str(path))


class _Walker:
    """Walks the parsed tree, gathering inline text into the current block."""

    def __init__(self, bs4, whole_page: bool = False) -> None:
        self.bs4 = bs4
        self.whole_page = whole_page  # walking the whole page: its chrome outside any article is left out
        self.layout = Layout()
        self.buffer: list[str] = []
        self.marker = ""  # a list item's number or bullet, waiting for the item's first text
        self.paragraph = 0
        self.lists: list[list[int]] = []  # open lists: [next number] for <ol>, [] for <ul>

    def flush(self, level: int | None = None, preformatted: bool = False) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        if not preformatted:
            text = re.sub(r"\s+", " ", text)
        if text.strip():
            self.paragraph += 1
            self.layout.add(self.marker + text.strip("\n"), level, Place("¶", self.paragraph))
            self.marker = ""

    def text_of(self, node) -> str:
        """The inline text of a node, white space collapsed as a browser would."""
        inner = _Walker(self.bs4)
        inner.walk(node)
        pieces = [p for p in (inner.layout.lines + ["".join(inner.buffer)]) if p.strip()]
        return re.sub(r"\s+", " ", " ".join(pieces)).strip()

    def walk(self, node) -> None:
        bs4 = self.bs4
        for child in node.children:
            if isinstance(child, bs4.element.NavigableString):
                if type(child) in (bs4.element.NavigableString, bs4.element.CData):
                    self.buffer.append(str(child))
                continue
            if not isinstance(child, bs4.element.Tag):
                continue
            name = child.name.lower()
            if name in SKIP or child.has_attr("hidden") or _invisible(child.get("style")):
                continue
            if name == "nav" or (name in CHROME and self.whole_page and not child.find_parent(["article", "main"])):
                continue
            if name == "br":
                self.flush()
            elif name in HEADINGS:
                self.flush()
                self.buffer.append(self.text_of(child))
                self.flush(HEADINGS[name])
            elif name == "tr":
                self.flush()
                cells = [self.text_of(c) for c in child.find_all(["td", "th"], recursive=False)]
                self.buffer.append(CELL_SEPARATOR.join(c for c in cells if c))
                self.flush()
            elif name == "pre":
                self.flush()
                self.buffer.append(child.get_text())
                self.flush(preformatted=True)
            elif name in ("ol", "ul"):
                self.flush()
                start = child.get("start", "1")
                self.lists.append([int(start) if start.lstrip("-").isdigit() else 1] if name == "ol" else [])
                self.walk(child)
                self.lists.pop()
                self.flush()
            elif name == "li":
                self.flush()
                if self.lists and self.lists[-1]:
                    self.marker = f"{self.lists[-1][0]}. "
                    self.lists[-1][0] += 1
                else:
                    self.marker = "• "
                self.walk(child)
                self.flush()
                self.marker = ""
            elif name in BLOCKS:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)


def _invisible(style) -> bool:
    """An inline style that hides the element (display:none, visibility:hidden)."""
    if not style or not isinstance(style, str):
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style
