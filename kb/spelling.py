"""Spelling: fixes for query words that are typos, and only for those.

A query word the corpus never uses as a token may be a typo (头诉 for 投诉, fbae for fabe),
but it may just as well be text the corpus holds: a word inside a longer token (湖人 of
洛杉矶湖人), or a name jieba cuts into single characters (于乐 read as 于 / 乐). Measured on
Wikipedia text, nine in ten same-pinyin "fixes" were such strings. So each index generation
records which pairs of adjacent characters its passages' normalised text holds (PAIRS),
and a word is held when every adjacent pair of it is: exact for two characters, the length
of nearly every candidate, and for a longer word an error towards leaving it alone.

The file keeps, for each pair, how many times the passages' text holds it, so an update
subtracts the removed passages' pairs and adds the new ones instead of reading the whole
library again. A query reads only the pairs themselves, and only when it has a fix candidate.

Candidates come from indexes built once per opened store (Speller), never from a scan of
the vocabulary per word: words by (length, character) for the same-pinyin fixes, whose
pinyin is then compared for the few that could match; symmetric deletions (SymSpell) for
words of letters and digits.
"""

from __future__ import annotations

import math

import re
import sys
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol

PAIRS = "pairs.bin"  # in each generation directory, beside passages.jsonl
_MAGIC = b"kbpairs1"  # then how many pairs (4 bytes), the pairs, their counts: 4-byte big-endian numbers
_LATIN = re.compile(r"[a-z0-9]+")
_CHINESE_WORD = re.compile("[\u4e00-\u9fff]{2,}")  # what a same-pinyin fix may replace, or be
MIN_LATIN = 3  # letter words this long or longer only: shorter ones are one edit from too much


class Vocabulary(Protocol):
    def doc_frequency(self, term: str) -> int: ...
    def vocabulary(self) -> frozenset[str]: ...


# --- the character pairs a generation's text holds -----------------------------------
#
# A pair of characters is one number, first << 16 | second: what the text's UTF-16-BE bytes
# read four at a time say, so a passage's pairs are counted without making a string of each
# (half the cost, and the build pays it for every passage). Every pair is kept, CJK or not:
# sorting out the CJK ones would cost a Python call per pair on every build and update, and
# the others are never asked about (a CJK pair's number is never that of another pair; a
# character beyond the BMP is two numbers that are never CJK).


