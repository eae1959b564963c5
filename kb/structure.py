"""Structure: cleaned lines to a section tree (course > unit > section > item) per document.

Headings are recognised by their numbering (課程一, 第一篇, 模块一, 單元一, 第三讲, 1.2, 一、, 1、, (1), 1) …),
each numbering style having a fixed rank; a heading closes every open section of
the same or a lower rank. When the file's format declares a heading (a Word
heading style, <h2>, `##`), that declaration wins: its level ranks above every
numbering style, so numbered lines structure the inside of a declared section
and never close it. A slide title is a heading too, but decks have no levels:
its numbering ranks it, else it sits just above numbered items. Run-on lines (slide decks scraped into one line) are cut
into segments at sentence ends and slide breaks, and at inline numbered titles
(`01行業認知基礎`) that the document's own table of contents confirms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

from .clean import RUN_ON, Line
from .measures import BEGINS_WORDS, LATIN, MAGNITUDES, UNITS, alternation
from .script import both_scripts

MAX_PASSAGE = 400  # characters: what reads at a glance on a phone
# An item marker opening a line or standing inside one: (1) 1) 1、 1. (一) 一、 第一步 第1步 ① ü •
ITEM_MARKER = (
    r"[(（]\d{1,2}[)）]|(?<![\d.a-zA-Z])\d{1,2}[)）]|(?<![\d.])\d{1,2}、|(?<![\d.])\d{1,2}\.(?!\d)"
    r"|[(（][一二三四五六七八九十]{1,3}[)）]|(?<![一二三四五六七八九十])[一二三四五六七八九十]{1,3}、"
    r"|第(?:[一二三四五六七八九十]{1,2}|\d{1,2})[步个]|[①-⑳]|[üü•✓➢■●○◆◇▪□☐☑✔▶►◎]"
)
MAX_HEADING = 40

_N = "[一二三四五六七八九十百零〇两]+"
# a unit after a number says it is a figure (12.5 公斤以内), not a section's number; not the units
# that begin everyday words, which begin a section's title as well (1.2 月结客户, 2.1 日常检查)
_UNIT = alternation(u for u in (*UNITS, *MAGNITUDES, *LATIN) if u not in BEGINS_WORDS)
# (rank, pattern): lower rank = higher level. Written in Simplified; both scripts match.
_RULES: tuple[tuple[float, str], ...] = (
    (1, rf"^课程{_N}\s*[::、 ]"),
    (1, r"^[^。,,]{2,40}(课件|[pP][pP][tT]|[pP][pP][tT]课件)$"),  # a deck scraped into the same file
    (2, rf"^第[{_N[1:-2]}\d]+(篇|部分|章)"),
    # the numerals of a Taiwan document's parts (壹、貳、參 over 一、 and (一)): a part, as 第一部分
    (2, r"^[壹贰叁参肆伍陆柒捌玖拾]{1,3}、"),
    (2, rf"^(模块|项目)({_N}|\d{{1,2}})(?![\d.])"),  # a textbook's module or project (项目五 › 任务一)
    (3, rf"^(单元{_N}|第[{_N[1:-2]}\d]+单元)"),
    (3, rf"^(任务({_N}|\d{{1,2}})(?![\d.])|第[{_N[1:-2]}\d]+(讲(?![述解话座])|课(?![程件时])))"),  # a task, a lecture (第三讲)
    (3, r"^【[^】]{2,12}】"),
    (4, rf"^第[{_N[1:-2]}\d]+节"),
    # a manual's decimal numbering (1.2 目的, 3.1.2 验视要求): a section, then a section inside it
    (4.2, rf"^\d{{1,2}}\.\d{{1,2}}[\s\u3000]+(?!{_UNIT})(?=[\u4e00-\u9fffA-Za-z])"),
    (4.4, rf"^\d{{1,2}}\.\d{{1,2}}\.\d{{1,2}}\.?[\s\u3000]*(?!{_UNIT})(?=[\u4e00-\u9fffA-Za-z])"),
    (5, rf"^{_N}、"),
    (5, rf"^[((]{_N}[))]"),
    (6, r"^\d{1,2}(、|\.(?!\d))"),
    (7, r"^[((]\d{1,2}[))]"),
    (7, r"^\d{1,2}[))]"),
    (7, r"^[a-z][))]"),
)


# titles of question sets, not of practice (话术练习, 演练 teach what to do: they answer)
EXERCISES = r"课后练习|练习题|习题|思考题|复习题|讨论题|课后题|自测题|测验题|考核题|试题|课后作业|作业题"


@lru_cache(maxsize=1)
def exercises() -> re.Pattern[str]:
    """A section title that names exercises, in either script: its numbered lines are the
    questions it asks (1. 简述…), never headings of sections of their own."""
    return both_scripts(EXERCISES)


@lru_cache(maxsize=1)
def heading_rules() -> tuple[tuple[float, re.Pattern[str]], ...]:
    """The rules compiled for both scripts (on first use: OpenCC loads only when needed)."""
    return tuple((rank, both_scripts(p)) for rank, p in _RULES)


INLINE_RANK = 2


UNLEVELLED = 0  # a heading whose format gives it no level: a slide title
SLIDE_RANK = 4.5  # an unnumbered slide title: inside the unit or 節 it follows, above numbered items


def declared_rank(level: int, text: str) -> float:
    """The rank of a heading the format declares. A level (1 = top) ranks between the root (0)
    and the first numbering style (1), in the format's own order. A heading without a level
    (slide titles are all alike) ranks by its numbering, as a line of text would, and
    otherwise just above numbered items, so a deck's 課程 › 單元 › slide tree survives."""
    if level == UNLEVELLED:
        return heading_rank(text) or SLIDE_RANK
    return min(max(level, 1), 9) / 10
