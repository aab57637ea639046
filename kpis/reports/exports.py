"""A report's lines as CSV and XLSX downloads.

Text typed by people (names, analyses) may start with "=", "+", "-" or "@", which a
spreadsheet would run as a formula: such cells are written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kpis.models import Status, VarianceLine

COLUMNS = (
    "Perspective",
    "Objective",
    "KPI code",
    "KPI",
    "Unit of measure",
    "Owner",
    "Org unit",
    "Goal",
    "Red flag",
    "Actual",
    "Variance",
    "Variance %",
    "Favourable",
    "Score",
    "Status",
    "Previous score",
    "Trend",
    "Analysis",
    "Corrective action",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | Decimal | None


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def line_cells(line: VarianceLine) -> list[Cell]:
    """One row: numbers as numbers, people's text neutralised."""
    texts = [
        line.perspective_name,
        f"{line.objective_code} {line.objective_name}",
        line.kpi_code,
        line.kpi_name,
        line.measure,
        line.owner_name,
        line.org_unit_name,
    ]
    numbers: list[Cell] = [line.goal, line.red_flag, line.actual, line.variance, line.variance_pct]
    return [
        *(neutralised(text) for text in texts),
        *numbers,
        _yes_no(line.favourable),
        line.score,
        Status(line.status).label,
        line.previous_score,
        line.trend,
        neutralised(line.analysis),
        neutralised(line.corrective_action),
    ]


def report_csv(lines: Sequence[VarianceLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(["" if cell is None else cell for cell in line_cells(line)])
    # With a byte order mark, Excel opens UTF-8 as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def report_xlsx(lines: Sequence[VarianceLine], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.create_sheet("Variance report", 0)
    workbook.remove(workbook.worksheets[1])
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", title)])
    sheet.append(list(COLUMNS))
    for line in lines:
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell
                for cell in line_cells(line)
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
