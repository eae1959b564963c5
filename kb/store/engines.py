"""Which engines kb can index with, and which one a new index gets.

An index records its engine in its manifest (kb.store.records.Manifest.engine); readers open
it with that one, and an update keeps it. A new index gets the engine asked for (`kb index
--engine`), else the one in $KB_ENGINE, else whoosh. tantivy is an extra: `pip install
'kb[fast]'`.
"""

from __future__ import annotations

import os

from ..errors import EngineMissingError, KbError
from .engine import EngineKind

WHOOSH = "whoosh"
TANTIVY = "tantivy"
NAMES = (WHOOSH, TANTIVY)
DEFAULT = WHOOSH
ENV = "KB_ENGINE"  # the engine of a new index when none is asked for (the test suite runs with either)
INSTALL = {TANTIVY: "pip install 'kb[fast]'"}


def default_name() -> str:
    """The engine a new index is built with when none is asked for: $KB_ENGINE, else whoosh."""
    name = os.environ.get(ENV, "").strip().lower() or DEFAULT
    if name not in NAMES:
        raise KbError(f"{ENV}={name!r} is not an engine kb knows; one of: {', '.join(NAMES)}")
    return name


def kind(name: str, root: object = None) -> EngineKind:
    """The engine kind of this name. Raises EngineMissingError when it is not installed here
    (or unknown: an index written by a newer kb); `root`, the index that asks for it, is named."""
    where = f"the index at {root} uses" if root is not None else "kb was asked for"
    if name == WHOOSH:
        from .whoosh_engine import Whoosh

        return Whoosh()
    if name == TANTIVY:
        try:
            import tantivy  # noqa: F401  (installed? the engine module imports it where it is used)
        except ImportError:
            rebuild = f" (or rebuild it with `kb index --full --engine {WHOOSH}`)" if root is not None else ""
            raise EngineMissingError(f"{where} the tantivy engine, which is not installed here: "
                                     f"{INSTALL[TANTIVY]}{rebuild}") from None
        from .tantivy_engine import Tantivy

        return Tantivy()
    raise EngineMissingError(f"{where} an engine kb does not know ({name!r}); one of: {', '.join(NAMES)}")
