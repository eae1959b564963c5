"""Chinese script conversion (OpenCC) in one place: the corpus and the staff mix both scripts."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator, NamedTuple

HANS, HANT = "hans", "hant"


@lru_cache(maxsize=None)
def _converter(config: str):
    from opencc import OpenCC  # opencc-python-reimplemented; imported on first use

    return OpenCC(config)


_OPENCC = "opencc"  # kb/data/opencc: OpenCC 1.4's dictionaries, with their source and licence
# Taiwan and Hong Kong variants not taken: 著 and 么 are Simplified characters in their own
# right (显著, 什么), and tw2s needs 1,128 phrases to keep them where Taiwan text means them;
# t2s leaves both as they are
_VARIANTS_KEPT_AS_T2S = frozenset("著么")
_TABLES = ("CJK_Compatibility_Ideographs.txt", "TSCharacters.txt", "TSPhrases.txt",
           "TWVariantsRev.txt", "HKVariantsRev.txt")
_T2S_ALGORITHM = "t2s+variants 3"  # change when to_hans or matching_form changes with the same files
# Traditional characters that s2t writes for a Simplified one (反复 → 反覆, 借口 → 藉口, 家具 →
# 傢俱, 它 → 牠) and that t2s keeps, being Simplified characters too: matching reads them as the
# Simplified one, so that a text and its other script read alike (OpenCC's STCharacters and
# STPhrases, each pair checked against kb's t2s; 著 stays, as _VARIANTS_KEPT_AS_T2S says).
FOLDED = {"覆": "复", "藉": "借", "瞭": "了", "彷": "仿", "祇": "只", "牠": "它", "甦": "苏", "揹": "背",
          "伕": "夫", "甯": "宁", "暱": "昵", "俱": "具", "吒": "咤", "锺": "钟", "薰": "熏"}


def _dictionary(name: str) -> list[tuple[str, list[str], bool]]:
    """(key, values, tofu-risk) of one OpenCC text dictionary: a `# @tofu-risk:` line marks the
    next entry, whose rare second value OpenCC's generated TSCharactersExt gives t2s."""
    from importlib import resources

    text = resources.files("kb.data").joinpath(_OPENCC, name).read_text("utf-8")
    out, risk = [], False
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            risk = line.startswith("# @tofu-risk:")
            continue
        key, _, values = line.partition("\t")
        out.append((key, values.split(" "), risk))
        risk = False
    return out


