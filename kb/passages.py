"""Passages: cut each section tree into units small enough to read at a glance.

A section that fits in MAX_PASSAGE characters (with everything under it) is one
passage, so a heading stays with its numbered items ("five steps", not a heading
alone). A larger section yields its own heading and body, then its children,
small siblings packed together; the breadcrumb always names the section.
"""

from __future__ import annotations

import dataclasses
import re
from importlib import resources
from functools import lru_cache
from typing import Callable, Mapping, Sequence

from .clean import alignment
from .location import Place, label
from .model import Passage
from .script import both_scripts, to_hans
from .structure import ITEM_MARKER, MAX_PASSAGE, Document, Section, Segment


MAJOR_RANK = 4  # course, part, unit, 節: each stands in its own passages, not packed with a sibling …
# One long paragraph (a line cut at its sentences) is read in windows of at most WINDOW
# characters, each opening with up to OVERLAP characters of the sentences closing the one
# before. Measured on the external sets (scripts/fit_ranking.py, held-out P@1 DRCD / CMRC):
# no overlap leaves 2.5-4.3% of answers in no passage; 400/150: 0.920 / 0.927;
# 600/200: 0.935 / 0.932. A section still packs up to MAX_PASSAGE (400).
WINDOW = 600
OVERLAP = 200
# The file's own text of a passage (the JSON contract's `text`, readings and all) stays within what
# the contract's readers take as one passage (../shared/eval/README.md: at most 800 characters).
MAX_TEXT = 800
STUB = 60  # … unless one of them is a stub (a bare heading, a table-of-contents line)


def join_segments(segments: list[Segment]) -> str:
    """Original text of segments: pieces of one line run on, lines are separated by newlines."""
    out: list[str] = []
    prev = None
    for seg in segments:
        if prev is not None:
            out.append("" if seg.line == prev else "\n")
        out.append(seg.text)
        prev = seg.line
    return "".join(out)


Width = Callable[[Segment], int]


def _plain(seg: Segment) -> int:
    return len(seg.text)


def _size(segments: list[Segment], width: Width = _plain) -> int:
    """Length of the joined text (counting one separator per segment)."""
    return sum(width(s) + 1 for s in segments) - 1 if segments else 0


def _chunks(segments: list[Segment], original: Width = _plain) -> list[list[Segment]]:
    """Pack segments into passages of at most MAX_PASSAGE characters. A long paragraph (a line
    cut at its sentences) is read in overlapping windows: a window that starts inside a line
    opens with that line's sentences closing the window before it (up to OVERLAP characters),
    so a sentence is found with the one before it (when that one is no longer than OVERLAP).
    `original` measures a segment as the file has it: that text stays within MAX_TEXT."""
    chunks: list[list[Segment]] = []

    def fits(chunk: list[Segment], seg: Segment, limit: int) -> bool:
        return (_size(chunk) + len(seg.text) + 1 <= limit
                and _size(chunk, original) + original(seg) + 1 <= MAX_TEXT)

    for seg in segments:
        last = chunks[-1] if chunks else None
        one_line = last is not None and all(s.line == seg.line for s in last)
        if last is not None and fits(last, seg, WINDOW if one_line else MAX_PASSAGE):
            last.append(seg)
            continue
        carry: list[Segment] = []
        if last is not None and last[-1].line == seg.line:
            for s in reversed(last):
                if s.line != seg.line or not fits(carry, s, OVERLAP):
                    break
                carry.insert(0, s)
            if len(carry) == len(last) or not fits(carry, seg, WINDOW):
                carry = []
        chunks.append(carry + [seg])
    return chunks


