"""Sentence answers: every sentence of the top passages is a candidate, scored together.

A question that wants a sentence (what a term means, a figure, who, when, where, which) is
answered by the sentence that holds the most of it, read as a whole: how much of the topic the
sentence holds and its neighbours hold, how close together the question's words stand in it,
whether it brings something the question does not already say, and, for a factoid, whether it
holds a thing of the kind asked for (a year for 哪一年, a person for 谁, a place for 哪里, a
number for 多少) that the question does not name. The weights of these named features are
fitted by scripts/fit_answer.py on the public question sets (kb/data/answer.toml), never set
by hand; `score` is their weighted sum. A neighbour of the chosen sentence that scores within a
fitted margin of it joins the answer (`neighbour`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, Sequence

from ..analysis import normalise_text
from ..asking import ASKED, stated
from ..model import Hit, Passage
from ..script import both_scripts
from ..structure import ITEM_RANK, QA_RANK, exercises, heading_rank, nesting_rank

FEATURES = ("share", "before", "after", "rank", "first", "novel", "near", "length", "wanted", "defines", "titled")
# The top hits whose sentences are candidates. Measured 3 to 6 with scripts/fit_answer.py and
# kb eval on every set: 5 and 6 read the same; against 4, held-out sentence choice DRCD 0.884 →
# 0.886, CMRC 0.860 → 0.864, held-out mean over the sets 0.872 → 0.875 (qa_dev2 0.625 → 0.649,
# 2 more of the 1,000 crossed unanswerable questions answered); 3 costs qa_probe3 0.542 → 0.458.
PASSAGES = 5
# Where a sentence ends: after 。, ！ or ？ in either width, or a full stop that is no decimal point.
# Not at a semicolon, which joins the clauses of one sentence: this read ASCII ';' as an end and
# not the full-width ones (！？； of most Chinese text). Measured on every public and read set
# (2026-12-07): ending at neither width's semicolon reads the same as that on each; ending at
# both costs DRCD 0.894 -> 0.880 and CMRC 0.890 -> 0.878 (a clause is shorter than the answer).
SENTENCE = re.compile(r"(?<=[。！？!?])|(?<![\d.])\.(?![\d.])")

# What a factoid question asks for, by its question word (Simplified; Traditional matches too).
_WANTS = (
    ("person", r"谁|哪位|何人|什么人|哪个人|哪一位"),
    ("time", r"哪一?年|何年|哪一天|哪天|何时|什么时候|什么时间|几月|哪个月|哪个?朝代|什么年代|何日|哪个世纪|几时"),
    ("place", r"哪里|哪儿|在哪|何处|何地|什么地方|哪[个一座]?(?:国家|国|省|城市|城|地区|州|县|市|岛|洲|大洋)|位于"),
    # a figure of a stated measure (多少度, 多少钱, 几天): a number in that measure's units answers
    *ASKED,
    ("number", r"多少|多长|多高|多大|多重|多远|多久|多宽|多深|几多|几[个岁年次位名种条天人倍]|几[十百千万亿]"),
    ("name", r"什么名字|叫什么|称为什么|名为什么|又称|别称|哪部|哪本|哪首|哪一部|哪一本|什么作品"),
)
# "Which" before a noun: 哪一种气候, 哪个朝代, 何种功劳 (not 哪些 or 哪五个, which ask for lists)
WHICH = re.compile(r"哪一?[个個种種类類家位座所部本首条條项項支只隻场場次届屆国國]|何[种種]")
# The units each stated measure is said in (kb.asking; lower case: sentences are read normalised).
# A question asking a measure's figure is answered by a number in its units (多少度: -18℃, not 30分钟).
_UNITS = stated()
_TIME = re.compile(r"\d{1,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|[一二三四五六七八九十〇零百千]{2,}年|世纪|年代|朝|时期|年间|元年|春|夏|秋|冬")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?|[一二三四五六七八九十百千万亿两]+(?=[个种位名次年公里米岁人倍])")
_QUOTED = re.compile(r"《[^》]{1,30}》|「[^」]{1,30}」|“[^”]{1,30}”")
_PLACE_END = re.compile(r"[\u4e00-\u9fff]{1,8}(?:省|市|县|州|国|区|岛|山|河|湖|镇|村|洲|海|江|路|街|港|湾|城)")
_ASKS = re.compile(r"[?？]\s*$")  # a sentence that asks
_DEFINES = re.compile(r"是|指|即|为|称|:|:|——")


class Topic(Protocol):
    """How much of the question's topic a text holds (kb.answer.topic.Topic)."""

    known: set[str]

    def share(self, text: str) -> float: ...


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    rank: int  # the passage's place among the hits, from 0
    index: int  # the sentence's place in its passage, from 0
    line: int
    text: str
    features: tuple[float, ...]


@lru_cache(maxsize=1)
def _wants_rules() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((kind, both_scripts(pattern)) for kind, pattern in _WANTS)


def wanted(question: str) -> str | None:
    """The kind of thing a factoid question asks for: person, time, place, number or name."""
    return next((kind for kind, pattern in _wants_rules() if pattern.search(question)), None)


