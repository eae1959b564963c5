"""Passage records: a generation's passages.jsonl (one JSON line per passage, in the
engine's passage-number order) and its manifest, meta.json."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..analysis import normalise_text
from ..lexicon import repair
from ..model import Passage

META = "meta.json"
PASSAGES = "passages.jsonl"


def searchable_text(p: Passage) -> str:
    """What coverage and proximity read: the normalised text, and for a spun document its
    repaired form as well (so 投诉 is found where the page says 赞扬); then the breadcrumb,
    because where a passage stands (化訴為金 › 第三單元) is part of what it is; then the
    typical questions a trainer wrote for it, if any (kb/questions.py)."""
    norm = normalise_text(p.text)
    if p.spun:
        norm += "\n" + repair(norm)[0]
    norm += "\n" + normalise_text(" › ".join(p.section))
    return norm + "".join("\n" + normalise_text(q) for q in p.questions)


def line_doc(line: bytes) -> str:
    """The document of a passages.jsonl line, read from its leading id without parsing it all:
    the id up to its last '#' (a file name may hold one), unless JSON escaped the id."""
    if line.startswith(b'{"id": "'):
        pid = line[8: line.find(b'"', 8)]
        if b"#" in pid and b"\\" not in pid:
            return pid.rpartition(b"#")[0].decode("utf-8")
    return json.loads(line)["doc"]


def record_line(data: dict) -> bytes:
    """A passage's JSON (Passage.to_json) as its passages.jsonl line."""
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


def read_passages(gen: Path) -> Iterator[Passage]:
    """The generation's passages, in order (OSError, ValueError or TypeError when damaged)."""
    with open(gen / PASSAGES, encoding="utf-8") as f:
        for line in f:
            yield Passage.from_json(json.loads(line))


def read_lines(gen: Path) -> list[bytes]:
    """The generation's passages.jsonl lines, as bytes: kept lines are copied as they are,
    never decoded and encoded again."""
    with open(gen / PASSAGES, "rb") as f:
        return f.readlines()


def count_lines(gen: Path) -> int:
    with open(gen / PASSAGES, "rb") as f:
        return sum(1 for line in f if line.strip())


@dataclass(frozen=True)
class Manifest:
    """A generation's meta.json: what the store records (its format, how many passages, when
    it was built) and, in `fields`, what the builder asked it to keep (sources, documents …)."""

    format: int | None
    passages: int | None
    built: float | None
    fields: Mapping[str, Any] = field(default_factory=dict)
    vocabulary: str | None = None  # the vocabulary file's sha256 (kb.store.vocabulary)

    @classmethod
    def read(cls, gen: Path) -> "Manifest":
        """(OSError or ValueError when missing or damaged.)"""
        data = json.loads((gen / META).read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{META} is not an object")
        return cls(data.get("format"), data.get("passages"), data.get("built"), data, data.get("vocabulary"))

    def as_dict(self) -> dict:
        return {**self.fields, "format": self.format, "passages": self.passages, "built": self.built,
                "vocabulary": self.vocabulary}

    def write(self, gen: Path) -> None:
        # one line: json's indenting encoder is pure Python, 0.2 s for a 500-file library's meta
        (gen / META).write_text(json.dumps(self.as_dict(), ensure_ascii=False), "utf-8")
