"""Clean: drop scraping noise line by line, keeping each kept line's number in the source file.

Every step takes a stream of `Line` and yields a stream of `Line`, so the
composition in `clean()` reads like the list of traps in DESIGN.md. A step may
shorten a line's text but never moves it to another line number: references
built from cleaned lines always point at the file as it is on disk.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Iterator, Sequence

from .script import both_scripts, to_hans


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
# A reading is one pinyin syllable (tone marks taken off): 'hù', 'zhuǎn', not 'café' or 'née'.
_TONELESS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ", "aaaaeeeeiiiioooouuuuüüüünnnm")
_SYLLABLE = re.compile(
    r"(?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:i?ong|[iuü]?ang|[iuü]?an|[iu]?ai|i?ao|[iuü]?e|ei|en|eng|er|[iu]?a|in|ing|iu|ou|ui|[uü]n|uo|[iouü]|ng|n|m)"
)
_HAN = "\u4e00-\u9fff"
# Script garbage, each as it shows in the seeds: replacement characters; runs of '?' left
# inside a Chinese sentence where bytes could not be decoded (規??爝f); '?!' from a mis-decoded
# '《' whose '》' follows (出發點?!督洜I效益提升管道》); Thai runs glued between Chinese
# characters with no space (mojibake, unlike a Thai name quoted in an article); control codes.
_GARBAGE = re.compile(
    rf"\ufffd+|(?<=[{_HAN}])\?{{2,}}(?=[{_HAN}])|\?!(?=[^《》\n]{{1,40}}》)"
    rf"|(?<=[{_HAN}])[\u0e00-\u0e7f]+(?=[{_HAN}])|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)
# Mojibake of Chinese text (bytes read in the wrong encoding, in 004 after a lost '??'):
# a stretch of characters nearly none of which are common, with the Latin letters, kana,
# stray '?', '€' and glued readings (爝f, 蛻粜袨樘卣骺, 瘋€(gè)) the wrong decoding leaves.
# A stretch is garbage when MOJIBAKE_RARE of MOJIBAKE_WINDOW Chinese characters in a row are
# not among the 3,500 most used (either script); or when it follows a lost '??' and holds
# one such character. Measured: every stretch flagged in the seeds is 004's garbage, and none
# in the 2,000 DRCD and CMRC Wikipedia paragraphs, whose fish, plant and dynasty names are rare
# characters mixed with common ones (鳗鲡目糯鳗亚目: 4 of 6).
MOJIBAKE_WINDOW, MOJIBAKE_RARE = 6, 5
_DEBRIS = re.compile(r"[(?]?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü?]{1,7}\)|[A-Za-z€?\u3040-\u30ff\ue000-\uf8ff]")
# A reading whose '(' was lost with the character it read (適當?shù)木徍, 補償?shù)?): the bytes
# around it were decoded wrongly too.
_LOST_READING = re.compile(r"(?<![(a-zA-Z?;])[?;]*\?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")
_BREAK = re.compile(r"[^\w€?()\u3040-\u30ff]")  # punctuation or space: a list of rare names (鈮、鉭、鋰), not garbage
_LOST_MARKS = re.compile(rf"(?<=[{_HAN}])\?{{2,}}|\?!")  # '??', or '?!' where a '《' was lost (出發點?!督洜I)
# A bullet that did not survive decoding: '? ' opening a line.
_LOST_BULLET = re.compile(r"^\?\s+")
# A line that is only a page or slide number (or a few of them).
_PAGE_NUMBER = re.compile(r"^\d{1,3}(\s+\d{1,3})*$")
# A document site numbers the chunks of text it shows: "3、" at the start of a long run-on line.
_CHUNK_NUMBER = re.compile(r"^(\d{1,3})、")
RUN_ON = 200
# A line that ends its sentence (a site's chunk breaks off mid-sentence instead).
_SENTENCE_CLOSED = re.compile(r"[。!?;！？；…」』”’\"')）》]$")
_BULLET = re.compile(r"^\s*[-•·]")


@lru_cache(maxsize=None)
def _patterns(name: str) -> tuple[re.Pattern[str], ...]:
    text = resources.files("kb.data").joinpath(name).read_text("utf-8")
    rows = [r.strip() for r in text.splitlines()]
    return tuple(both_scripts(r) for r in rows if r and not r.startswith("#"))


@lru_cache(maxsize=None)
def _any_of(name: str) -> re.Pattern[str]:
    """One pattern that finds what any of a file's patterns finds (none has a back-reference
    or an inline flag): a line is searched once, not once a pattern."""
    patterns = _patterns(name)
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns) or "(?!)")


def split_lines(text: str) -> Iterator[Line]:
    for no, raw in enumerate(text.splitlines(), 1):
        yield Line(no, raw)


def _scraped_reading(m: re.Match[str]) -> str:
    """The scraper glues a reading only to the characters its Simplified → Traditional
    conversion changed (關(guān), 務(wù)): every one in the seeds is such a character. A
    reading after any other character is the author's (荨(qián)麻 in an encyclopedia)."""
    char = m.string[m.start() - 1]
    reading = m.group()[1:-1]
    if to_hans(char) == char:
        return m.group()
    if "?" not in reading and not _SYLLABLE.fullmatch(reading.translate(_TONELESS)):
        return m.group()  # an accented word in brackets: 館(café)
    return ""


