"""Feedback marks: "this helped" / "not this" on a search result or an answer, kept beside the index.

The file is `feedback.jsonl` in the index directory (beside CURRENT and the generations, which
a rebuild never touches), one JSON object a line:

    {"time": "2026-12-05T20:31:07Z", "query": "客诉处理步骤", "kind": "search",
     "mark": "helped", "passage": "000_x.txt#48", "doc": "000_x.txt", "section": [...],
     "line_start": 415, "line_end": 431}
    {"time": ..., "query": "...", "kind": "ask", "mark": "not", "answer": "the answer's text"}

Several server workers may mark at once: each record is one write() of one line to a file
opened with O_APPEND, under an exclusive flock, so lines never interleave or get lost.
A trainer reads them back with `kb feedback` (grouped by query) and turns the helpful ones
into phrasebook lines (`kb feedback --phrasebook`, see phrasebook_lines).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .errors import KbError, QueryError

FEEDBACK = "feedback.jsonl"
KINDS = ("search", "ask")
MARKS = ("helped", "not")
MAX_QUERY = 500  # characters, as the search box
MAX_ANSWER = 5000  # characters of an answer kept with its mark


class FeedbackWriteError(KbError):
    """The feedback file could not be written (a read-only index directory, a full disk)."""


@dataclass(frozen=True)
class Mark:
    """One mark as recorded: a result's passage (search) or an answer's text (ask)."""

    time: str
    query: str
    kind: str
    mark: str
    passage: str | None = None
    doc: str | None = None
    section: tuple[str, ...] = ()
    line_start: int | None = None
    line_end: int | None = None
    answer: str | None = None

    @property
    def ref(self) -> str:
        if self.doc is None:
            return ""
        span = f"{self.line_start}" if self.line_start == self.line_end else f"{self.line_start}-{self.line_end}"
        return f"{self.doc}:{span}"

    def to_json(self) -> dict:
        d = {"time": self.time, "query": self.query, "kind": self.kind, "mark": self.mark}
        if self.passage is not None:
            d.update(passage=self.passage, doc=self.doc, section=list(self.section),
                     line_start=self.line_start, line_end=self.line_end)
        if self.answer is not None:
            d["answer"] = self.answer
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Mark":
        return cls(time=str(d.get("time", "")), query=str(d.get("query", "")), kind=str(d.get("kind", "")),
                   mark=str(d.get("mark", "")), passage=d.get("passage"), doc=d.get("doc"),
                   section=tuple(d.get("section") or ()), line_start=d.get("line_start"),
                   line_end=d.get("line_end"), answer=d.get("answer"))


def make_mark(query: str, kind: str, mark: str, *, passage=None, answer: str | None = None,
              now: float | None = None) -> Mark:
    """A validated mark; `passage` is the kb.model.Passage marked (search), `answer` the
    answer's text (ask). Raises QueryError on anything else."""
    query = (query or "").strip()
    if not query or len(query) > MAX_QUERY:
        raise QueryError(f"query must be 1 to {MAX_QUERY} characters")
    if kind not in KINDS:
        raise QueryError(f"kind must be one of {', '.join(KINDS)}, not {str(kind)[:20]!r}")
    if mark not in MARKS:
        raise QueryError(f"mark must be one of {', '.join(MARKS)}, not {str(mark)[:20]!r}")
    if (passage is None) == (answer is None):
        raise QueryError("a mark names either a passage (a search result) or an answer")
    if answer is not None and not 0 < len(answer) <= MAX_ANSWER:
        raise QueryError(f"answer must be 1 to {MAX_ANSWER} characters")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    if passage is not None:
        return Mark(stamp, query, kind, mark, passage=passage.id, doc=passage.doc, section=tuple(passage.section),
                    line_start=passage.line_start, line_end=passage.line_end)
    return Mark(stamp, query, kind, mark, answer=answer)


def feedback_path(index_root: Path) -> Path:
    return Path(index_root) / FEEDBACK


def append(index_root: Path, mark: Mark) -> None:
    """Add one mark to the index's feedback file: one write of one line, O_APPEND, under flock."""
    path = feedback_path(index_root)
    line = (json.dumps(mark.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise FeedbackWriteError(
            f"cannot keep feedback in {path}: {exc.strerror or exc} (the index directory must be writable "
            f"by the user running `kb serve`)") from None
    try:
        try:
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: O_APPEND alone
            pass
        written = os.write(fd, line)
        if written != len(line):  # a full disk part-way: never leave half a line behind
            raise OSError(28, "short write")
    except OSError as exc:
        raise FeedbackWriteError(f"cannot keep feedback in {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)  # closing releases the lock


def read(index_root: Path) -> list[Mark]:
    """Every mark in the feedback file, oldest first; a damaged line is skipped."""
    path = feedback_path(index_root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise KbError(f"cannot read {path}: {exc.strerror or exc}") from None
    marks = []
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if isinstance(d, dict) and d.get("query"):
            marks.append(Mark.from_json(d))
    return marks


@dataclass
class Target:
    """What one query's marks point at: a passage (by id) or an answer (by text)."""

    mark: Mark  # the latest mark on it, for its description
    helped: int = 0
    not_this: int = 0


@dataclass
class QueryFeedback:
    query: str
    targets: dict[tuple[str, str], Target] = field(default_factory=dict)

    def to_json(self) -> dict:
        rows = []
        for t in self.targets.values():
            row = t.mark.to_json()
            for k in ("time", "query", "mark"):
                row.pop(k)
            row.update(helped=t.helped, not_this=t.not_this, ref=t.mark.ref or None)
            rows.append(row)
        return {"query": self.query, "marks": rows}


def grouped(marks: Iterable[Mark]) -> list[QueryFeedback]:
    """Marks by query (as typed, stripped), each target counted once with its helped and
    not-this counts; queries in order of their first mark."""
    out: dict[str, QueryFeedback] = {}
    for m in marks:
        q = out.setdefault(m.query, QueryFeedback(m.query))
        key = (m.kind, m.passage if m.passage is not None else (m.answer or ""))
        t = q.targets.setdefault(key, Target(m))
        t.mark = m
        if m.mark == "helped":
            t.helped += 1
        else:
            t.not_this += 1
    return list(out.values())


def material_words(section: Iterable[str]) -> str:
    """The words a passage's own heading uses, without its numbering (三、客户开发 → 客户开发)."""
    parts = [s for s in section if s.strip()]
    if not parts:
        return ""
    from .examples import strip_numbering

    return strip_numbering(parts[-1])


def phrasebook_lines(marks: Iterable[Mark]) -> Iterator[str]:
    """Draft lines for kb/data/phrasebook.txt from helpful search marks: `query = heading
    words` under a [trainer.feedback] section, each with a comment naming the passage. A
    trainer shortens the left side to the everyday expression and the right side to the 1–4
    words the material uses, then moves the line into the section it belongs to."""
    yield "[trainer.feedback] 反馈 (review before use)"
    yield "# source: kb feedback (staff marked these results as helpful)"
    for q in grouped(marks):
        for t in q.targets.values():
            if t.mark.kind != "search" or t.helped <= t.not_this:
                continue
            words = material_words(t.mark.section)
            if not words:
                continue
            yield f"# {q.query} → {t.mark.ref} {' › '.join(t.mark.section)} (helped ×{t.helped})"
            yield f"{q.query.replace('=', ' ').replace(',', ' ')} = {words.replace('=', ' ')}"
