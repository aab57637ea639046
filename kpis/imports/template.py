"""The import template a person downloads: a row for each KPI they may update, as CSV or XLSX."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings

from core.spreadsheets import csv_bytes, safe_text, xlsx_bytes
from kpis import periods
from kpis.imports.columns import COLUMNS, VALUE_COLUMNS
from kpis.models import Kpi


def template_rows(kpis: Iterable[Kpi], *, today: datetime.date) -> list[list[str]]:
    """The template's rows: one actual to fill in per KPI, for the period due now."""
    fy = settings.FISCAL_YEAR_START_MONTH
    return [
        [
            "actual",
            kpi.code,
            safe_text(kpi.name),
            periods.last_closed_period(today, kpi.frequency, fy).isoformat(),
            *[""] * len(VALUE_COLUMNS),
        ]
        for kpi in kpis
    ]


def template_csv(rows: Sequence[Sequence[str]]) -> bytes:
    return csv_bytes(COLUMNS, rows)


def template_xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    widths = (8, 10, 30, 12, 12, 12, 12, 12, 14, 40, 40)
    return xlsx_bytes(COLUMNS, rows, sheet="Import", widths=widths)