class Originals:
    """The file's own text behind a run of cleaned segments: what `Passage.original` holds and the
    JSON contract's `text` is (DESIGN.md: the passage's original text), readings and stray bytes
    included. `lines` maps a line number to (raw line, cleaned line)."""

    MAPS = 16  # lines whose alignment is kept: passages are cut in order, so only the last few are asked again
    # A line longer than this (no paragraph is: the seeds' longest is 11,000 characters) is a run
    # of pieces: each run of them is looked for whole, from where the last was found. Looked for
    # by its first piece from the line's start, a 10 MB line took 40 s (the time grew with its
    # square) and a short piece found early gave a passage an "original" of a million characters.
    LONG_LINE = 100_000

    def __init__(self, lines: Mapping[int, tuple[str, str]]):
        self._lines = lines
        self._maps: dict[int, Sequence[int]] = {}
        self._widths: dict[tuple[int, str], int] = {}
        self._found: dict[tuple[int, bool], int] = {}  # (long line, for a width) → where the last run was found

    def width(self, seg: Segment) -> int:
        """The length of a segment as the file has it."""
        key = (seg.line, seg.text)
        if key not in self._widths:
            self._widths[key] = len(self.text([seg], width=True) or seg.text)
        return self._widths[key]

    def _map(self, no: int) -> Sequence[int]:
        if no not in self._maps:
            if len(self._maps) >= self.MAPS:
                del self._maps[next(iter(self._maps))]
            raw, cleaned = self._lines[no]
            self._maps[no] = alignment(raw, cleaned)
        return self._maps[no]

    def text(self, segments: list[Segment], width: bool = False) -> str:
        out: list[str] = []
        for no, run in _by_line(segments):
            if no not in self._lines:  # a line cleaning left as it was
                out.append(join_segments(run))
                continue
            raw, cleaned = self._lines[no]
            span = self._span(no, cleaned, run, width)
            if span is None:
                return ""
            where = self._map(no)
            out.append(raw[where[span[0]]: where[span[1] - 1] + 1])
        return "\n".join(out)

    def _span(self, no: int, cleaned: str, run: list[Segment], width: bool) -> tuple[int, int] | None:
        """Where a run of a cleaned line's segments stands in it: from the first occurrence of its
        first segment to the next of its last; in a long line, the run's own text, first looked
        for after the last run found (widths are asked in order, and so are passages)."""
        if len(cleaned) <= self.LONG_LINE:
            start = cleaned.find(run[0].text)
            end = cleaned.find(run[-1].text, max(start, 0))
            if start < 0 or end < 0 or not run[0].text:
                return None
            return start, end + len(run[-1].text)
        piece = join_segments(run)
        start = cleaned.find(piece, self._found.get((no, width), 0))
        if start < 0:
            start = cleaned.find(piece)
        if start < 0 or not piece:
            return None
        self._found[(no, width)] = start
        return start, start + len(piece)


def _by_line(segments: list[Segment]) -> list[tuple[int, list[Segment]]]:
    runs: list[tuple[int, list[Segment]]] = []
    for seg in segments:
        if runs and runs[-1][0] == seg.line:
            runs[-1][1].append(seg)
        else:
            runs.append((seg.line, [seg]))
    return runs


