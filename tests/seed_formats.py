"""Write a seed as the files a trainer's folder really holds: .docx, .pptx, .pdf, .md, .html,
and .txt saved as GBK or Big5 by an old Windows tool.

Each is written by the format's own tool (python-docx, python-pptx, reportlab with
a CJK font), from the seed's raw text, noise included, so the cleaning stage has
the same work to do. A line the seed's numbering makes a course, part, unit or
節 heading is written as the format's heading (Heading N style, a slide title,
<hN>, `#`), the rest as body text: the same content, the format's structure.
Used by tests/test_formats.py and scripts/formats_bench.py.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from kb.clean import RUN_ON, clean
from kb.structure import MAX_PASSAGE, heading_rank, split_heading

FORMATS = ("docx", "pptx", "pdf", "md", "html", "gbk.txt", "big5.txt")
DECLARED = 4  # numbering ranks up to 節 are written as headings; 一、 1、 (1) stay numbered text
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def heading_levels(text: str) -> dict[int, int]:
    """Line number → heading level, for the lines the seed's own numbering makes sections."""
    levels = {}
    for line in clean(text):
        rank = heading_rank(line.text)
        if rank and rank <= DECLARED and len(line.text) <= RUN_ON and split_heading(line.text):
            levels[line.no] = rank
    return levels


def write(seed: Path, folder: Path, fmt: str, stem: str | None = None) -> Path:
    """Write `seed` into `folder` as `fmt` (one of FORMATS); returns the new file."""
    text = seed.read_text("utf-8")
    out = folder / f"{stem or seed.stem}.{fmt}"
    folder.mkdir(parents=True, exist_ok=True)
    WRITERS[fmt](text, heading_levels(text), out)
    return out


def write_gbk(text: str, levels: dict[int, int], out: Path) -> None:
    # What Notepad's "ANSI" does on a Simplified Chinese Windows: unencodable characters become '?'.
    out.write_bytes(text.encode("gbk", errors="replace"))


def write_big5(text: str, levels: dict[int, int], out: Path) -> None:
    # Big5 holds Traditional characters only: convert with Taiwan's variants (為, 裡) first.
    import opencc

    out.write_bytes(opencc.OpenCC("s2tw").convert(text).encode("big5", errors="replace"))


def write_md(text: str, levels: dict[int, int], out: Path) -> None:
    lines = text.splitlines()
    md = ["#" * levels[no] + " " + line.strip() if no in levels else line for no, line in enumerate(lines, 1)]
    out.write_text("\n".join(md) + "\n", "utf-8")


def write_html(text: str, levels: dict[int, int], out: Path) -> None:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        f"<title>{html.escape(out.stem)}</title>",
        "<style>body { font-family: sans-serif } .x::after { content: '腳本樣式不是正文' }</style>",
        "</head><body>",
        "<script>var tracker = '腳本樣式不是正文';</script>",
    ]
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        tag = f"h{levels[no]}" if no in levels else "p"
        parts.append(f"<{tag}>{html.escape(line.strip())}</{tag}>")
    parts.append("</body></html>")
    out.write_text("\n".join(parts), "utf-8")


def write_docx(text: str, levels: dict[int, int], out: Path) -> None:
    import docx

    document = docx.Document()
    for no, line in enumerate(text.splitlines(), 1):
        line = _NOT_XML.sub("", line).strip()
        if not line:
            continue
        if no in levels:
            document.add_heading(line, level=levels[no])
        else:
            document.add_paragraph(line)
    document.save(out)


SLIDE_TEXT = 2 * MAX_PASSAGE  # characters of body on one slide before the deck goes on to the next


def write_pptx(text: str, levels: dict[int, int], out: Path) -> None:
    """A deck: the first line on a title slide, each heading opening a titled slide, body text
    flowing onto untitled slides when one is full."""
    import pptx
    from pptx.util import Emu

    deck = pptx.Presentation()
    title_slide, titled, blank = deck.slide_layouts[0], deck.slide_layouts[1], deck.slide_layouts[6]
    body = None
    used = 0

    def new_body():
        slide = deck.slides.add_slide(blank)
        box = slide.shapes.add_textbox(Emu(457200), Emu(457200), Emu(8229600), Emu(5943600))
        return box.text_frame

    first = True
    for no, line in enumerate(text.splitlines(), 1):
        line = _NOT_XML.sub("", line).strip()
        if not line:
            continue
        if first and no not in levels:
            slide = deck.slides.add_slide(title_slide)
            slide.shapes.title.text = line
            first = False
            continue
        first = False
        if no in levels:
            slide = deck.slides.add_slide(titled)
            slide.shapes.title.text = line
            body, used = slide.placeholders[1].text_frame, 0
            body.text = ""
            continue
        if body is None or (used and used + len(line) > SLIDE_TEXT):
            body, used = new_body(), 0
        paragraph = body.paragraphs[0] if not body.paragraphs[0].text and used == 0 else body.add_paragraph()
        paragraph.text = line
        used += len(line)
    deck.save(out)


def write_pdf(text: str, levels: dict[int, int], out: Path) -> None:
    """A handout printed to PDF as Word exports one: A4, a CJK font (STSong-Light), lines
    wrapped at the margin, a running header and a page number on every page, and a bookmark
    for each heading (nested as the headings are: an outline cannot skip a level)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    width, height = A4
    left, right, top, bottom = 56, width - 56, height - 64, 64
    pdf = canvas.Canvas(str(out), pagesize=A4)
    page = 1
    y = top

    def furniture() -> None:
        pdf.setFont(font, 8)
        pdf.drawString(left, height - 40, f"{out.stem} 培訓講義")
        pdf.drawCentredString(width / 2, 36, f"第 {page} 頁")

    furniture()
    open_ranks: list[int] = []
    for no, line in enumerate(text.splitlines(), 1):
        line = "".join(ch for ch in line.strip() if _printable(ch))
        if not line:
            continue
        size = 14 - levels[no] if no in levels else 10.5
        for i, piece in enumerate(_wrap(line, font, size, right - left)):
            if y < bottom:
                pdf.showPage()
                page += 1
                y = top
                furniture()
            if i == 0 and no in levels:
                while open_ranks and open_ranks[-1] >= levels[no]:
                    open_ranks.pop()
                pdf.bookmarkHorizontal(f"h{no}", left, y + size)
                pdf.addOutlineEntry(line, f"h{no}", level=len(open_ranks))
                open_ranks.append(levels[no])
            pdf.setFont(font, size)
            pdf.drawString(left, y, piece)
            y -= size * 1.5
    pdf.save()


def _printable(ch: str) -> bool:
    """Whether STSong-Light (Adobe-GB1) has a glyph for it: a printer drops what the font lacks."""
    try:
        ch.encode("gbk")
        return True
    except UnicodeEncodeError:
        return False


def _wrap(line: str, font: str, size: float, room: float) -> list[str]:
    """Break a line to fit: between any two Chinese characters, between Latin words only."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pieces, current, used = [], "", 0.0
    for unit in re.findall(r"[A-Za-z0-9]+|.", line):
        w = stringWidth(unit, font, size)
        if current and used + w > room:
            pieces.append(current)
            current, used = "", 0.0
        current += unit
        used += w
    return pieces + [current] if current else pieces


WRITERS = {
    "docx": write_docx, "pptx": write_pptx, "pdf": write_pdf, "md": write_md, "html": write_html,
    "gbk.txt": write_gbk, "big5.txt": write_big5,
}
