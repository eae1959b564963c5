"""Plain text (.txt): the decoded file as it is, so its lines are the file's lines."""

from __future__ import annotations

from pathlib import Path

from ..read import decode_bytes
from . import Extracted, sha256


def read(path: Path, data: bytes) -> Extracted:
    text, encoding = decode_bytes(data, name=str(path))
    return Extracted(text, "txt", encoding, sha256(data))