ITEM_RANK = 5  # ranks below this (1、, (1), 1)) number the items of a list
# A question of an FAQ (问：…, Q：…) followed by its answer (答：…, A：…) heads the answer: inside
# the part it is in (一、查件与时效), above the numbered items an answer may hold (1、…).
QA_RANK = 5.5
_ASKED = re.compile(r"^\s*(?:[问問]|提[问問]|[问問]题|[问問]題|[Qq]\d{0,3})\s*[:：]|^\s*【[问問]】")
_ANSWERED = re.compile(r"^\s*(?:[答]|回答|解答|答复|答覆|[Aa]\d{0,3})\s*[:：]|^\s*【答】")

# Where a long heading line stops being a title: an inline item, a sentence end, a colon.
_TITLE_END = re.compile(r"\s[(\uff08]?\d+[)\uff09\u3001.]|[\u3002\uff01\uff1f\uff1b!?;:\uff1a,\uff0c]|\s{2,}")
# Where a run-on line may be cut: after a sentence end (unless a slide break's '.' follows it:
# '最小。.客戶' cuts after the dot), or after a '.' (a slide break: '方法.下一張'). Every cut is
# zero-width: the pieces of a line are joined back with "" (passages.join_segments).
# (Full-width ！？；， are written as escapes: an editor that normalises text must not turn them
# into the ASCII forms, as it once did here.)
_SENTENCE_END = re.compile("(?<=[\u3002\uff01\uff1f\uff1b!?;])(?!\\s*\\.)|(?<=\\.)")
# A '.' that ends no sentence, by what stands before it: a digit (2.7.5, 3.14, the item '2.'),
# another dot (an ellipsis), an initial (Daniel J. Epstein, U.S., e.g.) or an abbreviation.
# The abbreviations are the usual English ones and those met in the external Wikipedia corpora.
_DOT_KEPT_BEFORE = re.compile(
    r"(?:[\d.…]|(?<![A-Za-z])(?:[A-Za-z]|Mrs?|Ms|Dr|Prof|St|Mt|Ft|No|Nos|Vol|pp|Fig|Co|Corp|Inc|Ltd|Bros|Jr|Sr|vs|etc|al|ca))\.\Z"
)
# … or by what follows it at once: a digit or a letter (www.x.com, Ph.D, T.C.B.S, .45), a dot,
# or punctuation that ends the sentence itself ('Cube Inc.。', 'Co.）', 'Ltd.」').
_DOT_KEPT_AFTER = re.compile(r"[\dA-Za-z.…。！？；!?;，,、)）」』\"”’]")
_SOFT_BREAK = re.compile("[,\uff0c\u3001 ]")
_INLINE_NUMBER = re.compile(r"(?<!\d)0[1-9](?=[\u4e00-\u9fff])")
_TOC = re.compile(r"目[录錄]")


