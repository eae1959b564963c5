"""Ingest: files and folders to passages, running read → clean → structure → passages per file,
on all cores when there are many files (read_all).

Reading is the formats package's job (text, Markdown, HTML, Word, PowerPoint,
PDF); from the extracted lines on, every format takes the same path. One bad
file never stops a build: it is reported as skipped, with the reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from .analysis import normalise_text
from .clean import clean, page_marker_title
from .lexicon import is_spun
from .errors import KbError, ReadError
from .model import Passage, Progress, ProgressStep, SkipKind, Skipped
from .processes import Pool
from .formats import extract, unsupported
from .passages import Originals, build_passages
from .questions import QUESTIONS_FILE
from .structure import build_document, outline


# The most text kb reads of one file. Cleaning, passages and the index cost about 30 bytes a
# character: 26 million characters (64 MB of the seeds as UTF-8) peaked at 790 MB (`kb index`,
# scripts/bounds_inputs.py). A thick book is a million. A file in a 2-byte encoding (GB18030,
# UTF-16) holds more characters than kb.formats.MAX_BYTES counts on, and stops here.
MAX_CHARS = 27_000_000
# A spinner rewrites a whole text, so its first 200,000 characters say whether it was spun
# (normalising all of a 50 MB line for it kept 2.3 GB).
SPUN_SAMPLE = 200_000


@dataclass(frozen=True)
class Source:
    """A file to index and the name it is known by in references."""

    path: Path
    name: str


@dataclass(frozen=True)
class Ingested:
    source: Source
    sha256: str
    encoding: str
    title: str
    outline: list[tuple[int, str, int]]
    passages: list[Passage]
    format: str = "txt"

    @property
    def spun(self) -> bool:
        return bool(self.passages) and self.passages[0].spun

    def light(self) -> "Ingested":
        """This document as its catalog records it, without its passages but the first (which
        says whether it was spun): what a streamed build keeps once they are written."""
        return replace(self, passages=self.passages[:1])


def _hidden_or_temp(name: str) -> bool:
    return name.startswith((".", "~$", "~")) or name.endswith(("~", ".tmp", ".swp"))


def collect(paths: Iterable[Path]) -> tuple[list[Source], list[Skipped]]:
    """The files under the given paths, named relative to their common folder."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not _hidden_or_temp(d))
                for name in sorted(filenames):
                    if _hidden_or_temp(name) or (dirpath == str(path) and name == QUESTIONS_FILE):
                        continue  # a trainer's typical questions are read by kb.questions, not indexed
                    f = Path(dirpath) / name
                    why = unsupported(f)
                    if why:
                        skipped.append(Skipped(str(f), why, SkipKind.UNSUPPORTED))
                    else:
                        files.append(f)
        elif path.is_file():
            files.append(path)
        else:
            raise KbError(f"{path}: no such file or folder")
    files = list(dict.fromkeys(f.resolve() for f in files))
    if not files:
        return [], skipped
    common = Path(os.path.commonpath([f.parent for f in files]))
    sources = [Source(f, f.relative_to(common).as_posix()) for f in files]
    return sources, skipped


def ingest(source: Source) -> Ingested:
    """Read, clean, structure and cut one file; raises ReadError when it cannot be used."""
    ex = extract(source.path)
    if len(ex.text) > MAX_CHARS:
        raise ReadError(f"{source.path}: {len(ex.text):,} characters, over the {MAX_CHARS:,} kb reads of one file "
                        f"(split it)")
    lines = clean(ex.text)
    doc = build_document(source.name, lines, ex.title or page_marker_title(ex.text), levels=ex.levels)
    spun = is_spun(normalise_text("".join(line.text for line in lines)[:SPUN_SAMPLE]))
    raw = ex.text.splitlines()
    originals = Originals({line.no: (raw[line.no - 1], line.text) for line in lines if line.text != raw[line.no - 1]})
    passages = build_passages(doc, spun=spun, places=ex.places, originals=originals)
    if not passages:
        raise ReadError(f"{source.path}: no text left after cleaning")
    return Ingested(source, ex.sha256, ex.encoding, doc.title, outline(doc), passages, ex.format)


PARALLEL_INGEST = 16  # files: fewer are read in this process (a pool costs more than it saves)
INGEST_CHUNK = 8  # files a worker reads between reports (a larger chunk is reported when all of it is read)


def processes(workers: int | None) -> int:
    """How many processes a build uses: `workers`, else one a core."""
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


def ingest_one(source: Source) -> Ingested | Skipped:
    try:
        return ingest(source)
    except ReadError as exc:
        return Skipped(str(source.path), str(exc), SkipKind.UNREADABLE)
    except RecursionError:  # a document nested thousands deep (hostile HTML): skipped, the build goes on
        return Skipped(str(source.path), f"{source.path}: nested too deeply to read", SkipKind.FAILED)
    except Exception as exc:  # one file a reader cannot take never stops the others
        return Skipped(str(source.path), f"{source.path}: cannot read ({type(exc).__name__}: {str(exc)[:120]})",
                       SkipKind.FAILED)


def read_all(sources: list[Source], progress: Progress, workers: int | None = None) -> tuple[list[Ingested], list[Skipped]]:
    """Read, clean and cut every file, in a pool of `workers` processes (default: one a core)
    when there are many; the files read, and those skipped with why. Progress is told as each
    file is read, in order."""
    procs = processes(workers)
    if procs > 1 and len(sources) >= PARALLEL_INGEST:
        with Pool(procs) as pool:  # a Ctrl+C ends its workers, never waits for them
            # told as each file is read (in order), not all at once when the last one is
            chunk = max(1, min(len(sources) // (procs * 8), INGEST_CHUNK))
            return _read_out(sources, pool.map(ingest_one, sources, chunksize=chunk), progress)
    return _read_out(sources, map(ingest_one, sources), progress)


def _read_out(sources: list[Source], results: Iterable[Ingested | Skipped],
              progress: Progress) -> tuple[list[Ingested], list[Skipped]]:
    """The files read and those skipped, telling progress as each result comes in."""
    done, skipped, n = [], [], len(sources)
    for i, (source, result) in enumerate(zip(sources, results), 1):
        if isinstance(result, Skipped):
            skipped.append(result)
            progress(ProgressStep(f"[{i}/{n}] skipped {result.reason}", "reading", i, n))
        else:
            done.append(result)
            progress(ProgressStep(f"[{i}/{n}] {source.name}: {len(result.passages)} passages", "reading", i, n))
    return done, skipped
