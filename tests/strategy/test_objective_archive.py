"""Archiving an objective: off the map and out of the scores, its KPIs, actuals, links and
action plans untouched; restored as it was. Only whoever may change the plan does it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from actionplans.models import ActionPlan
from kpis.models import Actual, Kpi
from kpis.selectors import plan_scorecard
from strategy.models import Objective, ObjectiveLink
from strategy.selectors import plan_structure
from strategy.services import objective_archive, objective_create, objective_restore
from tests.api_org import client_for as api_client_for
from tests.factories import ActionPlanFactory, ActualFactory, KpiFactory, TargetFactory
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)


@pytest.fixture
def ws():  # type: ignore[no-untyped-def]
    return build_workspace()


@pytest.fixture
def objectives(ws):  # type: ignore[no-untyped-def]
    """F1 (with a KPI on track, an actual, an action plan) linked to F2 (a KPI off track)."""
    f1 = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    f2 = objective_create(plan=ws.plan, perspective=ws.financial, code="F2", name="Margin")
    ObjectiveLink.objects.create(cause=f1, effect=f2)
    for objective, value in ((f1, 100), (f2, 50)):
        kpi = KpiFactory(objective=objective, code=f"K{objective.code}")
        TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
        ActualFactory(kpi=kpi, period=JAN, value=Decimal(value))
    ActionPlanFactory(objective=f1, org_unit=ws.org.acme)
    return f1, f2


def _scored_codes(ws) -> list[str]:  # type: ignore[no-untyped-def]
    card = plan_scorecard(plan=ws.plan, period=JAN, reader=None)
    return [score.objective.code for score in card.objectives()]


def test_archiving_leaves_the_map_and_the_scores_but_keeps_kpis_actuals_and_plans(ws, objectives):
    f1, _ = objectives
    before = plan_scorecard(plan=ws.plan, period=JAN, reader=None)

    objective_archive(objective=f1)

    structure = plan_structure(plan=ws.plan)
    assert [o.code for o in structure.objectives] == ["F2"]
    assert [o.code for o in structure.archived] == ["F1"]
    assert structure.links == []  # the arrow to an archived objective leaves the map
    after = plan_scorecard(plan=ws.plan, period=JAN, reader=None)
    assert _scored_codes(ws) == ["F2"]
    assert after.kpis_total == before.kpis_total - 1
    assert after.rollup.score != before.rollup.score
    # Nothing cascades: the history and the plans stay as they were.
    kpi = Kpi.objects.get(code="KF1")
    assert not kpi.is_retired
    assert Actual.objects.filter(kpi=kpi).count() == 1
    assert ActionPlan.objects.get(objective=f1).status == ActionPlan.Status.DRAFT
    assert ObjectiveLink.objects.filter(cause=f1).count() == 1


def test_restoring_puts_it_back_as_it_was(ws, objectives):
    f1, _ = objectives
    objective_archive(objective=f1)

    objective_restore(objective=f1)

    assert _scored_codes(ws) == ["F1", "F2"]
    assert len(plan_structure(plan=ws.plan).links) == 1


def test_archiving_twice_says_so(ws, objectives):
    objective_archive(objective=objectives[0])

    with pytest.raises(ValidationError) as error:
        objective_archive(objective=objectives[0])

    assert error.value.message_dict == {"is_archived": ["F1 is archived already."]}


# --- the plan page -------------------------------------------------------------------------------


def test_the_owner_archives_and_restores_from_the_plan_page_with_htmx(ws, objectives):
    f1, _ = objectives
    admin = client_for(ws.org.root_admin)

    response = admin.post(f"/strategy/objectives/{f1.pk}/archive/", **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "F1 Grow was archived" in html
    assert f'action="/strategy/objectives/{f1.pk}/restore/"' in html
    assert f'action="/strategy/objectives/{f1.pk}/archive/"' not in html
    assert Objective.objects.get(pk=f1.pk).is_archived

    response = admin.post(f"/strategy/objectives/{f1.pk}/restore/", **HTMX)

    assert response.status_code == 200
    assert f'action="/strategy/objectives/{f1.pk}/archive/"' in response.content.decode()
    assert not Objective.objects.get(pk=f1.pk).is_archived


def test_without_javascript_archiving_redirects_to_the_archived_list(ws, objectives):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/objectives/{objectives[0].pk}/archive/"
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#archived-objectives")


@pytest.mark.parametrize("who", ["manager", "viewer", "sales_admin"])
def test_lesser_roles_and_a_sub_unit_admin_may_not_archive(ws, objectives, who):
    f1, _ = objectives
    response = client_for(getattr(ws.org, who)).post(f"/strategy/objectives/{f1.pk}/archive/")

    assert response.status_code == 403
    assert not Objective.objects.get(pk=f1.pk).is_archived


@pytest.mark.parametrize("who", ["outsider", "operator", "sales_admin"])
def test_people_who_do_not_see_the_plan_do_not_find_the_objective(ws, objectives, who, settings):
    settings.SCORECARD_TRANSPARENCY = False
    f1, _ = objectives
    objective_archive(objective=f1)

    response = client_for(getattr(ws.org, who)).post(f"/strategy/objectives/{f1.pk}/restore/")

    assert response.status_code == 404
    assert Objective.objects.get(pk=f1.pk).is_archived


# --- the API -------------------------------------------------------------------------------------


def test_the_owner_archives_and_restores_through_the_api(ws, objectives):
    f1, _ = objectives
    admin = api_client_for(ws.org.root_admin)
    url = f"/api/v1/objectives/{f1.pk}/"

    response = admin.patch(url, {"is_archived": True}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["is_archived"] is True
    listed = admin.get("/api/v1/objectives/", {"is_archived": "false"}).json()["results"]
    assert [o["code"] for o in listed] == ["F2"]
    assert admin.patch(url, {"is_archived": False}, format="json").json()["is_archived"] is False


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("viewer", 403)])
def test_through_the_api_a_lesser_role_may_not_archive(ws, objectives, who, status):
    f1, _ = objectives
    client = api_client_for(getattr(ws.org, who))

    response = client.patch(f"/api/v1/objectives/{f1.pk}/", {"is_archived": True}, format="json")

    assert response.status_code == status
    assert not Objective.objects.get(pk=f1.pk).is_archived


@pytest.mark.parametrize("who", ["outsider", "sales_admin"])
def test_through_the_api_outsiders_and_a_sub_unit_admin_do_not_find_it(
    ws, objectives, who, settings
):
    settings.SCORECARD_TRANSPARENCY = False
    f1, _ = objectives
    client = api_client_for(getattr(ws.org, who))

    response = client.patch(f"/api/v1/objectives/{f1.pk}/", {"is_archived": True}, format="json")

    assert response.status_code == 404
    assert not Objective.objects.get(pk=f1.pk).is_archived
