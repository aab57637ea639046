"""The import template a person downloads: a row for each KPI they may update, as CSV or XLSX."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kpis import periods
from kpis.imports.columns import COLUMNS, VALUE_COLUMNS
from kpis.models import Kpi


def _safe_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula when it opens the file."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def template_rows(kpis: Iterable[Kpi], *, today: datetime.date) -> list[list[str]]:
    """The template's rows: one actual to fill in per KPI, for the period due now."""
    fy = settings.FISCAL_YEAR_START_MONTH
    return [
        [
            "actual",
            kpi.code,
            _safe_cell(kpi.name),
            periods.last_closed_period(today, kpi.frequency, fy).isoformat(),
            *[""] * len(VALUE_COLUMNS),
        ]
        for kpi in kpis
    ]


def template_csv(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    # With a byte order mark, Excel opens UTF-8 as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_text(text: str) -> str:
    """Text without the control characters an XLSX cell cannot hold (openpyxl refuses them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def template_xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.create_sheet("Import", 0)
    workbook.remove(workbook.worksheets[1])
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_xlsx_text(cell) for cell in row])
    widths = (8, 10, 30, 12, 12, 12, 12, 12, 14, 40, 40)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
