"""Formats: turn a file of any supported kind into the lines the pipeline reads.

Every reader hands back the same shape, `Extracted`: the document's text as
lines (so clean, structure and passages work unchanged and a line number means
the same thing everywhere), plus what the format itself says about some lines:
a heading level (a Word heading style, a slide title, <h2>, `##`, a sheet's name) and a place
(slide 12, page 3, ¶ 14, row 7, sheet 2), and a workbook its title. Plain text says nothing
beyond its lines.

Readers are imported on first use, and the libraries they need only inside
them, so `import kb` stays light and a base install without the `formats` extra
still reads .txt, .md, .rtf, .xlsx and .csv; a .docx then fails with one line naming the extra.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Iterable

from ..errors import ReadError
from ..location import Place

# suffix → (format, reader module): what `kb index FOLDER` picks up
READERS: dict[str, tuple[str, str]] = {
    ".txt": ("txt", "plain"),
    ".text": ("txt", "plain"),
    ".md": ("md", "markdown"),
    ".markdown": ("md", "markdown"),
    ".html": ("html", "html"),
    ".htm": ("html", "html"),
    ".docx": ("docx", "word"),
    ".pptx": ("pptx", "slides"),
    ".doc": ("doc", "msdoc"),
    ".ppt": ("ppt", "msppt"),
    ".pdf": ("pdf", "pdf"),
    ".xlsx": ("xlsx", "sheets"),
    ".xlsm": ("xlsx", "sheets"),
    ".xls": ("xls", "xls"),
    ".rtf": ("rtf", "rtf"),
    ".csv": ("csv", "delimited"),
    ".tsv": ("tsv", "delimited"),
}
SUFFIXES = tuple(READERS)
# A table's row is one line, its cells apart by this (Word, HTML, slides, Markdown alike)
CELL_SEPARATOR = " | "
COLUMN_NAME = 16  # characters: a column's name is short (客户问题, 生效日期); a longer cell is content
_FIGURE = re.compile(r"[\d\s.,:%/\-+$¥￥元]+")  # a cell that is a number, an amount or a date
_SENTENCE = re.compile(r"[，。；！？;!?]")  # ... or that says something: no column's name


def names_columns(cells: list[str]) -> bool:
    """Whether a table's first row names its columns: two names or more, each short, none a
    figure or a date nor a sentence (重量 | 首重 | 续重, not 1公斤 | 12 | 2.5)."""
    held = [c for c in cells if c]
    return (len(held) >= 2 and len(set(held)) == len(held)
            and all(len(c) <= COLUMN_NAME and not _FIGURE.fullmatch(c) and not _SENTENCE.search(c) for c in held))


# What a skipped file should become to be read: WPS Office's own formats and OpenDocument's
# (LibreOffice's, and WPS's where chosen).
SAVE_AS = {".wps": ".docx", ".dps": ".pptx", ".et": ".xlsx", ".odt": ".docx", ".odp": ".pptx", ".ods": ".xlsx"}

EXTRA_HINT = "pip install -e '.[formats]'"

MB = 1 << 20
# The largest file of each format kb reads, so that one file indexes in under 1 GB: the peak
# resident memory of `kb index` on files written by scripts/bounds_inputs.py, at these sizes:
# the seeds as text, 64 MB, 790 MB; as Markdown, 32 MB, 580 MB (64 MB took 1.1 GB); as a web
# page, 24 MB, 640 MB (32 MB took 860 MB: BeautifulSoup's tree is the cost); a PDF of 320 MB,
# a photo and text on each page, 690 MB (690 MB took 1.5 GB: pdfminer keeps what it parsed).
# An .xls is read whole by xlrd: one of 85 MB (three sheets of 65,000 rows, 37 million characters)
# peaked at 477 MB, so 128 MB stays under 1 GB.
# An .rtf is read whole, its pictures skipped in one pass: one of 50 MB (a photo's hex and
# 1.4 million characters) peaked at 121 MB, so 256 MB stays near 600 MB.
MAX_BYTES = {"txt": 64 * MB, "md": 32 * MB, "html": 24 * MB, "pdf": 320 * MB, "csv": 64 * MB, "tsv": 64 * MB,
             "xls": 128 * MB, "rtf": 256 * MB}
# Office packages are read from the disk part by part, their pictures and videos never held
# (package.py): no file is too large, only one with too much XML in it. An old binary .doc or
# .ppt is read from the disk too, only its text stream (msdoc.py, msppt.py); an .xls by xlrd.
FROM_DISK = {"word", "slides", "sheets", "msdoc", "msppt", "xls"}


@dataclass(frozen=True)
class Extracted:
    """A file as the pipeline reads it: lines of text and what its format says about them."""

    text: str  # the extracted lines joined by '\n' (for plain text: the decoded file, untouched)
    format: str  # txt, md, html, docx, pptx, doc, ppt, pdf
    encoding: str  # how bytes became text: utf-8, gb18030, big5 …, or the container (docx, pptx, doc, ppt, pdf)
    sha256: str
    levels: dict[int, int] = field(default_factory=dict)  # 1-based line → heading level (1 = top; 0 = no level)
    places: dict[int, Place] = field(default_factory=dict)  # 1-based line → slide / page / paragraph
    title: str = ""  # the document's title where the file keeps one apart from its lines (a workbook's)


class Layout:
    """Collects a document block by block (paragraph, heading, table row, slide title) as lines.

    A block may hold line breaks (a soft return in Word, <br>, a wrapped PDF line
    that was not re-joined): it becomes several lines with the same place. A
    heading stays one line. Blank blocks leave no line.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.levels: dict[int, int] = {}
        self.places: dict[int, Place] = {}

    def add(self, text: str, level: int | None = None, place: Place | None = None) -> bool:
        """Add a block; returns whether it held any text."""
        heading = level is not None
        pieces = [" ".join(p.split()) if heading else p.strip() for p in text.splitlines()]
        if heading:
            pieces = [" ".join(p for p in pieces if p)]
        added = False
        for piece in pieces:
            if not piece:
                continue
            self.lines.append(piece)
            no = len(self.lines)
            if heading:
                self.levels[no] = level
            if place:
                self.places[no] = place
            added = True
        return added

    def extracted(self, fmt: str, encoding: str, digest: str, title: str = "") -> Extracted:
        return Extracted("\n".join(self.lines), fmt, encoding, digest, dict(self.levels), dict(self.places), title)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_of(name: str) -> str:
    """The format a file name is read as ('deck.PPTX' → 'pptx'); unknown suffixes read as text."""
    return READERS.get(Path(name).suffix.lower(), ("txt", "plain"))[0]


