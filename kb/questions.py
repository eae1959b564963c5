"""Typical questions: what staff ask about a section, written by a trainer beside the corpus.

A folder that `kb index` reads may hold `typical_questions.txt` at its top level (it is
never indexed as a document). Each line names a document, or a section in it, and the
questions that section answers, tab separated:

    # comments and blank lines are ignored
    002<TAB>客户不接电话怎么办
    002 › 第一章 速递大客户开发概述<TAB>大客户是什么意思<TAB>什么叫大客户
    000_x.txt > 第三單元 > 客戶抱怨、投訴的心理預期<TAB>客人到底想要什么

- The document is its name as references show it (000_x.txt), or a unique prefix (000).
- A section is the headings on its breadcrumb, from the top, separated by › or >; each one
  may be part of the heading (客户开发 for 三、客户开发), in either script, and the ones in
  between may be left out. The questions go to the passages of the deepest section named;
  a line with the document only gives them to the document's first passage.

The questions are indexed with the passage's own headings (the same boost, kb/index.py) and
read by the heading feature of the ranking (kb/search.py), so a question in those words
finds the section though its text shares no word with them. Changing the file rebuilds the
index (its fingerprint is kept in the index's metadata).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

QUESTIONS_FILE = "typical_questions.txt"
_PATH_SEPARATOR = re.compile(r"\s*[›>]\s*")


@dataclass(frozen=True)
class TypicalQuestions:
    """One line of a questions file: where (document, headings) and what is asked."""

    file: str
    line: int
    doc: str
    headings: tuple[str, ...]
    questions: tuple[str, ...]


def files(inputs: Iterable[Path]) -> list[Path]:
    """The questions files of the folders being indexed (each folder's top level)."""
    out = []
    for p in inputs:
        f = Path(p) / QUESTIONS_FILE
        if Path(p).is_dir() and f.is_file():
            out.append(f.resolve())
    return sorted(set(out))


def fingerprint(inputs: Iterable[Path]) -> str:
    """What the index records of the questions files: '' when there are none (so an index
    built before this file existed stays fresh)."""
    found = files(inputs)
    if not found:
        return ""
    h = hashlib.sha256()
    for f in found:
        h.update(str(f).encode() + b"\0")
        try:
            h.update(f.read_bytes())
        except OSError:
            pass
        h.update(b"\0")
    return h.hexdigest()[:16]


def parse(text: str, file: str = QUESTIONS_FILE) -> tuple[list[TypicalQuestions], list[str]]:
    """The lines of a questions file, and a warning for each line that cannot be used."""
    rows, warnings = [], []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        where, *asked = [part.strip() for part in raw.strip().split("\t")]
        asked = [q for q in asked if q]
        if not asked or not where:
            warnings.append(f"{file}:{no}: expected <document or section path><TAB><question>")
            continue
        doc, *headings = [h for h in _PATH_SEPARATOR.split(where) if h]
        rows.append(TypicalQuestions(file, no, doc, tuple(headings), tuple(asked)))
    return rows, warnings


def load(inputs: Iterable[Path]) -> tuple[list[TypicalQuestions], list[str]]:
    rows, warnings = [], []
    for f in files(inputs):
        try:
            text = f.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{f}: cannot read ({exc}); no typical questions from it")
            continue
        got, bad = parse(text, str(f))
        rows += got
        warnings += bad
    return rows, warnings


def _doc_matches(name: str, doc: str) -> bool:
    return name == doc or name.startswith(doc) or Path(name).stem == doc


def _targets(passages, headings: tuple[str, ...]):
    """The passages of the deepest section the headings name, or []."""
    from .analysis import normalise_text

    if not headings:
        return passages[:1]
    wanted = [normalise_text(h) for h in headings]

    def path_of(p) -> list[str]:
        return [normalise_text(s) for s in (*p.section, *(h for h in p.headings if h not in p.section))]

    def holds(path: list[str]) -> int:
        """Where on the path the last wanted heading is (in order), or -1."""
        i = 0
        at = -1
        for w in wanted:
            while i < len(path) and w not in path[i]:
                i += 1
            if i == len(path):
                return -1
            at = i
            i += 1
        return at

    found = [(p, holds(path_of(p)), len(path_of(p))) for p in passages]
    own = [p for p, at, n in found if at >= 0 and at == n - 1]  # the section itself, not its subsections
    return own or [p for p, at, _ in found if at >= 0][:1]


def plan(rows: list[TypicalQuestions], names: Iterable[str], kept: Iterable[str] = ()
         ) -> tuple[dict[str, list[TypicalQuestions]], list[str]]:
    """Which document each line's questions go to (by the documents' names, before any is
    read), and a warning for each line that names no document or several. `kept`: the names
    of documents an update keeps as they are (their passages already carry their questions)."""
    names, kept = list(names), list(kept)
    out: dict[str, list[TypicalQuestions]] = {}
    warnings = []
    for row in rows:
        docs = [n for n in names if _doc_matches(n, row.doc)]
        docs = [n for n in docs if n == row.doc] or docs
        if not docs and any(_doc_matches(name, row.doc) for name in kept):
            continue
        if len(docs) != 1:
            why = "no indexed document" if not docs else "several documents match"
            warnings.append(f"{row.file}:{row.line}: {why} {row.doc!r}; its questions are not used")
            continue
        out.setdefault(docs[0], []).append(row)
    return out, warnings


def attach_to(d, rows: Iterable[TypicalQuestions]):
    """One ingested document (kb.ingest.Ingested) with the questions of the lines `plan` gave
    it on the passages they name, and a warning for each line whose section it lacks."""
    warnings = []
    extra: dict[str, list[str]] = {}  # passage id -> questions
    for row in rows:
        targets = _targets(d.passages, row.headings)
        if not targets:
            warnings.append(f"{row.file}:{row.line}: no section {' › '.join(row.headings)!r} in {d.source.name}")
            continue
        for p in targets:
            qs = extra.setdefault(p.id, [])
            qs += [q for q in row.questions if q not in qs]
    if extra:
        d = replace(d, passages=[replace(p, questions=tuple(extra[p.id])) if p.id in extra else p for p in d.passages])
    return d, warnings


def attach(done: list, rows: list[TypicalQuestions], kept: Iterable[str] = ()) -> tuple[list, list[str]]:
    """The ingested documents (kb.ingest.Ingested) with each line's questions on the passages
    it names, and a warning for each line that names nothing indexed. `kept`: the names of
    documents an update keeps as they are (their passages already carry their questions)."""
    if not rows:
        return done, []
    planned, warnings = plan(rows, [d.source.name for d in done], kept)
    out = []
    for d in done:
        d, unused = attach_to(d, planned.get(d.source.name, ()))
        warnings += unused
        out.append(d)
    return out, warnings
