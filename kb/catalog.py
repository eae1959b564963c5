"""The catalog: what an index was built from, and whether that still holds.

    Catalog        the frozen manifest an index keeps in its meta.json: the paths it was built
                   from, each source file with its hash, each document's title, format and
                   outline, the files skipped with a typed reason, the pipeline's fingerprint
    compare        the files under the inputs now against the catalog: fresh, added, changed,
                   removed (what an update reads and drops)
    Staleness      why an index no longer matches its files, typed (StaleKind): the CLI and the
                   web page react to the kind, never to a message's words
    fingerprint    one fingerprint over everything at index time that shapes what is indexed:
                   the data files the build reads, the index-time modules' constants, the
                   jieba dictionary, the Unicode tables, the store's format

The catalog reads files and folders (kb.ingest.collect) but never writes an index: kb.build does.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from importlib import import_module, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from . import questions
from .errors import IndexCorruptError, KbError
from .ingest import Ingested, Source, collect
from .model import DocumentInfo, SkipKind, Skipped

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# --- the pipeline's fingerprint ----------------------------------------------------------

# Bump when code (not a data file or a constant below) changes what is indexed for the same files.
PIPELINE_VERSION = "2"  # 2: drop_mojibake takes two common characters before lost ones

# The files of kb/data the build reads, each for what it shapes. The others are read only when
# a query is understood, ranked or answered (QUERY_TIME_DATA) or are notes for people
# (DATA_NOTES), so changing them needs no new index.
INDEX_TIME_DATA = (
    "userdict.txt",  # jieba's domain words (kb.analysis)
    "stopwords.txt",  # tokens left out (kb.analysis)
    "spin.txt",  # what marks a spun document and how it is repaired (kb.lexicon)
    "kinds.txt",  # a passage's kind (kb.passages)
    "boilerplate_blocks.txt", "boilerplate_inline.txt", "boilerplate_lines.txt",  # kb.clean
    "common_chars.txt",  # encoding detection and mojibake (kb.read, kb.clean)
    "cns11643_plane1.txt",  # EUC-TW decoding (kb.read)
    "opencc/CJK_Compatibility_Ideographs.txt", "opencc/TSCharacters.txt", "opencc/TSPhrases.txt",
    "opencc/TWVariantsRev.txt", "opencc/HKVariantsRev.txt",  # Traditional to Simplified (kb.script)
)
# ranking.toml is mostly query-time; only its [fields] table (the parts' boosts) is indexed
INDEX_TIME_TABLES = ("ranking.toml", ("fields",))
QUERY_TIME_DATA = frozenset({
    "ranking.toml", "ranking_dense.toml", "synonyms.txt", "question_words.txt", "list_nouns.txt", "phrasebook.txt", "colloquial.txt", "intents.txt",
    "question_kinds.txt", "answer.toml",
})
DATA_NOTES = frozenset({"opencc/README.md", "opencc/LICENSE"})

# The modules on the build path whose module-level constants (UPPER_CASE names: sizes,
# thresholds, patterns, tables) shape what is indexed; kb.store.store's FORMAT too.
INDEX_TIME_MODULES = (
    "kb.formats", "kb.formats.plain", "kb.formats.markdown", "kb.formats.html", "kb.formats.package",
    "kb.formats.word", "kb.formats.slides", "kb.formats.msdoc", "kb.formats.msppt", "kb.formats.pdf",
    "kb.formats.sheets", "kb.formats.delimited", "kb.formats.xls", "kb.formats.rtf",
    "kb.read", "kb.clean", "kb.structure", "kb.passages", "kb.location", "kb.questions", "kb.ingest",
    "kb.lexicon", "kb.script", "kb.analysis", "kb.measures", "kb.store.fields",
    "kb.store.whoosh_engine",  # SCHEMA: what a whoosh index keeps
)
# Constants of those modules that steer how the work is done, not what comes of it.
NOT_SHAPING = frozenset({"PARALLEL_INGEST", "INGEST_CHUNK", "PARALLEL_CHUNK", "EXTRA_HINT"})
_CONSTANT = re.compile(r"_?[A-Z][A-Z0-9_]*")


def fingerprint_inputs(data: Traversable | Path | None = None) -> dict[str, str]:
    """Everything the pipeline fingerprint covers, by name, each as a short digest or value:
    `data:NAME` for kb/data files (`data` may name another folder, for tests), `const:MODULE.NAME`
    for constants, and the jieba dictionary, Unicode version and store format."""
    from .rankdata import parse
    from .store import FORMAT

    folder = resources.files("kb.data") if data is None else data
    out = {"pipeline": PIPELINE_VERSION, "store.format": str(FORMAT),
           "unicode": unicodedata.unidata_version, "jieba": _jieba_dictionary()}
    for name in INDEX_TIME_DATA:
        out[f"data:{name}"] = hashlib.sha256(folder.joinpath(name).read_bytes()).hexdigest()[:16]
    name, tables = INDEX_TIME_TABLES
    parsed = parse(folder.joinpath(name).read_text("utf-8"))
    for table in tables:
        out[f"data:{name}[{table}]"] = _canonical(parsed.get(table, {}))
    for module in INDEX_TIME_MODULES:
        values = vars(import_module(module))
        for const in sorted(values):
            if _CONSTANT.fullmatch(const) and const not in NOT_SHAPING and _is_data(values[const]):
                out[f"const:{module}.{const}"] = _canonical(values[const])
    return out


@lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """One fingerprint of the whole index-time pipeline (fingerprint_inputs): an index built
    under another is stale (StaleKind.PIPELINE_CHANGED) and is built again in full. Read once a
    process; a test that changes a constant calls pipeline_fingerprint.cache_clear()."""
    return digest(fingerprint_inputs())


def digest(inputs: Mapping[str, str]) -> str:
    h = hashlib.sha256()
    for key in sorted(inputs):
        h.update(f"{key}\0{inputs[key]}\0".encode())
    return h.hexdigest()[:16]


def _jieba_dictionary() -> str:
    """jieba's own dictionary, by the package's version and the dictionary's size: read off
    its files, without importing jieba (which a search in a new process may not need) or
    importlib.metadata (30 ms)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("jieba")
        folder = Path(list(spec.submodule_search_locations or [])[0]) if spec else None
        if folder is None:
            return "none"
        found = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", (folder / "__init__.py").read_text("utf-8"))
        return f"{found.group(1) if found else '?'} {(folder / 'dict.txt').stat().st_size}"
    except (OSError, ValueError, IndexError):
        return "unknown"


