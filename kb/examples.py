"""Example questions for an empty search page, read off the corpus itself.

First the typical questions trainers wrote down (kb/questions.py); then section headings
that are questions already (如何实现增收增效, 为什么要…), without their numbering; then short
topic headings. At most a couple from one document, in the documents' order, so the
examples show what the library holds rather than one course.
"""

from __future__ import annotations

import re

from .analysis import normalise_text

_ORDINAL = re.compile(r"""^\s*(?:
      (?:单元|單元|课程|課程|模块|模塊)[一二三四五六七八九十0-9]+[、:：.．]?  # 單元一、
    | 第[一二三四五六七八九十百0-9]+[章节節部分篇单單元课課]+[:：、.．]?     # 第一章, 第三單元
    | [一二三四五六七八九十]+[、.．]                                   # 三、
    | [0-9]+(?:\.[0-9]+)+(?=\s)                                       # 1.2 title
    | [0-9]+(?:\.[0-9]+)*[、.．)）]                                   # 1、 2. 3)
    | 0[0-9](?=[\u4e00-\u9fff])                                        # 01行業認知 (a deck's glued number)
    | [(（][0-9一二三四五六七八九十]+[)）]                                # (1)
    | [【\[] | ü
    )\s*""", re.X)
QUESTION_WORDS = ("如何", "怎么", "怎样", "为什么", "什么", "哪些", "哪几", "是否", "?", "？")
SHORTEST, LONGEST = 4, 18  # characters of a heading that reads as a query
PER_DOC = 2
TEACHING = ("steps", "script", "technique", "case")


def strip_numbering(heading: str) -> str:
    """A heading without its numbering and brackets (三、客户开发 → 客户开发, 【課程收獲】 → 課程收獲)."""
    text = heading.strip()
    for _ in range(3):
        shorter = _ORDINAL.sub("", text, count=1)
        if shorter == text:
            break
        text = shorter
    return re.sub(r"\s+", " ", text).strip(" :：】]“”\"'「」《》")


def _readable(text: str) -> bool:
    """A heading fit to be typed as a query: a few Chinese words, not a figure or a code."""
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    return SHORTEST <= len(text) <= LONGEST and cjk >= max(3, len(text) * 0.6)


def example_questions(kb, n: int = 4) -> list[str]:
    """Up to n example queries from kb (a KnowledgeBase), as the corpus writes them."""
    picked: list[str] = []
    seen: set[str] = set()

    def take(text: str) -> None:
        key = re.sub(r"\W+", "", normalise_text(text))
        if text and key not in seen and len(picked) < n:
            seen.add(key)
            picked.append(text)

    for doc in kb.documents():
        for p in kb.doc_passages(doc):
            for q in p.questions:
                take(q)
    if len(picked) >= n:
        return picked
    # the headings of passages that teach something (steps, scripts, techniques, cases), in
    # document order: a course's title or its 课程收益 says what it is, not what staff ask
    headings = [(doc, strip_numbering(h)) for doc in kb.documents() for p in kb.doc_passages(doc)
                if p.kind in TEACHING for h in p.headings[:1]]
    for wants_question in (True, False):
        per_doc: dict[str, int] = {}
        for doc, text in headings:
            if not _readable(text):
                continue
            asks = any(w in normalise_text(text) for w in QUESTION_WORDS)
            if asks != wants_question or per_doc.get(doc, 0) >= PER_DOC:
                continue
            before = len(picked)
            take(text)
            if len(picked) > before:
                per_doc[doc] = per_doc.get(doc, 0) + 1
    return picked
