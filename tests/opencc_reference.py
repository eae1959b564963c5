"""OpenCC's conversion as its C++ code does it (Conversion.cpp, DictGroup.cpp), slowly and
plainly, over kb's own copies of its dictionaries: the reference kb's fast to_hans is held to.

t2s: normalise compatibility ideographs, then at each place the longest TSPhrases entry that
starts there, else the character's TSCharactersExt form, else its TSCharacters form, else
the character itself."""

from __future__ import annotations

from functools import lru_cache

from kb.script import _dictionary


def _longest(dicts: list[dict[str, str]], text: str, i: int) -> tuple[int, str] | None:
    """A group with match_policy short_circuit: the first dictionary with any match wins."""
    for d in dicts:
        for n in range(min(max(map(len, d)), len(text) - i), 0, -1):
            if text[i: i + n] in d:
                return n, d[text[i: i + n]]
    return None


def _convert(dicts: list[dict[str, str]], text: str) -> str:
    out, i = [], 0
    while i < len(text):
        match = _longest(dicts, text, i)
        n, value = match or (1, text[i])
        out.append(value)
        i += n
    return "".join(out)


@lru_cache(maxsize=1)
def _t2s() -> tuple[dict[str, str], list[dict[str, str]]]:
    norm = {k: v[0] for k, v, _ in _dictionary("CJK_Compatibility_Ideographs.txt")}
    rows = _dictionary("TSCharacters.txt")
    ext = {k: [v for v in vs if v != k][0] for k, vs, risk in rows if risk}
    chars = {k: vs[0] for k, vs, _ in rows}
    phrases = {k: v[0] for k, v, _ in _dictionary("TSPhrases.txt")}
    return norm, [phrases, ext, chars]


def t2s(text: str) -> str:
    norm, chain = _t2s()
    return _convert(chain, _convert([norm], text))


def variant_characters() -> set[str]:
    """The Taiwan and Hong Kong variant characters kb converts beyond t2s."""
    return {k for name in ("TWVariantsRev.txt", "HKVariantsRev.txt") for k, _, _ in _dictionary(name)}
