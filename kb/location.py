"""Locations: where a passage sits in the format's own terms (slide 12, pages 3–4, ¶ 14).

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

T = TypeVar("T")

UNITS = ("slide", "page", "¶")
_PLURAL = {"slide": "slides", "page": "pages", "¶": "¶"}

# How people type a location after `DOC:`: slide12, slide 12, slides 12-13, page3, p.3, ¶14, para14, p14.
# 'p' alone is ambiguous (page or paragraph): it is read as whichever unit the document has.
_SPEC = re.compile(
    r"^\s*(?P<unit>slides?|s|pages?|pg|p\.?|para(?:graph)?s?|¶)\s*(?P<first>\d+)\s*(?:[-–~]\s*(?P<last>\d+))?\s*$",
    re.I,
)
_UNIT_WORDS = {"slide": "slide", "slides": "slide", "s": "slide", "page": "page", "pages": "page", "pg": "page",
               "¶": "¶", "para": "¶", "paras": "¶", "paragraph": "¶", "paragraphs": "¶", "p": "p", "p.": "p"}


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
    if not m:
        return None
    unit = _UNIT_WORDS[m.group("unit").lower()]
    first = int(m.group("first"))
    last = int(m.group("last") or first)
    return Span(unit, min(first, last), max(first, last))


def units(locations: Iterable[str]) -> list[str]:
    """The units a document's passages are located in, in order of first use."""
    seen: dict[str, None] = {}
    for loc in locations:
        span = parse(loc)
        if span:
            seen.setdefault(span.unit, None)
    return list(seen)


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
