"""Locations: where a passage sits in the format's own terms (slide 12, pages 3–4, ¶ 14, row 7, sheet 2).

A slide deck's reader knows slides, a PDF's reader knows pages, a Word or HTML
reader knows paragraphs; plain text knows only its lines. Each line the readers
extract carries a `Place`; a passage's location is the span of its lines'
places, written as a label people read ("slides 12–13") and that `kb show`
parses back. Labelling and parsing live together here so the two never drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, TypeVar

from .errors import ReferenceError_

T = TypeVar("T")

UNITS = ("slide", "page", "¶", "row", "sheet")
_PLURAL = {"slide": "slides", "page": "pages", "¶": "¶", "row": "rows", "sheet": "sheets"}

# How people type a location after `DOC:`: slide12, slide 12, slides 12-13, page3, p.3, ¶14, para14, p14, row12, sheet2.
# 'p' alone is ambiguous (page or paragraph): it is read as whichever unit the document has.
_SPEC = re.compile(
    r"^\s*(?P<unit>slides?|s|pages?|pg|p\.?|para(?:graph)?s?|¶|rows?|r|sheets?)\s*(?P<first>\d+)\s*(?:[-–~]\s*(?P<last>\d+))?\s*$",
    re.I,
)
_UNIT_WORDS = {"slide": "slide", "slides": "slide", "s": "slide", "page": "page", "pages": "page", "pg": "page",
               "¶": "¶", "para": "¶", "paras": "¶", "paragraph": "¶", "paragraphs": "¶", "p": "p", "p.": "p",
               "row": "row", "rows": "row", "r": "row", "sheet": "sheet", "sheets": "sheet"}


@dataclass(frozen=True)
class Place:
    """Where one extracted line stands in its file: slide 12, page 3, paragraph 14."""

    unit: str  # one of UNITS
    number: int
    through: int = 0  # the last page of a paragraph that runs on over a page break (0: the same)

    @property
    def last(self) -> int:
        return max(self.number, self.through)


@dataclass(frozen=True)
class Span:
    """A run of places of one unit: what a location label says."""

    unit: str  # one of UNITS, or 'p' when typed ambiguously
    first: int
    last: int

    def holds(self, number: int) -> bool:
        return self.first <= number <= self.last


def label(places: Iterable[Place]) -> str:
    """'slide 12', 'slides 12–13', 'page 3', 'pages 3–4', '¶ 14', '¶ 14–16'; '' for no places."""
    places = list(places)
    if not places:
        return ""
    unit = places[0].unit
    first = min(p.number for p in places if p.unit == unit)
    last = max(p.last for p in places if p.unit == unit)
    if first == last:
        return f"{unit} {first}"
    return f"{_PLURAL[unit]} {first}–{last}"


def parse(spec: str) -> Span | None:
    """A typed or labelled location ('slide12', 'pages 3–4', '¶14', 'p14') as a Span, or None."""
    m = _SPEC.match(spec or "")
    if not m or len(m.group("first")) > 9 or len(m.group("last") or "") > 9:  # bounded before int()
        return None
    unit = _UNIT_WORDS[m.group("unit").lower()]
    first = int(m.group("first"))
    last = int(m.group("last") or first)
    return Span(unit, min(first, last), max(first, last))


def holding(located: Sequence[T], span: Span, location_of: Callable[[T], str]) -> list[T]:
    """The items (passages) whose location holds the span's first place: one labelled exactly
    as the span first, then the narrowest, then in document order."""
    ranked = []
    for order, item in enumerate(located):
        own = parse(location_of(item))
        if own and own.unit == span.unit and own.holds(span.first):
            exact = (own.first, own.last) == (span.first, span.last)
            ranked.append((not exact, own.last - own.first, order, item))
    return [item for *_, item in sorted(ranked, key=lambda r: r[:3])]


def find(located: Sequence[T], span: Span, location_of: Callable[[T], str], name: str,
         ref_of: Callable[[T], str]) -> T:
    """The item (passage) of document `name` at `span`, or a ReferenceError_ that says what the
    document is located by, how far its places go, or the nearest place that holds text."""
    spans = [s for s in (parse(location_of(item)) for item in located) if s]
    units = list(dict.fromkeys(s.unit for s in spans))
    if span.unit == "p" and units:
        span = Span("page" if "page" in units else units[0], span.first, span.last)
    if span.unit not in units:
        hint = f"by {units[0]}, e.g. {name}:{units[0]}{span.first}" if units else f"by line: {name}:LINE"
        raise ReferenceError_(f"{name} is located {hint}")
    found = holding(located, span, location_of)
    if found:
        return found[0]
    spans = [s for s in spans if s.unit == span.unit]
    first, last = min(s.first for s in spans), max(s.last for s in spans)
    if not first <= span.first <= last:
        raise ReferenceError_(f"{name} has {_PLURAL[span.unit]} {first}–{last}, no {span.unit} {span.first}")

    def distance(item: T) -> float:
        own = parse(location_of(item))
        return abs(own.first - span.first) if own and own.unit == span.unit else float("inf")

    nearest = min(located, key=distance)
    raise ReferenceError_(f"{span.unit} {span.first} of {name} holds no indexed text (blank or boilerplate); "
                          f"nearest passage: {ref_of(nearest)}")
