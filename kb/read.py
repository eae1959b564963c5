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
        if b"\x1b$" in data[:20000]:  # ISO-2022 escapes: 7-bit Japanese or Korean, not Chinese
            _refuse_other_cjk(data, name, ("iso2022_jp", "iso2022_kr"), 0.0)
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
        _refuse_euc_tw(data, name, 0.0)
        _refuse_other_cjk(data, name, _LEGACY_OTHER, 0.0)
        raise ReadError(f"{name}: not text in UTF-8, UTF-16, GB18030 or Big5")
    score, enc = max(candidates) if candidates else (0.0, "")
    _refuse_euc_tw(data, name, score)  # first: EUC-KR and CP949 read its bytes as hangul too
    _refuse_other_cjk(data, name, _LEGACY_OTHER, score)
    if score < 0.5:
        raise ReadError(f"{name}: not text in UTF-8, UTF-16, GB18030 or Big5 (binary or an unknown encoding)")
    return _check_text(data.decode(enc), name), enc


_OTHER_CJK = {"shift_jis": "Japanese (Shift_JIS)", "cp932": "Japanese (CP932)", "euc_jp": "Japanese (EUC-JP)",
              "iso2022_jp": "Japanese (ISO-2022-JP)", "euc_kr": "Korean (EUC-KR)", "cp949": "Korean (CP949)",
              "johab": "Korean (Johab)", "iso2022_kr": "Korean (ISO-2022-KR)"}
# Shift_JIS before its Windows superset CP932 (which reads NEC's and IBM's extra characters)
_LEGACY_OTHER = ("shift_jis", "cp932", "euc_jp", "euc_kr", "cp949", "johab")


def _refuse_other_cjk(data: bytes, name: str, encodings: tuple[str, ...], chinese: float) -> None:
    """Japanese or Korean bytes "decode" as GB18030 too, into nonsense that would be indexed:
    when one of their codecs reads the bytes cleanly into kana or hangul, and reads them at
    least as plausibly as the best Chinese reading (`chinese`), the file is refused."""
    for enc in encodings:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        sample = text[:20000]
        wide = [c for c in sample if ord(c) > 0x2E7F]
        if not wide:
            continue
        kana_or_hangul = sum("\u3040" <= c <= "\u30ff" or "\uac00" <= c <= "\ud7af" for c in wide)
        if enc == "johab" and len(wide) < 8:  # Johab reads nearly any two bytes as a syllable: more evidence
            continue
        if kana_or_hangul >= 0.15 * len(wide) and _plausibility(text, other=True) > chinese:
            raise ReadError(f"{name}: looks like {_OTHER_CJK[enc]} text; kb reads Chinese documents "
                            f"(save it as UTF-8 to index it as it is)")


def _refuse_euc_tw(data: bytes, name: str, chinese: float) -> None:
    """EUC-TW (Taiwan's CNS 11643 in EUC form) is Chinese that Python has no codec for: its
    bytes read as GB18030 into common but unrelated hanzi. When they read as EUC-TW more
    plausibly than as any encoding kb decodes, the file is refused."""
    if len(data) > _EUC_TW_SAMPLE:  # a sample, cut where a character starts
        cut = _EUC_TW_SAMPLE
        while cut > _EUC_TW_SAMPLE - 4 and data[cut] >= 0x80:
            cut -= 1
        data = data[:cut]
    text = _euc_tw_text(data)
    if text is None or sum(ord(c) > 0x2E7F for c in text) < 2:
        return
    if _plausibility(text) > chinese:
        raise ReadError(f"{name}: looks like Chinese in EUC-TW (CNS 11643), an encoding kb cannot read "
                        f"(save it as UTF-8 or Big5 to index it)")


_EUC_TW_SAMPLE = 40000


def _euc_tw_text(data: bytes) -> str | None:
    """The bytes as EUC-TW, or None when they are not EUC-TW: ASCII, plane 1 in two bytes
    (A1-FE A1-FE), and any plane as 8E A1-B0 then two such bytes. Only plane 1 is mapped
    (its hanzi are the common ones); a character of another plane reads as 〓."""
    table = _cns_plane1()
    out = []
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            out.append(chr(b))
            i += 1
        elif 0xA1 <= b <= 0xFE:
            if i + 1 >= n or not 0xA1 <= data[i + 1] <= 0xFE:
                return None
            c = table.get((b << 8) | data[i + 1])
            if c is None:
                return None
            out.append(c)
            i += 2
        elif b == 0x8E:
            if i + 3 >= n or not 0xA1 <= data[i + 1] <= 0xB0 or not all(0xA1 <= x <= 0xFE for x in data[i + 2:i + 4]):
                return None
            c = table.get((data[i + 2] << 8) | data[i + 3]) if data[i + 1] == 0xA1 else "\u3013"
            if c is None:
                return None
            out.append(c)
            i += 4
        else:
            return None
    return "".join(out)


@lru_cache(maxsize=1)
def _cns_plane1() -> dict[int, str]:
    """CNS 11643 plane 1, EUC-TW code (lead byte << 8 | trail byte) to character."""
    text = resources.files("kb.data").joinpath("cns11643_plane1.txt").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        lead, cells = int(line[:2], 16), line[3:]
        for t, c in enumerate(cells):
            if c != "\ufffd":
                table[(lead << 8) | (0xA1 + t)] = c
    return table


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
def _common_hangul() -> frozenset[str]:
    """The 2,350 hangul syllables of KS X 1001 (EUC-KR), which everyday Korean is written in.
    Johab and CP949 read any two bytes as one of all 11,172, so arbitrary Chinese bytes
    "decode" as hangul; as Korean they would be mostly rare syllables."""
    out = []
    for code in range(0xAC00, 0xD7A4):
        try:
            if len(chr(code).encode("euc_kr")) == 2:  # not the 8-byte spelling of a rare one by its jamo
                out.append(chr(code))
        except UnicodeEncodeError:
            continue
    return frozenset(out)


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    text = resources.files("kb.data").joinpath("common_chars.txt").read_text("utf-8")
    return frozenset(c for line in text.splitlines() if not line.startswith("#") for c in line)


def _plausibility(text: str, other: bool = False) -> float:
    """Share of characters a Chinese office text is made of: common characters (either script),
    printable ASCII, white space and CJK punctuation; with other, kana and the hangul of
    everyday Korean count too."""
    common = _common_chars()
    sample = text[:20000]
    if not sample:
        return 0.0
    hangul = _common_hangul() if other else frozenset()
    ok = sum(c in common or " " <= c <= "~" or c in "\n\r\t" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
             or (other and ("\u3040" <= c <= "\u30ff" or c in hangul))
             for c in sample)
    return ok / len(sample)
