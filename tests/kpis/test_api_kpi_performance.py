"""kpis/{id}/performance/: the scoring engine's numbers for one KPI in a period or a view."""

import datetime
from decimal import Decimal

import pytest

from kpis import combined_periods, explanations, scoring
from kpis.models import Kpi
from tests.api_org import client_for
from tests.factories import ActualFactory, KpiFactory, TargetFactory

pytestmark = pytest.mark.django_db


def url(kpi: Kpi) -> str:
    return f"/api/v1/kpis/{kpi.pk}/performance/"


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(url(org.kpi), {"period": "2026-01-01"}).status_code == 401


def test_a_months_performance_is_the_engines(org):
    expected = explanations.explain_kpi(
        scoring.evaluate_kpi(
            direction="increase", actual=Decimal(95), goal=Decimal(100), red_flag=Decimal(90)
        )
    )

    response = client_for(org.manager).get(url(org.kpi), {"period": "2026-01-01"})

    assert response.status_code == 200
    assert response.json() == {
        "kpi": org.kpi.pk,
        "code": "REV",
        "period": "2026-01-01",
        "view": "month",
        "periods": ["2026-01-01"],
        "actual": "95.000000",
        "goal": "100.000000",
        "red_flag": "90.000000",
        "red_flag_derived": False,
        "goal_high": None,
        "red_flag_high": None,
        "score": "5.000",
        "status": "at_risk",
        "variance": "-5.000000",
        "variance_pct": "-0.050000",
        "favourable": False,
        "trend": None,
        "explanation": list(expected.explanation),
        "periods_expected": 1,
        "periods_reported": 1,
        "complete": True,
    }
    assert expected.score == 5
    assert expected.status == scoring.ScoreStatus.AT_RISK


def test_a_quarter_combines_the_months_as_the_engine_does(org):
    for month, actual, goal in ((2, 110, 100), (3, 80, 100)):
        day = datetime.date(2026, month, 1)
        TargetFactory(kpi=org.kpi, period=day, goal=Decimal(goal), red_flag=Decimal(90))
        ActualFactory(kpi=org.kpi, period=day, value=Decimal(actual))
    months = [datetime.date(2026, m, 1) for m in (1, 2, 3)]
    values = {
        months[0]: combined_periods.PeriodValues(Decimal(95), Decimal(100), Decimal(90)),
        months[1]: combined_periods.PeriodValues(Decimal(110), Decimal(100), Decimal(90)),
        months[2]: combined_periods.PeriodValues(Decimal(80), Decimal(100), Decimal(90)),
    }
    combined = combined_periods.combine_periods(months, values, "sum", direction="increase")
    expected = explanations.explain_view(
        combined_periods.evaluate_view(combined, direction="increase"), combined
    )

    data = client_for(org.viewer).get(url(org.kpi), {"period": "2026-03-01", "view": "quarter"})

    assert data.status_code == 200, data.content
    body = data.json()
    assert body["periods"] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert (body["actual"], body["goal"], body["red_flag"]) == (
        "285.000000",
        "300.000000",
        "270.000000",
    )
    assert Decimal(body["score"]) == scoring.score_to_decimal(expected.score)
    assert body["status"] == expected.status.value
    assert body["explanation"] == list(expected.explanation)
    assert (body["periods_expected"], body["periods_reported"]) == (3, 3)


def test_the_trend_compares_with_the_previous_period(org):
    TargetFactory(kpi=org.kpi, period=datetime.date(2026, 2, 1), goal=100, red_flag=90)
    ActualFactory(kpi=org.kpi, period=datetime.date(2026, 2, 1), value=Decimal(100))
    body = client_for(org.viewer).get(url(org.kpi), {"period": "2026-02-01"}).json()
    assert (body["score"], body["trend"], body["status"]) == ("6.667", "up", "on_track")


def test_a_period_not_on_the_kpis_period_start_is_refused_naming_it(org):
    quarterly = KpiFactory(objective=org.objective, frequency="quarterly")
    response = client_for(org.viewer).get(url(quarterly), {"period": "2026-05-01"})
    assert response.status_code == 400
    assert response.json() == {
        "period": [
            "A quarterly period starts on its first day: use 2026-04-01 for the period "
            "containing 2026-05-01."
        ]
    }


def test_a_missing_period_an_unknown_view_and_unknown_parameters_are_refused(org):
    viewer = client_for(org.viewer)
    assert "period" in viewer.get(url(org.kpi)).json()
    assert "view" in viewer.get(url(org.kpi), {"period": "2026-01-01", "view": "week"}).json()
    response = viewer.get(url(org.kpi), {"period": "2026-01-01", "colour": "red"})
    assert response.status_code == 400
    assert response.json() == {
        "colour": ["Unknown query parameter. This endpoint accepts: period, view."]
    }


def test_a_retired_kpi_is_no_longer_scored(org):
    retired = KpiFactory(objective=org.objective, is_retired=True)
    response = client_for(org.viewer).get(url(retired), {"period": "2026-01-01"})
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [f"{retired.code} is retired: it is no longer scored."]
    }


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_gets_404(org):
    assert client_for(org.outsider).get(url(org.kpi), {"period": "2026-01-01"}).status_code == 404
    assert client_for(org.viewer).get(url(org.kpi), {"period": "2026-01-01"}).status_code == 200