def asking_spans(question: str) -> list[tuple[int, int]]:
    """Where a question says what kind of thing it asks for (哪一年, 谁, 在哪里), less the
    measures it asks a figure in (measure_spans)."""
    return [m.span() for kind, pattern in _wants_rules() if kind not in _UNITS for m in pattern.finditer(question)]


def measure_spans(question: str) -> list[tuple[int, int, str]]:
    """Where a question asks a figure in a stated measure (多少度, 多少钱, 几号), with the measure."""
    return [(*m.span(), kind) for kind, pattern in _wants_rules() if kind in _UNITS for m in pattern.finditer(question)]


def holds_measure(kind: str, norm: str) -> bool:
    """Whether normalised text states a figure in the measure's units (-18℃ for 多少度)."""
    return bool(_UNITS[kind].search(norm))


def split(passage: Passage) -> list[tuple[int, str]]:
    """(line, sentence) for each sentence of a passage, in order."""
    out = []
    for line, text in passage.numbered_lines():
        for piece in SENTENCE.split(text):
            if piece and piece.strip():
                out.append((line, piece.strip()))
    return out


def holds_wanted(kind: str | None, sentence: str, question: str) -> bool:
    """Whether a sentence holds a thing of the kind asked for that the question does not name."""
    if kind is None:
        return False
    norm, asked = normalise_text(sentence), normalise_text(question)
    if kind == "time":
        found = [m.group() for m in _TIME.finditer(norm)]
    elif kind == "number":
        found = [m.group() for m in _NUMBER.finditer(norm)]
    elif kind in _UNITS:
        found = [m.group() for m in _UNITS[kind].finditer(norm)]
    elif kind == "name":
        found = [m.group() for m in _QUOTED.finditer(norm)] + _tagged(norm, ("nr", "nz", "nrt", "nrfg"))
    elif kind == "person":
        found = _tagged(norm, ("nr", "nrt", "nrfg"))
    else:
        found = [m.group() for m in _PLACE_END.finditer(norm)] + _tagged(norm, ("ns",))
    return any(f not in asked for f in found)


def _tagged(norm: str, flags: tuple[str, ...]) -> list[str]:
    """Words of two characters or more that jieba tags as one of `flags` (nr: a person, ns: a place)."""
    return [word for word, flag in _tags(norm) if flag in flags and len(word) > 1]


