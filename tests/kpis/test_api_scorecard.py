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


def _query(org, **extra):
    return {"plan": org.plan.pk, "period": "2026-01-01", **extra}


def test_the_roll_up_alone_at_each_depth(org):
    KpiFactory(objective=org.objective, code="NPS")
    viewer = client_for(org.viewer)
    full = viewer.get(URL, _query(org)).json()

    plan = viewer.get(URL, _query(org, depth="plan")).json()
    assert "perspectives" not in plan
    assert "kpi_lines" not in plan
    assert (plan["depth"], plan["score"], plan["coverage"]) == (
        "plan",
        full["score"],
        full["coverage"],
    )

    perspectives = viewer.get(URL, _query(org, depth="perspective")).json()["perspectives"]
    assert [p["score"] for p in perspectives] == [p["score"] for p in full["perspectives"]]
    assert all("objectives" not in p for p in perspectives)

    objective = viewer.get(URL, _query(org, depth="objective")).json()
    [objective_node] = objective["perspectives"][0]["objectives"]
    assert "kpis" not in objective_node
    assert objective_node["score"] == full["perspectives"][0]["objectives"][0]["score"]
    assert full["depth"] == "kpi"


def test_the_kpi_lines_come_a_page_at_a_time_in_the_order_of_the_tree(org):
    for n in range(4):
        KpiFactory(objective=org.objective, code=f"X{n}")
    viewer = client_for(org.viewer)
    whole = viewer.get(URL, _query(org)).json()
    codes = [k["code"] for k in whole["perspectives"][0]["objectives"][0]["kpis"]]
    assert len(codes) == 5
    assert whole["kpi_lines"] == {
        "count": 5,
        "page": 1,
        "page_size": 500,
        "pages": 1,
        "next": None,
        "previous": None,
    }

    seen = []
    for page in (1, 2, 3):
        body = viewer.get(URL, _query(org, page=page, page_size=2)).json()
        [objective_node] = body["perspectives"][0]["objectives"]
        seen += [k["code"] for k in objective_node["kpis"]]
        assert objective_node["kpis_total"] == 5  # the roll-up counts every KPI on every page
        assert body["score"] == whole["score"]
        assert (body["kpi_lines"]["next"] is None) == (page == 3)
        assert (body["kpi_lines"]["previous"] is None) == (page == 1)
    assert seen == codes
    assert "page=3" in viewer.get(URL, _query(org, page=2, page_size=2)).json()["kpi_lines"]["next"]


def test_a_bad_depth_or_page_is_refused_by_name(org):
    viewer = client_for(org.viewer)
    response = viewer.get(URL, _query(org, depth="team"))
    assert response.status_code == 400
    assert "depth" in response.json()
    for page_size in ("0", "501", "x"):
        response = viewer.get(URL, _query(org, page_size=page_size))
        assert response.status_code == 400
        assert "page_size" in response.json()
    assert viewer.get(URL, _query(org, page="0")).status_code == 400
    assert viewer.get(URL, _query(org, page="2")).status_code == 404
    response = viewer.get(URL, _query(org, limit="5"))
    assert response.status_code == 400
    assert "Unknown query parameter" in response.json()["limit"][0]
