"""The store: an index directory's generations, passage records, manifest, vocabulary and engine.

    generations     the live generation, the atomic swap, the writer lock, cleanup, live_changed
    records         passages.jsonl and the typed manifest (meta.json)
    fields          a passage analysed into the fields every engine indexes (in a pool when large)
    vocabulary      each term's document frequency, counted by kb as a generation is written
    vectors         a dense generation's passage vectors (kb.dense), carried over by updates
    scoring         BM25 over posting lists, as pure functions
    engine          the Engine protocol: what the store asks of a full-text engine
    engines         which engines there are, and which one a new index gets (recorded in its manifest)
    whoosh_engine   whoosh behind it (the default), through its public API only
    whoosh_analysis kb's analysed fields handed to whoosh as the value it indexes
    tantivy_engine  tantivy behind it (`pip install 'kb[fast]'`), through tantivy-py's public API only
    store           IndexStore, which joins them
    faults          the files a fault test damages on purpose, named here and nowhere else

Only this package imports an engine.
"""

from .generations import exists
from .records import Manifest, searchable_text
from .store import FORMAT, Candidate, IndexStore

__all__ = ["FORMAT", "Candidate", "IndexStore", "Manifest", "exists", "searchable_text"]
