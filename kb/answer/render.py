"""Rendering: an answer's lines as the reply, with their citations, or an honest "not covered".

Each line of an answer is a Part: text taken from a source line, and where. The reply is
those lines in the asker's script (a location's file names as the files are named), cut
at MAX_ANSWER characters, with one citation per passage used. A question nothing answers
gets answered=False, the topic words the nearest sections do not hold, and those sections.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import normalise_text
from ..errors import QueryError
from ..formats import CELL_SEPARATOR, names_columns
from ..lexicon import repaired, spun_words
from ..model import Answer, Citation, Hit, Passage
from ..script import convert
from .corpus import Corpus
from .question import Question
from .sentences import section_of
from .topic import Topic

MAX_ANSWER = 600  # characters; the eval counts anything over 1,500 as no answer at all


@dataclass(frozen=True)
class Part:
    """One line of an answer and where it came from."""

    text: str
    passage: Passage
    line: int


def _render(q: Question, parts: list[Part], script: str | None = None, where: Part | None = None) -> str:
    """The answer's text in `script`, after `where` it is taught when the question asks that too;
    a location's file references stay as the files are named."""
    if q.kind == "location":
        lines = [_located(p, script) for p in parts]
    else:
        lines = [convert(_shown(p), script) for p in parts]
    if where is not None:
        lines.insert(0, _located(where, script))
    out, size = [], 0
    for line in lines:
        if size + len(line) > MAX_ANSWER and out:
            out.append("…")
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


def _located(part: Part, script: str | None) -> str:
    return f"{convert(_shown(part), script)}({part.passage.doc}:{part.line})"


def _shown(part: Part) -> str:
    """A line as the agent reads it out: a table's row with its columns' names; a spun
    document's with the spinner's words put back, then the file's own words for them, so that
    the answer still quotes its source (處理客戶投訴的原理〔原文:處置、贊揚〕; kb show --as-written
    gives the whole file as written)."""
    if not part.passage.spun:
        return _named(part)
    written = spun_words(part.text)
    text = repaired(part.text)[0]
    return f"{text}〔原文:{'、'.join(written)}〕" if written else text


def _named(part: Part) -> str:
    """A table's row, answered alone, with each cell under its column's name where the table's
    first row, in the same passage, names the columns (B级 | 30天 → 客户级别：B级 | 标准账期：30天):
    without them a row's figures say nothing. Any other line as it is."""
    cells = part.text.split(CELL_SEPARATOR)
    if len(cells) < 2:
        return part.text
    numbered = [(no, text.strip()) for no, text in part.passage.numbered_lines()]
    lines = [text for _, text in numbered]
    at = next((i for i, line in enumerate(numbered) if line == (part.line, part.text.strip())), None)
    if at is None:  # not a whole row
        return part.text
    start = at
    while start and CELL_SEPARATOR in lines[start - 1]:
        start -= 1
    if start == at:  # the table's first row
        return part.text
    names = lines[start].split(CELL_SEPARATOR)
    if len(names) != len(cells) or not names_columns(names) or all(c.startswith(f"{n}：") for n, c in zip(names, cells)):
        return part.text
    return CELL_SEPARATOR.join(f"{n}：{c}" for n, c in zip(names, cells))


def _citations(parts: list[Part]) -> tuple[Citation, ...]:
    """One citation per passage used, spanning the lines the answer took from it, filed where
    its first line is taught (in a passage that packs small sections, the section of that line)."""
    spans: dict[str, list] = {}
    for p in parts:
        s = spans.setdefault(p.passage.id, [p.passage, p.line, p.line])
        s[1], s[2] = min(s[1], p.line), max(s[2], p.line)
    return tuple(Citation(ps.doc, section_of(ps, a), a, b, ps.location_of(a, b)) for ps, a, b in spans.values())


def _nearest(corpus: Corpus, w: Topic) -> list[Hit]:
    """Sections near a question nothing answered: a search for the topic words the corpus knows."""
    known = " ".join(m for m, _ in w.groups if m in w.known)
    try:
        return corpus.search(known, limit=3) if known else []
    except QueryError:
        return []


def _decline(q: Question, hits: list[Hit], script: str | None, w: Topic) -> Answer:
    # the words the nearest passages lack, the most telling first (锂电池 before 寄)
    near = [normalise_text(h.passage.text) for h in hits[:3]]
    lacking = [(t, m) for (m, _), t in zip(w.groups, w.telling)
               if not any(x in text for text in near for x in (m, *w.standins.get(m, ())))]
    missing = [m for _, m in sorted(lacking, key=lambda tm: -tm[0])]
    what = "、".join(missing[:4])
    if not w.groups:  # only question words (请问, 怎么办)
        message = "这个问题只有问话的词，没有说问的是什么；请写出要问的事。"
    elif w.says_too_little():
        message = f"这个问题只说了“{w.groups[0][0]}”，说得太少，无法确定问的是什么；请多写几个字。最接近的章节见下。"
    else:
        message = "资料中没有这个问题的答案" + (f"(未涉及:{what})" if what else "") + "。最接近的章节见下。"
    return Answer(
        question=q.text,
        answered=False,
        answer=convert(message, script),
        citations=(),
        confidence=0.0,
        kind=q.kind,
        suggestions=tuple(Citation(h.passage.doc, h.passage.section, h.passage.line_start, h.passage.line_end,
                                   h.passage.location) for h in hits[:3]),
    )
