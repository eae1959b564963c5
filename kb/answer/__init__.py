"""Answer: a short extractive answer with citations, or an honest "not covered".

No language model: the answer is read off the corpus, and only through the few reads
of kb.answer.corpus.Corpus (a KnowledgeBase is one). A question takes this path:

    question    what kind of answer it wants, its topic words, how many items it asks for
    topic       its evidence: the hits search finds, and how much of the topic a text
                holds, each word weighed by the idf search ranks with
    lists       the numbered items under the best-matching heading (a list or a method),
                the units of a course (structure), the breadcrumbs where a topic is taught
    sentences   every sentence of the top hits, scored together: the sentence that defines
                a term, holds the figures, or names the person, year or place asked for
    definitions for a definition question, the sentence that defines its term wherever it
                stands in the top hits' documents (本教材所称偏乡，是指…)
    confidence  whether the evidence holds enough of the topic to answer, and the chance
                the answer is right
    render      the answer's lines in the asker's script with their citations, or the
                reply that the corpus does not say

Here `draft` chooses among the candidates and `ask` decides whether to give the answer.
Every line of an answer comes from a cited source line. When the best evidence does not
hold the question's key terms, the reply is answered=False with the nearest sections,
because a wrong confident answer is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import PurePosixPath

from ..analysis import normalise_text, place_names
from ..errors import QueryError
from ..measures import ENDS_WORDS, EVENTS, GOODS, PEOPLE, UNITS, alternation
from ..store import searchable_text
from ..model import Answer, Hit
from ..script import HANS, HANT
from . import confidence, definitions, sentences
from .corpus import Corpus
from .lists import _LEADING_MARKER, _list_parts, list_weights, _location_parts, _structure_parts, _with_items, where_part
from .question import Question, analyse_question, asks_something
from .render import MAX_ANSWER, Part, _citations, _decline, _nearest, _render
from .topic import Topic, _readable, evidence

__all__ = [
    "ask",
    "preload",
    "draft",
    "Draft",
    "evidence",
    "analyse_question",
    "Question",
    "Corpus",
    "Topic",
    "Part",
    "sentence_candidates",
    "sentence_answer",
    "MAX_ANSWER",
    "confidence",
    "sentences",
]

# A sentence's line this short is answered whole; the sentence after the chosen one joins it when
# this short. Measured on every set (2026-12-06): WHOLE_LINE 150 costs DRCD 0.886 -> 0.884, 300
# gains CMRC 0.884 -> 0.892 but lengthens CMRC's median answer to 122 characters (issue 13: at
# most 120); FOLLOWING 40 costs DRCD 0.886 -> 0.880, 100 gains 0.002 on each external set for
# medians of 124 and 123 characters.
WHOLE_LINE = 200
FOLLOWING = 60


# --- sentence answers ------------------------------------------------------

def sentence_candidates(q: Question, hits: list[Hit], w: Topic) -> list[sentences.Candidate]:
    """Every sentence of the top hits as an answer candidate, with its features."""
    return sentences.candidates(q.text, q.kind, hits, w, _readable)


def _sentence_parts(q: Question, hits: list[Hit], w: Topic, want_numbers: bool = False) -> list[Part]:
    """The best sentence of the top hits (kb.answer.sentences scores them all together), as
    the answer's lines: its whole line when that is short, else the sentence, its neighbour
    when that scores nearly as well, and a short one after it."""
    cands = sentence_candidates(q, hits, w)
    if want_numbers:  # a figure is answered by a sentence stating one: the best of those
        cands = [c for c in cands if _states_figure(c.text)]
        # ... in the measure asked, where one holding some of the topic states it ($380 for
        # 怎么收费, not the 2024年5月 of a title's date)
        if q.asks:
            measured = [c for c in cands if any(sentences.holds_measure(k, normalise_text(c.text)) for k in q.asks)]
            if any(c.features[0] > 0 for c in measured):
                cands = measured
    # a sentence holding none of the topic answers nothing, however well its section's title
    # scores: the best of those holding some is the answer (not none at all)
    top = sentences.best([c for c in cands if c.features[0] > 0])
    if not top:
        return []
    return sentence_answer(top[0], w, sentences.neighbour(top[0], cands))


def _states_figure(text: str) -> bool:
    """Whether a line states a figure: a digit beyond its item number (1. …), or a number in
    words before what it counts or measures (五位, 三千块, 十二个; not 一个, which is 'a')."""
    rest = _LEADING_MARKER.sub("", text)
    return bool(re.search(r"\d", rest) or _figure_in_words().search(normalise_text(rest)))


# What a number in words measures when it states a figure (五位, 三千块, 八成, 两次): a unit or a
# classifier of people, goods or events (kb.measures); not one that ends everyday words (三角, a
# triangle; 四周, around), nor the counters of items and grades (两类, 三种, 十个, 三级), which
# say how a text is laid out more often than a figure asked for.
_WORD_FIGURE_UNITS = tuple(dict.fromkeys(u for u in (*UNITS, *PEOPLE, *GOODS, *EVENTS) if u not in ENDS_WORDS))


@lru_cache(maxsize=1)
def _figure_in_words() -> re.Pattern[str]:
    units = alternation(_WORD_FIGURE_UNITS)
    return re.compile(rf"(?:[两二三四五六七八九十百千万亿半]|一[十百千万亿])[一二三四五六七八九十百千万亿零两]*(?:{units})")


def sentence_answer(c: "sentences.Candidate", w: Topic,
                    neighbour: "sentences.Candidate | None" = None) -> list[Part]:
    """What a chosen sentence answers with: its whole line when that is short, else the
    sentence (cut to the stretch around the question's words) with the neighbour that scores
    nearly as well (kb.answer.sentences.neighbour), and the next sentence when it is short."""
    whole = dict(c.passage.numbered_lines()).get(c.line, "")
    if len(whole) <= WHOLE_LINE:  # a line of ordinary length reads better whole than cut at a ';'
        return [Part(whole, c.passage, c.line)]
    sents = sentences.split(c.passage)
    chosen = {c.index}
    if neighbour is not None:
        chosen.add(neighbour.index)
    last = max(chosen)
    if last + 1 < len(sents) and len(sents[last + 1][1]) < FOLLOWING:
        chosen.add(last + 1)
    picked = [sents[i] for i in sorted(chosen)]
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


# --- the answer -------------------------------------------------------------

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
    if hits and q.topic and not w.says_too_little():
        asks = _asks_apart(q)
        parts = _joined([_parts(corpus, c, hits, w) for c in asks]) if asks else _parts(corpus, q, hits, w)
    return Draft(q, hits, w, parts, _confidence_features(hits, w, parts) if parts else ())


# Where a question may ask one thing after another: after a question mark, a comma, a semicolon
# or a space (代收点怎么管理？代收一件给多少钱？; 月结多久能恢复，有啥附加条件).
_ASKED_APART = re.compile(r"(?<=[?？!！,，;；\s])")


def _asks_apart(q: Question) -> list[Question]:
    """A question that asks two things of different kinds, one after the other (…怎么管理？…给多少
    钱？: a method, then a figure): each thing asked as its own kind, about the whole question's
    topic; [] for a question that asks one thing (a clause that asks nothing, 客户欠款还清了 or
    请分步说明, only tells of it; 在哪个模块讲 is the answer's where)."""
    clauses = [c.strip() for c in _ASKED_APART.split(q.text) if c.strip()]
    if len(clauses) < 2:
        return []
    asked = []
    for clause in clauses:
        try:
            c = analyse_question(clause)
        except QueryError:
            continue
        # where a thing is taught is said before the answer already (Question.also_where)
        if asks_something(c.text) and c.kind != "location":
            asked.append(replace(q, kind=c.kind, count=c.count, counted=c.counted or q.counted,
                                 asked_in=c.asked_in, also_where=c.also_where))
    # each thing asked once, however many times it is asked (a long question need not cost more)
    return list(dict.fromkeys(asked)) if len({c.kind for c in asked}) > 1 else []


def _joined(answers: list[list[Part]]) -> list[Part]:
    """The answers to each thing a question asks, in its order, each line once."""
    seen: set[tuple[str, int, str]] = set()
    out: list[Part] = []
    for part in (p for parts in answers for p in parts):
        key = (part.passage.id, part.line, part.text)
        if key not in seen:
            seen.add(key)
            out.append(part)
    return out


def _parts(corpus: Corpus, q: Question, hits: list[Hit], w: Topic) -> list[Part]:
    """The answer's lines for the question's kind: a course's units, a list, where a topic is
    taught, or else the best sentence (with the items under it when it is a title)."""
    parts: list[Part] = _typical_parts(hits, w)
    if not parts and q.kind == "definition":
        parts = _with_items(corpus, _defining_parts(corpus, q, hits))  # …以下条件： with its rows
    if parts:
        return parts
    if q.kind == "structure":
        parts = _structure_parts(corpus, q, w)
    if not parts and q.kind in ("list", "method", "structure"):
        parts, counted = _list_parts(corpus, q, hits, w)
        sentence = _sentence_parts(q, hits, w, want_numbers=False)
        # a list that holds clearly less of the question than its best sentence is another
        # list, unless it has just as many items as the question asks for (哪四个阶段) or its
        # heading says it has (三级预警 for 分哪几级), or its items are sections each naming a
        # kind of what was asked (直营渠道, 加盟渠道 for 渠道有哪几种)
        if parts and sentence and not counted and _held(sentence, w) > _held(parts, w) + list_weights()["slack"]:
            parts = _with_items(corpus, sentence)  # a title answers with what it heads
    if not parts and q.kind == "location":
        parts = _location_parts(hits, w)
    if not parts:
        parts = _with_items(corpus, _sentence_parts(q, hits, w, want_numbers=q.kind == "figure"))
    if q.kind == "figure" and not any(_states_figure(p.text) for p in parts):
        parts = []  # a figure question answered without a figure is not answered
    return parts


TYPICAL_LINES = 6  # lines of a section that a trainer's typical question is answered with (4 and 8 read the same on every set)


def _typical_parts(hits: list[Hit], w: Topic) -> list[Part]:
    """A section among the top hits that a trainer wrote the question down for (a typical
    question holding the question's topic, kb/questions.py) answers with its opening lines."""
    for h in hits[:3]:
        p = h.passage
        if p.questions and max(w.share(normalise_text(x)) for x in p.questions) >= confidence.floor():
            body = [(no, t) for no, t in p.numbered_lines() if t.strip() and t.strip() not in p.headings]
            return [Part(t, p, no) for no, t in body[:TYPICAL_LINES]]
    return []


DEFINING_DOCS = 3  # documents of the top hits whose sentences may define the asked term


def _defining_parts(corpus: Corpus, q: Question, hits: list[Hit]) -> list[Part]:
    """The sentence that defines what a definition question asks about (本教材所称偏乡，是指…;
    收派员是指…; 偏乡：…), wherever it stands in the top hits' documents: a term a document is
    about is in every passage of it, and the one that says what it is need not rank first."""
    terms = definitions.asked_terms(q)
    if not terms:
        return []
    pattern = definitions.defining(terms)
    for doc in list(dict.fromkeys(h.passage.doc for h in hits))[:DEFINING_DOCS]:
        for passage in corpus.doc_passages(doc):
            for no, sentence in sentences.split(passage):
                if pattern.search(normalise_text(sentence)):
                    line = dict(passage.numbered_lines()).get(no, sentence)
                    return [Part(line if len(line) <= WHOLE_LINE else sentence, passage, no)]
    return []


def _held(parts: list[Part], w: Topic) -> float:
    """Share of the question's topic that an answer's lines hold (read as the index reads them)."""
    return w.share("\n".join(_readable(p.passage, p.text) for p in parts))


def supporting_text(parts: list[Part]) -> str:
    """An answer's lines, their passages (as the index reads them) and their documents' names:
    its evidence. A question may name what a file's name says of it and its text never does (香港
    of 香港分公司_熱線接聽.html: 香港客服熱線有咩指標)."""
    passages = list(dict.fromkeys(searchable_text(p.passage) for p in parts))
    names = list(dict.fromkeys(normalise_text(PurePosixPath(p.passage.doc).stem) for p in parts))
    return "\n".join([p.text for p in parts] + passages + names)


def _confidence_features(hits: list[Hit], w: Topic, parts: list[Part]) -> tuple[float, ...]:
    """What the confidence reads (kb.answer.confidence.FEATURES, in order)."""
    said = supporting_text(parts)
    return (
        w.coverage(said),
        _held(parts, w),
        w.share(searchable_text(hits[0].passage)),
        float(parts[0].passage.id == hits[0].passage.id),
        1.0 / max(1, len(w.groups)),
        float(len(parts) >= 3),
    )


def preload() -> None:
    """Load every table answering may need (kb.query.preload's, and jieba's part-of-speech
    tagger, 0.8 s, which a factoid's first question would otherwise wait for)."""
    from ..query import preload as preload_query

    preload_query()
    sentences.preload()
    place_names()  # what the decline weighs (kb.rankdata.telling)


def ask(corpus: Corpus, question: str, script: str | None = "auto") -> Answer:
    """A short extractive answer with citations, or answered=False when the corpus does not say;
    in the question's script, or in `script` (hans, hant, or None for the text as it is)."""
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
        answer=_render(q, parts, out_script, where_part(parts[0]) if q.also_where else None),
        citations=_citations(parts),
        confidence=round(chance, 3),
        kind=q.kind,
    )