def strip_pinyin(lines: Iterable[Line]) -> Iterator[Line]:
    for line in lines:
        if "(" not in line.text:  # both readings open with one
            yield line
            continue
        text = _PINYIN.sub(_scraped_reading, line.text)
        text = _PINYIN_LOST.sub(_scraped_reading, text)
        yield line if text == line.text else Line(line.no, text)


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or c >= "\U00020000"


_LOST = "??"  # characters the decoder lost, as the scraper wrote them


def _stretch(text: str, i: int, rare: set[str]) -> int:
    """Where a stretch of rare characters and decoding debris starting at i ends: a common
    character inside it (瘋 in 兓瘋€, 庸 in 謱庸芾) does not end it when garbage follows, nor
    do two before characters the decoder lost (环蒿 in 喴环蒿??)."""
    while i < len(text):
        if text[i] in rare:
            i += 1
        elif m := _DEBRIS.match(text, i):
            i = m.end()
        elif i + 1 < len(text) and (text[i + 1] in rare or _DEBRIS.match(text, i + 1)):
            i += 1
        elif text.startswith(_LOST, i + 2):  # two common characters before a run of lost ones
            i += 2
        else:
            break
    return i


def drop_mojibake(text: str) -> str:
    """Text without its stretches of mojibake (see MOJIBAKE_WINDOW); the rest as it was."""
    if text.isascii():
        return text
    from .read import _common_chars

    common = _common_chars()
    rare = {c for c in set(text).difference(common) if _is_han(c)}  # the line's rare characters
    if not rare and "?" not in text:  # most lines: nothing to look at closer
        return text
    cuts: list[tuple[int, int]] = []
    for m in _LOST_MARKS.finditer(text):
        end = _stretch(text, m.end(), rare)
        if any(c in rare for c in text[m.end():end]):
            cuts.append((m.start(), end))
    for m in _LOST_READING.finditer(text):
        cuts.append((m.start(), _stretch(text, m.end(), rare)))
    if sum(text.count(c) for c in rare) >= MOJIBAKE_RARE:  # enough to fill a window's share
        han = [(i, c in rare) for i, c in enumerate(text) if _is_han(c)]
        k = 0
        while k + MOJIBAKE_WINDOW <= len(han):
            window = han[k: k + MOJIBAKE_WINDOW]
            if sum(r for _, r in window) >= MOJIBAKE_RARE and not _BREAK.search(text, window[0][0], window[-1][0]):
                start = next(i for i, r in window if r)
                end = _stretch(text, start, rare)
                cuts.append((start, end))
                k = next((j for j, (i, _) in enumerate(han) if i >= end), len(han))
            else:
                k += 1
    if not cuts:
        return text
    out, last = [], 0
    for a, b in sorted(cuts):
        if b > last:
            out.append(text[last: max(a, last)])
            last = b
    out.append(text[last:])
    return "".join(out)


