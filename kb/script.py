"""Chinese script conversion (OpenCC) in one place: the corpus and the staff mix both scripts."""

from __future__ import annotations

import re
from functools import lru_cache

HANS, HANT = "hans", "hant"


@lru_cache(maxsize=None)
def _converter(config: str):
    from opencc import OpenCC  # opencc-python-reimplemented; imported on first use

    return OpenCC(config)


def to_hans(text: str) -> str:
    """Traditional to Simplified (OpenCC t2s); Simplified text passes unchanged."""
    return _converter("t2s").convert(text) if text else text


def to_hant(text: str) -> str:
    """Simplified to Traditional (OpenCC s2t)."""
    return _converter("s2t").convert(text) if text else text


def detect_script(text: str) -> str | None:
    """The script a text is written in: HANT, HANS, or None when it cannot tell."""
    hans = to_hans(text)
    trad_only = sum(a != b for a, b in zip(text, hans)) if len(hans) == len(text) else 0
    hant = to_hant(text)
    simp_only = sum(a != b for a, b in zip(text, hant)) if len(hant) == len(text) else 0
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


def both_scripts(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a regex written in Simplified so each CJK character also matches its Traditional form."""
    out: list[str] = []
    in_class = escaped = False
    for ch in pattern:
        variant = to_hant(ch) if "\u4e00" <= ch <= "\u9fff" else ch
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
            out.append(ch + variant if in_class else f"[{ch}{variant}]")
        else:
            out.append(ch)
    return re.compile("".join(out), flags)
