"""Excel 97–2003 workbooks (.xls), read with xlrd (the formats extra): as sheets.py reads an
.xlsx. Offices keep years of these (price lists, schedules, FAQ sheets saved before 2007).

Each visible worksheet is a section under its name, each row that holds text a line with its
cells apart as a table's row is, a first row of column names named on every row below it, a FAQ
sheet's rows as 问：… then 答：…; numbers as Excel stores them, dates (xlrd knows them by their
cell's format) as ISO dates; a workbook is titled by its file's name; one of several sheets is
located by sheet, a lone sheet by row. A page saved from a website under an .xls name (a common
export) is refused with what it really is.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ReadError
from . import Layout, corrupt, require
from .package import file_digest
from .package import not_ole
from .sheets import add_sheet


def read(path: Path):
    xlrd = require("xlrd", path)
    olefile = require("olefile", path)
    try:
        if not olefile.isOleFile(str(path)):
            raise ReadError(f"{path}: {_not_xls(path)}")
        try:
            book = xlrd.open_workbook(str(path), on_demand=True)
        except xlrd.XLRDError as exc:
            if "encrypted" in str(exc).lower():
                raise ReadError(f"{path}: encrypted .xls (password-protected)") from exc
            raise
        try:
            visible = [i for i in range(book.nsheets) if book.sheet_by_index(i).visibility == 0]
            layout = Layout()
            for number, index in enumerate(visible, 1):
                sheet = book.sheet_by_index(index)
                rows = ((r + 1, [_value(xlrd, book, cell) for cell in sheet.row(r)]) for r in range(sheet.nrows))
                add_sheet(layout, sheet.name, rows, number, len(visible))
                book.unload_sheet(index)
        finally:
            book.release_resources()
    except ReadError:
        raise
    except Exception as exc:  # a damaged workbook fails anywhere inside xlrd or olefile
        raise corrupt(path, exc) from exc
    return layout.extracted("xls", "xls", file_digest(path), path.stem)


def _value(xlrd, book, cell) -> str:
    kind, value = cell.ctype, cell.value
    if kind == xlrd.XL_CELL_TEXT:
        return " ".join(value.split())
    if kind == xlrd.XL_CELL_NUMBER:
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    if kind == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate_as_datetime(value, book.datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return f"{value:.15g}"
        if value < 1:
            return moment.strftime("%H:%M")
        return moment.strftime("%Y-%m-%d" if float(value).is_integer() else "%Y-%m-%d %H:%M")
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    return ""  # empty, blank, or an error (#N/A)


def _not_xls(path: Path) -> str:
    """What a file named .xls is when it is no OLE workbook: an .xlsx, a web page or Excel 2003's
    XML saved under the old name (both common exports), or neither."""
    with path.open("rb") as file:
        head = file.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<meta")):
        return f"a web page named .xls (rename it {path.stem}.html)"
    if head.startswith(b"<?xml"):
        return "an Excel 2003 XML workbook named .xls (open it in Excel and save it as .xlsx)"
    return not_ole(path, "Excel 97–2003 workbook", ".xlsx")