def _is_data(value: Any) -> bool:
    return isinstance(value, (str, bytes, int, float, bool, tuple, list, dict, set, frozenset, re.Pattern))


def _canonical(value: Any) -> str:
    """A constant as text that is the same in every process: sets and dict keys sorted (their
    order follows string hashing, which differs from one process to the next), patterns by
    their source, functions by name (never by address)."""
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return repr(value)
    if isinstance(value, re.Pattern):
        return f"re({value.pattern!r}, {value.flags})"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(f"{_canonical(k)}: {_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_canonical(v) for v in value) + ")"
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


# --- the manifest -------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """A file an index holds, as it was when read: what tells a changed file from a fresh one."""

    path: str
    name: str
    sha256: str
    size: int
    mtime_ns: int
    format: str = "txt"

    @classmethod
    def of(cls, d: Ingested) -> "SourceFile":
        st = d.source.path.stat()
        return cls(str(d.source.path), d.source.name, d.sha256, st.st_size, st.st_mtime_ns, d.format)

    def changed(self, path: Path | None = None) -> bool:
        """Whether the file is no longer as it was read: by size and time, then by content."""
        path = Path(self.path) if path is None else path
        try:
            st = path.stat()
        except OSError:
            return True
        if st.st_size == self.size and st.st_mtime_ns == self.mtime_ns:
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() != self.sha256


@dataclass(frozen=True)
class SkippedFile:
    """A file the build could not use, and the size and time it had then: it is not tried
    again (nor counted as new) until it changes."""

    path: str
    reason: str
    kind: SkipKind = SkipKind.UNREADABLE
    size: int | None = None
    mtime_ns: int | None = None

    @classmethod
    def of(cls, s: Skipped) -> "SkippedFile":
        return cls(s.path, s.reason, s.kind, *_stat(s.path))

    def still_failing(self) -> bool:
        return self.size is not None and _stat(self.path) == (self.size, self.mtime_ns)

    @property
    def skipped(self) -> Skipped:
        return Skipped(self.path, self.reason, self.kind)


def _skip_kind(value: Any) -> SkipKind:
    try:
        return SkipKind(value)
    except ValueError:
        return SkipKind.UNREADABLE


def _stat(path: str) -> tuple[int, int] | tuple[None, None]:
    try:
        st = Path(path).stat()
    except OSError:
        return None, None
    return st.st_size, st.st_mtime_ns


@dataclass(frozen=True)
class Comparison:
    """The files under a catalog's inputs now, against the catalog: `fresh` as indexed, `todo`
    to read (in the order found: `added` under a new name, `changed` under a recorded one),
    `removed` names to drop, `failing` files a build skipped that have not changed since
    (left alone)."""

    fresh: tuple[Source, ...] = ()
    todo: tuple[Source, ...] = ()
    removed: tuple[str, ...] = ()
    failing: tuple[Skipped, ...] = ()
    known: frozenset[str] = frozenset()  # the names the catalog records

    @property
    def added(self) -> tuple[Source, ...]:
        return tuple(s for s in self.todo if s.name not in self.known)

    @property
    def changed(self) -> tuple[Source, ...]:
        return tuple(s for s in self.todo if s.name in self.known)


