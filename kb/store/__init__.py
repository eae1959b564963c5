"""The store: an index directory's generations, passage records, manifest and engine.

    generations     the live generation, the atomic swap, the writer lock, cleanup
    records         passages.jsonl and the manifest (meta.json)
    scoring         BM25 over posting lists, as pure functions
    engine          the Engine protocol: what the store asks of a full-text engine
    whoosh_engine   whoosh behind it (the default), through its public API only
    store           IndexStore, which joins them

Only this package imports an engine.
"""

from .generations import exists
from .records import Manifest, searchable_text
from .store import FORMAT, Candidate, IndexStore

__all__ = ["FORMAT", "Candidate", "IndexStore", "Manifest", "exists", "searchable_text"]
