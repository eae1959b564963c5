"""The typed values that cross module boundaries: passages in, hits and answers out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Callable, TypedDict

# The kinds of passage (kb/data/kinds.txt decides which a passage is).
KINDS = ("steps", "script", "technique", "case", "outline", "text")


@dataclass(frozen=True)
class Passage:
    """The unit of retrieval: a section's heading and body, with where it stands in its file."""

    id: str
    doc: str
    title: str
    section: tuple[str, ...]
    headings: tuple[str, ...]
    text: str
    line_start: int
    line_end: int
    kind: str
    lines: tuple[int, ...] = ()  # the source line of each line of `text`
    spun: bool = False  # from a synonym-spun document: also searched in repaired form
    location: str = ""  # in the format's terms: 'slide 12', 'pages 3–4', '¶ 14' ('' for plain text)
    places: tuple[int, ...] = ()  # the slide, page or ¶ number of each of `lines` (the unit is the location's)
    # the file's own text where cleaning changed it (pinyin readings, stray bytes); '' where it is `text`
    original: str = ""
    # typical questions a trainer wrote for this section (kb/questions.py): searched as headings
    questions: tuple[str, ...] = ()

    @property
    def source_text(self) -> str:
        """The passage as the file has it: the JSON contract's `text` (DESIGN.md)."""
        return self.original or self.text

    def to_json(self) -> dict:
        # field by field: dataclasses.asdict deep-copies, which indexing paid for twice a passage
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d["section"] = list(self.section)
        d["headings"] = list(self.headings)
        d["lines"] = list(self.lines)
        d["places"] = list(self.places)
        if self.questions:
            d["questions"] = list(self.questions)
        else:  # an index without typical questions stays as it was, byte for byte
            del d["questions"]
        return d

    def public_json(self) -> dict:
        """The passage as `kb show --json` and the web API give it: text is the file's own
        text (readings and all), as in a search hit's JSON; the cleaned text is what is shown."""
        d = self.to_json()
        d.pop("original", None)
        d["text"] = self.source_text
        d["repaired"] = self.repaired_text  # '' unless a spun document's
        return d

    @property
    def repaired_text(self) -> str:
        """A synonym-spun passage's text with the spinner's words put back ('' when not spun):
        what search, ask and show present, the file's own words one step away."""
        from .lexicon import repaired

        return repaired(self.text)[0] if self.spun else ""

    @classmethod
    def from_json(cls, d: dict) -> "Passage":
        return cls(**{**d, "section": tuple(d["section"]), "headings": tuple(d["headings"]),
                      "lines": tuple(d.get("lines", ())), "places": tuple(d.get("places", ())),
                      "questions": tuple(d.get("questions", ()))})

    def location_of(self, line_start: int, line_end: int) -> str:
        """The location of some of the passage's lines (a citation's): 'slide 12' of 'slides 12–13'."""
        from .location import Place, label, parse

        span = parse(self.location)
        if not span or len(self.places) != len(self.lines):
            return self.location
        held = [Place(span.unit, n) for line, n in zip(self.lines, self.places) if line_start <= line <= line_end]
        return label(held) or self.location

    def numbered_lines(self) -> list[tuple[int, str]]:
        """(source line, text) for each line of the passage."""
        texts = self.text.split("\n")
        numbers = self.lines if len(self.lines) == len(texts) else (self.line_start,) * len(texts)
        return list(zip(numbers, texts))

    @property
    def ref(self) -> str:
        """'DOC:LINES', and where the format has its own terms 'DOC:LINES (slide 12)': `kb show`
        takes either part (DOC:40-45, DOC:slide12)."""
        span = f"{self.line_start}" if self.line_start == self.line_end else f"{self.line_start}-{self.line_end}"
        return f"{self.doc}:{span}" + (f" ({self.location})" if self.location else "")


