"""The files a fault trial damages on purpose (tests, scripts/faults.py), named by the store
so that no test knows an engine's file names."""

from __future__ import annotations

from pathlib import Path

from .store import IndexStore


def engine_files(root: Path, data_only: bool = False) -> list[Path]:
    """The live generation's engine files; with data_only, those holding postings and stored
    fields (whoosh: its segments), not the engine's table of them."""
    store = IndexStore(Path(root))
    try:
        return store.engine_kind.files(store.generation, data_only)
    finally:
        store.close()


def generation_name(root: Path) -> str:
    """The live generation's name, as the live marker says."""
    from .generations import live_name

    return live_name(Path(root))


def set_live_marker(root: Path, text: str) -> None:
    """Overwrite the live marker with anything (a generation that is not there, garbage)."""
    from .generations import CURRENT

    (Path(root) / CURRENT).write_text(text, "utf-8")


def live_marker(root: Path) -> str:
    """The live marker's text, as it is on disk."""
    from .generations import CURRENT

    return (Path(root) / CURRENT).read_text("utf-8")


def generation_files(root: Path) -> list[Path]:
    """Every file of the live generation: the store's (records, manifest, vocabulary, character
    pairs) and the engine's."""
    store = IndexStore(Path(root))
    try:
        return sorted(f for f in store.generation.iterdir() if f.is_file())
    finally:
        store.close()