@dataclass(frozen=True)
class Segment:
    """A piece of one source line: a whole line, or a cut of a run-on line."""

    line: int
    text: str


@dataclass
class Section:
    title: str
    rank: float
    heading: Segment | None = None
    body: list[Segment] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)

    def segments(self) -> list[Segment]:
        """Heading, body and every descendant's segments, in document order."""
        out = [self.heading] if self.heading else []
        out += self.body
        for child in self.children:
            out += child.segments()
        return out


@dataclass
class Document:
    name: str
    title: str
    root: Section


def heading_rank(text: str) -> float | None:
    for rank, pattern in heading_rules():
        if pattern.match(text):
            return rank
    return None


def nesting_rank(title: str) -> float:
    """How deep a heading nests, read off its text alone (a FAQ's question at QA_RANK, a
    heading with no numbering deepest): for headings whose section is not at hand."""
    rank = heading_rank(title)
    if rank is not None:
        return rank
    return QA_RANK if _ASKED.match(title) else 9.0


def split_heading(text: str) -> tuple[str, str] | None:
    """A heading line's (title, rest of the line), or None when it is too long to be a title."""
    if len(text) <= MAX_HEADING:
        return text, ""
    m = _TITLE_END.search(text, 3)
    if not m or m.start() > MAX_HEADING:
        return None
    return text[: m.start()].rstrip(), text[m.start():].strip(" ::")


def table_of_contents(lines: list[Line]) -> str:
    """The text of a '目錄' list, used to confirm inline numbered titles."""
    for line in lines:
        m = _TOC.search(line.text)
        if m:
            rest = line.text[m.end():]
            first = _INLINE_NUMBER.search(rest)
            return rest[: first.start()] if first else rest[:300]
    return ""


def cut_run_on(line: Line, toc: str) -> list[tuple[Segment, str | None]]:
    """Cut a run-on line into segments; an inline title confirmed by the TOC comes with its title."""
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    text = line.text
    if toc:
        for m in _INLINE_NUMBER.finditer(text):
            title = _toc_title(text[m.end(): m.end() + 20], toc)
            if title:
                pieces.append((text[pos: m.start()], None))
                pieces.append((text[m.start(): m.end() + len(title)], title))
                pos = m.end() + len(title)
    pieces.append((text[pos:], None))
    out: list[tuple[Segment, str | None]] = []
    for piece, title in pieces:
        if title:
            out.append((Segment(line.no, piece), title))
            continue
        for sentence in _sentences(piece):
            out.append((Segment(line.no, sentence), None))
    return out


def _toc_title(following: str, toc: str) -> str | None:
    for size in range(min(len(following), 20), 3, -1):
        if following[:size] in toc:
            return following[:size]
    return None


def sentence_cuts(text: str) -> list[int]:
    """Where a run-on line is cut: after its sentence ends and slide breaks, never inside an
    abbreviation, a number, an ellipsis or a domain name (a '.' there is part of the text)."""
    cuts = []
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if text[end - 1] == "." and (
            _DOT_KEPT_BEFORE.search(text[max(0, end - 8): end]) or _DOT_KEPT_AFTER.match(text, end)
        ):
            continue
        cuts.append(end)
    return cuts


