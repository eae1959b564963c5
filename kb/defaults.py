"""Where kb looks when it is told nothing: the per-user index, and the seeds to build it from."""

from __future__ import annotations

import os
from pathlib import Path


def default_index() -> Path:
    """Where the index lives when none is named: per user, never in the working directory, so
    that a search from any folder finds the same library and leaves nothing behind there.
    `$XDG_DATA_HOME/kb/index`, by default `~/.local/share/kb/index` (a relative
    XDG_DATA_HOME is ignored, as the XDG base directory spec says)."""
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "kb" / "index"


def default_seeds() -> Path:
    """seeds/ in the working directory, else the seeds that ship beside the package."""
    here = Path("seeds")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "seeds"
