"""Analyse: one analyzer for documents and queries.

    text ─► normalise (NFKC, full→half width, lower case, OpenCC t2s) ─► segment ─► stop words

Normalisation keeps a map from each normalised character back to the original
one, so every token carries offsets into the *original* text (highlights land on
the script the reader saw). Latin and digit runs (SPIN, 5W2H, 80/20, 2B) are cut
out whole before jieba sees the Chinese runs; jieba runs on its own Tokenizer
with the domain dictionary, loaded once per process.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator, NamedTuple, Sequence

from .script import tables_version, to_hans

# Bump when tokens for the same text change: part of the pipeline's fingerprint (kb.catalog), so
# an index built with other tokens is built again.
ANALYZER_VERSION = "1"

_ASCII_WORD = r"[a-z0-9]+(?:[./+&\-][a-z0-9]+)*"
_CJK_RUN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
_RUNS = re.compile(f"({_ASCII_WORD})|({_CJK_RUN})")


class Token(NamedTuple):
    """A term with its position among the text's terms and its span in the original text.
    (A NamedTuple: indexing makes a few hundred thousand of these a second.)"""

    text: str
    pos: int
    start: int
    end: int
    sub: bool = False  # a shorter word inside a longer one (search-mode), same position


@lru_cache(maxsize=2048)
def normalise(text: str) -> tuple[str, Sequence[int]]:
    """Normalised text and, for each of its characters, the index of the original character.

    Cached: a passage is normalised for its fields, its stored form and its highlights."""
    lowered = text.lower()
    if len(lowered) == len(text) and unicodedata.is_normalized("NFKC", text):
        # the common case: nothing changes length, so offsets are the identity
        return to_hans(lowered), range(len(text))
    # each character on its own, through a table of what each becomes (str.translate: one pass
    # in C over the text; a Python loop here was a tenth of a search, for the highlights)
    out = text.translate(_char_forms)
    if len(out) == len(text):
        return to_hans(out), range(len(text))
    offsets: list[int] = []
    for i, ch in enumerate(text):
        offsets.extend([i] * len(_char_forms[ord(ch)]))
    return to_hans(out), offsets


class _Chars(dict):
    """A character's code point → what normalise() makes of the character alone: NFKC (ASCII
    and common CJK as they are), lower case. Filled as characters are met (str.translate's
    table)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        n = ch if ch.isascii() or "\u4e00" <= ch <= "\u9fff" else unicodedata.normalize("NFKC", ch)
        self[code] = n = n.lower()
        return n


_char_forms = _Chars()


def normalise_text(text: str) -> str:
    """The normalised form alone (what matching and scoring compare)."""
    return normalise(text)[0]


