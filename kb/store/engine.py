"""The engine boundary: what kb.store asks of a full-text engine, and nothing more.

An engine keeps, per passage number (0, 1, … in the order passages were added, kept ones
first), a passage's indexed field and its stored record; it answers a term's postings (the
passages holding it and the term's weight in each: its frequency, each occurrence weighted
by the boost of the passage part it stands in), each passage's field length, and which
passages a filter keeps. Scoring is kb's (kb.store.scoring), not the engine's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Protocol, Sequence

from ..model import Passage


class EngineWriter(Protocol):
    def delete_doc(self, doc: str) -> None:
        """Drop every passage of a document (kept from the live generation)."""

    def add(self, passage: Passage, data: dict, norm: str) -> None:
        """Add a passage: `data` is its record (Passage.to_json), `norm` its searchable text."""

    def commit(self) -> None:
        """Write everything added to the build directory."""


class Engine(Protocol):
    name: str

    def postings(self, term: str) -> tuple[Sequence[int], Sequence[float]]:
        """The term's postings: passage numbers ascending, and the term's weight in each."""

    def lengths(self) -> list[int]:
        """Each passage's field length (its token count, boosts included), by passage number."""

    def stored(self, number: int) -> tuple[dict, str]:
        """A passage's record (Passage.to_json) and its searchable text."""

    def matching(self, doc: str | None, kind: str | None) -> set[int]:
        """The passage numbers of a document and/or a kind."""

    def doc_count(self) -> int:
        """Passages live in the engine."""

    def doc_frequency(self, term: str) -> int:
        """Passages holding the term."""

    def terms(self) -> Iterable[str]:
        """Every indexed term."""

    def close(self) -> None: ...


class EngineKind(Protocol):
    """How to make an engine: open one over a generation, or write one into a build."""

    name: str

    def open(self, gen: Path) -> Engine: ...

    def create(self, building: Path, procs: int) -> EngineWriter: ...

    def extend(self, building: Path, live: Path, own: frozenset[str]) -> EngineWriter:
        """A writer starting from the live generation's engine files (all but `own`, which
        belong to the store), hard-linked when the engine never rewrites them."""

    def files(self, gen: Path, data_only: bool = False) -> list[Path]:
        """The engine's own files in a generation (what the fault tests damage); with
        data_only, those holding postings and stored fields, not the engine's table of them."""
