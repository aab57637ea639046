"""The KPI page's chart: actuals against the goal and red flag, and the year-end forecast.

Built from the targets and actuals the page already holds (no query): the last 12 periods,
oldest first, and the forecast for the fiscal year of the latest actual (`kpis.forecast`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings

from kpis import forecast, periods
from kpis.models import Actual, Kpi, Target

register = template.Library()

SHOWN = 12


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@register.simple_tag
def kpi_chart(
    kpi: Kpi, values: Sequence[tuple[date, str, Target | None, Actual | None]]
) -> dict[str, Any]:
    """The chart's data and the forecast's words for the KPI page."""
    fy = settings.FISCAL_YEAR_START_MONTH
    shown = sorted(values, key=lambda row: row[0])[-SHOWN:]
    reported = [row[0] for row in values if row[3] is not None]
    chart: dict[str, Any] = {
        "kind": "kpi",
        "name": f"{kpi.code} actuals against the goal",
        "direction": kpi.direction,
        "labels": [label for _, label, _, _ in shown],
        "actuals": [_number(a.value) if a else None for _, _, _, a in shown],
        "goals": [_number(t.goal) if t else None for _, _, t, _ in shown],
        "red_flags": [_number(t.red_flag) if t else None for _, _, t, _ in shown],
    }
    result = None
    if reported and kpi.frequency != periods.Frequency.YEARLY and not kpi.is_calculated:
        latest = max(reported)
        start = periods.period_start(latest, periods.Frequency.YEARLY, fy)
        end = periods.period_end(start, periods.Frequency.YEARLY)
        year = periods.periods_between(start, end, kpi.frequency)
        by_period = {p: (t, a) for p, _, t, a in values}
        result = forecast.year_end(
            forecast.YearValues(
                direction=kpi.direction,
                aggregation=kpi.aggregation,
                periods_in_year=len(year),
                actuals=[
                    a.value if (a := by_period.get(p, (None, None))[1]) else None
                    for p in year
                    if p <= latest
                ],
                goals=[t.goal if (t := by_period.get(p, (None, None))[0]) else None for p in year],
            )
        )
        if result.projected and latest in [p for p, *_ in shown]:
            # The dashed line starts at the latest actual and runs on past the chart's periods.
            after = [p for p in year if p > latest]
            chart["labels"] += [periods.label(p, kpi.frequency, fy) for p in after]
            pad = [None] * len(after)
            for key in ("actuals", "goals", "red_flags"):
                chart[key] += pad
            index = chart["labels"].index(periods.label(latest, kpi.frequency, fy))
            chart["forecast"] = [None] * index + [chart["actuals"][index]]
            chart["forecast"] += [float(v) for v in result.projected]
    return {"chart": chart, "forecast": result}
