"""Bounded inputs (issue 14): a file that would cost too much memory is skipped with one line
saying why, and the build goes on; a large but ordinary one (a line of megabytes, a deck of
photos) is read whole. Memory itself is measured by scripts/bounds_inputs.py, never here: the
machines are shared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb import KnowledgeBase
from kb.passages import MAX_TEXT

from .conftest import seed

MB = 1 << 20


# --- a line of megabytes ------------------------------------------------------------

@pytest.fixture(scope="module")
def one_line(tmp_path_factory) -> tuple[Path, KnowledgeBase]:
    """Four seeds on one line of 4 MB (1.3 million characters, past every length the long-line
    handling starts at), with the noise cleaning takes out, so each passage's own text is
    found again in the raw line."""
    folder = tmp_path_factory.mktemp("line") / "docs"
    folder.mkdir()
    text = "".join(re.sub(r"\s+", "", seed(n).read_text("utf-8")) for n in ("000", "001", "003", "004"))
    body = (text * (4 * MB // len(text.encode("utf-8")) + 1)).encode("utf-8")[:4 * MB]
    body = body[: len(body.decode("utf-8", "ignore").encode("utf-8"))]
    tail = "最后一句：客户满意度回访在七日内完成。"
    (folder / "line.txt").write_bytes(body + tail.encode("utf-8") + b"\n")
    (folder / "good.txt").write_bytes(seed("002").read_bytes())
    kb = KnowledgeBase.build([folder], tmp_path_factory.mktemp("line-index") / "index")
    return folder, kb


def test_a_line_of_megabytes_is_indexed_and_searchable(one_line):
    _, kb = one_line
    assert not kb.report.skipped and sorted(kb.documents()) == ["good.txt", "line.txt"]
    passages = kb.passages("line.txt")
    assert len(passages) > 3000 and {p.line_start for p in passages} == {1}
    hit = kb.search("客户满意度回访在七日内完成", doc="line.txt")[0]
    assert "七日内完成" in hit.passage.text


def test_each_passage_of_a_long_line_holds_the_files_own_text(one_line):
    """A passage's own text (the JSON contract's `text`) is a piece of the line, never more
    than a passage holds, though the line repeats its sentences thousands of times."""
    folder, kb = one_line
    raw = (folder / "line.txt").read_text("utf-8")
    passages = kb.passages("line.txt")
    assert sum(bool(p.original) for p in passages) > 1000  # cleaning took readings out of this line
    for p in passages:
        assert len(p.source_text) <= MAX_TEXT and p.source_text in raw, p.id
