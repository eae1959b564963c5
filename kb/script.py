"""Chinese script conversion (OpenCC) in one place: the corpus and the staff mix both scripts."""

from __future__ import annotations

import re
from functools import lru_cache

HANS, HANT = "hans", "hant"


@lru_cache(maxsize=None)
def _converter(config: str):
    from opencc import OpenCC  # opencc-python-reimplemented; imported on first use

    return OpenCC(config)


@lru_cache(maxsize=1)
def _t2s_tables() -> tuple[dict[int, str], re.Pattern[str] | None, dict[str, str], re.Pattern[str] | None]:
    """OpenCC's own t2s dictionaries, compiled for speed: every character conversion as one
    str.translate table, and the few phrases whose conversion differs from their characters'
    (瞭解 → 了解, 乾坤 stays 乾坤) as one pattern. All keep the text's length."""
    import os

    import opencc

    folder = os.path.join(os.path.dirname(opencc.__file__), "dictionary")

    def rows(name: str):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for line in f:
                key, _, values = line.rstrip("\n").partition("\t")
                if key and values:
                    yield key, values.split(" ")[0]

    chars = {k: v for k, v in rows("TSCharacters.txt") if len(k) == 1 and len(v) == 1}
    table = {ord(k): v for k, v in chars.items()}
    phrases = {
        k: v for k, v in rows("TSPhrases.txt")
        if len(k) == len(v) and "".join(chars.get(c, c) for c in k) != v
    }
    pattern = re.compile("|".join(map(re.escape, sorted(phrases, key=len, reverse=True)))) if phrases else None
    # the characters those phrases convert otherwise (乾, 瞭, 麼 …): without one, no phrase applies
    triggers = {a for k, v in phrases.items() for a, b in zip(k, v) if chars.get(a, a) != b}
    trigger = re.compile("[" + "".join(sorted(triggers)) + "]") if triggers else None
    return table, pattern, phrases, trigger


def to_hans(text: str) -> str:
    """Traditional to Simplified, as OpenCC t2s converts, keeping the text's length.

    OpenCC's pure-Python converter runs at about 0.3 MB/s, slower than segmenting; the same
    dictionaries applied as a translate table plus a phrase pattern run a hundred times faster
    (identical output on the seeds, see tests/test_analysis.py)."""
    if not text:
        return text
    table, pattern, phrases, trigger = _t2s_tables()
    simple = text.translate(table)
    if pattern is None or not trigger.search(text):
        return simple
    parts, last = [], 0
    for m in pattern.finditer(text):
        parts.append(simple[last: m.start()])
        parts.append(phrases[m.group()])
        last = m.end()
    if not parts:
        return simple
    parts.append(simple[last:])
    return "".join(parts)


def to_hans_opencc(text: str) -> str:
    """The reference converter (OpenCC t2s, pure Python): for checks and the benchmark floor."""
    return _converter("t2s").convert(text) if text else text


def to_hant(text: str) -> str:
    """Simplified to Traditional (OpenCC s2t)."""
    return _converter("s2t").convert(text) if text else text


def detect_script(text: str) -> str | None:
    """The script a text is written in: HANT, HANS, or None when it cannot tell. Counted per
    character (one t2s changes is Traditional; one that has Traditional forms is Simplified),
    from the t2s tables: no s2t converter is built for it (0.08 s)."""
    hans = to_hans(text)
    trad_only = sum(a != b for a, b in zip(text, hans)) if len(hans) == len(text) else 0
    forms = _hant_forms()
    simp_only = sum(c in forms for c in text)
    if trad_only > simp_only:
        return HANT
    if simp_only > trad_only:
        return HANS
    return None


def convert(text: str, script: str | None) -> str:
    """Render text in a script: 'hans', 'hant', or None/'original' to leave it as it is."""
    if script == HANS:
        return to_hans(text)
    if script == HANT:
        return to_hant(text)
    return text


@lru_cache(maxsize=1)
def _hant_forms() -> dict[str, str]:
    """Each Simplified character's Traditional forms (发 → 發髮), from the t2s table read anyway
    for analysis: compiling patterns never loads OpenCC's s2t converter (0.16 s)."""
    out: dict[str, str] = {}
    for trad, simp in _t2s_tables()[0].items():
        if chr(trad) != simp:
            out[simp] = out.get(simp, "") + chr(trad)
    return out


def both_scripts(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a regex written in Simplified so each CJK character also matches its Traditional forms."""
    forms = _hant_forms()
    out: list[str] = []
    in_class = escaped = False
    for ch in pattern:
        variant = ch + forms.get(ch, "") if "\u4e00" <= ch <= "\u9fff" else ch
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "[" and not in_class:
            in_class = True
            out.append(ch)
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        elif variant != ch:
            out.append(variant if in_class else f"[{variant}]")
        else:
            out.append(ch)
    return re.compile("".join(out), flags)