@dataclass(frozen=True)
class Catalog:
    """What an index was built from (meta.json's fields): frozen; a build makes a new one."""

    pipeline: str
    inputs: tuple[str, ...]
    sources: tuple[SourceFile, ...]
    documents: Mapping[str, DocumentInfo]
    skipped: tuple[SkippedFile, ...] = ()
    questions: str = ""  # the typical questions' fingerprint (kb.questions); '' with none
    excluded: tuple[str, ...] = ()  # paths removed on purpose (kb index --remove): not re-added

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any], root: Path | str = "") -> "Catalog":
        """The catalog a generation's meta.json holds, that of the index at `root` (what an
        older kb wrote reads as a catalog of another pipeline: stale, and built again in full).
        Raises IndexCorruptError when it is not a catalog at all."""
        try:
            sources = tuple(SourceFile(s["path"], s["name"], s.get("sha256", ""), s.get("size", -1),
                                       s.get("mtime_ns", -1), s.get("format", "txt")) for s in meta.get("sources", ()))
            skipped = tuple(SkippedFile(s["path"], s.get("reason", ""), _skip_kind(s.get("kind")), s.get("size"),
                                        s.get("mtime_ns")) for s in meta.get("skipped", ()))
            return cls(meta.get("pipeline", ""), tuple(meta.get("inputs", ())), sources,
                       dict(meta.get("documents", {})), skipped, meta.get("questions", ""),
                       tuple(meta.get("excluded", ())))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise IndexCorruptError(f"index at {root} is corrupt (its catalog in meta.json); "
                                    "rebuild it with `kb index --full`") from exc

    def to_meta(self) -> dict:
        return {
            "pipeline": self.pipeline,
            "inputs": list(self.inputs),
            "sources": [vars(s) for s in self.sources],
            "documents": dict(self.documents),
            "skipped": [{"path": s.path, "reason": s.reason, "kind": s.kind.value,
                         **({"size": s.size, "mtime_ns": s.mtime_ns} if s.size is not None else {})}
                        for s in self.skipped],
            "questions": self.questions,
            "excluded": list(self.excluded),
        }

    @classmethod
    def made(cls, inputs: Iterable[Path], done: list[Ingested], skipped: Iterable[Skipped],
             kept: "Catalog | None" = None, keep: Iterable[str] = (), excluded: Iterable[str] = ()) -> "Catalog":
        """The catalog of a build that read `done` from `inputs`, keeping the documents named
        in `keep` as `kept` records them (first, in its order), then the ones read."""
        keep = set(keep)
        old = [s for s in kept.sources if s.name in keep] if kept else []
        sources = [*old, *(SourceFile.of(d) for d in done)]
        documents = {s.name: kept.documents[s.name] for s in old} if kept else {}
        documents.update({d.source.name: {"title": d.title, "encoding": d.encoding, "spun": d.spun,
                                          "outline": [list(e) for e in d.outline]} for d in done})
        inputs = [Path(p) for p in inputs]
        return cls(pipeline_fingerprint(), tuple(str(p.resolve()) for p in inputs), tuple(sources),
                   {s.name: documents[s.name] for s in sources}, tuple(SkippedFile.of(s) for s in skipped),
                   questions.fingerprint(inputs), tuple(sorted(excluded)))

    def without(self, name: str) -> "Catalog":
        """This catalog less one document, whose file is not re-added until indexed again."""
        gone = [s.path for s in self.sources if s.name == name]
        documents = {k: v for k, v in self.documents.items() if k != name}
        if not documents:
            raise KbError(f"{name} is the only indexed document; index something else first")
        return replace(self, sources=tuple(s for s in self.sources if s.name != name), documents=documents,
                       excluded=tuple(sorted(set(self.excluded) | set(gone))))

    @property
    def input_paths(self) -> list[Path]:
        return [Path(p) for p in self.inputs]

    def builds_like_now(self, inputs: Iterable[Path]) -> bool:
        """Whether an update may build on this index: the same pipeline and typical questions
        (otherwise every passage may change, and the index is built again in full)."""
        return self.pipeline == pipeline_fingerprint() and self.questions == questions.fingerprint(inputs)

    def compare(self, sources: Iterable[Source], excluded: Iterable[str] = ()) -> Comparison:
        """The files found now against this catalog: a file is fresh when its name, its path
        and its content are as recorded. Files in `excluded` are left out."""
        excluded = set(excluded)
        sources = [s for s in sources if str(s.path) not in excluded]
        recorded = {s.name: s for s in self.sources}
        failing = {s.path: s for s in self.skipped if s.still_failing()}
        fresh, todo = [], []
        for s in sources:
            old = recorded.get(s.name)
            if old is not None and old.path == str(s.path) and not old.changed(s.path):
                fresh.append(s)
            elif str(s.path) not in failing:
                todo.append(s)
        removed = sorted(set(recorded) - {s.name for s in sources})
        held = [failing[str(s.path)].skipped for s in sources if str(s.path) in failing]
        return Comparison(tuple(fresh), tuple(todo), tuple(removed), tuple(held), frozenset(recorded))

    def staleness(self) -> "Staleness":
        """Why the index no longer matches its files, measured against the folders now."""
        reasons = []
        inputs = self.input_paths
        if self.pipeline != pipeline_fingerprint():
            reasons.append(Stale(StaleKind.PIPELINE_CHANGED))
        if self.questions != questions.fingerprint(inputs):
            reasons.append(Stale(StaleKind.QUESTIONS_CHANGED))
        missing = tuple(str(p) for p in inputs if not p.exists())
        if missing:
            return Staleness((*reasons, Stale(StaleKind.INPUTS_MISSING, missing)))
        try:
            sources, _ = collect(inputs)
        except KbError as exc:  # an input went between the check above and the walk
            return Staleness((*reasons, Stale(StaleKind.INPUTS_MISSING, detail=str(exc))))
        c = self.compare(sources, self.excluded)
        where = {s.name: s.path for s in self.sources}
        for kind, paths in ((StaleKind.ADDED, [str(s.path) for s in c.added]),
                            (StaleKind.REMOVED, [where[n] for n in c.removed]),
                            (StaleKind.CHANGED, [str(s.path) for s in c.changed])):
            if paths:
                reasons.append(Stale(kind, tuple(sorted(paths))))
        return Staleness(tuple(reasons))


