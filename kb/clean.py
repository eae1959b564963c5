"""Clean: drop scraping noise line by line, keeping each kept line's number in the source file.

Every step takes a stream of `Line` and yields a stream of `Line`, so the
composition in `clean()` reads like the list of traps in DESIGN.md. A step may
shorten a line's text but never moves it to another line number: references
built from cleaned lines always point at the file as it is on disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Iterator

from .script import both_scripts


@dataclass(frozen=True)
class Line:
    """One kept line: 1-based line number in the source file and its cleaned text."""

    no: int
    text: str


Step = Callable[[Iterable[Line]], Iterator[Line]]

# A pinyin reading glued after a character by the scraper: 維護(hù), 關(guān)系.
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\)")
# The same reading after a legacy encoding (GBK, Big5) turned its tone-marked vowel into '?': 護(h?), 權(qu?n).
_PINYIN_LOST = re.compile(r"(?<=[\u4e00-\u9fff])\((?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv]{0,2}\?[aeiouv]{0,2}(?:ng|n|r)?\)")
# Script garbage: Thai runs from a mis-decoded library banner, replacement characters,
# runs of '?' left where bytes could not be decoded, and '?!' from a mis-decoded '《'.
_GARBAGE = re.compile(r"[\u0e00-\u0e7f]+|\ufffd+|\?{2,}|\?!|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A bullet that did not survive decoding: '? ' opening a line.
_LOST_BULLET = re.compile(r"^\?\s+")
# A line that is only a page or slide number (or a few of them).
_PAGE_NUMBER = re.compile(r"^\d{1,3}(\s+\d{1,3})*$")
# A document site numbers the chunks of text it shows: "3、" at the start of a long run-on line.
_CHUNK_NUMBER = re.compile(r"^\d{1,3}、")
RUN_ON = 200
_BULLET = re.compile(r"^\s*[-•·]")


@lru_cache(maxsize=None)
def _patterns(name: str) -> tuple[re.Pattern[str], ...]:
    text = resources.files("kb.data").joinpath(name).read_text("utf-8")
    rows = [r.strip() for r in text.splitlines()]
    return tuple(both_scripts(r) for r in rows if r and not r.startswith("#"))


def split_lines(text: str) -> Iterator[Line]:
    for no, raw in enumerate(text.splitlines(), 1):
        yield Line(no, raw)


def strip_pinyin(lines: Iterable[Line]) -> Iterator[Line]:
    for line in lines:
        yield replace(line, text=_PINYIN_LOST.sub("", _PINYIN.sub("", line.text)))


def strip_garbage(lines: Iterable[Line]) -> Iterator[Line]:
    for line in lines:
        text = _GARBAGE.sub("", line.text).strip()
        yield replace(line, text=_LOST_BULLET.sub("• ", text))


def drop_boilerplate_blocks(lines: Iterable[Line]) -> Iterator[Line]:
    """Drop a notice heading (溫馨提示, 最新文檔) and the bullet list under it."""
    openers = _patterns("boilerplate_blocks.txt")
    in_block = False
    for line in lines:
        text = line.text.strip()
        if any(p.search(text) for p in openers):
            in_block = True
            continue
        if in_block and (not text or _BULLET.match(line.text)):
            continue
        in_block = False
        yield line


def drop_boilerplate_lines(lines: Iterable[Line]) -> Iterator[Line]:
    patterns = _patterns("boilerplate_lines.txt")
    for line in lines:
        if not any(p.search(line.text) for p in patterns):
            yield line


def drop_page_numbers(lines: Iterable[Line]) -> Iterator[Line]:
    for line in lines:
        if not _PAGE_NUMBER.match(line.text):
            yield line


def strip_chunk_numbers(lines: Iterable[Line]) -> Iterator[Line]:
    """'3、…' opening a run-on line is the site's chunk counter, not a heading."""
    for line in lines:
        if len(line.text) > RUN_ON and _CHUNK_NUMBER.match(line.text):
            yield replace(line, text=_CHUNK_NUMBER.sub("", line.text, count=1))
        else:
            yield line


def drop_empty(lines: Iterable[Line]) -> Iterator[Line]:
    for line in lines:
        if line.text:
            yield line


STEPS: tuple[Step, ...] = (
    drop_boilerplate_blocks,
    strip_pinyin,
    strip_garbage,
    drop_boilerplate_lines,
    drop_page_numbers,
    strip_chunk_numbers,
    drop_empty,
)


def clean(text: str, steps: Iterable[Step] = STEPS) -> list[Line]:
    """Run the cleaning steps over a document's text."""
    stream: Iterable[Line] = split_lines(text)
    for step in steps:
        stream = step(stream)
    return list(stream)


def page_marker_title(text: str) -> str | None:
    """The title a site stamps on each page ('星級客戶服務培訓_第1頁'), if there is one."""
    m = re.search(r"^(.{2,60})_第\d+[页頁]\s*$", text, re.M)
    return m.group(1).strip() if m else None
