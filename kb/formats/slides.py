"""PowerPoint (.pptx): parsed by python-pptx, one section per slide.

A slide's title is a heading; its other text (text boxes in reading order,
top to bottom then left to right; table rows; grouped shapes) and its speaker
notes are the section's body. Every line carries its slide number, so a hit in
a deck says 'slide 12'. Slide titles carry no level (every slide is alike), so
the structure stage ranks them by their numbering (課程四 › 第三單元 › 一、),
else as a plain slide. The first slide's title, on a title-slide layout, is the
deck's title rather than a section. A slide without a title goes on with the
section before it. Auto-numbered paragraphs keep their numbers (`1.`, `(1)`) so
steps still read as steps.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ReadError
from ..location import Place
from ..structure import UNLEVELLED
from . import CELL_SEPARATOR, Layout, corrupt, require
from .package import open_package
from .word import FORMATS


# a:buAutoNum types → (format of the number, text around it)
AUTONUM = {
    "arabicPeriod": ("decimal", "{}."), "arabicParenR": ("decimal", "{})"), "arabicParenBoth": ("decimal", "({})"),
    "arabicPlain": ("decimal", "{}"), "arabicDbPeriod": ("decimalFullWidth", "{}."),
    "arabicDbPlain": ("decimalFullWidth", "{}"),
    "romanUcPeriod": ("upperRoman", "{}."), "romanLcPeriod": ("lowerRoman", "{}."),
    "romanUcParenR": ("upperRoman", "{})"), "romanLcParenR": ("lowerRoman", "{})"),
    "alphaUcPeriod": ("upperLetter", "{}."), "alphaLcPeriod": ("lowerLetter", "{}."),
    "alphaUcParenR": ("upperLetter", "{})"), "alphaLcParenR": ("lowerLetter", "{})"),
    "alphaLcParenBoth": ("lowerLetter", "({})"), "alphaUcParenBoth": ("upperLetter", "({})"),
    "circleNumDbPlain": ("decimalEnclosedCircle", "{}"), "circleNumWdBlackPlain": ("decimalEnclosedCircle", "{}"),
    "ea1ChsPeriod": ("chineseCounting", "{}."), "ea1ChsPlain": ("chineseCounting", "{}"),
    "ea1ChtPeriod": ("chineseCounting", "{}."), "ea1ChtPlain": ("chineseCounting", "{}"),
    "ea1JpnChsDbPeriod": ("chineseCounting", "{}."),
}


def read(path: Path):
    pptx = require("pptx", path)
    package, digest = open_package(path)
    try:
        from pptx.enum.shapes import PP_PLACEHOLDER

        deck = pptx.Presentation(package)
        layout = Layout()
        for number, slide in enumerate(deck.slides, 1):
            place = Place("slide", number)
            title = _title_shape(slide, PP_PLACEHOLDER)
            if title is not None and title.text_frame.text.strip():
                deck_title = number == 1 and title.placeholder_format.type == PP_PLACEHOLDER.CENTER_TITLE
                layout.add(title.text_frame.text.replace("\v", " "), None if deck_title else UNLEVELLED, place)
            title_id = title.shape_id if title is not None else None
            for shape in _reading_order(s for s in slide.shapes if s.shape_id != title_id):
                for line in _shape_lines(shape):
                    layout.add(line, place=place)
            if slide.has_notes_slide:
                notes = slide.notes_slide.notes_text_frame
                if notes is not None:
                    for line in _frame_lines(notes):
                        layout.add(line, place=place)
    except ReadError:
        raise
    except Exception as exc:  # a damaged package can fail anywhere inside python-pptx or lxml
        raise corrupt(path, exc) from exc
    return layout.extracted("pptx", "pptx", digest)


def _title_shape(slide, kinds):
    for shape in slide.placeholders:
        if shape.placeholder_format.type in (kinds.TITLE, kinds.CENTER_TITLE, kinds.VERTICAL_TITLE):
            return shape
    return None


def _reading_order(shapes):
    """Top to bottom, then left to right (a shape without a position goes first)."""
    return sorted(shapes, key=lambda s: ((s.top or 0) // 100000, s.left or 0))  # rows of ~0.1 inch


def _shape_lines(shape) -> list[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        return [line for child in _reading_order(shape.shapes) for line in _shape_lines(child)]
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = []
        for row in shape.table.rows:
            cells = [" ".join(c.text.split()) for c in row.cells]
            rows.append(CELL_SEPARATOR.join(c for c in cells if c))
        return rows
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        return _frame_lines(shape.text_frame)
    return []


def _frame_lines(frame) -> list[str]:
    """A text frame's paragraphs, auto-numbered ones with their numbers."""
    from pptx.oxml.ns import qn

    out = []
    counters: dict[int, int] = {}
    for paragraph in frame.paragraphs:
        text = paragraph.text.replace("\v", "\n")
        ppr = paragraph._p.pPr
        auto = ppr.find(qn("a:buAutoNum")) if ppr is not None else None
        level = paragraph.level
        for deeper in [lv for lv in counters if lv > level]:
            del counters[deeper]
        if auto is None or not text.strip():
            counters.pop(level, None)
            out.append(text)
            continue
        fmt, around = AUTONUM.get(auto.get("type", "arabicPeriod"), ("decimal", "{}."))
        start = int(auto.get("startAt", "1"))
        counters[level] = counters.get(level, start - 1) + 1
        number = FORMATS.get(fmt, str)(counters[level])
        out.append(f"{around.format(number)} {text}")
    return out
