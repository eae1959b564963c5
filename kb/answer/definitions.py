"""Definitions: what a definition question asks to define, and the sentence that defines it.

A question asks for a definition in the words of kb/data/question_kinds.txt's `definition` row
(什么是, 是什么意思, 怎么定义, 啥意思 …), of the term it quotes or of the topic words said right
next to those words (群体行为定律说的是什么 → 群体行为定律; 新加坡汉字的字源名称是什么 → 字源名称, not
新加坡汉字). A text defines a term in the words definitions are written in (本教材所称偏乡，是指…;
收派员是指…; 偏乡：…; …的定义是), not in any X是…, which every sentence about X says (measured:
reading X是… as a definition cost CMRC 0.884 -> 0.876 and DRCD 0.886 -> 0.882).
"""

from __future__ import annotations

import re

from ..analysis import normalise_text
from .question import Question, definition_rule

# the term a definition question asks about, when it quotes it (公司说的「偏乡」是怎么定义的)
_QUOTED = re.compile(r"[「『“\"]([^」』”\"]{2,20})[」』”\"]")
_SAID_OF = re.compile(r"(?:所说的|说的|讲的|指的|的)$")  # 偏乡说的是什么: of 偏乡


def asked_terms(q: Question) -> tuple[str, ...]:
    """The terms a definition question asks to define, longest first: the one it quotes, else
    runs of its topic words said right before or right after what asks for the definition."""
    norm = normalise_text(q.text)
    quoted = [m.group(1) for m in _QUOTED.finditer(norm)]
    if quoted:
        return tuple(quoted)
    asks = definition_rule().search(norm)
    if not asks:
        return ()
    words = [group[0] for group in q.topic]
    before = _SAID_OF.sub("", norm[:asks.start()].rstrip("，, "))
    after = norm[asks.end():]
    runs = {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
    return tuple(sorted((t for t in runs if len(t) >= 2 and (before.endswith(t) or after.startswith(t))),
                        key=len, reverse=True))


def defining(terms: tuple[str, ...]) -> re.Pattern[str]:
    """A normalised sentence that says what one of the terms is (^: at the sentence's start)."""
    t = "(?:" + "|".join(re.escape(x) for x in terms) + ")"
    quote_open, quote_close = "[「『“\"]?", "[」』”\"]?"
    return re.compile(
        rf"(?:所称|所谓){quote_open}{t}{quote_close}[，,]?(?:是指|指的是|指|即|是)"
        rf"|^{quote_open}{t}{quote_close}[，,]?(?:是指|指的是|就是指)"
        rf"|^{quote_open}{t}{quote_close}[：:]"
        rf"|{t}(?:的定义是|的定义为|定义为)")
