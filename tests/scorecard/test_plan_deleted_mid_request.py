"""A plan deleted while a request reads it answers as a plan that is not there: 404 on the
dashboard and its sections, the export and the objective's page, and the API's own answer for
a plan that does not exist; never a server error."""

from __future__ import annotations

import pytest

from kpis.selectors import scorecard as scorecard_selectors
from strategy.models import Objective, StrategicPlan
from tests.factories import ObjectiveFactory
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_deleted_when_scored(monkeypatch):  # type: ignore[no-untyped-def]
    """The workspace, whose plan another request deletes just as its scorecard is read."""
    ws = build_workspace()
    read_parts = scorecard_selectors._plan_parts

    def deleted_first(plan: StrategicPlan, **options):  # type: ignore[no-untyped-def]
        Objective.objects.filter(plan=plan).delete()  # they keep their perspectives' plan
        StrategicPlan.objects.filter(pk=plan.pk).delete()
        return read_parts(plan, **options)

    monkeypatch.setattr(scorecard_selectors, "_plan_parts", deleted_first)
    return ws


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/dashboard/", {}),
        ("/dashboard/", HTMX),
        ("/dashboard/heat-map/", HTMX),
        ("/dashboard/heat-map/", {}),
        ("/dashboard/forecasts/", HTMX),
        ("/dashboard/attention/", {}),
        ("/dashboard/export.csv", {}),
    ],
)
def test_the_dashboard_and_its_sections_answer_404_for_a_plan_deleted_meanwhile(
    plan_deleted_when_scored, path, headers
):
    ws = plan_deleted_when_scored
    number = ws.plan.pk

    response = client_for(ws.org.root_admin).get(f"{path}?plan={number}", **headers)

    assert response.status_code == 404
    assert not StrategicPlan.objects.filter(pk=number).exists()


def test_the_dashboard_names_the_deleted_plan_and_offers_the_others(plan_deleted_when_scored):
    ws = plan_deleted_when_scored
    number = ws.plan.pk

    html = client_for(ws.org.root_admin).get(f"/dashboard/?plan={number}").content.decode()

    assert f"There is no plan number {number} that you may see. Choose one below." in html


def test_an_objectives_page_answers_404_when_its_plan_is_deleted_meanwhile(
    plan_deleted_when_scored,
):
    ws = plan_deleted_when_scored
    objective = ObjectiveFactory(plan=ws.plan, perspective=ws.financial, code="F1")

    response = client_for(ws.org.root_admin).get(f"/objectives/{objective.pk}/")

    assert response.status_code == 404


def test_the_api_answers_a_plan_deleted_meanwhile_as_one_that_does_not_exist(
    plan_deleted_when_scored,
):
    ws = plan_deleted_when_scored
    client = client_for(ws.org.root_admin)
    number = ws.plan.pk

    deleted = client.get(f"/api/v1/scorecard/?plan={number}&period=2026-04-01")
    missing = client.get(f"/api/v1/scorecard/?plan={number}&period=2026-04-01")

    assert deleted.status_code == missing.status_code == 400
    assert deleted.json() == missing.json()
    assert str(number) in deleted.json()["plan"][0]
