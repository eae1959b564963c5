"""Question analysis: what kind of answer a question wants, what it is about, and how many.

The kind (list, method, structure, definition, figure, factoid, location) is the first row
of kb/data/question_kinds.txt whose pattern the question matches, in either script; method
when none does. The topic is the question's words, each with the shorter words inside it,
less the words that only frame a question (为什么, 介绍) and those that say what kind of
thing is asked for (哪一年, 由谁). A stated count (哪四个阶段) says how many items a list
answer should have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..analysis import analyze, normalise_text
from ..errors import QueryError
from ..lexicon import framing_words, list_counters, standard
from ..asking import asked_measures
from ..query import COUNTER, MEASURE, STATED_COUNT, number_in_words
from ..script import both_scripts, detect_script
from . import sentences

_COUNT = re.compile(rf"^哪?[几一二三四五六七八九十两\d]+(?:{COUNTER})?$")
# 几 with a measure word (几次, 几级, 几罐): how many or how much, never the topic
_ASKED_NUMBER = re.compile(rf"^哪?几(?:{COUNTER}|{MEASURE})$")
_BARE = re.compile(r"^[一二三四五六七八九十两\d]+$")  # a number and nothing else: 100, 1990, 三
_COUNTER_NEXT = re.compile(rf"\s*(?:{COUNTER})")  # what a number counts, said right after it
# the kinds a question asking where may also ask for, the what said beside the where
_WITH_WHERE = ("structure", "figure", "list", "definition")
_ASKS = re.compile(r"哪|几|多少|什么|怎么|如何|吗|嗎")
_EVERYDAY_ASKS = re.compile(r"啥|咋")  # 有啥条件, 咋办: what and how, as they are typed
_WHAT_THING = r"什么(?:东西|事情|事)"  # 什么 with a noun that names nothing (_what_thing: either script)
# a part of a course asked for (哪一章, 第几单元, 哪门课): where, never what (_where_part: either script)
_WHERE_PART = r"第几个?(?:单元|章|节|课|讲|篇|部分|模块|页)|哪[门一个些几]?(?:门课|单元|模块|部分|课|章|节|篇|份|讲|页)"
# a count said before what it counts: 四种, 哪几个, 三大, 五 (of 五步骤)
_COUNTING = re.compile(rf"[几两二三四五六七八九十\d]+(?:{COUNTER})?")
# a count asked in a unit: 哪几级, 几步, 哪几个阶段 (Simplified; the question is read normalised)
_ASKED_IN = re.compile(rf"几个?({COUNTER}|{MEASURE})")
# what a question counts in a counter a title numbers a list in (标准动作是哪几步: 动作, in 步; 有哪几招):
# the word right before what asks the count, a linking verb between
_COUNT_OF = re.compile(rf"(?:(?:一共|总共|共|都)?(?:是|有|分为|分成|分|包括|包含))?哪?几个?({COUNTER})")


@dataclass(frozen=True)
class Question:
    """A question analysed: what kind of answer it wants and what it is about."""

    text: str
    kind: str
    topic: tuple[tuple[str, ...], ...]  # topic words, each with the shorter words inside it
    script: str | None  # the script it was typed in
    count: int | None = None  # how many items it asks for (哪四个阶段 → 4)
    # topic words that ask a figure in a measure (钱 of 多少钱 → money): a figure in its units holds them
    measures: tuple[tuple[str, str], ...] = ()
    # the words a stated or asked count is of (问题 of 四种问题, 阶段 of 哪几个阶段): what each
    # item of a list answer names
    counted: tuple[str, ...] = ()
    # it also asks where the answer is taught (在哪个模块讲？是哪五步？): the answer says where first
    also_where: bool = False
    # the units a count is asked in (级 of 分哪几级, 步 of 有几步, 阶段 of 哪几个阶段): a heading
    # that states its own count in one (三级预警, 五步法) over as many items answers it
    asked_in: tuple[str, ...] = ()
    # topic words it counts in a list's counter (动作 of 标准动作是哪几步 → 步): a title numbering
    # its list in that counter (五步法) names them, as list_nouns.txt's counters name 步骤
    counts_of: tuple[tuple[str, str], ...] = ()
    # the measures it asks a figure in (money for 怎么收费, 多少钱: kb.asking), read once here
    asks: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _kind_rules() -> tuple[tuple[str, re.Pattern[str]], ...]:
    text = resources.files("kb.data").joinpath("question_kinds.txt").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, pattern = line.split(None, 1)
            rows.append((kind, both_scripts(pattern.strip())))
    return tuple(rows)


def definition_rule() -> re.Pattern[str]:
    """What asks for a definition (question_kinds.txt's definition row, either script)."""
    return dict(_kind_rules())["definition"]


@lru_cache(maxsize=1)
def _what_thing() -> re.Pattern[str]:
    return both_scripts(_WHAT_THING)


@lru_cache(maxsize=1)
def _where_part() -> re.Pattern[str]:
    return both_scripts(_WHERE_PART)


def analyse_question(text: str) -> Question:
    """The kind of answer wanted, the topic terms, and the script the question is in."""
    text = (text or "").strip()
    if not text:
        raise QueryError("empty question: ask e.g. 客户投诉应该按什么步骤处理?")
    typed = text
    norm = normalise_text(text)
    said = standard(norm)
    if said != norm:  # read as standard Chinese (我哋唔要 → 我们不要): what the documents say
        text = said
    kind = next((k for k, pattern in _kind_rules() if pattern.search(text)), "method")
    asks = asked_measures(said)
    if kind == "method" and asks:
        kind = "figure"  # how it is charged (怎么收费, 运费咋算) asks a figure, as kb.asking reads it
    also_where = False
    if kind == "location":
        # where it is taught, and what it says: the rest of the question names the answer's kind
        rules = dict(_kind_rules())
        rest = rules["location"].sub("", text)
        other = next((k for k, pattern in _kind_rules() if k in _WITH_WHERE and pattern.search(rest)), None)
        if other and _ASKS.search(rest):  # a question of its own (是哪五步), not a topic (讲步骤的是哪份)
            kind, also_where = other, True
    framing = framing_words()
    asking = sentences.asking_spans(text)  # 哪一年, 由谁, 在哪里: what is asked, never its topic
    if kind == "definition":  # 怎么定义, 什么意思, 含义: that a definition is asked, never what of
        asking += [m.span() for m in definition_rule().finditer(text)]
    asking += [m.span() for m in sentences.WHICH.finditer(text)]  # 何种, 哪家: which, never what
    asking += [m.span() for m in _what_thing().finditer(text)]  # 什么东西, 什么事: what, never a topic
    asking += [m.span() for m in _where_part().finditer(text)]  # 哪一章, 第几单元: where, never a topic
    # the word after 哪一种 / 何种 in a factoid names the kind of the answer (宗教 for 伊斯兰教),
    # which the answering sentence seldom says
    kinds_of = {m.end() for m in sentences.WHICH.finditer(text)} if kind == "factoid" else set()
    measured = sentences.measure_spans(text)
    simplified = norm if text == norm else normalise_text(text)  # the question in Simplified, its offsets
    counts = {m.end() for m in _COUNTING.finditer(simplified)}
    counted: list[str] = []
    measures: dict[str, str] = {}
    groups: dict[int, list[str]] = {}
    tokens = analyze(text)
    def in_measure(t) -> bool:  # 几度, 多少钱: a figure in a stated measure, held where its units are
        return any(a <= t.start and t.end <= b for a, b, _ in measured)

    # a word that opens with what is asked (几万人, 几千两: how many, in what) asks as a whole,
    # but for a figure in a stated measure (多少度), which the measure's units answer
    opening = {t.pos for t in tokens if not t.sub and any(a == t.start and b < t.end for a, b in asking)
               and not in_measure(t)}
    # a bare number is a count only before what it counts (5 个, 三 种); else it is a value the
    # question is about (那100分, 1990年, 3000元), as much its topic as any word
    for t in tokens:
        if t.pos in opening or (_ASKED_NUMBER.match(t.text) and not in_measure(t)) or (_COUNT.match(t.text) and (not _BARE.match(t.text) or _COUNTER_NEXT.match(simplified, t.end))):
            continue  # 几类, 三个, 五大: how many, not what
        # ... and a word the segmenter ran on from inside it (讲讲 of 第几讲讲的: 第几讲, then 讲的)
        if any(a <= t.start < b and (t.end <= b or a < t.start) for a, b in asking) or t.start in kinds_of:
            continue
        if t.text not in framing and (t.sub or t.pos not in groups):
            groups.setdefault(t.pos, []).append(t.text)
            if not t.sub and t.start in counts:
                counted.append(t.text)
            measures.update((t.text, kind) for a, b, kind in measured if a <= t.start and t.end <= b)
    topic = tuple(dict.fromkeys(tuple(g) for g in groups.values() if g and g[0] not in framing))
    units = {u for us in list_counters().values() for u in us}
    ends = {t.end: g[0] for t in tokens if not t.sub and (g := groups.get(t.pos)) and g[0] == t.text}
    counts_of = tuple(dict.fromkeys((ends[m.start()], m.group(1)) for m in _COUNT_OF.finditer(simplified)
                                    if m.group(1) in units and m.start() in ends))
    # how many it asks in (哪几步 → 步), or the counters a title numbers its list noun in (步骤 → 步:
    # 五步法 is a list of as many steps as it says)
    asked_in = tuple(dict.fromkeys([*(m.group(1) for m in _ASKED_IN.finditer(simplified)),
                                    *(u for g in topic for u in list_counters().get(g[0], ()))]))
    return Question(typed, kind, topic, detect_script(typed), _stated_count(normalise_text(text)),
                    tuple(measures.items()), tuple(counted), also_where, asked_in, counts_of, asks)


@lru_cache(maxsize=64)
def counted_in(noun: str, also: tuple[str, ...] = ()) -> re.Pattern[str] | None:
    """A count in the counters a title numbers a list noun in (五步, 3步, 两种 for 步骤, 类型:
    list_nouns.txt), and in `also`, the counters a question counts the noun in; None for none."""
    units = tuple(dict.fromkeys((*list_counters().get(noun, ()), *also)))
    return re.compile(rf"(?:[两二三四五六七八九十]|(?<!\d)[2-9](?!\d))个?(?:{'|'.join(units)})") if units else None


def asks_something(text: str) -> bool:
    """Whether a sentence asks: it ends on a question mark, or says what kind of answer it wants
    (question_kinds.txt) or a question word (哪, 几, 什么, 怎么, 吗; either script), not only
    what to do with the question (请分步说明)."""
    said = standard(normalise_text(text)).strip()
    return (said.endswith("?") or bool(_ASKS.search(said) or _EVERYDAY_ASKS.search(said))
            or any(p.search(said) for _, p in _kind_rules()))


def _stated_count(norm: str) -> int | None:
    m = STATED_COUNT.search(norm)
    return count_value(m.group(1)) if m else None


def count_value(n: str) -> int:
    """The number a stated count says, in digits or a numeral (5, 四, 两, 十)."""
    return int(n) if n.isdigit() else number_in_words(n) or 0
