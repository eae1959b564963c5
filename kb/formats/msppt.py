"""PowerPoint 97–2003 (.ppt): the slides' text read off the binary records, through olefile.

A .ppt is an OLE compound file whose `PowerPoint Document` stream is a tree of
records ([MS-PPT] 2.3). The last edit (`CurrentUser` → UserEditAtom) leads to the
persist directory, which maps each slide's persist id to its record; the document's
slide list (SlideListWithTextContainer) gives the slides in presentation order,
each with the text of its placeholders (title, body) and their kinds. The slide's
own record adds its text boxes, and its notes page the speaker notes.

As for .pptx, one section a slide: a slide's title is a heading (the first slide's
centred title is the deck's title), its other text and its notes the body, and every
line carries its slide number. A file whose directory cannot be followed is read
record by record instead, every text in stream order, a slide at each slide record.
"""

from __future__ import annotations

import struct
from pathlib import Path

from ..errors import ReadError
from ..location import Place
from ..structure import UNLEVELLED
from . import Layout, corrupt, require
from .package import file_digest as _digest
from .package import not_ole as _not_ole

STREAM = "PowerPoint Document"
DOCUMENT, SLIDE, SLIDE_ATOM, NOTES = 0x03E8, 0x03EE, 0x03EF, 0x03F0
SLIDE_LIST, SLIDE_PERSIST = 0x0FF0, 0x03F3
TEXT_HEADER, TEXT_CHARS, TEXT_BYTES = 0x0F9F, 0x0FA0, 0x0FA8
USER_EDIT, PERSIST_DIRECTORY = 0x0FF5, 0x1772
TITLE, CENTER_TITLE = 0, 6  # TextHeaderAtom.textType of a slide's title placeholders
TITLE_SLIDE = 0  # SlideAtom.geom of a title slide's layout (SL_TitleSlide)
NOTES_BODY = 2  # TextHeaderAtom.textType of a notes page's text
SLIDE_NUMBER = "*"  # what a slide-number field's text is, alone in its box
SLIDES, NOTES_LIST = 0, 2  # SlideListWithTextContainer.recInstance
_BREAKS = str.maketrans({"\x0b": "\n", "\r": "\n", "\x00": None})


def read(path: Path):
    olefile = require("olefile", path)
    try:
        if not olefile.isOleFile(str(path)):
            raise ReadError(f"{path}: {_not_ole(path, 'PowerPoint 97–2003 presentation', '.pptx')}")
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists(STREAM):
                raise ReadError(f"{path}: not a PowerPoint 97–2003 presentation (no {STREAM} stream)")
            if ole.exists("EncryptedSummary"):
                raise ReadError(f"{path}: the presentation is password-protected (save a copy without the password)")
            stream = ole.openstream(STREAM).read()
            user = ole.openstream("Current User").read() if ole.exists("Current User") else b""
        try:
            slides = _slides(stream, user)
        except (struct.error, KeyError, ValueError, IndexError):
            slides = _stream_order(stream)
    except ReadError:
        raise
    except Exception as exc:  # a damaged container fails anywhere inside olefile
        raise corrupt(path, exc) from exc
    layout = Layout()
    for number, (title_type, title, lines) in enumerate(slides, 1):
        place = Place("slide", number)
        if title.strip():
            deck_title = number == 1 and title_type == CENTER_TITLE
            layout.add(title.replace("\n", " "), None if deck_title else UNLEVELLED, place)
        for line in lines:
            layout.add(line, place=place)
    return layout.extracted("ppt", "ppt", _digest(path))


def _records(buf: bytes, start: int, end: int):
    """(type, instance, body start, body end, is a container) of the records in buf[start:end]."""
    at = start
    while at + 8 <= end:
        ver_inst, kind, size = struct.unpack_from("<HHI", buf, at)
        body = at + 8
        stop = min(body + size, end)
        yield kind, ver_inst >> 4, body, stop, (ver_inst & 0xF) == 0xF
        at = body + size


def _record_at(buf: bytes, offset: int) -> tuple[int, int, int, int]:
    ver_inst, kind, size = struct.unpack_from("<HHI", buf, offset)
    return kind, ver_inst >> 4, offset + 8, offset + 8 + size


def _text(buf: bytes, kind: int, start: int, end: int) -> str:
    raw = buf[start:end]
    text = raw.decode("utf-16-le", "replace") if kind == TEXT_CHARS else raw.decode("latin-1")
    return text.translate(_BREAKS)


def _persist_directory(stream: bytes, user: bytes) -> tuple[dict[int, int], int]:
    """Persist id → record offset, newest edit first, and the document's persist id."""
    # CurrentUserAtom: record header, size, headerToken, offsetToCurrentEdit
    edit = struct.unpack_from("<I", user, 16)[0]
    offsets: dict[int, int] = {}
    document = None
    seen = set()
    while edit and edit not in seen and edit < len(stream):
        seen.add(edit)
        kind, _, body, _ = _record_at(stream, edit)
        if kind != USER_EDIT:
            raise ValueError("no UserEditAtom at the current edit")
        last_edit, directory, doc_ref = struct.unpack_from("<III", stream, body + 8)
        document = document if document is not None else doc_ref
        kind, _, at, end = _record_at(stream, directory)
        if kind != PERSIST_DIRECTORY:
            raise ValueError("no PersistDirectoryAtom")
        while at + 4 <= end:
            head = struct.unpack_from("<I", stream, at)[0]
            first, count = head & 0xFFFFF, head >> 20
            for k in range(count):
                offsets.setdefault(first + k, struct.unpack_from("<I", stream, at + 4 + 4 * k)[0])
            at += 4 + 4 * count
        edit = last_edit
    if document is None:
        raise ValueError("no edit")
    return offsets, document


