"""Analyse: one analyzer for documents and queries.

    text ─► normalise (NFKC, full→half width, lower case, OpenCC t2s) ─► segment ─► stop words

Normalisation keeps a map from each normalised character back to the original
one, so every token carries offsets into the *original* text (highlights land on
the script the reader saw). Latin and digit runs (SPIN, 5W2H, 80/20, 2B) are cut
out whole before jieba sees the Chinese runs; jieba's dictionary, with the domain
words, is loaded once per process into its own Tokenizer, and its cut (no HMM) is
made by kb over that dictionary (_Segmenter: the same words, in half the time).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from functools import lru_cache
from math import log
from importlib import resources
from pathlib import Path
from typing import Iterator, NamedTuple, Sequence

from .script import fold_word, matching_form, tables_version

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
        return matching_form(lowered), range(len(text))
    # each character on its own, through a table of what each becomes (str.translate: one pass
    # in C over the text; a Python loop here was a tenth of a search, for the highlights)
    out = text.translate(_char_forms)
    if len(out) == len(text):
        return matching_form(out), range(len(text))
    # each character's form's length, as a character (\x01 for most): only the others, found
    # by a pattern in C, cost a step of Python
    widths = text.translate(_char_widths)
    offsets: list[int] = []
    last = 0
    for m in _uneven.finditer(widths):
        i = m.start()
        offsets += range(last, i)
        offsets += [i] * ord(widths[i])
        last = i + 1
    offsets += range(last, len(text))
    return matching_form(out), offsets


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


class _Widths(dict):
    """A character's code point → the length of what normalise() makes of it, as a character."""

    def __missing__(self, code: int) -> str:
        self[code] = n = chr(len(_char_forms[code]))
        return n


_char_widths = _Widths()
_uneven = re.compile("[^\x01]")  # a character normalised to other than one character


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
    # the dictionary's words as matching reads them (kb.script.FOLDED: 覆盖 → 复盖), beside them
    for word, freq in list(tk.FREQ.items()):
        if freq and (folded := fold_word(word)) != word and not tk.FREQ.get(folded):
            tk.add_word(folded, freq)
    forced = []
    for line in _data_lines("userdict.txt"):
        parts = line.split()
        word, freq = matching_form(parts[0].lower()), int(parts[1]) if len(parts) > 1 else None
        tk.add_word(word, freq)
        if freq == 0:
            forced.append(word)
    if path:
        _write_cache(path, (tk.FREQ, tk.total, forced))
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


def cached(name: str, data_files: tuple[str, ...], build):
    """What `build()` makes of kb/data's `data_files`, kept as a pickle beside kb's dictionary
    cache: a table derived from text through jieba and the script tables (the phrasebook's
    expressions, normalised and segmented: 0.4 s of a new process's start) loads in a few ms.
    Keyed by what the dictionary cache is, the files' bytes and the code that reads them (this
    module, `build`'s and kb.lexicon), so that a change to any of them builds it again."""
    import sys

    path = _dictionary_cache(_import_jieba())
    if path is not None:
        h = hashlib.sha256(name.encode())
        for module in dict.fromkeys((__name__, build.__module__, "kb.lexicon")):
            h.update(Path(sys.modules[module].__file__).read_bytes())
        for data in data_files:
            h.update(data.encode() + b"\0" + resources.files("kb.data").joinpath(data).read_bytes())
        path = path.with_name(f"{path.stem}-{name}-{h.hexdigest()[:16]}.pickle")
        got = _read_cache(path)
        if got is not None:
            return got
    out = build()
    if path is not None:
        _write_cache(path, out)
    return out


def _read_dictionary(path: Path):
    """The cached dictionary, or None when it is missing, unreadable, not this user's own
    or damaged."""
    try:
        freq, total, forced = _read_cache(path)
    except Exception:  # any damage means: build it again
        return None
    return (freq, total, forced) if isinstance(freq, dict) and isinstance(total, int) else None


def _read_cache(path: Path):
    """What a cache file of kb's holds, or None when it is missing, unreadable, not this user's
    own (a pickle runs code: only a file this user wrote is loaded) or damaged."""
    import os
    import pickle

    try:
        with open(path, "rb") as f:
            if hasattr(os, "getuid") and os.fstat(f.fileno()).st_uid != os.getuid():
                return None
            return pickle.load(f)
    except Exception:  # any damage means: build it again
        return None


def _write_cache(path: Path, state) -> None:
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


