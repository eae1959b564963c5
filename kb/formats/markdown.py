"""Markdown (.md): parsed by markdown-it-py, its text kept on the lines it has in the file.

`#` headings become the section tree; list markers are kept (`1. ` for an
ordered item, `• ` for a bullet) so numbered steps read as steps; emphasis,
links and inline HTML are reduced to their text; a table row is one line, cells
joined by ' | '. Every piece of text stays on its own source line, so a
reference into a Markdown file is a line of that file, as for plain text.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from ..read import decode_bytes
from . import CELL_SEPARATOR, Extracted, require, sha256



def read(path: Path, data: bytes) -> Extracted:
    text, encoding = decode_bytes(data, name=str(path))
    markdown_it = require("markdown_it", path)
    source = text.splitlines()
    lines = [""] * len(source)
    levels: dict[int, int] = {}
    parser = markdown_it.MarkdownIt("commonmark").enable("table")
    tokens = parser.parse(text)

    def put(index: int, piece: str) -> None:
        if 0 <= index < len(lines) and piece.strip():
            lines[index] = f"{lines[index]} {piece.strip()}".strip() if lines[index] else piece.strip()

    heading = 0
    items: list[tuple[str, int, bool]] = []  # open list items: (marker, start line, first paragraph pending)
    row: list[str] = []
    row_line = 0
    in_cell = False
    for tok in tokens:
        kind = tok.type
        if kind == "heading_open":
            heading = int(tok.tag[1])
        elif kind == "heading_close":
            heading = 0
        elif kind == "list_item_open":
            marker = f"{tok.info}{tok.markup} " if tok.info else "• "
            items.append((marker, tok.map[0] if tok.map else 0, True))
        elif kind == "list_item_close":
            items.pop()
        elif kind == "tr_open":
            row, row_line = [], tok.map[0] if tok.map else 0
        elif kind == "tr_close":
            put(row_line, CELL_SEPARATOR.join(c for c in row if c))
        elif kind in ("th_open", "td_open"):
            in_cell = True
        elif kind in ("th_close", "td_close"):
            in_cell = False
        elif kind == "inline" and tok.map:
            pieces = _inline_text(tok.children or []).split("\n")
            if in_cell:
                row.append(" ".join(p.strip() for p in pieces))
                continue
            if items and items[-1][2]:
                marker, start, _ = items[-1]
                items[-1] = (marker, start, False)
                pieces[0] = marker + pieces[0].lstrip()
            if heading:
                put(tok.map[0], " ".join(p.strip() for p in pieces))
                if lines[tok.map[0]]:
                    levels[tok.map[0] + 1] = heading
                continue
            for offset, piece in enumerate(pieces):
                put(tok.map[0] + offset, piece)
        elif kind in ("fence", "code_block") and tok.map:
            first = tok.map[0] + (1 if kind == "fence" else 0)
            for offset, piece in enumerate(tok.content.split("\n")):
                put(first + offset, piece)
        elif kind == "html_block" and tok.map:
            for offset, piece in enumerate(tok.content.split("\n")):
                put(tok.map[0] + offset, _html_text(piece))
    return Extracted("\n".join(lines), "md", encoding, sha256(data), levels)


def _inline_text(children) -> str:
    """The text of an inline token's children: markup dropped, line breaks kept."""
    out = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(_inline_text(child.children or []))
        elif child.type == "html_inline":
            out.append(_html_text(child.content))
    return "".join(out)


class _TextOnly(HTMLParser):
    """Text of an HTML fragment; what a script or style holds is not text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        self.skipping += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skipping -= tag in ("script", "style") and self.skipping > 0

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _html_text(fragment: str) -> str:
    """The text of a fragment of raw HTML inside Markdown (tags dropped, entities decoded)."""
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)
