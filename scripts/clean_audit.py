"""Audit: does cleaning + cutting keep every line's real content?

Runs kb's own path (extract → clean → build_document) over every file of the
external Wikipedia corpora, where nothing is noise, and over the seeds, where
noise is expected to go (boilerplate, pinyin readings, mojibake). A line is
"changed" when the concatenation of its cleaned, cut pieces differs from the
source line, ignoring whitespace; a line dropped whole counts as changed.

    .venv/bin/python scripts/clean_audit.py            # counts
    .venv/bin/python scripts/clean_audit.py --show 20  # and the first 20 changed lines
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.clean import clean, page_marker_title  # noqa: E402
from kb.formats import extract  # noqa: E402
from kb.structure import build_document  # noqa: E402

EXTERNAL = Path("/work/shared/eval/external/corpus")
CORPORA = {
    "drcd_dev": EXTERNAL / "drcd_dev",
    "cmrc_dev": EXTERNAL / "cmrc_dev",
    "seeds": ROOT / "seeds",
}
_SPACE = re.compile(r"\s+")


def kept_text(path: Path) -> tuple[list[str], dict[int, str]]:
    """The file's source lines and, per line number, what the pipeline keeps of it."""
    ex = extract(path)
    lines = clean(ex.text)
    doc = build_document(path.name, lines, page_marker_title(ex.text), levels=ex.levels)
    kept: dict[int, list[str]] = defaultdict(list)
    for seg in doc.root.segments():
        kept[seg.line].append(seg.text)
    return ex.text.splitlines(), {no: "".join(parts) for no, parts in kept.items()}


def changed_lines(path: Path) -> tuple[list[tuple[int, str, str]], int]:
    """(line number, source, kept) for every line whose content changed, and how many more
    lines lost only whitespace (a space at a cut: pieces of a line are joined with "")."""
    source, kept = kept_text(path)
    out, spaces = [], 0
    for no, line in enumerate(source, 1):
        before, after = _SPACE.sub("", line), _SPACE.sub("", kept.get(no, ""))
        if before != after:
            out.append((no, line, kept.get(no, "")))
        elif before and line.strip() != kept.get(no, ""):
            spaces += 1
    return out, spaces


def _diff(before: str, after: str) -> str:
    """The first place the two differ, with a little context."""
    a, b = _SPACE.sub("", before), _SPACE.sub("", after)
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"…{a[max(0, i - 15): i + 25]}…  →  …{b[max(0, i - 15): i + 25]}…"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print up to N changed lines per corpus")
    args = parser.parse_args()
    for name, folder in CORPORA.items():
        files = sorted(p for p in folder.iterdir() if p.is_file())
        total = changed = spaces = 0
        shown = 0
        for path in files:
            total += sum(1 for line in extract(path).text.splitlines() if line.strip())
            lines, only_spaces = changed_lines(path)
            spaces += only_spaces
            for no, before, after in lines:
                changed += 1
                if shown < args.show:
                    shown += 1
                    print(f"  {path.name}:{no}: {_diff(before, after)}")
        print(f"{name}: {changed} of {total} non-blank lines changed, {spaces} more lost only "
              f"whitespace ({len(files)} files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
