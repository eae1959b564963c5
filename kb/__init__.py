"""kb: search and ask a knowledge base of Chinese training documents.

    from kb import KnowledgeBase
    kb = KnowledgeBase.build(["seeds"], "index")
    for hit in kb.search("客诉处理步骤", limit=3):
        print(hit.passage.ref, hit.highlight)
"""

from .errors import (
    BadReferenceError,
    DenseMissingError,
    EngineMissingError,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    IndexRolledBackError,
    IndexWriteError,
    KbError,
    QueryError,
    ReadError,
)
from .catalog import StaleKind, Staleness
from .knowledge import KnowledgeBase
from .model import (KINDS, Answer, BuildReport, Citation, DocumentInfo, Hit, OutlineEntry, Passage, Progress,
                    ProgressStep, SkipKind, Skipped)

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
    "SkipKind",
    "Staleness",
    "StaleKind",
    "DocumentInfo",
    "SearchResult",
    "QueryPlan",
    "Group",
    "Alternative",
    "Progress",
    "ProgressStep",
    "KbError",
    "QueryError",
    "ReadError",
    "IndexMissingError",
    "IndexCorruptError",
    "IndexRolledBackError",
    "IndexBusyError",
    "IndexWriteError",
    "BadReferenceError",
    "EngineMissingError",
    "DenseMissingError",
]
__version__ = "0.1.0"

# How a query was understood and what search returns with it: loaded on first use, as the
# modules that define them bring in the search engine, which `import kb` alone does not need.
_LAZY = {"SearchResult": "search", "QueryPlan": "plan", "Group": "plan", "Alternative": "plan"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'kb' has no attribute {name!r}")
