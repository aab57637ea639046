"""The dashboard's KPI table as CSV or XLSX, safe to open in a spreadsheet.

A text cell that begins with "=", "+", "-" or "@" would run as a formula when the file is
opened (CSV injection): such text is written with a leading apostrophe, which spreadsheets
show as text. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook

from kpis.scoring import score_to_decimal
from kpis.selectors import PlanScorecard

Cell = str | Decimal | None

HEADER = (
    "Perspective",
    "Objective",
    "KPI code",
    "KPI",
    "Owner",
    "Actual",
    "Goal",
    "Red flag",
    "Score",
    "Status",
    "Periods reported",
)
FORMULA_STARTS = ("=", "+", "-", "@")


def neutralise(value: Cell) -> Cell:
    """Text a spreadsheet will show as text and never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def kpi_rows(scorecard: PlanScorecard) -> list[tuple[Cell, ...]]:
    """One row per KPI of the plan, in map order, neutralised."""
    rows = []
    for perspective in scorecard.perspectives:
        for objective in perspective.objectives:
            for k in objective.kpis:
                r = k.result
                row: tuple[Cell, ...] = (
                    perspective.perspective.name,
                    f"{objective.objective.code} {objective.objective.name}",
                    k.kpi.code,
                    k.kpi.name,
                    k.kpi.owner.display_name if k.kpi.owner else "",
                    r.actual,
                    r.goal,
                    r.red_flag,
                    score_to_decimal(r.score, 1),
                    r.status.label,
                    f"{r.periods_reported} of {r.periods_expected}",
                )
                rows.append(tuple(neutralise(cell) for cell in row))
    return rows


def as_csv(rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    # A byte-order mark so that spreadsheets read the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(rows: Iterable[Sequence[Cell]], title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.title = title[:31]
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