def _slides(stream: bytes, user: bytes) -> list[tuple[int, str, list[str]]]:
    """(title's text type, title, other lines) of each slide, in presentation order."""
    offsets, document = _persist_directory(stream, user)
    kind, _, start, end = _record_at(stream, offsets[document])
    if kind != DOCUMENT:
        raise ValueError("no DocumentContainer")
    lists = {inst: _slide_list(stream, body, stop)
             for kind, inst, body, stop, _ in _records(stream, start, end) if kind == SLIDE_LIST}
    # a slide names its notes by the notes' id (SlideAtom.notesIdRef), which the notes list maps
    notes = {ident: (ref, texts) for ref, ident, texts in lists.get(NOTES_LIST, [])}
    out = []
    for ref, _, texts in lists.get(SLIDES, []):
        texts = list(texts)  # the placeholders' text, as the slide list holds it
        geom, slide_notes = None, []
        if ref in offsets:
            kind, _, body, stop = _record_at(stream, offsets[ref])
            if kind == SLIDE:
                # the slide's own text boxes; a file that keeps its placeholders' text there too
                # (as other programs than PowerPoint write it) has it only once
                texts += [t for t in _box_texts(stream, body, stop) if t not in texts]
                geom, notes_ref = _slide_atom(stream, body, stop)
                notes_persist, notes_texts = notes.get(notes_ref, (None, []))
                slide_notes = [t for _, t in notes_texts]
                if not slide_notes and notes_persist in offsets:  # kept with the notes page's own boxes
                    kind, _, nb, ns = _record_at(stream, offsets[notes_persist])
                    if kind == NOTES:  # the notes' body, not the page's header, date or number
                        slide_notes = [t for k, t in _box_texts(stream, nb, ns) if k == NOTES_BODY]
        title = next(((t, x) for t, x in texts if t in (TITLE, CENTER_TITLE) and x.strip()), (-1, ""))
        lines = [ln for t, x in texts if (t, x) != title for ln in x.split("\n")]
        lines += [ln for text in slide_notes for ln in text.split("\n")]
        # a title slide's title (its layout, or a centred title) is the deck's, as for .pptx
        kind = CENTER_TITLE if title[0] == CENTER_TITLE or (geom == TITLE_SLIDE and title[1]) else title[0]
        out.append((kind, title[1], [ln for ln in lines if ln.strip() and ln.strip() != SLIDE_NUMBER]))
    return out


def _slide_atom(stream: bytes, start: int, end: int) -> tuple[int | None, int | None]:
    """A slide's SlideAtom: its layout (geom) and its notes' id (None: no notes)."""
    for kind, _, body, _, _ in _records(stream, start, end):
        if kind == SLIDE_ATOM:
            geom, notes = struct.unpack_from("<I12xI", stream, body)
            return geom, notes or None
    return None, None


def _slide_list(stream: bytes, start: int, end: int) -> list[tuple[int, int, list[tuple[int, str]]]]:
    """(persist id, slide or notes id, [(text type, text)…]) of each entry of a
    SlideListWithTextContainer."""
    out: list[tuple[int, int, list[tuple[int, str]]]] = []
    text_type = 1
    for kind, _, body, stop, _ in _records(stream, start, end):
        if kind == SLIDE_PERSIST:
            ref, ident = struct.unpack_from("<I8xI", stream, body)
            out.append((ref, ident, []))
        elif kind == TEXT_HEADER and out:
            text_type = struct.unpack_from("<I", stream, body)[0]
        elif kind in (TEXT_CHARS, TEXT_BYTES) and out:
            out[-1][2].append((text_type, _text(stream, kind, body, stop)))
    return out


def _box_texts(stream: bytes, start: int, end: int) -> list[tuple[int, str]]:
    """The text boxes' own text inside a slide or notes record (placeholders only refer to the
    slide list's text, which is read there), in the order they are drawn. Walked with a stack
    of its own: a damaged file may nest records as deep as its bytes allow."""
    out = []
    text_type = 4
    stack = [iter(_records(stream, start, end))]
    while stack:
        record = next(stack[-1], None)
        if record is None:
            stack.pop()
            continue
        kind, _, body, stop, container = record
        if container:
            stack.append(iter(_records(stream, body, stop)))
        elif kind == TEXT_HEADER and stop - body >= 4:
            text_type = struct.unpack_from("<I", stream, body)[0]
        elif kind in (TEXT_CHARS, TEXT_BYTES):
            out.append((text_type, _text(stream, kind, body, stop)))
    return out


def _stream_order(stream: bytes) -> list[tuple[int, str, list[str]]]:
    """Every slide record's texts in stream order, its first title-typed text as its title."""
    out = []
    for kind, _, body, stop, _ in _records(stream, 0, len(stream)):
        if kind == DOCUMENT:
            continue
        if kind == SLIDE:
            texts = _box_texts(stream, body, stop)
            title = next(((t, x) for t, x in texts if t in (TITLE, CENTER_TITLE)), (-1, ""))
            lines = [ln for t, x in texts if (t, x) != title for ln in x.split("\n") if ln.strip()]
            out.append((title[0], title[1], lines))
    return out

