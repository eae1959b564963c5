"""kb: search and ask a knowledge base of Chinese training documents.

    from kb import KnowledgeBase
    kb = KnowledgeBase.build(["seeds"], "index")
    for hit in kb.search("客诉处理步骤", limit=3):
        print(hit.passage.ref, hit.highlight)
"""

from .errors import (
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    IndexWriteError,
    KbError,
    QueryError,
    ReadError,
)
from .knowledge import KINDS, KnowledgeBase
from .model import Answer, BuildReport, Citation, Hit, OutlineEntry, Passage, Skipped

__all__ = [
    "KnowledgeBase",
    "KINDS",
    "Passage",
    "Hit",
    "Answer",
    "Citation",
    "OutlineEntry",
    "BuildReport",
    "Skipped",
    "KbError",
    "QueryError",
    "ReadError",
    "IndexMissingError",
    "IndexCorruptError",
    "IndexBusyError",
    "IndexWriteError",
]
__version__ = "0.1.0"
