"""scorecard/: the plan's roll-up tree with score, status and coverage at each level."""

from decimal import Decimal

import pytest

from kpis import scoring
from tests.api_org import client_for
from tests.factories import KpiFactory, ObjectiveFactory, StrategicPlanFactory

URL = "/api/v1/scorecard/"

pytestmark = pytest.mark.django_db


def test_anonymous_requests_are_refused(org):
    assert (
        client_for(None).get(URL, {"plan": org.plan.pk, "period": "2026-01-01"}).status_code == 401
    )


def test_the_tree_carries_the_engines_scores_and_coverage_at_each_level(org):
    KpiFactory(objective=org.objective, code="NPS", weight=Decimal(3))  # no data yet
    kpi_score = scoring.evaluate_kpi(
        direction="increase", actual=Decimal(95), goal=Decimal(100), red_flag=Decimal(90)
    ).score
    objective = scoring.rollup([("REV", kpi_score, Decimal(1)), ("NPS", None, Decimal(3))])

    response = client_for(org.manager).get(URL, {"plan": org.plan.pk, "period": "2026-01-01"})

    assert response.status_code == 200, response.content
    card = response.json()
    assert (card["plan"], card["period"], card["view"]) == (org.plan.pk, "2026-01-01", "month")
    assert (card["score"], card["status"]) == ("5.000", "at_risk")
    assert card["coverage"] == "1 of 2 KPIs reported"
    [perspective] = card["perspectives"]
    assert (perspective["name"], perspective["score"], perspective["kpis_total"]) == (
        "Financial",
        "5.000",
        2,
    )
    [objective_node] = perspective["objectives"]
    assert Decimal(objective_node["score"]) == scoring.score_to_decimal(objective.score)
    assert objective_node["coverage"] == "1 of 2 KPIs reported"
    nodes = {node["code"]: node for node in objective_node["kpis"]}
    assert (nodes["REV"]["score"], nodes["REV"]["status"], nodes["REV"]["actual"]) == (
        "5.000",
        "at_risk",
        "95.000000",
    )
    assert (nodes["NPS"]["score"], nodes["NPS"]["status"]) == (None, "no_data")
    assert nodes["NPS"]["coverage"] == "0 of 1 periods reported"
    assert objective_node["children"] == []


def test_cascaded_objectives_appear_under_their_parent(org):
    cascaded = StrategicPlanFactory(org_unit=org.sales, parent=org.plan)
    child = ObjectiveFactory(perspective__plan=cascaded, org_unit=org.sales, parent=org.objective)
    body = client_for(org.viewer).get(URL, {"plan": org.plan.pk, "period": "2026-01-01"}).json()
    [objective_node] = body["perspectives"][0]["objectives"]
    assert [c["id"] for c in objective_node["children"]] == [child.pk]


def test_a_period_not_on_a_month_start_and_a_bad_view_are_refused(org):
    viewer = client_for(org.viewer)
    response = viewer.get(URL, {"plan": org.plan.pk, "period": "2026-01-31"})
    assert response.status_code == 400
    assert "use 2026-01-01" in response.json()["period"][0]
    response = viewer.get(URL, {"plan": org.plan.pk, "period": "2026-01-01", "view": "week"})
    assert "view" in response.json()
    assert set(viewer.get(URL).json()) == {"plan", "period"}


def test_unknown_and_unseen_plans_read_the_same(org, settings):
    settings.SCORECARD_TRANSPARENCY = False
    unknown = client_for(org.outsider).get(URL, {"plan": 999_999, "period": "2026-01-01"})
    unseen = client_for(org.outsider).get(URL, {"plan": org.plan.pk, "period": "2026-01-01"})
    assert unknown.status_code == unseen.status_code == 400
    assert "object does not exist" in unseen.json()["plan"][0]
    assert (
        client_for(org.viewer).get(URL, {"plan": org.plan.pk, "period": "2026-01-01"}).status_code
        == 200
    )