def build_passages(doc: Document, spun: bool = False, places: Mapping[int, Place] | None = None,
                   originals: Originals | None = None) -> list[Passage]:
    """All passages of a document, in document order; `places` maps a line to its slide, page or
    paragraph, from which each passage's location is labelled; `originals` gives each passage
    the file's own text where cleaning changed it."""
    out: list[Passage] = []
    headings: dict[tuple[int, str], str] = {}

    def collect(section: Section) -> None:
        for child in section.children:
            if child.heading:
                headings[(child.heading.line, child.heading.text)] = child.title
            collect(child)

    collect(doc.root)

    def emit(crumbs: list[str], segments: list[Segment]) -> None:
        if not segments:
            return
        text = join_segments(segments)
        original = originals.text(segments) if originals else ""
        lines = tuple(dict.fromkeys(s.line for s in segments))
        own = tuple(headings[(s.line, s.text)] for s in segments if (s.line, s.text) in headings)
        out.append(
            Passage(
                id=f"{doc.name}#{len(out) + 1}",
                doc=doc.name,
                title=doc.title,
                section=tuple(crumbs),
                headings=own,
                text=text,
                original=original if original != text else "",
                line_start=min(s.line for s in segments),
                line_end=max(s.line for s in segments),
                kind=infer_kind(own, crumbs, text),
                lines=lines,
                spun=spun,
                location=label(places[s.line] for s in segments if s.line in places) if places else "",
                places=tuple(places[n].number for n in lines) if places and all(n in places for n in lines) else (),
            )
        )

    def walk(section: Section, path: list[str]) -> None:
        crumbs = path + [section.title] if section.heading else path
        segments = section.segments()
        if _size(segments) <= MAX_PASSAGE:
            emit(crumbs, segments)
            return
        own = ([section.heading] if section.heading else []) + section.body
        chunks = _chunks(own, originals.width if originals else _plain)
        for chunk in chunks[:-1]:
            emit(crumbs, chunk)
        pack: list[Segment] = chunks[-1] if chunks else []
        packed: list[Section] = []

        def close() -> None:
            if len(packed) == 1 and _size(pack) == _size(packed[0].segments()):
                walk(packed[0], crumbs)  # a child alone keeps its own breadcrumb
            else:
                emit(crumbs, pack)

        for child in section.children:
            child_segments = child.segments()
            major = child.rank <= MAJOR_RANK and min(_size(pack), _size(child_segments)) > STUB
            if _size(child_segments) > MAX_PASSAGE or major:
                close()
                pack, packed = [], []
                walk(child, crumbs)
                continue
            if pack and _size(pack) + _size(child_segments) + 1 > MAX_PASSAGE:
                close()
                pack, packed = [], []
            pack = pack + child_segments
            packed.append(child)
        close()

    walk(_without_title_line(doc), [doc.title])
    # Each calls itself, a reference cycle: kept, it would hold the document, its alignments and
    # the text until the cycle collector ran (250 MB after a 50 MB line, inherited by the
    # index writers forked next).
    del collect, walk
    return out


def _without_title_line(doc: Document) -> Section:
    """The document's tree without a first line that is its title alone: every passage's
    breadcrumb opens with the title already, and repeating it in the first passage's text gave
    that passage alone a lead for every query naming the document's subject (measured on CMRC,
    whose articles open with their title: held-out P@1 0.935 → 0.966)."""
    body = doc.root.body
    if len(body) > 1 and body[0].text.strip() == doc.title and body[1].line != body[0].line:
        return dataclasses.replace(doc.root, body=body[1:])
    return doc.root


# --- kinds -----------------------------------------------------------------

@lru_cache(maxsize=1)
def _kind_rules() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(kind, where, pattern) rows from kb/data/kinds.txt, in priority order."""
    rows = []
    text = resources.files("kb.data").joinpath("kinds.txt").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, where, pattern = line.split(None, 2)
        rows.append((kind, where, both_scripts(pattern.strip())))
    return tuple(rows)


# an item opening a line or standing after a space: the item grammar of kb.structure, and a
# bullet dash ('-返利标准')
_ENUMERATED = re.compile(rf"(?:^|\n|\s)(?:{ITEM_MARKER}|-(?=\S))")


def infer_kind(headings: tuple[str, ...], crumbs: list[str], text: str) -> str:
    """steps, script, technique, case, outline or text, from the passage's shape and headings."""
    head = headings[0] if headings else (crumbs[-1] if crumbs else "")
    simple_text = to_hans(text)
    for kind, where, pattern in _kind_rules():
        subject = head if where == "heading" else simple_text
        if kind == "steps" and where == "heading" and len(_ENUMERATED.findall(text)) < 2:
            continue
        if pattern.search(subject):
            return kind
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) >= 4 and sum(map(len, lines)) / len(lines) <= 24:
        return "outline"
    return "text"
