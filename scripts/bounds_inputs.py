"""Write the inputs issue 14 ("bounded inputs and resources") is measured on, a folder each.

    .venv/bin/python scripts/bounds_inputs.py OUT [--caps]

OUT/bomb/       bomb.docx, a zip bomb: a real .docx whose word/document.xml expands to
                1 GB of one repeated byte (1 MB on disk), beside a seed (ok.txt) the build
                should still index
OUT/line/       line.txt, one line of 50 MB of UTF-8 Chinese: the seeds with their line
                breaks taken out, repeated

With --caps, also the largest ordinary files of each format, to measure what kb's caps
(kb/formats/__init__.py MAX_BYTES, kb/formats/package.py MAX_XML) let through:

OUT/line64/     line.txt, the same line at 64 MB
OUT/text64/     text.txt, the seeds repeated as they are (their lines), 64 MB
OUT/md64/       text.md, the seeds as Markdown (headings), 64 MB
OUT/html64/     text.html, the seeds as a web page (<h2>, <p>), 64 MB
OUT/pdf/        handout.pdf, 400 pages, each a photo and a paragraph (about 500 MB)
OUT/deck/       deck.pptx, 200 slides, each a title, five lines, notes and its own photo
                (about 290 MB, 1 MB of it XML)
OUT/manual/     manual.docx, a Word manual whose document.xml is just under 40 MB (3.5
                million characters, every 20 in a run of their own, as Word writes them)

Every file is written streaming, so the script stays small in memory. Measure with
`/usr/bin/time -v kb index OUT/bomb --index …` ("Maximum resident set size").
"""

from __future__ import annotations

import argparse
import html
import io
import os
import re
import sys
import zipfile
from pathlib import Path
from typing import IO, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MB = 1 << 20


