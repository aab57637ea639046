"""The dashboard's KPI table as CSV or XLSX, safe to open in a spreadsheet.

Text cells are made safe and the files written by core/spreadsheets.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.spreadsheets import Cell, csv_bytes, safe_row, xlsx_bytes
from kpis.scoring import score_to_decimal
from kpis.selectors import PlanScorecard

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
                rows.append(tuple(safe_row(row)))
    return rows


def as_csv(rows: Iterable[Sequence[Cell]]) -> bytes:
    return csv_bytes(HEADER, rows)


def as_xlsx(rows: Iterable[Sequence[Cell]], title: str) -> bytes:
    return xlsx_bytes(HEADER, rows, sheet=title)