def strip_garbage(lines: Iterable[Line]) -> Iterator[Line]:
    """Drop mojibake and site banners (boilerplate_inline.txt) wherever they stand in a line."""
    banners = _patterns("boilerplate_inline.txt")
    any_banner = _any_of("boilerplate_inline.txt")
    for line in lines:
        text = _GARBAGE.sub("", drop_mojibake(line.text))
        if any_banner.search(text):  # else no banner's removal could make room for another
            for banner in banners:
                text = banner.sub("", text)
        text = _LOST_BULLET.sub("• ", text.strip())
        yield line if text == line.text else Line(line.no, text)


def drop_boilerplate_blocks(lines: Iterable[Line]) -> Iterator[Line]:
    """Drop a notice heading (溫馨提示, 最新文檔) and the bullet list under it."""
    opener = _any_of("boilerplate_blocks.txt")
    in_block = False
    for line in lines:
        text = line.text.strip()
        if opener.search(text):
            in_block = True
            continue
        if in_block and (not text or _BULLET.match(line.text)):
            continue
        in_block = False
        yield line


def drop_boilerplate_lines(lines: Iterable[Line]) -> Iterator[Line]:
    boilerplate = _any_of("boilerplate_lines.txt")
    for line in lines:
        if not boilerplate.search(line.text):
            yield line


def drop_page_numbers(lines: Iterable[Line]) -> Iterator[Line]:
    for line in lines:
        if not _PAGE_NUMBER.match(line.text):
            yield line


def chunk_counters(lines: list[Line]) -> set[int]:
    """Which lines open with a site's chunk counter, by the file's own evidence: a chain of
    successive run-on lines numbered n、 n+1、 n+2、 … (3 or more) where most lines break off
    mid-sentence and the next picks the text up (seed 003: '…三項讓渡價值VS二' then
    '2、項讓渡本錢…'). A numbered paragraph of an article ends its sentence and keeps its number."""
    chains: list[list[Line]] = []
    prev: int | None = None
    for line in (line for line in lines if line.text):
        m = _CHUNK_NUMBER.match(line.text) if len(line.text) > RUN_ON else None
        n = int(m.group(1)) if m else None
        if n is not None and prev is not None and n == prev + 1:
            chains[-1].append(line)
        elif n is not None:
            chains.append([line])
        prev = n
    out: set[int] = set()
    for chain in chains:
        broken = sum(not _SENTENCE_CLOSED.search(line.text) for line in chain[:-1])
        if len(chain) >= 3 and broken * 2 > len(chain) - 1:
            out.update(line.no for line in chain)
    return out


def strip_chunk_numbers(lines: Iterable[Line]) -> Iterator[Line]:
    """'3、…' opening a run-on line is the site's chunk counter, not a heading, when
    `chunk_counters` finds the site's chain of them; a list item keeps its number."""
    lines = list(lines)
    counters = chunk_counters(lines)
    for line in lines:
        if line.no in counters:
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


def alignment(raw: str, cleaned: str, reach: int = 80) -> Sequence[int]:
    """Where each character of a cleaned line stands in its raw line. Cleaning only deletes
    (readings, stray bytes, banners, edge spaces) and swaps a lost bullet for '•', so each
    character is the first match within `reach` of the one before; a character the raw line
    lacks (the '•') stands where the one before ended. An array, 8 bytes a character: a list
    of ints took 40 (700 MB for one 50 MB line)."""
    out = array("q")
    pos = 0
    for ch in cleaned:
        i = raw.find(ch, pos, pos + reach)
        if i < 0:
            out.append(max(pos - 1, 0))
            continue
        out.append(i)
        pos = i + 1
    return out


def page_marker_title(text: str) -> str | None:
    """The title a site stamps on each page ('星級客戶服務培訓_第1頁'), if there is one."""
    m = re.search(r"^(.{2,60})_第\d+[页頁]\s*$", text, re.M)
    return m.group(1).strip() if m else None
