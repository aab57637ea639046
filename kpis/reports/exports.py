"""A report's lines as CSV and XLSX downloads.

Text typed by people (names, analyses) is made safe and the files written by
core/spreadsheets.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.spreadsheets import Cell, csv_bytes, safe_text, xlsx_bytes
from kpis.models import ScoreStatus, VarianceLine

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


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def line_cells(line: VarianceLine) -> list[Cell]:
    """One row: numbers as numbers, people's text neutralised."""
    texts = [
        line.perspective_name,
        f"{line.objective_code} {line.objective_name}",
        line.kpi_code,
        line.kpi_name,
        line.measure_unit,
        line.owner_name,
        line.org_unit_name,
    ]
    numbers: list[Cell] = [line.goal, line.red_flag, line.actual, line.variance, line.variance_pct]
    return [
        *(safe_text(text) for text in texts),
        *numbers,
        _yes_no(line.favourable),
        line.score,
        ScoreStatus(line.status).label,
        line.previous_score,
        line.trend,
        safe_text(line.analysis),
        safe_text(line.corrective_action),
    ]


def report_csv(lines: Sequence[VarianceLine]) -> bytes:
    return csv_bytes(COLUMNS, (line_cells(line) for line in lines))


def report_xlsx(lines: Sequence[VarianceLine], *, title: str) -> bytes:
    rows = (line_cells(line) for line in lines)
    return xlsx_bytes(COLUMNS, rows, sheet="Variance report", heading=title)
