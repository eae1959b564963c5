"""Read: bytes to text, detecting the encodings Chinese offices actually use.

Order matters: a BOM is certain, UTF-8 is strict enough to be trusted when it
decodes, and only then do the legacy double-byte codecs compete (GB18030 will
happily "decode" Big5 bytes into nonsense, so both are tried and scored).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ReadError


@dataclass(frozen=True)
class SourceText:
    """A decoded file: its text, the encoding it was read with, and its bytes' hash."""

    path: Path
    text: str
    encoding: str
    sha256: str


def read_file(path: Path) -> SourceText:
    """Read one file, or raise ReadError with a message that names the file."""
    import hashlib

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    text, encoding = decode_bytes(data, name=str(path))
    return SourceText(path, text, encoding, hashlib.sha256(data).hexdigest())


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode bytes to str, returning (text, encoding name)."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _strict(data, enc, name), enc
    utf16 = _sniff_utf16(data)
    if utf16:
        return _strict(data, utf16, name), utf16
    if b"\x00" in data:  # only UTF-16 text holds NUL bytes
        encodings: tuple[str, ...] = ("utf-16-le", "utf-16-be")
    else:
        try:
            return _check_text(data.decode("utf-8"), name), "utf-8"
        except UnicodeDecodeError:
            encodings = ("gb18030", "big5", "utf-16-le", "utf-16-be")
    candidates = []
    for enc in encodings:
        try:
            candidates.append((_plausibility(data.decode(enc)), enc))
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise ReadError(f"{name}: not text in UTF-8, UTF-16, GB18030 or Big5")
    score, enc = max(candidates)
    if score < 0.5:
        raise ReadError(f"{name}: not text in UTF-8, UTF-16, GB18030 or Big5 (binary or an unknown encoding)")
    return _check_text(data.decode(enc), name), enc


def _strict(data: bytes, enc: str, name: str) -> str:
    try:
        return _check_text(data.decode(enc), name)
    except UnicodeDecodeError as exc:
        raise ReadError(f"{name}: looks like {enc} but does not decode ({exc.reason})") from exc


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-CJK or ASCII text leaves a regular NUL pattern."""
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _check_text(text: str, name: str) -> str:
    """Reject decoded 'text' that is mostly control characters (a binary file)."""
    sample = text[:4000]
    if sample:
        controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
        if controls > 0.05 * len(sample):
            raise ReadError(f"{name}: binary file (control characters), not text")
    return text


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    text = resources.files("kb.data").joinpath("common_chars.txt").read_text("utf-8")
    return frozenset(c for line in text.splitlines() if not line.startswith("#") for c in line)


def _plausibility(text: str) -> float:
    """Share of characters a Chinese office text is made of: common characters (either script),
    printable ASCII, white space and CJK punctuation."""
    common = _common_chars()
    sample = text[:20000]
    if not sample:
        return 0.0
    ok = sum(c in common or " " <= c <= "~" or c in "\n\r\t" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
             for c in sample)
    return ok / len(sample)