def _data_lines(name: str) -> list[str]:
    text = resources.files("kb.data").joinpath(name).read_text("utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(_data_lines("stopwords.txt"))


@lru_cache(maxsize=1)
def jieba_tokenizer():
    """The process's one jieba Tokenizer: main dictionary plus kb/data/userdict.txt."""
    import os

    jieba = _import_jieba()
    # jieba's one error is a cache it could not write, logged with a traceback: kb then simply
    # builds the dictionary again next time
    jieba.setLogLevel(logging.CRITICAL)
    logging.getLogger("jieba").setLevel(logging.CRITICAL)
    tk = jieba.Tokenizer()
    if hasattr(os, "getuid"):  # not /tmp/jieba.cache, which the first user to run jieba owns (0600)
        tk.cache_file = f"jieba.u{os.getuid()}.cache"
    path = _dictionary_cache(jieba)
    cached = _read_dictionary(path) if path else None
    if cached:
        tk.FREQ, tk.total, forced = cached
        tk.initialized = True
        for word in forced:
            jieba.finalseg.add_force_split(word)
        return tk
    tk.initialize()
    forced = []
    for line in _data_lines("userdict.txt"):
        parts = line.split()
        word, freq = to_hans(parts[0].lower()), int(parts[1]) if len(parts) > 1 else None
        tk.add_word(word, freq)
        if freq == 0:
            forced.append(word)
    if path:
        _write_dictionary(path, (tk.FREQ, tk.total, forced))
    return tk


def _dictionary_cache(jieba) -> Path | None:
    """Where this user keeps the prefix dictionary with kb's words added, as a pickle: it loads
    in a third of the time jieba's own marshal cache takes (0.2 s against 0.75 s), which is
    most of a new process's start. Keyed by everything that shapes it; None when there is no
    usable cache folder ($KB_CACHE_DIR, else $XDG_CACHE_HOME/kb or ~/.cache/kb)."""
    import os
    import sys

    base = os.environ.get("KB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "kb")
    try:
        main = os.stat(os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME))
    except OSError:
        return None
    key = hashlib.sha256(repr((jieba.__version__, main.st_size, main.st_mtime_ns, sys.version_info[:2],
                               tables_version())).encode())
    key.update(resources.files("kb.data").joinpath("userdict.txt").read_bytes())
    return Path(base) / f"jieba-{key.hexdigest()[:16]}.pickle"


def _read_dictionary(path: Path):
    """The cached dictionary, or None when it is missing, unreadable, not this user's own
    (a pickle runs code: only a file this user wrote is loaded) or damaged."""
    import os
    import pickle

    try:
        with open(path, "rb") as f:
            if hasattr(os, "getuid") and os.fstat(f.fileno()).st_uid != os.getuid():
                return None
            freq, total, forced = pickle.load(f)
    except Exception:  # any damage means: build it again
        return None
    return (freq, total, forced) if isinstance(freq, dict) and isinstance(total, int) else None


def _write_dictionary(path: Path, state) -> None:
    """Write atomically (a reader never sees half a file); a cache that cannot be written is
    simply not there next time."""
    import os
    import pickle
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".jieba-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def _import_jieba():
    """jieba imports pkg_resources (150 ms, and deprecated) only to open its own dictionary
    file, and opens it directly when that import fails: so it fails, for jieba alone."""
    import sys

    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import jieba
    finally:
        if hide:
            del sys.modules["pkg_resources"]
    return jieba


def _segment(run: str) -> Iterator[tuple[str, int, list[tuple[str, int]]]]:
    """jieba over a Chinese run: (word, offset, [(subword, offset)…]) in order."""
    tk = jieba_tokenizer()
    pos = 0
    # HMM off: measured on the external sets, jieba's HMM for unknown names moved held-out P@1
    # by +0.002 / +0.001 and cost the everyday set (search_dev2 MRR 0.463 → 0.447)
    for word in tk.cut(run, HMM=False):
        subs: list[tuple[str, int]] = []
        if len(word) > 2:
            for n in (2, 3):
                for i in range(len(word) - n + 1):
                    gram = word[i: i + n]
                    if gram != word and tk.FREQ.get(gram):
                        subs.append((gram, pos + i))
        yield word, pos, subs
        pos += len(word)


def analyze(text: str, subwords: bool = True) -> list[Token]:
    """Tokens of a text: sequential positions (after stop words), offsets into `text`."""
    tokens = _analyze(text)
    return list(tokens) if subwords else [t for t in tokens if not t.sub]


@lru_cache(maxsize=1024)
def _analyze(text: str) -> tuple[Token, ...]:
    """Cached: indexing analyses a passage for several fields, search highlights the same hits."""
    return _tokens(*normalise(text))


@lru_cache(maxsize=256)
def analyze_repaired(text: str) -> tuple[Token, ...]:
    """For a spun document: the tokens its repaired normalisation adds (投诉 where the text
    says 赞扬), with offsets into the original text. Tokens the repair did not touch are left
    out, so indexing them beside the original counts nothing twice."""
    from .lexicon import repair

    norm, offsets = normalise(text)
    fixed, spans = repair(norm)
    if not spans:
        return ()
    changed = [t for t in _tokens(fixed, offsets) if _touches(t, spans, offsets)]
    return tuple(changed)


def _touches(tok: Token, spans: list[tuple[int, int]], offsets: Sequence[int]) -> bool:
    return any(offsets[s] < tok.end and tok.start < offsets[e - 1] + 1 for s, e in spans)


def _tokens(norm: str, offsets: Sequence[int]) -> tuple[Token, ...]:
    stop = stop_words()
    out: list[Token] = []
    pos = 0

    def span(s: int, e: int) -> tuple[int, int]:
        return offsets[s], offsets[e - 1] + 1

    for m in _RUNS.finditer(norm):
        if m.group(1):
            word = m.group(1)
            if word not in stop:
                out.append(Token(word, pos, *span(m.start(), m.end())))
                pos += 1
            continue
        base = m.start()
        for word, off, subs in _segment(m.group(2)):
            if word in stop:
                continue
            s = base + off
            out.append(Token(word, pos, *span(s, s + len(word))))
            for gram, goff in subs:
                if gram not in stop:
                    gs = base + goff
                    out.append(Token(gram, pos, *span(gs, gs + len(gram)), sub=True))
            pos += 1
    return tuple(out)


def terms(text: str) -> list[str]:
    """Main terms of a text, in order (no subwords): what proximity and coverage look at."""
    return [t.text for t in analyze(text, subwords=False)]
