"""The KPI page's chart: actuals against the goal and red flag, and the year-end forecast.

Built from the targets and actuals the page already holds (no query), oldest first: in the
month view the KPI's last 12 periods with the forecast for the fiscal year of the latest actual
(`kpis.forecast`) drawn on; per quarter and year to date, the periods combined as the view is
scored (`kpis.combined_periods.view_points`), with the forecast in words only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings

from kpis import combined_periods, forecast, periods
from kpis.models import Actual, Kpi, Target
from kpis.scoring import View
from kpis.selectors import MONTH
from kpis.selectors.measures import period_values

register = template.Library()

SHOWN = 12
QUARTERS_SHOWN = 8


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _combined_chart(
    kpi: Kpi,
    values: Sequence[tuple[date, str, Target | None, Actual | None]],
    *,
    view: str,
    through: date,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The chart's data per quarter or year to date, and a row per point for its table."""
    fy = settings.FISCAL_YEAR_START_MONTH
    by_period = {p: period_values(t, a.value if a else None) for p, _, t, a in values}
    points = combined_periods.view_points(
        by_period,
        view=view,
        through=through,
        shown=QUARTERS_SHOWN,
        aggregation=kpi.aggregation,
        direction=kpi.direction,
        tolerance=kpi.tolerance,
        frequency=kpi.frequency,
        fiscal_year_start_month=fy,
    )
    if view == View.QUARTER:
        labels = [periods.label(day, periods.Frequency.QUARTERLY, fy) for day, _ in points]
        name = f"{kpi.code} per quarter against the goal"
    else:
        labels = [f"to {periods.label(day, kpi.frequency, fy)}" for day, _ in points]
        name = f"{kpi.code} year to date against the goal"
    chart = {
        "kind": "kpi",
        "name": name,
        "direction": kpi.direction,
        "labels": labels,
        "actuals": [_number(c.actual) for _, c in points],
        "goals": [_number(c.goal) for _, c in points],
        "red_flags": [_number(c.red_flag) for _, c in points],
    }
    rows = [
        {
            "label": label,
            "numbers": (c.goal, c.red_flag, c.actual),
            "reported": f"{c.periods_reported} of {c.periods_expected}",
        }
        for label, (_, c) in zip(labels, points, strict=True)
    ]
    return chart, rows


@register.simple_tag
def kpi_chart(
    kpi: Kpi,
    values: Sequence[tuple[date, str, Target | None, Actual | None]],
    view: str = MONTH,
    through: date | None = None,
) -> dict[str, Any]:
    """The chart's data and the forecast's words for the KPI page, in the view asked for
    (month, quarter or ytd through the page's period, checked by the view): for a longer
    view, `rows` holds the combined points for the table beside the chart."""
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
    rows: list[dict[str, Any]] = []
    if view != MONTH and through is not None:
        chart, rows = _combined_chart(kpi, values, view=view, through=through)
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
        if view == MONTH and result.projected and latest in [p for p, *_ in shown]:
            # The dashed line starts at the latest actual and runs on past the chart's periods
            # (the year's periods the chart does not show yet are added to it).
            year_labels = [periods.label(p, kpi.frequency, fy) for p in year if p > latest]
            missing = [label for label in year_labels if label not in chart["labels"]]
            chart["labels"] += missing
            for key in ("actuals", "goals", "red_flags"):
                chart[key] += [None] * len(missing)
            forecast_line: list[float | None] = [None] * len(chart["labels"])
            index = chart["labels"].index(periods.label(latest, kpi.frequency, fy))
            forecast_line[index] = chart["actuals"][index]
            for label, value in zip(year_labels, result.projected, strict=False):
                forecast_line[chart["labels"].index(label)] = float(value)
            chart["forecast"] = forecast_line
    return {"chart": chart, "rows": rows, "forecast": result}
