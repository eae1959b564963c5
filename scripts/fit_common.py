"""What the fit scripts share (scripts/fit_ranking.py, fit_answer.py, fit_lists.py): their
command line's common options."""

from __future__ import annotations

import argparse
from pathlib import Path


def fit_parser(doc: str, sets: str, work: str, write: str) -> argparse.ArgumentParser:
    """A fit script's parser: its judged sets (`sets`: what the default is), where their
    indexes are kept (`work`), the folds and seed of its cross-validation, and --write
    (`write`: where it writes); a script adds its own options."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--set", action="append", metavar="NAME=JUDGED.jsonl=DOCS", help=sets)
    ap.add_argument("--work", type=Path, default=Path.home() / ".cache" / "kb-fit", help=work)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--write", action="store_true", help=write)
    return ap
