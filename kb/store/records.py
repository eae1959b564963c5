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


def text_part(p: Passage, norm: str) -> str | None:
    """normalise_text(p.text), read off the passage's searchable text (which starts with it)
    rather than converted again: only its breadcrumb and questions, short and shared, are
    normalised to find where it ends. None for a spun passage, or a searchable text that is
    not the passage's."""
    if p.spun:
        return None
    tail = "\n" + normalise_text(" › ".join(p.section)) + "".join("\n" + normalise_text(q) for q in p.questions)
    return norm[: len(norm) - len(tail)] if norm.endswith(tail) else None


def line_doc(line: bytes) -> str:
    """The document of a passages.jsonl line, read from its leading id without parsing it all:
    the id up to its last '#' (a file name may hold one), unless JSON escaped the id."""
    if line.startswith(b'{"id": "'):
        pid = line[8: line.find(b'"', 8)]
        if b"#" in pid and b"\\" not in pid:
            return pid.rpartition(b"#")[0].decode("utf-8")
    return json.loads(line)["doc"]


def record(data: dict) -> bytes:
    """A passage's JSON (Passage.to_json), UTF-8: its passages.jsonl line without the newline."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


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
    files: Mapping[str, Any] | None = None  # every other file of the generation: [size, sha256]
    engine: str = "whoosh"  # the engine it was written with (kb.store.engines); whoosh before kb recorded it
    dense: str = ""  # the model its passage vectors are of (kb.dense, kb.store.vectors); '' when it has none

    @classmethod
    def read(cls, gen: Path) -> "Manifest":
        """(OSError or ValueError when missing or damaged.)"""
        data = json.loads((gen / META).read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{META} is not an object")
        files = data.get("files")
        engine = data.get("engine") or "whoosh"
        if not isinstance(engine, str):
            raise ValueError(f"{META} names no engine")
        dense = data.get("dense") or ""
        if not isinstance(dense, str):
            raise ValueError(f"{META} names no model")
        return cls(data.get("format"), data.get("passages"), data.get("built"), data, data.get("vocabulary"),
                   files if isinstance(files, dict) else None, engine, dense)

    def as_dict(self) -> dict:
        return {**self.fields, "format": self.format, "passages": self.passages, "built": self.built,
                "vocabulary": self.vocabulary, "files": self.files, "engine": self.engine,
                "dense": self.dense}

    def write(self, gen: Path) -> None:
        # one line: json's indenting encoder is pure Python, 0.2 s for a 500-file library's meta
        (gen / META).write_text(json.dumps(self.as_dict(), ensure_ascii=False), "utf-8")


def file_sums(gen: Path) -> dict[str, list]:
    """Each file of a generation but its manifest, by path inside it: [size, sha256]."""
    import hashlib

    out: dict[str, list] = {}
    for path in sorted(p for p in gen.rglob("*") if p.is_file() and p.name != META):
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        out[path.relative_to(gen).as_posix()] = [path.stat().st_size, digest.hexdigest()]
    return out


def changed_files(gen: Path, files: Mapping[str, Any], full: bool,
                  optional: frozenset[str] = frozenset()) -> list[str]:
    """The generation's files that are missing or differ from the manifest's record: by size
    (a stat each, cheap enough for every open), or with full by content too. Files named in
    `optional` (derived data a reader does without, such as spelling statistics) are checked
    only with full."""
    sums = file_sums(gen) if full else None
    out = []
    for name, (size, digest) in files.items():
        if not full and name in optional:
            continue
        path = gen / name
        try:
            if path.stat().st_size != size or (sums is not None and sums.get(name, [0, ""])[1] != digest):
                out.append(name)
        except OSError:
            out.append(name)
    return out
