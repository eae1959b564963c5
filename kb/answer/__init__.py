"""Answer: a short extractive answer with citations, or an honest "not covered".

No language model: the answer is read off the corpus. The question's kind says
what to read: the numbered items under the best-matching heading (a list or a
method), the units of a course (structure), the sentence that defines a term,
the sentence holding the figures, or the breadcrumbs where a topic is taught.
Every line of an answer comes from a cited source line. When the best evidence
does not hold the question's key terms, the reply is answered=False with the
nearest sections, because a wrong confident answer is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..analysis import normalise_text
from ..index import searchable_text
from ..lexicon import list_nouns
from ..model import Answer, Hit, Passage
from ..script import HANS, HANT
from ..structure import ITEM_MARKER, heading_rank
from . import confidence, sentences
from .corpus import Corpus
from .question import _NUMERALS, Question, analyse_question
from .render import MAX_ANSWER, Part, _citations, _decline, _nearest, _render
from .topic import Topic, _readable, evidence

MAX_ITEMS = 20
MAX_ANCHOR = 40
LIST_HITS = 5  # hits whose headings may head the answer's list
LIST_SLACK = 0.1  # a list answer stands unless the best sentence holds this much more of the topic
UNRANKED = 99
WHOLE_LINE = 200  # a sentence's line this short is answered whole
FOLLOWING = 60  # the sentence after the chosen one joins it when this short

COUNT_MATCH = 1.5  # a list with as many items as the question asks for
_SENTENCE = re.compile(r"(?<=[。!?;!?;])|(?<![\d.])\.(?![\d.])")
_MARKER_RE = re.compile(ITEM_MARKER)
# Bullets that only open a line ('-返利标准'); inside a line a dash is just a dash.
_LEADING_MARKER = re.compile(rf"^\s*({ITEM_MARKER}|-(?=\S))\s*")
# A short unnumbered line ending in one of these nouns heads a new list, it is not an item.
_HEADING_NOUN = re.compile(r"(技巧|原则|方法|步骤|管理|分析|流程|机制|策略|原因|特征|模型|工具|要点)$")


def _family(marker: str) -> str:
    """The numbering style of a marker: (1) and 1) and 1、 are different lists."""
    m = marker.strip()
    m = re.sub(r"\d+", "9", m)
    m = re.sub(r"[一二三四五六七八九十]+", "九", m)
    m = re.sub(r"[①-⑳]", "①", m)
    return m.replace("(", "(").replace(")", ")")


def _following(corpus: Corpus, passage: Passage, count: int = 2) -> list[Passage]:
    """The passage and the ones after it in its document: a list may run past a passage's end."""
    doc = corpus.doc_passages(passage.doc)
    ids = [p.id for p in doc]
    i = ids.index(passage.id) if passage.id in ids else 0
    return doc[i: i + 1 + count]


def _split_items(text: str) -> list[tuple[str | None, str]]:
    """A line cut at its item markers: [(family or None, text)…]."""
    lead = _LEADING_MARKER.match(text)
    marks = [lead] if lead else []
    for m in _MARKER_RE.finditer(text, lead.end() if lead else 0):
        # a marker right after another ('(1)第一步') is part of that item, not a new one
        if not marks or m.start() - marks[-1].end() >= 2:
            marks.append(m)
    if not marks:
        return [(None, text.strip())]
    out: list[tuple[str | None, str]] = []
    if marks[0].start() > 0 and text[: marks[0].start()].strip():
        out.append((None, text[: marks[0].start()].strip()))
    for m, nxt in zip(marks, marks[1:] + [None]):
        body = text[m.start(): nxt.start() if nxt else len(text)].strip()
        marker = m.group(1) if m.re is _LEADING_MARKER else m.group()
        out.append((_family(marker), body))
    return out


