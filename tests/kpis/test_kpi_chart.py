"""The KPI page draws actuals against the goal with the year-end forecast, also in words."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest

from tests.factories import ActualFactory, KpiFactory, TargetFactory
from tests.strategy.workspace import build_workspace, client_for

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
