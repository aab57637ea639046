"""CSV and XLSX downloads that are safe to open in a spreadsheet, written once.

- Text that begins with "=", "+", "-", "@", a tab or a carriage return would run as a formula
  when a spreadsheet opens the file (CSV injection): it is written with a leading apostrophe,
  which spreadsheets show as text (`safe_text`). Numbers stay numbers.
- XLSX cannot hold control characters (openpyxl refuses them): they are left out of its cells.
- CSV starts with a byte-order mark, so spreadsheets read it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

Cell = str | int | Decimal | date | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as text and never runs as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def safe_row(row: Iterable[Cell]) -> list[Cell]:
    """The row with every text cell made safe; other cells as they are."""
    return [safe_text(cell) if isinstance(cell, str) else cell for cell in row]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file of the header and rows (an empty cell for None)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(cell: Cell) -> Cell:
    return ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet: str,
    heading: str | None = None,
    widths: Sequence[int] = (),
) -> bytes:
    """An XLSX workbook of one sheet: an optional heading line, the header, then the rows."""
    workbook = Workbook()
    worksheet = workbook.worksheets[0]  # a new workbook has one sheet
    worksheet.title = ILLEGAL_CHARACTERS_RE.sub("", sheet)[:31]  # at most 31 characters
    if heading is not None:
        worksheet.append([_xlsx_cell(heading)])
    worksheet.append(list(header))
    for row in rows:
        worksheet.append([_xlsx_cell(cell) for cell in row])
    for index, width in enumerate(widths):
        worksheet.column_dimensions[chr(ord("A") + index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