def _items_after(lines: list[tuple[int, str, Passage]], anchor: int) -> list[tuple[int, str, Passage]]:
    """The numbered (or, failing that, short bulleted) items under lines[anchor]."""
    anchor_line, anchor_text, _ = lines[anchor]
    rank = heading_rank(anchor_text) or UNRANKED
    family: str | None = None
    items: list[list] = []
    restarted = False
    for i in range(anchor, len(lines)):
        no, text, passage = lines[i]
        if i > anchor:
            r = heading_rank(text)
            lead = _LEADING_MARKER.match(text)
            same_list = family is not None and lead is not None and _family(lead.group(1)) == family
            starts_list = family is None and rank == UNRANKED  # a plain title's first numbered line
            if r is not None and r <= rank and not same_list and not starts_list:
                break
        if rank == UNRANKED and family is None and i - anchor > 3:
            break  # a plain title's list starts right under it, not further down
        pieces = _split_items(text)
        if i == anchor:
            pieces = pieces[1:] if pieces and pieces[0][0] is None else pieces[1:]
        for fam, body in pieces:
            if fam is not None and len(_LEADING_MARKER.sub("", body).strip()) < 2:
                continue  # a bare marker ('① ②' laid out apart from its text) is no item
            if fam is None:
                # an unmarked run-on continues the previous item (a line wrapped mid-sentence)
                ends = items and items[-1][1].endswith(("。", ";", ";"))
                label = body.endswith((":", ":"))  # '策略:' heads what follows, it ends no item
                if items and family and not ends and not label and i > anchor:
                    items[-1][1] += body
                continue
            if family is None:
                family = fam
            if fam == family:
                if items and _first_number(body) == 1:
                    restarted = True  # numbering starts again: the next list (策略: 1) … after 1) … 4))
                    break
                items.append([no, body, passage])
        if len(items) >= MAX_ITEMS or restarted:
            break
    if len(items) >= 2:
        # a numbered list starts at one: ④⑤⑥ under a title are the tail of another list
        return [tuple(x) for x in items] if _first_number(items[0][1]) in (None, 1) else []
    return _flat_items(lines, anchor)


def _first_number(item: str) -> int | None:
    """The number an item's marker gives it, or None for a bullet."""
    m = _LEADING_MARKER.match(item)
    marker = m.group(1) if m else ""
    if d := re.search(r"\d+", marker):
        return int(d.group())
    if c := re.search(r"[①-⑳]", marker):
        return ord(c.group()) - ord("①") + 1
    if c := re.search(r"[一二三四五六七八九十]", marker):
        return _NUMERALS[c.group()]
    return None


def _flat_items(lines, anchor):
    """Unnumbered short lines under a heading line (快刀斩乱麻 / 吃亏得便宜 / …)."""
    out = []
    for no, text, passage in lines[anchor + 1:]:
        if len(text) > 16 or heading_rank(text) is not None or _LEADING_MARKER.match(text):
            break
        if text.endswith((":", ":")) or len(re.findall(r"[\u4e00-\u9fff]", text)) < 2:
            break  # a label ('特点:') or stray marks end a run of items
        if out and _HEADING_NOUN.search(normalise_text(text)):
            break
        out.append((no, text, passage))
        if len(out) >= MAX_ITEMS:
            break
    return out if len(out) >= 2 else []


def _units(passages: list[Passage]) -> list[tuple[int, str, Passage]]:
    """Lines of passages; a long line is cut at its inline items, then at sentence ends."""
    out = []
    for p in passages:
        for no, text in p.numbered_lines():
            if len(text) <= 80:
                out.append((no, text, p))
                continue
            for _, piece in _split_items(text):
                out.extend((no, s.strip(), p) for s in _SENTENCE.split(piece) if s and s.strip())
    return out


def _list_parts(corpus: Corpus, q: Question, hits: list[Hit], w: Topic) -> tuple[list[Part], int]:
    """The heading that best names the topic and the items under it, among the top hits;
    and how many items that is."""
    nouns = [m for m, _ in w.groups if m in list_nouns()]
    key = w.key()
    candidates = []  # (score, units, anchor index, items)
    for rank, hit in enumerate(hits[:LIST_HITS]):
        units = _units(_following(corpus, hit.passage))
        for i in range(len(_units([hit.passage]))):
            text = units[i][1]
            if heading_rank(text) is None and (len(text) > MAX_ANCHOR or text.endswith(("。", "!", "!"))):
                continue  # a list is headed by a title, not by a sentence
            title = normalise_text(_readable(units[i][2], text[:60]))
            anchor_score = w.score(title) + sum(w.idf[n] for n in nouns if n in title)
            if not anchor_score:
                continue
            items = _items_after(units, i)
            if not items:
                continue
            block = text + "".join(t for _, t, _ in items)
            if key and key not in normalise_text(block):
                continue
            # items that each name what was asked for (孕育阶段, 初期合作阶段 … for 哪几个阶段)
            named = max((sum(n in normalise_text(t) for _, t, _ in items) / len(items) * w.idf[n] for n in nouns), default=0.0)
            score = (anchor_score + 0.25 * w.score(block) + 2 * named) / (1 + 0.15 * rank)
            if q.count and len(items) == q.count:
                score *= COUNT_MATCH
            candidates.append((score, units, i, items))
    if not candidates:
        return [], 0
    best = max(candidates, key=lambda c: c[0])
    # prefer the most specific list: when one of the winner's items heads a list that
    # scores nearly as well, answer with that list (the steps, not the unit's contents)
    while True:
        item_lines = {(n, t) for n, t, _ in best[3]}
        inner = [c for c in candidates if (c[1][c[2]][0], c[1][c[2]][1]) in item_lines and c[0] >= 0.7 * best[0]]
        if not inner:
            break
        best = max(inner, key=lambda c: c[0])
    _, units, a, items = best
    no, text, passage = units[a]
    pieces = _split_items(text)
    head = [Part(pieces[0][1] if len(pieces) > 1 else text, passage, no)]  # the title, not its inline items
    intro = units[a + 1] if a + 1 < len(units) else None
    if intro and intro[0] != items[0][0] and not _LEADING_MARKER.match(intro[1]) and len(intro[1]) <= 200 and w.score(intro[1]):
        head.append(Part(intro[1], intro[2], intro[0]))
    return head + [Part(t, p, n) for n, t, p in items], len(items)