@dataclass(frozen=True)
class Hit:
    """A ranked passage for a query, with the passage text highlighted where the query matched."""

    rank: int
    score: float
    passage: Passage
    highlight: str
    also: tuple[str, ...] = ()  # refs of the same text in other files, folded into this hit

    def to_json(self) -> dict:
        p = self.passage
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "id": p.id,  # for `kb show ID` and KnowledgeBase.passage: one run-on line holds several passages
            "doc": p.doc,
            "section": list(p.section),
            "line_start": p.line_start,
            "line_end": p.line_end,
            "location": p.location,
            "kind": p.kind,
            "text": p.source_text,
            "highlight": self.highlight,
            "also_in": list(self.also),  # the same passage in other files (a deck saved twice)
        }


@dataclass(frozen=True)
class Citation:
    """Where a part of an answer came from."""

    doc: str
    section: tuple[str, ...]
    line_start: int
    line_end: int
    location: str = ""  # of the passage the lines are in: 'slide 12', 'pages 3–4', '¶ 14' ('' for plain text)

    def to_json(self) -> dict:
        return {
            "doc": self.doc,
            "section": list(self.section),
            "line_start": self.line_start,
            "line_end": self.line_end,
            "location": self.location,
        }


@dataclass(frozen=True)
class Answer:
    """An extractive answer, or an honest 'not covered' with the nearest sections."""

    question: str
    answered: bool
    answer: str
    citations: tuple[Citation, ...] = ()
    confidence: float = 0.0
    kind: str = ""
    suggestions: tuple[Citation, ...] = field(default=())

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "confidence": round(self.confidence, 3),
            "kind": self.kind,
            "suggestions": [c.to_json() for c in self.suggestions],
        }


class SkipKind(str, Enum):
    """Why a file was left out of an index: a type no reader takes, a file its reader
    could not use (empty, damaged, too large, encrypted …), or a reader that failed on it."""

    UNSUPPORTED = "unsupported"
    UNREADABLE = "unreadable"
    FAILED = "failed"


@dataclass(frozen=True)
class Skipped:
    """A file the build could not use, and why (`reason`: one line for people; `kind`: for code)."""

    path: str
    reason: str
    kind: SkipKind = SkipKind.UNREADABLE


@dataclass(frozen=True)
class BuildReport:
    """What an index build, update or removal did: the documents it read and indexed, new
    (`added`) or changed since the last build (`changed`), the ones it dropped (`removed`), the
    files it skipped, how many passages it wrote (`indexed`) and the index now holds
    (`passages`), and how long it took. A full build (`rebuilt`) lists every document it
    read in `added`."""

    documents: int
    passages: int
    skipped: tuple[Skipped, ...]
    seconds: float
    rebuilt: bool = True
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    indexed: int = 0

    @property
    def refreshed(self) -> int:
        """For an update: how many documents it read afresh (new or changed)."""
        return len(self.added) + len(self.changed)

    @property
    def dropped(self) -> int:
        """How many documents it dropped from the index."""
        return len(self.removed)

    @property
    def unchanged(self) -> bool:
        """An update that found nothing to do: every file as it was indexed."""
        return not self.rebuilt and not self.refreshed and not self.dropped


class ProgressStep(str):
    """A line of build progress (what a `kb.Progress` function is given) that also says where
    the build stands, for a progress bar: `done` of `total` in its `phase`, one of "reading"
    (files read), "indexing" (passages written into the index) and "saving" (the index being
    committed and swapped in; `done == total`, no count until it ends). A plain `str` line
    ("removed DOC", "waiting for another kb …") is a message with no count."""

    phase: str
    done: int
    total: int

    def __new__(cls, line: str, phase: str, done: int, total: int) -> "ProgressStep":
        step = super().__new__(cls, line)
        step.phase, step.done, step.total = phase, done, total
        return step


# Told each line of a build's progress: a plain `str`, or a ProgressStep that counts.
Progress = Callable[[str], None]


class DocumentInfo(TypedDict):
    """What the index records of one document (KnowledgeBase.documents())."""

    title: str
    encoding: str  # how its bytes were decoded: utf-8, gb18030, big5 …
    spun: bool  # a synonym-spun text, indexed with its repaired form
    outline: list[list]  # [depth, title, line] for each heading


@dataclass(frozen=True)
class OutlineEntry:
    """One heading in a document's section tree: for trainers locating a course or unit."""

    doc: str
    depth: int
    title: str
    line: int

    def to_json(self) -> dict:
        return asdict(self)
