"""Corpus: what answering reads of a knowledge base, and nothing more.

kb.answer never reaches into the index: it reads the corpus through this protocol, which
kb.KnowledgeBase satisfies as it is. A search (and how it understood the query), the
passages of a document, the outline, the passage at a place, and how many passages hold a
term: the same statistics search ranks with, so an answer weighs words as search does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..model import Hit, OutlineEntry, Passage

if TYPE_CHECKING:  # kb.search loads the engine; answering reaches it only through a corpus
    from ..search import SearchResult


@runtime_checkable
class Corpus(Protocol):
    """The reading answering needs (kb.KnowledgeBase is one)."""

    def lookup(self, query: str, limit: int = 10) -> SearchResult:
        """Ranked hits for a query, with how it was understood (its words' stand-ins)."""
        ...

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Ranked hits for a query."""
        ...

    def doc_passages(self, name: str) -> list[Passage]:
        """The passages of the document with this exact name, in order."""
        ...

    def outline(self, doc: str | None = None) -> list[OutlineEntry]:
        """The course / unit / section headings of one document, or of every document."""
        ...

    def show(self, ref: str) -> Passage:
        """The passage at a reference such as DOC:LINE."""
        ...

    def doc_count(self) -> int:
        """How many passages there are."""
        ...

    def doc_frequency(self, term: str) -> int:
        """How many passages hold the term."""
        ...

    def mean_length(self) -> float:
        """How many terms a passage holds on average (what search's length normalisation reads)."""
        ...