def _with_items(corpus: Corpus, parts: list[Part]) -> list[Part]:
    """A sentence answer that is a title (业务上量逻辑:"一找、三拓、三维护") answers with
    the items under it: the title alone names what was asked and says nothing of it."""
    if len(parts) != 1:
        return parts
    head = parts[0]
    text = head.text.strip()
    if heading_rank(text) is None and (len(text) > MAX_ANCHOR or text.endswith(("。", "!", "!", "?", "?"))):
        return parts
    units = _units(_following(corpus, head.passage))
    at = next((i for i, (no, t, p) in enumerate(units) if no == head.line and t.strip() == text), None)
    if at is None:
        return parts
    items = _items_after(units, at)
    return parts + [Part(t, p, n) for n, t, p in items] if items else parts


def _structure_parts(corpus: Corpus, q: Question, w: Topic) -> list[Part]:
    """The units of the course the question names, read off the outline."""
    entries = corpus.outline()
    best = max(range(len(entries)), key=lambda i: w.score(entries[i].title), default=None)
    if best is None or not w.score(entries[best].title):
        return []
    head = entries[best]
    children = []
    for e in entries[best + 1:]:
        if e.doc != head.doc or e.depth <= head.depth:
            break
        if e.depth == head.depth + 1:
            children.append(e)
    unit = re.search(r"(单元|章|篇|节|部分|课)", normalise_text(q.text))
    if unit:  # '哪幾個單元' asks for the units, not the course's other labels
        named = [e for e in children if unit.group(1) in normalise_text(e.title)]
        children = named if len(named) >= 2 else children
    if len(children) < 2:
        return []
    parts = []
    for e in [head] + children:
        try:
            passage = corpus.show(f"{e.doc}:{e.line}")
        except Exception:  # a heading line always lies in a passage; be safe if not
            continue
        parts.append(Part(e.title, passage, e.line))
    return parts


def _sentence_parts(q: Question, hits: list[Hit], w: Topic, want_numbers: bool = False) -> list[Part]:
    """The best sentence of the top hits (kb.answer.sentences scores them all together), as
    the answer's lines: its whole line when that is short, else the sentence and a short one
    after it."""
    top = sentences.best(sentence_candidates(q, hits, w))
    if not top or top[0].features[0] <= 0:
        return []
    return sentence_answer(top[0], w)


def sentence_answer(c: "sentences.Candidate", w: Topic) -> list[Part]:
    """What a chosen sentence answers with: its whole line when that is short, else the
    sentence (cut to the stretch around the question's words) and the next when it is short."""
    whole = dict(c.passage.numbered_lines()).get(c.line, "")
    if len(whole) <= WHOLE_LINE:  # a line of ordinary length reads better whole than cut at a ';'
        return [Part(whole, c.passage, c.line)]
    sents = sentences.split(c.passage)
    picked = [sents[c.index]]
    if c.index + 1 < len(sents) and len(sents[c.index + 1][1]) < FOLLOWING:
        picked.append(sents[c.index + 1])
    return [Part(_window(s, w), c.passage, no) for no, s in picked]


def _window(sentence: str, w: Topic, size: int = 180) -> str:
    """A run-on 'sentence' cut to the stretch around the question's words."""
    if len(sentence) <= size:
        return sentence
    norm = normalise_text(sentence)
    hits = sorted(m.start() for t in w.known for m in re.finditer(re.escape(t), norm))
    best = max(range(len(hits)), key=lambda i: sum(1 for h in hits[i:] if h < hits[i] + size), default=0)
    start = max(0, (hits[best] if hits else 0) - 20)
    end = min(len(sentence), start + size)
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


