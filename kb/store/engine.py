"""The engine boundary: what kb.store asks of a full-text engine, and nothing more.

An engine is given each passage's fields already analysed (kb.store.fields) and keeps, per
passage number, the postings and the passage's stored record; it answers a term's postings
(the passages holding it and the term's weight in each: its frequency, each occurrence
weighted by the boost of the part it stands in), each passage's field length, and which
passages a filter keeps. Scoring is kb's (kb.store.scoring), and so is the vocabulary
(kb.store.vocabulary): an engine is asked for neither. Passage numbers run in the order the
passages were added (a tie in score goes to the lower number, whichever the engine).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, Sequence

from ..model import Passage
from .fields import Fields


class EngineWriter(Protocol):
    def delete_doc(self, doc: str) -> None:
        """Drop every passage of a document (kept from the live generation)."""

    def add(self, passage: Passage, value: Any, record: bytes, norm: str) -> None:
        """Add a passage: its fields as kb analysed them, in the form the engine kind's
        `prepare` made of them, and its record (Passage.to_json, as JSON: kb.store.records.record)
        and searchable text to keep."""

    def commit(self) -> None:
        """Write everything added to the build directory."""

    def stop(self) -> None:
        """End whatever processes the writer started, before a failed build is removed."""


class Engine(Protocol):
    name: str

    def postings(self, term: str) -> tuple[Sequence[int], Sequence[float]]:
        """The term's postings: passage numbers ascending, and the term's weight in each."""

    def lengths(self) -> list[int]:
        """Each passage's field length (its count of tokens), by passage number: exact, or
        rounded up as whoosh keeps it (the store reads either as kb.store.scoring.kept_length)."""

    def stored(self, number: int) -> tuple[dict, str]:
        """A passage's record (Passage.to_json) and its searchable text."""

    def matching(self, doc: str | None, kind: str | None) -> set[int]:
        """The passage numbers of a document and/or a kind."""

    def doc_count(self) -> int:
        """Passages live in the engine."""

    def close(self) -> None: ...


class EngineKind(Protocol):
    """How to make an engine: open one over a generation, or write one into a build."""

    name: str

    def prepare(self, fields: Fields) -> Any:
        """A passage's analysed fields (kb.store.fields) in the form the engine's writer takes:
        a module-level function, as a large build runs it in worker processes."""

    def open(self, gen: Path) -> Engine: ...

    def create(self, building: Path, procs: int = 1) -> EngineWriter:
        """A writer of a new engine index, in `procs` processes when the engine can."""

    def extend(self, building: Path, live: Path, own: frozenset[str]) -> EngineWriter:
        """A writer starting from the live generation's engine files (all but `own`, which
        belong to the store), hard-linked when the engine never rewrites them."""

    def files(self, gen: Path, data_only: bool = False) -> list[Path]:
        """The engine's own files in a generation (what the fault tests damage); with
        data_only, those holding postings and stored fields, not the engine's table of them."""
