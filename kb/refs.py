"""References as people type them: a document by a unique prefix, a passage by its id
(`DOC#N`), by a line (`DOC:LINE`, as Passage.ref gives it) or by a place in the format's own
terms (`DOC:slide12`, `DOC:page3`, `DOC:¶14`, `DOC:row7`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Sequence

from . import location
from .errors import KbError, QueryError, ReferenceError_
from .model import Passage


def resolve(names: Sequence[str], doc: str) -> str:
    """A document name from a full name or a unique prefix ('000' for '000_eada….txt'), with
    a format's suffix when one content is indexed in several ('000.pptx', '000.gbk.txt')."""
    if doc in names:
        return doc
    prefix, dot, suffix = doc.partition(".")
    matches = [n for n in names if n.startswith(doc) or Path(n).stem == doc
               or (dot and prefix and n.startswith(prefix) and n.endswith(dot + suffix))]
    if len(matches) > 1 and dot:  # '000.txt' beside '000_….gbk.txt': the one whose suffix is exactly that
        matches = [n for n in matches if n.partition(".")[2] == suffix] or matches
    if len(matches) == 1:
        return matches[0]
    listing = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
    if not matches:
        raise KbError(f"no indexed document {doc!r}; indexed: {listing}")
    raise KbError(f"{doc!r} names several documents: {', '.join(matches[:5])}")


def by_id(passage_id: str, doc_passages: Callable[[str], list[Passage]]) -> Passage:
    """The passage with this id (Passage.id: DOC#N), among its document's passages."""
    doc, _, _ = (passage_id or "").rpartition("#")  # a file name may hold '#' (C#入门.txt)
    for p in doc_passages(doc):
        if p.id == passage_id:
            return p
    raise ReferenceError_(f"no passage {passage_id!r} in the index")


def neighbours(passage_id: str, around: int, doc_passages: Callable[[str], list[Passage]]) -> list[Passage]:
    """A passage with `around` neighbours on each side in its document, in order."""
    if around < 0:
        raise QueryError(f"around must be 0 or more (neighbours on each side), not {around}")
    target = by_id(passage_id, doc_passages)
    doc = doc_passages(target.doc)
    i = doc.index(target)
    return doc[max(0, i - around): i + around + 1]


def find(ref: str, resolve_doc: Callable[[str], str], passages: Callable[[str], list[Passage]],
         by_id: Callable[[str], Passage]) -> Passage:
    """The passage a reference names: by id, by line, or by a place in the format's terms."""
    if re.fullmatch(r".+#\d+", (ref or "").strip(), re.S):  # the name may hold '#' or ':' (C#入门.txt)
        doc, _, number = ref.strip().rpartition("#")
        return by_id(f"{resolve_doc(doc)}#{number}")
    m = re.fullmatch(r"\s*(.+?):(\d+)(?:-\d+)?(?:\s*\([^()]*\))?\s*", ref or "", re.S)
    if not m:
        return _at_place(ref, resolve_doc, passages)
    name = resolve_doc(m.group(1))
    last = max((p.line_end for p in passages(name)), default=0)
    if len(m.group(2)) > 9 or int(m.group(2)) > last:  # bounded before it is a number
        raise ReferenceError_(f"line {m.group(2)[:12]}{'…' if len(m.group(2)) > 12 else ''} is out of range: "
                              f"the last indexed line of {name} is {last}")
    line = int(m.group(2))
    holding = [p for p in passages(name) if p.line_start <= line <= p.line_end]
    if holding:
        return min(holding, key=lambda p: (p.line_end - p.line_start, p.line_start))
    nearest = min(passages(name), key=lambda p: min(abs(p.line_start - line), abs(p.line_end - line)))
    raise ReferenceError_(
        f"line {line} of {name} holds no indexed text (boilerplate or blank); nearest passage: {nearest.ref}"
    )


def _at_place(ref: str, resolve_doc: Callable[[str], str], passages: Callable[[str], list[Passage]]) -> Passage:
    """The passage at DOC:slide12, DOC:page3, DOC:¶14 (DOC:p14 is a page in a PDF, a paragraph elsewhere)."""
    name, _, spec = (ref or "").rpartition(":")
    span = location.parse(spec)
    if not name.strip() or not span:
        raise ReferenceError_(f"bad reference {ref!r}: use DOC:LINE or DOC:slide12, DOC:page3, DOC:¶14, DOC:row7; e.g. 000:415")
    name = resolve_doc(name.strip())
    return location.find(passages(name), span, lambda p: p.location, name, lambda p: p.ref)