@lru_cache(maxsize=8192)
def _tags(norm: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, tag) pairs of a sentence, kept: the sentences of a passage are candidates
    of question after question (tagging one takes about 3 ms)."""
    return tuple((w.word, w.flag) for w in _pos().cut(norm))


def preload() -> None:
    """Load the tables sentence scoring loads on first use (jieba's tagger, the question rules)."""
    _pos()
    _wants_rules()


@lru_cache(maxsize=1)
def _pos():
    import jieba.posseg

    from ..analysis import jieba_tokenizer

    return jieba.posseg.POSTokenizer(jieba_tokenizer())


_STATED = ("definition", "factoid", "figure")  # kinds a sentence answers by what it states
_DIGIT = re.compile(r"\d")


def _titles(passage: Passage) -> frozenset[str]:
    """The titles over and inside a passage: its breadcrumb, and its headings that number no item."""
    inner = (h for h in passage.headings if (heading_rank(h) or 0) < ITEM_RANK)
    return frozenset((*passage.section, *inner))


def candidates(question: str, kind: str, hits: Sequence[Hit], topic: Topic,
               readable=lambda passage, text: text) -> list[Candidate]:
    """Every sentence of the top hits, with its features (FEATURES, in order)."""
    want = wanted(question) or ("number" if kind == "figure" else None)
    asked = set(normalise_text(question))
    out = []
    for rank, hit in enumerate(hits[:PASSAGES]):
        sents = split(hit.passage)
        # a line that only asks (an exercise's question, a FAQ's Q) answers nothing; a question
        # with its answer on the same line (为什么? 因为…) is answered by that line whole
        per_line = Counter(line for line, _ in sents)
        lone = [per_line[line] == 1 for line, _ in sents]
        shares = [topic.share(readable(hit.passage, s)) for _, s in sents]
        # a sentence speaks of what its section is about: 他 in an article's sentence is its title;
        # in a passage that packs small sections (a FAQ's questions, a deck's numbered points) of
        # what the heading over it says as well
        title = "\n".join(hit.passage.section)
        over = _headings_over(hit.passage)
        titled = [topic.share(readable(hit.passage, s) + "\n" + title + over.get(line, "")) for line, s in sents]
        # a section of exercises (课后练习, 思考题) asks, whatever its lines' wording (简述…, 说明…)
        asks = bool(hit.passage.section) and bool(exercises().search(hit.passage.section[-1]))
        # a section's title names what the section says, it says nothing of it: no fact, figure or
        # definition (a numbered item, 1. 充电宝：每票不超过2个, does; so may a title with a figure)
        titles = _titles(hit.passage) if kind in _STATED else frozenset()
        # a FAQ's question (问：… over its 答：…) asks, with a question mark or without one
        faq = {h.strip() for h in hit.passage.headings if nesting_rank(h) == QA_RANK}
        for i, (line, s) in enumerate(sents):
            if lone[i] and (_ASKS.search(s) or s.strip() in faq) or asks or exercises().search(over.get(line, "")):
                continue
            if s.strip() in titles and not _DIGIT.search(s):
                continue
            norm = normalise_text(s)
            chars = {c for c in norm if c.isalnum()}
            out.append(Candidate(hit.passage, rank, i, line, s, (
                shares[i],
                shares[i - 1] if i else 0.0,
                shares[i + 1] if i + 1 < len(sents) else 0.0,
                1.0 / (1 + rank),
                float(i == 0),
                len(chars - asked) / len(chars) if chars else 0.0,
                _near(norm, topic.known),
                min(len(s), 200) / 200,
                float(holds_wanted(want, s, question)),
                float(kind == "definition" and bool(_DEFINES.search(norm))),
                titled[i],
            )))
    return out


def section_of(passage: Passage, line: int) -> tuple[str, ...]:
    """Where a line of a passage is taught: the passage's breadcrumb and, in a passage that
    packs small sections (two short chapters, two sheets of a workbook), the headings over the
    line there (模块二 over 理赔四步法; 培训资料 › 价格表)."""
    over = [t for t in _headings_over(passage).get(line, "").split("\n") if t]
    return tuple(dict.fromkeys((*passage.section, *over)))


def _headings_over(passage: Passage) -> dict[int, str]:
    """Each line of a passage under its own headings: the headings over it, outermost first, as
    their numbering nests them (4.2 晋升条件 › 4.2.1 收派员晋升高级收派员); a line of a heading has
    those over that heading. A FAQ's question heads its answer alone: the next heading, numbered
    or not, stands beside it, never under it."""

    heads = set(passage.headings)
    out: dict[int, str] = {}
    path: list[tuple[float, str]] = []
    over = ""  # the path, as the text a line is read with
    for line, text in passage.numbered_lines():
        title = text.strip()
        if title in heads:
            rank = nesting_rank(title)
            while path and (path[-1][0] >= rank or path[-1][0] == QA_RANK):
                path.pop()
            over = "".join("\n" + t for _, t in path)
            path.append((rank, title))
        if over:
            out[line] = over
        if title in heads:
            over += "\n" + title
    return out


def _near(norm: str, words: set[str]) -> float:
    """How close together the question's words stand in a sentence: 1 when those it holds are
    side by side, towards 0 as they spread over it (0 with fewer than two of them)."""
    spans = [(m.start(), m.end()) for w in words if len(w) > 1 for m in [re.search(re.escape(w), norm)] if m]
    if len(spans) < 2 or not norm:
        return 0.0
    width = max(e for _, e in spans) - min(s for s, _ in spans)
    held = sum(e - s for s, e in spans)
    return min(1.0, held / width) if width else 1.0


@lru_cache(maxsize=1)
def weights() -> dict[str, float]:
    """The fitted feature weights (kb/data/answer.toml's [sentence] table)."""
    from ..rankdata import fitted

    return fitted("answer.toml", "sentence")


def score(features: Sequence[float], w: dict[str, float] | None = None) -> float:
    w = weights() if w is None else w
    return sum(w.get(name, 0.0) * x for name, x in zip(FEATURES, features))


def best(cands: list[Candidate], w: dict[str, float] | None = None) -> tuple[Candidate, float, float] | None:
    """The best candidate, its score, and its margin over the next best (for the confidence)."""
    if not cands:
        return None
    scored = sorted(((score(c.features, w), c) for c in cands), key=lambda sc: -sc[0])
    top, runner = scored[0], scored[1][0] if len(scored) > 1 else scored[0][0] - 1.0
    return top[1], top[0], top[0] - runner


def neighbour(chosen: Candidate, cands: list[Candidate], w: dict[str, float] | None = None,
              margin: float | None | str = "fitted") -> Candidate | None:
    """The sentence before or after the chosen one in its passage that scores within the fitted
    margin of it (answer.toml's [neighbour] margin; scripts/fit_answer.py): when two adjacent
    sentences score nearly alike, the answer is as likely in either, and both are given; the
    one before wins a tie. None when neither does (or `margin` is None)."""
    if margin == "fitted":
        margin = neighbours().get("margin")
    if margin is None:
        return None
    w = weights() if w is None else w
    near = [c for c in cands if c.rank == chosen.rank and abs(c.index - chosen.index) == 1]
    if not near:
        return None
    top = score(chosen.features, w)
    best_near = max(near, key=lambda c: score(c.features, w))
    return best_near if score(best_near.features, w) >= top - margin else None


@lru_cache(maxsize=1)
def neighbours() -> dict[str, float]:
    """The fitted margin within which a neighbouring sentence joins the answer ([neighbour])."""
    from ..rankdata import fitted

    return fitted("answer.toml", "neighbour")


def probability(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