def seeds() -> str:
    return "".join(p.read_text("utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))


def repeat(out: Path, block: bytes, size: int, head: bytes = b"", tail: bytes = b"") -> Path:
    """`head`, then `block` until the file holds `size` bytes, then `tail`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as f:
        f.write(head)
        written = len(head) + len(tail)
        while written + len(block) <= size:
            f.write(block)
            written += len(block)
        f.write(tail)
    return out


def _docx_with(out: Path, body: Callable[[IO[bytes]], None]) -> Path:
    """A python-docx document whose word/document.xml is written by `body(member)`."""
    import docx

    base = io.BytesIO()
    docx.Document().save(base)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info))
                continue
            part = zipfile.ZipInfo("word/document.xml", info.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(part, "w", force_zip64=True) as member:
                member.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                             b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                             b"<w:body>")
                body(member)
                member.write(b"</w:body></w:document>")
    return out


def write_bomb(out: Path, expanded: int = 1024 * MB) -> Path:
    """A .docx python-docx would open, whose one paragraph expands to `expanded` bytes."""
    def body(member) -> None:
        member.write(b"<w:p><w:r><w:t>")
        for _ in range(expanded // MB):
            member.write(b"A" * MB)
        member.write(b"</w:t></w:r></w:p>")

    return _docx_with(out, body)


def write_manual(out: Path, xml: int = 39 * MB) -> Path:
    """A Word manual: the seeds' lines as paragraphs, chapter headings, runs of 20 characters
    with their own fonts and sizes, until document.xml holds `xml` bytes."""
    lines = [line for line in (_xml_safe(line).strip() for line in seeds().splitlines()) if line]
    run = ('<w:r><w:rPr><w:rFonts w:ascii="宋体" w:eastAsia="宋体" w:hint="eastAsia"/>{b}<w:sz w:val="24"/>'
           '<w:szCs w:val="24"/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>')

    def body(member) -> None:
        written, chapter = 0, 0
        while written < xml:
            chapter += 1
            blocks = [f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>第{chapter}章</w:t></w:r></w:p>']
            for line in lines:
                runs = "".join(run.format(b="<w:b/>" if k % 60 == 0 else "", t=html.escape(line[k:k + 20]))
                               for k in range(0, len(line), 20))
                blocks.append(f"<w:p>{runs}</w:p>")
            chunk = "".join(blocks).encode("utf-8")
            if written + len(chunk) > xml:
                break
            member.write(chunk)
            written += len(chunk)

    return _docx_with(out, body)


def _xml_safe(text: str) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)


def _photo(n: int) -> bytes:
    """A 1600×1200 JPEG as noisy as a camera's: 1.4 MB that does not compress."""
    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def write_deck(out: Path, slides: int = 200) -> Path:
    import pptx
    from pptx.util import Emu, Inches

    lines = [_xml_safe(line).strip() for line in seeds().splitlines() if line.strip()] * 10
    photos = [_photo(i) for i in range(8)]
    deck = pptx.Presentation()
    it = iter(lines)
    for n in range(slides):
        slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
        slide.shapes.title.text = next(it)[:40]
        box = slide.shapes.add_textbox(Emu(457200), Emu(1457200), Emu(4000000), Emu(4000000))
        box.text_frame.text = next(it)
        for _ in range(4):
            box.text_frame.add_paragraph().text = next(it)
        photo = bytearray(photos[n % 8])
        photo[-4:-2] = n.to_bytes(2, "big")  # a picture of its own (a part of its own)
        slide.shapes.add_picture(io.BytesIO(bytes(photo)), Inches(5.5), Inches(1.5), Inches(4))
        slide.notes_slide.notes_text_frame.text = next(it) + next(it)
    out.parent.mkdir(parents=True, exist_ok=True)
    deck.save(out)
    return out


def write_pdf(out: Path, pages: int = 400) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    text = re.sub(r"\s+", "", seeds())
    text = "".join(c for c in text if _gbk(c))
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(out), pagesize=A4)
    for n in range(pages):
        pdf.drawImage(ImageReader(io.BytesIO(_photo(n))), 56, 400, 480, 360)  # each its own
        pdf.setFont("STSong-Light", 10.5)
        at = (n * 600) % (len(text) - 600)
        for row in range(20):
            pdf.drawString(56, 360 - row * 15, text[at + row * 30: at + row * 30 + 30])
        pdf.showPage()
    pdf.save()
    return out


def _gbk(ch: str) -> bool:
    try:
        ch.encode("gbk")
        return True
    except UnicodeEncodeError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--caps", action="store_true", help="also the largest ordinary file of each format")
    args = parser.parse_args(argv)
    out = args.out
    text = seeds()
    line = re.sub(r"\s+", "", text).encode("utf-8")
    written = [write_bomb(out / "bomb" / "bomb.docx"),
               repeat(out / "line" / "line.txt", line, 50 * MB, tail=b"\n")]
    (out / "bomb" / "ok.txt").write_bytes(sorted((ROOT / "seeds").glob("*.txt"))[1].read_bytes())
    if args.caps:
        from tests.seed_formats import heading_levels, write_html, write_md

        written.append(repeat(out / "line64" / "line.txt", line, 64 * MB, tail=b"\n"))
        written.append(repeat(out / "text64" / "text.txt", text.encode("utf-8"), 64 * MB))
        for fmt, writer in (("md", write_md), ("html", write_html)):
            sample = out / f"{fmt}64" / f"sample.{fmt}"
            sample.parent.mkdir(parents=True, exist_ok=True)
            writer(text, heading_levels(text), sample)
            data = sample.read_bytes()
            sample.unlink()
            if fmt == "html":  # one page: the head once, the body's blocks repeated
                head, _, rest = data.partition(b"</script>")
                block = rest.removesuffix(b"</body></html>")
                written.append(repeat(out / "html64" / "text.html", block, 64 * MB,
                                      head + b"</script>", b"</body></html>"))
            else:
                written.append(repeat(out / "md64" / "text.md", data, 64 * MB))
        written += [write_pdf(out / "pdf" / "handout.pdf"), write_deck(out / "deck" / "deck.pptx"),
                    write_manual(out / "manual" / "manual.docx")]
    for path in written:
        print(f"{path}: {path.stat().st_size / MB:,.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