def add_pairs(counts: Counter, text: str) -> None:
    """Count every pair of adjacent characters of a passage's normalised text."""
    units = text.encode("utf-16-be")
    for start in (0, 2):  # pairs starting at even characters, then at odd ones
        codes = array("I")
        codes.frombytes(units[start: start + (len(units) - start) // 4 * 4])
        if sys.byteorder == "little":
            codes.byteswap()
        counts.update(codes)


def pair_code(a: str, b: str) -> int:
    return ord(a) << 16 | ord(b)


def subtract(counts: Counter, removed: Counter) -> bool:
    """Take the removed passages' pairs out of the counts. False, with the counts left in an
    undefined state, when they do not hold what is removed: the text then normalises
    differently than when it was counted, and only counting afresh is exact."""
    for code, n in removed.items():
        have = counts.get(code, 0)
        if have < n:
            return False
        if have == n:
            del counts[code]
        else:
            counts[code] = have - n
    return True


def write_pairs(path: Path, counts: Counter) -> None:
    """Write the pairs in order, then how often the text holds each (for updates)."""
    codes = array("I", sorted(c for c, n in counts.items() if n > 0))
    numbers = array("I", map(counts.__getitem__, codes))
    if sys.byteorder == "little":
        codes.byteswap()
        numbers.byteswap()
    with open(path, "wb") as f:
        f.write(_MAGIC + len(codes).to_bytes(4, "big"))
        f.write(codes.tobytes())
        f.write(numbers.tobytes())


def _read(path: Path, with_counts: bool) -> tuple[array, array] | None:
    """The pairs and, when asked, their counts; None when the file is missing (an index built
    by an older kb) or damaged: spelling then falls back (Speller.holds), an update counts
    afresh."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(_MAGIC) + 4)
            if len(head) != len(_MAGIC) + 4 or not head.startswith(_MAGIC):
                return None
            n = int.from_bytes(head[len(_MAGIC):], "big")
            codes, counts = array("I"), array("I")
            codes.frombytes(f.read(4 * n))
            if with_counts:
                counts.frombytes(f.read(4 * n))
    except (OSError, ValueError):
        return None
    if len(codes) != n or (with_counts and len(counts) != n):
        return None
    if sys.byteorder == "little":
        codes.byteswap()
        counts.byteswap()
    return codes, counts


def read_pair_counts(path: Path) -> Counter | None:
    """A generation's pair counts, for an update to change; None when it has none."""
    got = _read(path, with_counts=True)
    return Counter(dict(zip(*got))) if got else None


@dataclass(frozen=True, eq=False)
class CharPairs:
    """The adjacent character pairs a generation's text holds, as sorted numbers."""

    codes: array

    def holds(self, word: str) -> bool:
        """Whether every adjacent pair of the word occurs in the text."""
        for a, b in zip(word, word[1:]):
            if ord(a) > 0xFFFF or ord(b) > 0xFFFF:
                return False
            code = pair_code(a, b)
            i = bisect_left(self.codes, code)
            if i == len(self.codes) or self.codes[i] != code:
                return False
        return True


def read_pairs(path: Path) -> CharPairs | None:
    """The pairs alone, which is what a query needs: one read, no decoding."""
    got = _read(path, with_counts=False)
    return CharPairs(got[0]) if got else None


# --- fixes -----------------------------------------------------------------------------


class Speller:
    """Spelling fixes over one index generation. Each part is built on first use only (the
    pairs, the words by character, the letter words by deletion), and kept as long as the
    store is open (IndexStore.speller): a fix then costs a few dictionary lookups."""

    def __init__(self, vocab: Vocabulary, pairs_path: Path | None = None):
        self._vocab = vocab
        self._pairs_path = pairs_path
        self._pairs: CharPairs | None | bool = False  # False: not read yet; None: no such file
        self._by_char: dict[tuple[int, str], list[str]] | None = None
        self._longest = 0  # the longest word in _by_char
        self._deletions: dict[str, list[str]] | None = None
        self._sounds: dict[str, str] = {}
        self._chars: dict[str, int] | None = None  # corpus words holding each character

    def holds(self, word: str) -> bool:
        """Whether the corpus's text holds the word: then it is no typo. Without a pairs file
        (an index built by an older kb), whether a corpus token contains it."""
        if self._pairs is False:
            self._pairs = read_pairs(self._pairs_path) if self._pairs_path else None
        if self._pairs is not None:
            return self._pairs.holds(word)
        by_char = self._words_by_char()
        return any(word in w for n in range(len(word), self._longest + 1) for w in by_char.get((n, word[0]), ()))

    def same_sound(self, word: str) -> str | None:
        """The most used corpus word that sounds like `word` (toneless pinyin) and shares a
        character with it. Only words of its length sharing a character are looked at, and only
        those whose characters can each be read as the word's are sounded out."""
        by_char = self._words_by_char()
        near = {w for c in set(word) for w in by_char.get((len(word), c), ()) if w != word}
        if not near:
            return None
        readings = [_readings(c) for c in word]
        kept = set()
        for w in near:  # each character the word's, or sharing a reading with it (a loop: no generator a word)
            for a, b, r in zip(word, w, readings):
                if a != b and r.isdisjoint(_readings(b)):
                    break
            else:
                kept.add(w)
        near = kept
        if not near:
            return None
        key = pinyin(word)
        options = [w for w in near if self._sound(w) == key]
        return max(options, key=lambda w: (self._vocab.doc_frequency(w), w)) if options else None

    def sharing(self, word: str) -> list[tuple[str, float]]:
        """Corpus words of two to four characters that share a character with `word`, each with
        how telling the characters it shares are (the sum of their inverse frequency among the
        corpus's words: 款 of 退款 tells more than 人 of 客人)."""
        by_char = self._words_by_char()
        counts = self._char_counts()
        total = max(sum(counts.values()), 1)
        out: dict[str, float] = {}
        for c in set(word):
            if not counts.get(c):
                continue
            weight = math.log(total / counts[c])
            for n in range(2, 5):
                for w in by_char.get((n, c), ()):
                    if w != word:
                        out[w] = out.get(w, 0.0) + weight
        return sorted(out.items(), key=lambda kv: (-kv[1], -self._vocab.doc_frequency(kv[0]), kv[0]))

    def _char_counts(self) -> dict[str, int]:
        if self._chars is None:
            counts: dict[str, int] = {}
            for (_, c), words in self._words_by_char().items():
                counts[c] = counts.get(c, 0) + len(words)
            self._chars = counts
        return self._chars

    def one_edit(self, word: str) -> str | None:
        """The most used corpus term of letters and digits one edit from `word`: a letter
        swapped with its neighbour, replaced, dropped or added (fbae → fabe, spni → spin).
        Two words one edit apart share a key of at most one deletion each (SymSpell)."""
        index = self._words_by_deletion()
        near = {w for key in {word, *_deletions(word)} for w in index.get(key, ())}
        options = [w for w in near if w != word and edits(word, w) == 1]
        return max(options, key=lambda w: (self._vocab.doc_frequency(w), w)) if options else None

    def _sound(self, word: str) -> str:
        sound = self._sounds.get(word)
        if sound is None:
            sound = self._sounds[word] = pinyin(word)
        return sound

    def _words_by_char(self) -> dict[tuple[int, str], list[str]]:
        if self._by_char is None:
            self._by_char = words_by_char(self._vocab.vocabulary())
            self._longest = max((n for n, _ in self._by_char), default=0)
        return self._by_char

    def _words_by_deletion(self) -> dict[str, list[str]]:
        if self._deletions is None:
            self._deletions = words_by_deletion(self._vocab.vocabulary())
        return self._deletions


def speller_of(vocab: Vocabulary) -> Speller:
    """The store's own speller, built once per opened store; any other vocabulary gets a
    fresh one (built again on every call: fine for a test's few words)."""
    own: Callable[[], Speller] | None = getattr(vocab, "speller", None)
    return own() if own else Speller(vocab)


def words_by_char(vocabulary: frozenset[str]) -> dict[tuple[int, str], list[str]]:
    """Chinese words of two characters or more, under (length, each of their characters)."""
    out: defaultdict[tuple[int, str], list[str]] = defaultdict(list)
    for w in filter(_CHINESE_WORD.fullmatch, vocabulary):
        n = len(w)
        for c in set(w):
            out[n, c].append(w)
    return dict(out)


def words_by_deletion(vocabulary: frozenset[str]) -> dict[str, list[str]]:
    """Letter-and-digit words of MIN_LATIN characters or more, under themselves and each
    form of them with one character deleted."""
    out: defaultdict[str, list[str]] = defaultdict(list)
    for w in filter(_LATIN.fullmatch, vocabulary):
        if len(w) >= MIN_LATIN:
            for key in {w, *_deletions(w)}:
                out[key].append(w)
    return dict(out)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment) between two short words."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def pinyin(word: str) -> str:
    """A word's toneless pinyin, read as a phrase (银行: yin hang)."""
    from pypinyin import lazy_pinyin  # loaded only when a query needs a spelling fix

    return " ".join(lazy_pinyin(word))


@lru_cache(maxsize=None)
def _readings(char: str) -> frozenset[str]:
    """Every toneless reading of a character. pypinyin reads a phrase's characters among these
    (checked over three corpora's vocabularies), so two words can only sound alike where each
    pair of characters shares a reading: a cheap test before sounding out a whole word."""
    from pypinyin import Style
    from pypinyin import pinyin as readings

    return frozenset(readings(char, style=Style.NORMAL, heteronym=True)[0])