def tables_version() -> str:
    """Identifies the conversion tables (their files' bytes): part of the key of jieba's
    dictionary cache (kb.analysis); the pipeline's fingerprint (kb.catalog) reads the files."""
    import hashlib
    from importlib import resources

    h = hashlib.sha256(_T2S_ALGORITHM.encode())
    folder = resources.files("kb.data").joinpath(_OPENCC)
    for name in _TABLES:
        h.update(folder.joinpath(name).read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def _t2s_tables() -> _Tables:
    """OpenCC 1.4's t2s, compiled for speed: normalisation, Taiwan/Hong Kong variants and every
    character's conversion as one str.translate table; TSPhrases matched as OpenCC matches
    them (longest first, left to right), and only where a trigger says one may convert
    otherwise than its characters (瞭解 → 了解, 乾坤 stays 乾坤). Every entry keeps the length."""
    norm = {k: v[0] for k, v, _ in _dictionary("CJK_Compatibility_Ideographs.txt") if len(k) == len(v[0]) == 1}
    chars: dict[str, str] = {}
    for key, values, risk in _dictionary("TSCharacters.txt"):
        ext = [v for v in values if v != key] if risk else []
        chars[key] = ext[0] if ext else values[0]  # OpenCC's t2s puts TSCharactersExt first
    variants: dict[str, str] = {}
    for name in ("HKVariantsRev.txt", "TWVariantsRev.txt"):
        for key, values, _ in _dictionary(name):
            # only where t2s leaves the character as it is (衞, 痺): one t2s converts keeps its
            # conversion (顎 → 颚 as the Simplified text writes it, not tw2s's 腭)
            if key not in chars and key not in _VARIANTS_KEPT_AS_T2S and chars.get(values[0], values[0]) != key:
                variants.setdefault(key, values[0])

    def char(c: str) -> str:
        c = norm.get(c, c)
        c = variants.get(c, c)
        return chars.get(c, c)

    table = {}
    for key in norm.keys() | variants.keys() | chars.keys():
        value = char(key)
        if value != key and len(key) == len(value) == 1:
            table[ord(key)] = value
    # a phrase that changed the text's length would move every offset after it: none of
    # OpenCC 1.4's does, and one that ever did would be left to its characters
    phrases = {k: v[0] for k, v, _ in _dictionary("TSPhrases.txt") if len(k) == len(v[0]) > 1}
    # the characters some phrase converts otherwise (乾, 瞭, 麼 …) and their compatibility
    # forms: a text with none of them converts by the table alone
    triggers = {a for k, v in phrases.items() for a, b in zip(k, v) if char(a) != b}
    triggers |= {k for k, v in norm.items() if v in triggers}
    # no phrase crosses a character that is in none of them: OpenCC's matching starts afresh
    # after one, so the run of phrase characters around a trigger is matched on its own
    inside = set("".join(phrases))
    inside |= {k for k, v in norm.items() if v in inside}
    # the characters a phrase keeps where the table converts them (於 of 於潛 → 於潜, 乾 of 乾隆)
    kept = {c for v in phrases.values() for c in v if ord(c) in table}
    return _Tables(table, {ord(k): v for k, v in norm.items()}, phrases,
                   tuple(sorted({len(k) for k in phrases if len(k) > 1}, reverse=True)),
                   re.compile("[" + "".join(sorted(triggers)) + "]"), frozenset(inside),
                   re.compile("[" + "".join(sorted(kept)) + "]"))


class _Tables(NamedTuple):
    table: dict[int, str]  # every character: normalised, variant, converted
    norm: dict[int, str]  # compatibility ideographs: phrases are matched in the normalised text
    phrases: dict[str, str]  # all of TSPhrases (one that converts as its characters still
    lengths: tuple[int, ...]  # stops a later one from starting inside it), and their lengths
    trigger: re.Pattern[str]  # a character some phrase converts otherwise
    inside: frozenset[str]  # the characters phrases are made of
    kept: re.Pattern[str]  # a character a phrase keeps where the table converts it


def to_hans(text: str) -> str:
    """Traditional to Simplified as OpenCC 1.4 t2s converts (all its published t2s cases, see
    tests/test_script.py), plus Taiwan and Hong Kong variant characters; keeps the length.

    OpenCC's pure-Python converter runs at 0.3 to 0.7 MB/s, slower than segmenting; one
    translate table, plus phrases matched only around the few characters that need them,
    runs 10 to 25 times faster on a shared machine, as fast as the 2017 tables did
    (seeds and DRCD's articles, the tables built in 6 ms)."""
    if not text:
        return text
    t = _t2s_tables()
    simple = text.translate(t.table)
    parts: list[str] = []
    last = done = 0
    for hit in t.trigger.finditer(text):
        if hit.start() < done:
            continue  # in the run already matched
        start = hit.start()
        while start > 0 and text[start - 1] in t.inside:
            start -= 1
        done = hit.end()
        while done < len(text) and text[done] in t.inside:
            done += 1
        run = text[start: done].translate(t.norm)
        for i, phrase in _longest_first(run, t.phrases, t.lengths):
            if phrase != simple[start + i: start + i + len(phrase)]:
                parts += (simple[last: start + i], phrase)
                last = start + i + len(phrase)
    if not parts:
        return simple
    parts.append(simple[last:])
    return "".join(parts)


def matching_form(text: str) -> str:
    """The Simplified form both scripts of a text are matched in: to_hans, and to_hans again
    where a phrase kept a character t2s converts elsewhere. OpenCC keeps 於 in 於潛 (a county's
    name) and converts 潛 → 於潜; but 於潜, as Simplified text writes it, matches no phrase and
    becomes 于潜, so 位於潛江 and 位於潜江 read apart (a query and its other script found other
    passages). The second pass makes the form one: 位于潜江 from either; 乾隆 stays 乾隆 from
    either, its phrase matching in both. And the characters s2t writes that t2s keeps are read
    as the Simplified ones (FOLDED: 反覆 → 反复, 藉口 → 借口, 傢俱 → 家具). Keeps the length."""
    once = to_hans(text)
    if _t2s_tables().kept.search(once):
        once = to_hans(once)
    return once.translate(_folds())


@lru_cache(maxsize=1)
def _folds() -> dict[int, str]:
    return str.maketrans(FOLDED)


def fold_word(word: str) -> str:
    """A dictionary word as matching reads it (FOLDED): 覆盖 → 复盖, so that jieba still finds it."""
    return word.translate(_folds())


def _longest_first(text: str, phrases: dict[str, str], lengths: tuple[int, ...]) -> Iterator[tuple[int, str]]:
    """(offset, conversion) of each phrase OpenCC matches in text: at each place the longest
    one that starts there, else the next character."""
    i = 0
    while i < len(text) - 1:
        for n in lengths:
            if (value := phrases.get(text[i: i + n])) is not None:
                yield i, value
                i += n
                break
        else:
            i += 1


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
    for trad, simp in _t2s_tables().table.items():
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
