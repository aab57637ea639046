"""The KPI page draws actuals against the goal with the year-end forecast, also in words."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest

from tests.factories import ActualFactory, KpiFactory, TargetFactory
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db


def test_the_kpi_page_has_a_chart_and_a_cumulative_forecast_that_misses_the_years_goal():
    ws = build_workspace()
    kpi = KpiFactory(objective__plan=ws.plan, objective__perspective=ws.financial, code="REV")
    assert kpi.aggregation == "sum"
    for month in range(1, 13):
        TargetFactory(kpi=kpi, period=datetime.date(2026, month, 1), goal=Decimal(12))
    for month, value in ((1, 10), (2, 10), (3, 10)):
        ActualFactory(kpi=kpi, period=datetime.date(2026, month, 1), value=Decimal(value))

    html = client_for(ws.org.root_admin).get(f"/kpis/{kpi.pk}/?period=2026-03").content.decode()

    data = json.loads(re.search(r'id="kpi-chart-data"[^>]*>(.*?)</script>', html, re.S)[1])
    assert data["actuals"][:3] == [10.0, 10.0, 10.0]
    assert data["forecast"][2:] == [10.0] + [10.0] * 9
    assert "Year-end forecast:</strong> 120 against the year's goal of 144" in html
    assert "forecast to miss" in html
    assert "linear on cumulative values" in html


def chart_data(html: str) -> dict:  # type: ignore[type-arg]
    return json.loads(re.search(r'id="kpi-chart-data"[^>]*>(.*?)</script>', html, re.S)[1])


def revenue_kpi(ws):  # type: ignore[no-untyped-def]
    """A monthly sum with a goal of 12 and a red flag of 9 every month, 10, 10, 10, 13 reported."""
    kpi = KpiFactory(objective__plan=ws.plan, objective__perspective=ws.financial, code="REV")
    for month in range(1, 13):
        TargetFactory(
            kpi=kpi, period=datetime.date(2026, month, 1), goal=Decimal(12), red_flag=Decimal(9)
        )
    for month, value in ((1, 10), (2, 10), (3, 10), (4, 13)):
        ActualFactory(kpi=kpi, period=datetime.date(2026, month, 1), value=Decimal(value))
    return kpi


def test_the_chart_per_quarter_combines_each_quarters_months_as_the_view_is_scored():
    ws = build_workspace()
    kpi = revenue_kpi(ws)

    html = (
        client_for(ws.org.viewer)
        .get(f"/kpis/{kpi.pk}/?period=2026-04&view=quarter")
        .content.decode()
    )

    data = chart_data(html)
    assert data["labels"] == ["FY2026 Q1", "FY2026 Q2"]
    assert data["actuals"] == [30.0, 13.0]
    # Q2 has one month reported: it is compared with that month's target only.
    assert data["goals"] == [36.0, 12.0]
    assert data["red_flags"] == [27.0, 9.0]
    assert "forecast" not in data
    points = html.split('id="kpi-chart-points"')[1].split("</table>")[0]
    assert '<th scope="row">FY2026 Q2</th><td>12</td><td>9</td><td>13</td><td>1 of 3</td>' in points
    assert 'view=quarter" hx-get' in html
    assert "Year-end forecast:</strong> 129 against the year's goal of 144" in html


def test_the_chart_year_to_date_adds_up_the_year_through_the_pages_period():
    ws = build_workspace()
    kpi = revenue_kpi(ws)

    html = (
        client_for(ws.org.viewer).get(f"/kpis/{kpi.pk}/?period=2026-03&view=ytd").content.decode()
    )

    data = chart_data(html)
    assert data["labels"] == ["to Jan 2026", "to Feb 2026", "to Mar 2026"]
    assert data["actuals"] == [10.0, 20.0, 30.0]
    assert data["goals"] == [12.0, 24.0, 36.0]


def test_htmx_switching_the_chart_view_answers_the_chart_alone():
    ws = build_workspace()
    kpi = revenue_kpi(ws)

    response = client_for(ws.org.viewer).get(
        f"/kpis/{kpi.pk}/?period=2026-04&view=ytd", **HTMX, HTTP_HX_TARGET="kpi-chart"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<figure class="card kpi-chart" id="kpi-chart" data-view="ytd"')
    assert "<h2>Definition</h2>" not in html
    assert chart_data(html)["actuals"] == [10.0, 20.0, 30.0, 43.0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("view=weekly", "“weekly” is not a view: choose month, quarter or ytd; showing the month."),
        ("view=", ""),
    ],
)
def test_a_view_that_is_not_one_is_named_and_the_months_are_shown(query, message):
    ws = build_workspace()
    kpi = revenue_kpi(ws)

    html = client_for(ws.org.viewer).get(f"/kpis/{kpi.pk}/?period=2026-04&{query}").content.decode()

    assert 'data-view="month"' in html
    assert chart_data(html)["labels"][:4] == ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026"]
    assert (message in html) if message else ('id="view-problems"' not in html)


def test_a_yearly_kpi_has_no_quarter_view():
    ws = build_workspace()
    kpi = KpiFactory(
        objective__plan=ws.plan, objective__perspective=ws.financial, code="NPS", frequency="yearly"
    )
    TargetFactory(kpi=kpi, period=datetime.date(2026, 1, 1), goal=Decimal(50))

    html = client_for(ws.org.viewer).get(f"/kpis/{kpi.pk}/?view=quarter").content.decode()

    assert "NPS is measured yearly: its chart shows its years." in html
    assert 'aria-label="Chart view"' not in html


def test_the_forecast_line_adds_only_the_periods_the_chart_does_not_show_yet():
    ws = build_workspace()
    kpi = revenue_kpi(ws)

    data = chart_data(
        client_for(ws.org.viewer).get(f"/kpis/{kpi.pk}/?period=2026-04").content.decode()
    )

    assert data["labels"] == [f"{datetime.date(2026, m, 1):%b} 2026" for m in range(1, 13)]
    assert data["forecast"][:3] == [None, None, None]
    assert data["forecast"][3:] == [13.0] + [10.75] * 8