def _sentences(text: str) -> list[str]:
    """The sentences of a run-on piece, a sentence over MAX_PASSAGE cut at its last soft break
    (，、 or a space) before the limit. Joined back, the pieces are the text (but for white
    space opening it): no character is dropped or repeated."""
    out = []
    bounds = [0, *sentence_cuts(text), len(text)]
    for start, end in zip(bounds, bounds[1:]):
        part = text[start:end]
        lead = len(part) - len(part.lstrip())
        if lead and out:  # white space after a cut stays with the piece before it: 'Col. John'
            out[-1] += part[:lead]
        part = part[lead:]
        at = 0  # cut by position, not by slicing off the rest: one sentence may be a whole 50 MB line
        while len(part) - at > MAX_PASSAGE:
            cut = max((m.end() for m in _SOFT_BREAK.finditer(part, at, at + MAX_PASSAGE)), default=at + MAX_PASSAGE)
            out.append(part[at:cut])
            at = cut
        if part[at:].strip():
            out.append(part[at:])
    return out


def document_title(lines: list[Line], marker_title: str | None) -> str:
    if marker_title:
        return marker_title
    for line in lines[:3]:
        text = line.text.strip()
        if len(text) <= 8 and text.endswith((":", ":")):
            continue  # a label such as '课程大纲:'
        cut = re.split(r"演讲人|演講人|日期|目录|目錄|[。::]", text, maxsplit=1)[0]
        return cut[:30].strip() or text[:30]
    return ""


def build_document(name: str, lines: list[Line], marker_title: str | None = None,
                   levels: Mapping[int, int] | None = None) -> Document:
    """Turn a document's cleaned lines into its section tree; `levels` maps a line number to the
    heading level its format declares."""
    root = Section(title="", rank=0)
    doc = Document(name=name, title=document_title(lines, marker_title) or name, root=root)
    toc = table_of_contents(lines)
    stack = [root]

    def open_section(title: str, rank: float, seg: Segment) -> Section:
        while stack[-1].rank >= rank:
            stack.pop()
        section = Section(title=title, rank=rank, heading=seg)
        stack[-1].children.append(section)
        stack.append(section)
        return section

    def open_line(line: Line, rank: float) -> None:
        """A whole line as a heading, however long: its title, and the rest as its body."""
        title, rest = split_heading(line.text) or (_shortened(line.text), "")
        section = open_section(title, rank, Segment(line.no, title if rest else line.text))
        if rest:
            section.body.append(Segment(line.no, rest))

    for at, line in enumerate(lines):
        if levels and line.no in levels:
            open_line(line, declared_rank(levels[line.no], line.text))
            continue
        if len(line.text) > RUN_ON:
            for seg, title in cut_run_on(line, toc):
                if title:
                    open_section(title, INLINE_RANK, seg)
                elif seg.text:
                    stack[-1].body.append(seg)
            continue
        if _ASKED.match(line.text) and at + 1 < len(lines) and _ANSWERED.match(lines[at + 1].text):
            open_line(line, QA_RANK)  # a question-and-answer pair (问：… 答：…): the question heads its answer
            continue
        rank = heading_rank(line.text)
        if rank and rank >= ITEM_RANK and any(exercises().search(s.title) for s in stack[1:]):
            rank = None  # an exercise's question (1. 简述…) asks: it heads nothing
        parts = split_heading(line.text) if rank else None
        if rank and parts:
            title, rest = parts
            section = open_section(title, rank, Segment(line.no, title))
            if rest:
                section.body.append(Segment(line.no, rest))
        else:
            stack[-1].body.append(Segment(line.no, line.text))
    return doc


def _shortened(text: str) -> str:
    """A breadcrumb for a declared heading too long to be one (a whole paragraph styled as a heading)."""
    return text[:MAX_HEADING].rstrip() + "…"


def outline(doc: Document) -> list[tuple[int, str, int]]:
    """(depth, title, line) for every heading, in order: the course map trainers read."""
    out: list[tuple[int, str, int]] = []

    def walk(section: Section, depth: int) -> None:
        for child in section.children:
            # a numbered item is a section only when it has sub-items; parts and units always are
            if child.heading and (child.children or (child.rank <= ITEM_RANK and child.body)):
                out.append((depth, child.title, child.heading.line))
            walk(child, depth + 1)

    walk(doc.root, 0)
    return out