class _Segmenter:
    """jieba's cut without HMM (`Tokenizer.cut(run, HMM=False)`) over a run of CJK characters,
    the same words (tests/test_analysis.py), in half the time (1.5 → 0.7 s of CPU for the runs
    of ten varied copies of the seeds): its DAG and best route made in one pass, each word's
    log-probability computed once, not at every place the word could start (jieba's `calc`
    takes a logarithm per candidate word). Each run's words, with
    their sub-words, are kept (a bounded number): a passage's breadcrumb, the sentences two
    overlapping windows share, and a library's repeated headings and phrases are cut once.

    HMM off: measured on the external sets, jieba's HMM for unknown names moved held-out P@1
    by +0.002 / +0.001 and cost the everyday set (search_dev2 MRR 0.463 → 0.447)."""

    RUNS = 20_000  # runs whose words are kept (about 25 MB a process): then the oldest half goes
    # jieba's own Chinese characters (its re_han_default, less the Latin it glues to them): a
    # CJK run's other characters (extension A, the last of the URO block, compatibility
    # ideographs) jieba gives back one at a time
    HAN = re.compile("[\u4e00-\u9fd5]+")

    def __init__(self, tk):
        self._freq = tk.FREQ
        self._logtotal = log(tk.total)
        self._logp: dict[str, float] = {}  # word → log(frequency or 1) - log(total), as jieba's calc
        self._runs: dict[str, tuple] = {}

    def words(self, sentence: str) -> list[str]:
        """jieba's words for a block of its Chinese characters: the route of highest
        probability through the dictionary's words, ties to the longer word (as jieba's `max`
        over (probability, end) pairs), each sum made in jieba's order, bit for bit."""
        freq, weights, logtotal = self._freq, self._logp, self._logtotal
        n = len(sentence)
        score = [0.0] * (n + 1)
        score[n] = 0
        end = [0] * n
        for k in range(n - 1, -1, -1):
            best, last = None, k
            i, frag = k, sentence[k]
            while i < n:
                f = freq.get(frag)
                if f is None:  # no word goes on with this prefix
                    break
                if f:
                    w = weights.get(frag)
                    if w is None:
                        w = weights[frag] = log(f) - logtotal
                    s = w + score[i + 1]
                    if best is None or s >= best:  # a later end wins a tie
                        best, last = s, i
                i += 1
                frag = sentence[k:i + 1]
            if best is None:  # no word starts here: the character alone
                best = log(freq.get(sentence[k]) or 1) - logtotal + score[k + 1]
            score[k], end[k] = best, last
        out, x = [], 0
        while x < n:
            y = end[x] + 1
            out.append(sentence[x:y])
            x = y
        return out

    def cut(self, run: str) -> tuple:
        """(word, offset, ((sub-word, offset), …)) for each word of a CJK run, in order."""
        got = self._runs.get(run)
        if got is not None:
            return got
        freq = self._freq
        out = []
        pos = 0
        for block in _jieba_blocks(run):
            words = self.words(block) if self.HAN.match(block) else block
            for word in words:
                subs: list[tuple[str, int]] = []
                if len(word) > 2:
                    for n in (2, 3):
                        for i in range(len(word) - n + 1):
                            gram = word[i: i + n]
                            if gram != word and freq.get(gram):
                                subs.append((gram, pos + i))
                out.append((word, pos, tuple(subs)))
                pos += len(word)
        got = tuple(out)
        if len(self._runs) >= self.RUNS:
            for key in list(self._runs)[: self.RUNS // 2]:
                del self._runs[key]
        self._runs[run] = got
        return got


def _jieba_blocks(run: str) -> list[str]:
    """A CJK run split as jieba splits it: its Chinese characters, and each other character alone."""
    han = _Segmenter.HAN
    if han.fullmatch(run):
        return [run]
    out, last = [], 0
    for m in han.finditer(run):
        out.extend(run[last:m.start()])
        out.append(m.group())
        last = m.end()
    out.extend(run[last:])
    return out


def _segmenter() -> _Segmenter:
    return _segmenter_of(jieba_tokenizer())


@lru_cache(maxsize=1)
def _segmenter_of(tk) -> _Segmenter:
    """The segmenter over this jieba Tokenizer (a test may load the dictionary again)."""
    return _Segmenter(tk)


def language_rate(word: str) -> float:
    """How often the language at large uses a word, per word of running text: its frequency
    in jieba's dictionary (a corpus of general Chinese; kb's domain words at the frequency
    userdict.txt gives them) over the dictionary's total; 0 for a word it does not list, and for
    a place name (美国, 广州: how often general text names a place says nothing of whether a
    manual covers sending things there)."""
    if word in place_names():
        return 0.0
    tk = jieba_tokenizer()
    return (tk.FREQ.get(word) or 0) / tk.total


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """The words jieba's dictionary tags as place names (ns), read from its dict.txt once
    (0.2 s) and kept in kb's cache folder (`cached`: a few ms to load)."""
    return cached("places", (), _read_place_names)


def _read_place_names() -> frozenset[str]:
    import os

    jieba = _import_jieba()
    names = set()
    with open(os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "ns":
                names.add(parts[0])
    return frozenset(names)


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


_token = tuple.__new__  # Token(…) without NamedTuple's __new__ frame: a build makes millions


def _tokens(norm: str, offsets: Sequence[int]) -> tuple[Token, ...]:
    stop = stop_words()
    cut = _segmenter().cut
    out: list[Token] = []
    add = out.append
    pos = 0
    # offsets are most often the identity (nothing normalised changed a length)
    at = None if isinstance(offsets, range) and offsets.start == 0 and offsets.step == 1 else offsets
    for m in _RUNS.finditer(norm):
        word = m.group(1)
        if word:
            if word not in stop:
                s, e = m.span()
                add(_token(Token, (word, pos, s, e, False) if at is None else (word, pos, at[s], at[e - 1] + 1, False)))
                pos += 1
            continue
        base = m.start()
        for word, off, subs in cut(m.group(2)):
            if word in stop:
                continue
            s = base + off
            e = s + len(word)
            add(_token(Token, (word, pos, s, e, False) if at is None else (word, pos, at[s], at[e - 1] + 1, False)))
            for gram, goff in subs:
                if gram not in stop:
                    s = base + goff
                    e = s + len(gram)
                    add(_token(Token, (gram, pos, s, e, True) if at is None else (gram, pos, at[s], at[e - 1] + 1, True)))
            pos += 1
    return tuple(out)


def terms(text: str) -> list[str]:
    """Main terms of a text, in order (no subwords): what proximity and coverage look at."""
    return [t.text for t in analyze(text, subwords=False)]