# --- staleness ------------------------------------------------------------------------------


class StaleKind(str, Enum):
    """Why an index no longer matches its files."""

    ADDED = "added"  # files under the inputs that the index does not hold
    REMOVED = "removed"  # indexed files no longer there
    CHANGED = "changed"  # indexed files whose content changed
    INPUTS_MISSING = "inputs missing"  # a folder or file the index was built from is gone
    PIPELINE_CHANGED = "pipeline changed"  # kb's data, constants or index format changed: every passage may
    QUESTIONS_CHANGED = "questions changed"  # the typical questions file changed: every passage may


FULL = frozenset({StaleKind.PIPELINE_CHANGED, StaleKind.QUESTIONS_CHANGED})  # stale all through


@dataclass(frozen=True)
class Stale:
    """One reason an index is stale, with the files it concerns; str() says it in a line."""

    kind: StaleKind
    paths: tuple[str, ...] = ()
    detail: str = ""

    def __str__(self) -> str:
        n, first = len(self.paths), Path(self.paths[0]).name if self.paths else ""
        return self.detail or {
            StaleKind.PIPELINE_CHANGED: "the indexing pipeline (analyzer, data files, constants or index format) "
                                        "changed since the index was built",
            StaleKind.QUESTIONS_CHANGED: f"the typical questions ({questions.QUESTIONS_FILE}) changed",
            StaleKind.INPUTS_MISSING: f"indexed path(s) gone: {', '.join(self.paths)}",
            StaleKind.ADDED: f"{n} new file(s), e.g. {first}",
            StaleKind.REMOVED: f"{n} file(s) removed, e.g. {first}",
            StaleKind.CHANGED: f"{n} file(s) changed, e.g. {first}",
        }[self.kind]


@dataclass(frozen=True)
class Staleness:
    """Why an index no longer matches its files: empty (false) when it is fresh."""

    reasons: tuple[Stale, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.reasons)

    def __str__(self) -> str:
        return "; ".join(map(str, self.reasons))

    @property
    def kinds(self) -> frozenset[StaleKind]:
        return frozenset(r.kind for r in self.reasons)

    @property
    def inputs_missing(self) -> bool:
        """A folder or file the index was built from is gone: rebuilding would lose documents."""
        return StaleKind.INPUTS_MISSING in self.kinds

    @property
    def full(self) -> bool:
        """Every passage may have changed: only a full build brings the index up to date."""
        return bool(self.kinds & FULL)

    def paths(self, kind: StaleKind) -> tuple[str, ...]:
        return tuple(p for r in self.reasons if r.kind == kind for p in r.paths)


__all__ = ["Catalog", "Comparison", "SourceFile", "SkippedFile", "Stale", "StaleKind", "Staleness",
           "fingerprint_inputs", "pipeline_fingerprint"]
