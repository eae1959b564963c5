"""Office Open XML packages (.docx, .pptx, .xlsx): checked, and bounded, before a parser opens them.

A package is a zip, and a zip can declare a part of 1 GB packed into 1 MB (a zip bomb).
python-docx and python-pptx read each part whole, then parse it, so such a part cost its
full size and more before anything refused it (2.1 GB of memory to reject a 1 MB .docx).
So kb opens the package itself first and hands the parser a copy it has measured:

- the parts a parser reads as XML (those [Content_Types].xml calls XML: the document, the
  slides and notes, styles, relationships) may declare MAX_XML bytes together, else the file
  is refused, from its directory alone, with what it would expand to;
- those parts are inflated a piece at a time into the copy, counting the bytes, so a part
  that holds more than it declares never reaches the parser either (zipfile stops a part at
  its declared size; the count stops the whole at MAX_XML);
- pictures, media and embedded files are never inflated nor held: the package is read from
  the disk (its hash a piece at a time), and they reach the parser empty (no reader looks at
  their bytes), so a deck of photos or videos costs what its XML costs.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.etree import ElementTree

from ..errors import ReadError
from . import corrupt

MB = 1 << 20
# The XML a package may expand to. Parsing costs about 15 times the XML's size (python-docx's
# and lxml's tree, then the passages and their index): a Word manual with 39.7 MB of XML, 3
# million characters, peaked at 610 MB (`kb index`, scripts/bounds_inputs.py), so 40 MB keeps
# one file under 1 GB. Real files are far below it: a 200-slide deck with a photo on every
# slide holds 1 MB of XML (and 280 MB of photos, never read), a manual of a million
# characters about 11 MB.
MAX_XML = 40 * MB
CHUNK = 1 * MB  # inflated at a time
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: a password-protected .docx, or an old .doc
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_TYPES = "[Content_Types].xml"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def open_package(path: Path, limit: int | None = None) -> tuple[io.BytesIO, str]:
    """(the package as its parser should read it: its XML parts, measured, every other part
    empty; the file's sha256). Raises ReadError naming the file when it cannot be read, is no
    package, or expands past `limit` bytes of XML (MAX_XML)."""
    try:
        file = path.open("rb")
    except OSError as exc:
        raise ReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with file:
        try:
            office_container(path, file)
            file.seek(0)
            digest = _sha256(file)
            file.seek(0)
            with zipfile.ZipFile(file) as package:
                return _Measured(path, package, MAX_XML if limit is None else limit).copy(), digest
        except ReadError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, zlib.error, EOFError,
                OSError, RuntimeError, NotImplementedError, ValueError) as exc:  # damaged, encrypted, an unknown compression
            raise corrupt(path, exc) from exc


def file_digest(path: Path) -> str:
    """A file's sha256, read a piece at a time."""
    with path.open("rb") as file:
        return _sha256(file)


def _sha256(file: BinaryIO) -> str:
    """The sha256 of what is left to read of a file, read a piece at a time."""
    digest = hashlib.sha256()
    while piece := file.read(CHUNK):
        digest.update(piece)
    return digest.hexdigest()


def not_ole(path: Path, kind: str, modern: str) -> str:
    """Why a file with an old binary suffix (.doc, .ppt) is not one: a newer package or RTF
    under the old name, or neither."""
    with path.open("rb") as file:
        head = file.read(8)
    if head.startswith(b"PK"):
        return f"a {modern} file named {path.suffix} (rename it {path.stem}{modern})"
    if head.startswith(b"{\\rtf"):
        return f"an RTF file named {path.suffix} (rename it {path.stem}.rtf)"
    return f"not a {kind} (no OLE container)"


def office_container(path: Path, file: BinaryIO) -> None:
    """Refuse, with the reason, what is not an Office Open XML package."""
    if file.read(len(_OLE)) != _OLE:
        return
    suffix = path.suffix.lower()
    tail = b""
    while piece := file.read(CHUNK):  # the container's directory names its streams
        if _ENCRYPTED in tail + piece:
            raise ReadError(f"{path}: encrypted {suffix} (password-protected)")
        tail = piece[-len(_ENCRYPTED):]
    old = {".docx": ".doc", ".pptx": ".ppt", ".xlsx": ".xls", ".xlsm": ".xls"}.get(suffix)
    if old:  # kb reads those (msdoc.py, msppt.py, xls.py) under their own name
        raise ReadError(f"{path}: an old binary {old} file named {suffix} (rename it {path.stem}{old})")
    raise ReadError(f"{path}: an old binary Office file named {suffix}")


class _Measured:
    """One package, read part by part against a budget of inflated bytes."""

    def __init__(self, path: Path, package: zipfile.ZipFile, limit: int) -> None:
        self.path, self.package, self.limit, self.left = path, package, limit, limit
        # by name, the last entry of a name: the one zipfile (and so the parser) reads
        self.parts = {info.filename: info for info in package.infolist() if not info.is_dir()}

    def copy(self) -> io.BytesIO:
        xml = self.xml_parts()
        declared = sum(self.parts[name].file_size for name in xml)
        if declared > self.limit:
            largest = max((self.parts[name] for name in xml), key=lambda info: info.file_size)
            raise ReadError(f"{self.path}: expands to {_mb(declared)} of XML ({largest.filename}: "
                            f"{_mb(largest.compress_size)} packed, {_mb(largest.file_size)} unpacked), "
                            f"over the {_mb(self.limit)} kb reads")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for name, info in self.parts.items():
                copy.writestr(zipfile.ZipInfo(name), self.read(info) if name in xml else b"")
        out.seek(0)
        return out

    def xml_parts(self) -> set[str]:
        """The parts a parser reads as XML, by [Content_Types].xml (an override for the part, else
        the default for its extension); a part it gives no type counts as XML."""
        if _TYPES not in self.parts:
            return set(self.parts)
        types = ElementTree.fromstring(self.read(self.parts[_TYPES]))
        self.left = self.limit  # counted again with the other parts
        defaults = {e.get("Extension", "").lower(): e.get("ContentType", "") for e in types.iter(f"{_CT}Default")}
        overrides = {e.get("PartName", "").lstrip("/").lower(): e.get("ContentType", "")
                     for e in types.iter(f"{_CT}Override")}
        out = {_TYPES}
        for name in self.parts:
            kind = overrides.get(name.lower()) or defaults.get(PurePosixPath(name).suffix.lstrip(".").lower())
            if kind is None or kind.lower().endswith("xml"):
                out.add(name)
        return out

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """A part's bytes, inflated a piece at a time and taken from the budget."""
        pieces = []
        with self.package.open(info) as part:
            while piece := part.read(CHUNK):
                self.left -= len(piece)
                if self.left < 0:
                    raise ReadError(f"{self.path}: {info.filename} holds more than it declares, "
                                    f"past the {_mb(self.limit)} of XML kb reads")
                pieces.append(piece)
        return b"".join(pieces)


def _mb(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size / MB:.1f} MB"
