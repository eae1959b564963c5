"""Bounded inputs (issue 14): a file that would cost too much memory is skipped with one line
saying why, and the build goes on; a large but ordinary one (a line of megabytes, a deck of
photos) is read whole. Memory itself is measured by scripts/bounds_inputs.py, never here: the
machines are shared."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest

from kb import KnowledgeBase, ReadError
from kb.formats import extract, package
from kb.passages import MAX_TEXT

from .conftest import seed
from .seed_formats import write

MB = 1 << 20


def _with_part(src: Path, out: Path, name: str, write_part) -> Path:
    """A copy of the package `src` whose part `name` is written, streaming, by `write_part`."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename == name:
                continue
            new.writestr(info, old.read(info))
        part = zipfile.ZipInfo(name)
        part.compress_type = zipfile.ZIP_DEFLATED
        with new.open(part, "w", force_zip64=True) as member:
            write_part(member)
    return out


def _bomb(member, size: int = 1024 * MB) -> None:
    """A document of one paragraph of `size` repeated bytes: 1 GB packs into 1 MB."""
    member.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
                 b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
    block = b"A" * MB
    for _ in range(size // MB):
        member.write(block)
    member.write(b"</w:t></w:r></w:p></w:body></w:document>")


@pytest.fixture(scope="module")
def bombed(tmp_path_factory) -> tuple[Path, KnowledgeBase]:
    """A folder with a 1 MB .docx that expands to 1 GB, between a good deck and a good text."""
    folder = tmp_path_factory.mktemp("bombed") / "drive"
    folder.mkdir()
    write(seed("002"), folder, "pptx", stem="good")
    (folder / "good.txt").write_bytes(seed("001").read_bytes())
    write(seed("000"), folder, "docx", stem="plain")
    _with_part(folder / "plain.docx", folder / "bomb.docx", "word/document.xml", _bomb)
    (folder / "plain.docx").unlink()
    kb = KnowledgeBase.build([folder], tmp_path_factory.mktemp("bombed-index") / "index")
    return folder, kb


def test_a_zip_bomb_is_skipped_with_what_it_expands_to(bombed):
    folder, kb = bombed
    assert (folder / "bomb.docx").stat().st_size < 2 * MB
    (skipped,) = kb.report.skipped
    assert Path(skipped.path).name == "bomb.docx"
    assert re.fullmatch(rf"{re.escape(str(folder / 'bomb.docx'))}: expands to 1,02\d MB of XML "
                        r"\(word/document\.xml: 1\.\d MB packed, 1,024 MB unpacked\), over the 40 MB kb reads",
                        skipped.reason), skipped.reason


def test_the_build_goes_on_past_the_bomb(bombed):
    _, kb = bombed
    assert sorted(kb.documents()) == ["good.pptx", "good.txt"]
    assert kb.search("派前电动车检查要点")[0].passage.doc == "good.pptx"


def test_a_part_that_holds_more_than_it_declares_is_refused_as_corrupt(tmp_path):
    """zipfile trusts a part's declared size; kb inflates no more than that, so the lie
    shows as a damaged part (its checksum), never as memory."""
    good = write(seed("001"), tmp_path, "docx")
    liar = _with_part(good, tmp_path / "liar.docx", "word/document.xml", lambda m: _bomb(m, 64 * MB))
    data = bytearray(liar.read_bytes())
    info = zipfile.ZipFile(liar).getinfo("word/document.xml")
    declared = 1000
    central = next(i for i in _all(data, b"PK\x01\x02")
                   if data[i + 46: i + 46 + len(info.filename)] == info.filename.encode())
    struct.pack_into("<I", data, central + 24, declared)  # the central directory's uncompressed size
    extra = central + 46 + len(info.filename)  # and the zip64 extra field's, which zipfile reads first
    if data[extra: extra + 2] == b"\x01\x00":
        struct.pack_into("<Q", data, extra + 4, declared)
    liar.write_bytes(bytes(data))
    assert zipfile.ZipFile(liar).getinfo("word/document.xml").file_size == declared
    with pytest.raises(ReadError, match=r"liar\.docx: corrupt \.docx \("):
        extract(liar)


def _all(data: bytes, needle: bytes):
    at = data.find(needle)
    while at >= 0:
        yield at
        at = data.find(needle, at + 1)


def test_the_xml_cap_is_a_parameter(tmp_path):
    deck = write(seed("002"), tmp_path, "pptx")
    with pytest.raises(ReadError, match=r"expands to .* of XML \(.*\), over the 0\.1 MB kb reads$"):
        package.open_package(deck, limit=MB // 10)
    copy, digest = package.open_package(deck)
    assert zipfile.ZipFile(copy).testzip() is None and len(digest) == 64


def test_pictures_are_never_inflated(tmp_path):
    """A deck whose picture would expand to 512 MB is read for its text: pictures, media and
    embedded files reach python-pptx empty."""
    import pptx
    from pptx.util import Inches

    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(photo, "PNG")
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "客诉处理五步法"
    slide.shapes.add_picture(io.BytesIO(photo.getvalue()), Inches(1), Inches(2))
    deck.save(tmp_path / "plain.pptx")
    with zipfile.ZipFile(tmp_path / "plain.pptx") as z:
        (picture,) = [n for n in z.namelist() if n.startswith("ppt/media/")]
    big = _with_part(tmp_path / "plain.pptx", tmp_path / "photos.pptx", picture,
                     lambda m: [m.write(b"\x00" * MB) for _ in range(512)])
    assert zipfile.ZipFile(big).getinfo(picture).file_size == 512 * MB
    assert extract(big).text == extract(tmp_path / "plain.pptx").text == "客诉处理五步法"


def test_an_old_or_encrypted_office_file_is_still_named(tmp_path):
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * (3 * MB))
    (tmp_path / "locked.pptx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * (2 * MB - 7)
                                          + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100)
    with pytest.raises(ReadError, match=r"old\.docx: an old binary \.doc file named \.docx \(rename it old\.doc\)"):
        extract(tmp_path / "old.docx")
    with pytest.raises(ReadError, match=r"locked\.pptx: encrypted \.pptx \(password-protected\)"):
        extract(tmp_path / "locked.pptx")


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


# --- caps on a file's size -----------------------------------------------------------

def test_a_file_over_its_formats_cap_is_skipped_with_its_size(tmp_path, monkeypatch):
    import kb.formats as formats

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "big.html").write_bytes(b"<p>" + "培训".encode("utf-8") * (MB // 3) + b"</p>")
    (folder / "good.txt").write_bytes(seed("001").read_bytes())
    monkeypatch.setitem(formats.MAX_BYTES, "html", MB)
    kb = KnowledgeBase.build([folder], tmp_path / "ix")
    (skipped,) = kb.report.skipped
    assert skipped.reason == f"{folder / 'big.html'}: 2 MB, over the 1 MB kb reads of a .html file"
    assert list(kb.documents()) == ["good.txt"]


def test_a_text_over_the_character_cap_is_skipped(tmp_path, monkeypatch):
    import kb.ingest as ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "long.txt").write_bytes(seed("000").read_bytes())
    (folder / "good.txt").write_bytes(seed("001").read_bytes())
    monkeypatch.setattr(ingest, "MAX_CHARS", 12_000)
    kb = KnowledgeBase.build([folder], tmp_path / "ix")
    (skipped,) = kb.report.skipped
    assert re.fullmatch(rf"{re.escape(str(folder / 'long.txt'))}: \d\d,\d{{3}} characters, "
                        r"over the 12,000 kb reads of one file \(split it\)", skipped.reason)