def _location_parts(hits: list[Hit], w: Topic) -> list[Part]:
    """Where the topic's rarest term is taught: distinct breadcrumbs of the hits holding it."""
    known = [m for m, _ in w.groups if m in w.known]
    known = [t for t in known if len(t) > 1] or known
    key = max(known, key=w.idf.get) if known else None
    parts, seen = [], set()
    for hit in hits:
        p = hit.passage
        if key and key not in normalise_text(p.text):
            continue
        where = " › ".join(p.section)
        if where in seen:
            continue
        seen.add(where)
        line = next((no for no, t in p.numbered_lines() if key and key in normalise_text(t)), p.line_start)
        parts.append(Part(where, p, line))
        if len(parts) >= 4:
            break
    return parts


# --- the answer ---------------------------------------------------------------


def sentence_candidates(q: Question, hits: list[Hit], w: Topic) -> list[sentences.Candidate]:
    """Every sentence of the top hits as an answer candidate, with its features."""
    return sentences.candidates(q.text, q.kind, hits, w, _readable)


@dataclass(frozen=True)
class Draft:
    """An answer before the decision to give it: its lines, and what the confidence reads."""

    question: Question
    hits: list[Hit]
    weights: Topic
    parts: list[Part]
    features: tuple[float, ...]  # kb.answer.confidence.FEATURES


def draft(corpus: Corpus, question: str) -> Draft:
    """The answer kb would give, whether or not it then gives it."""
    q, hits, w = evidence(corpus, question)
    parts: list[Part] = []
    if hits and q.topic:
        parts = _parts(corpus, q, hits, w)
    return Draft(q, hits, w, parts, _confidence_features(hits, w, parts) if parts else ())


def _confidence_features(hits: list[Hit], w: Topic, parts: list[Part]) -> tuple[float, ...]:
    """What the confidence reads (kb.answer.confidence.FEATURES, in order)."""
    said = "\n".join([p.text for p in parts] + list(dict.fromkeys(searchable_text(p.passage) for p in parts)))
    return (
        w.share(said),
        _held(parts, w),
        w.share(searchable_text(hits[0].passage)),
        float(parts[0].passage.id == hits[0].passage.id),
        1.0 / max(1, len(w.groups)),
        float(len(parts) >= 3),
    )


def _parts(corpus: Corpus, q: Question, hits: list[Hit], w: Topic) -> list[Part]:
    parts: list[Part] = []
    if q.kind == "structure":
        parts = _structure_parts(corpus, q, w)
    if not parts and q.kind in ("list", "method", "structure"):
        parts, items = _list_parts(corpus, q, hits, w)
        sentence = _sentence_parts(q, hits, w, want_numbers=False)
        # a list that holds clearly less of the question than its best sentence is another
        # list, unless it has just as many items as the question asks for (哪四个阶段)
        counted = q.count is not None and items == q.count
        if parts and sentence and not counted and _held(sentence, w) > _held(parts, w) + LIST_SLACK:
            parts = sentence
    if not parts and q.kind == "location":
        parts = _location_parts(hits, w)
    if not parts:
        parts = _with_items(corpus, _sentence_parts(q, hits, w, want_numbers=q.kind == "figure"))
    if q.kind == "figure" and not any(re.search(r"\d", _LEADING_MARKER.sub("", p.text)) for p in parts):
        parts = []  # a figure question answered without a figure is not answered
    return parts


def ask(corpus: Corpus, question: str, script: str | None = "auto") -> Answer:
    d = draft(corpus, question)
    q, hits, w, parts = d.question, d.hits, d.weights, d.parts
    out_script = q.script if script == "auto" else (script if script in (HANS, HANT) else None)
    if not parts:
        return _decline(q, hits or _nearest(corpus, w), out_script, w)
    # declined when the answer's lines and their passages hold too little of the question's
    # topic; else given with the chance it is right (kb.answer.confidence)
    if not confidence.covered(d.features):
        return _decline(q, hits, out_script, w)
    chance = confidence.estimate(d.features)
    return Answer(
        question=question,
        answered=True,
        answer=_render(q, parts, out_script),
        citations=_citations(parts),
        confidence=round(chance, 3),
        kind=q.kind,
    )


def _held(parts: list[Part], w: Topic) -> float:
    """Share of the question's topic that an answer's lines hold (read as the index reads them)."""
    return w.share("\n".join(_readable(p.passage, p.text) for p in parts))


