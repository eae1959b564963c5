"""What kb.index offered before kb.store: the names other modules and scripts import."""

from .store import FORMAT, Candidate, IndexStore, searchable_text
from .store.store import POSTING_CACHE, STORED_CACHE, VECTOR_FROM, Written
from .store.fields import PART_BOOSTS

__all__ = ["FORMAT", "Candidate", "IndexStore", "searchable_text", "PART_BOOSTS",
           "POSTING_CACHE", "STORED_CACHE", "VECTOR_FROM", "Written"]