def format_counts(names: Iterable[str]) -> dict[str, int]:
    """How many documents of each format, most first: what `kb index` reports."""
    return dict(Counter(format_of(n) for n in names).most_common())


def unsupported(path: Path) -> str | None:
    """Why a file in a folder is not read, or None when a reader takes it."""
    suffix = path.suffix.lower()
    if suffix in READERS:
        return None
    if suffix in SAVE_AS:
        return f"unsupported file type {suffix} (save it as {SAVE_AS[suffix]})"
    return f"unsupported file type {suffix or '(none)'}"


def extract(path: Path) -> Extracted:
    """Read one file into lines; raises ReadError with one line that names the file and why."""
    fmt, module = READERS.get(path.suffix.lower(), ("txt", "plain"))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES.get(fmt, size):
            raise ReadError(f"{path}: {size / MB:,.0f} MB, over the {MAX_BYTES[fmt] // MB} MB kb reads of a .{fmt} file")
        data = None if module in FROM_DISK else path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if not size or data is not None and not data.strip():
        raise ReadError(f"{path}: empty file")
    reader = import_module(f".{module}", __name__)
    return reader.read(path) if data is None else reader.read(path, data)


def require(module: str, path: Path):
    """Import a format library, or fail with the one line that says how to get it."""
    try:
        return import_module(module)
    except ImportError as exc:
        raise ReadError(f"{path}: needs the formats extra: {EXTRA_HINT}") from exc


def corrupt(path: Path, exc: BaseException) -> ReadError:
    """A parser's failure as one line: 'corrupt .docx (File is not a zip file)'."""
    detail = " ".join(str(exc).split())[:120] or type(exc).__name__
    return ReadError(f"{path}: corrupt {path.suffix.lower() or 'file'} ({detail})")
