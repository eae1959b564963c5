"""Comma- or tab-separated text (.csv, .tsv): a spreadsheet's rows, read as sheets.py reads a
worksheet's (a row per line, a FAQ sheet as its questions and answers)."""

from __future__ import annotations

from pathlib import Path

from . import Extracted
from .sheets import read_delimited


def read(path: Path, data: bytes) -> Extracted:
    return read_delimited(path, data)
