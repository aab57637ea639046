"""The guided setup's finish offers "Activate the plan" once nothing on the plan's health
checklist blocks it, and lists the blocking items (each linked to where it is fixed) until then."""

from __future__ import annotations

import pytest

from strategy.models import StrategicPlan
from strategy.services import objective_create
from tests.strategy.test_health import complete
from tests.strategy.workspace import build_workspace, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws():  # type: ignore[no-untyped-def]
    return build_workspace()


@pytest.fixture
def opaque(settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_TRANSPARENCY = False


def finish_url(ws) -> str:  # type: ignore[no-untyped-def]
    return f"/strategy/plans/{ws.plan.pk}/setup/action-plans/"


def activate_url(ws) -> str:  # type: ignore[no-untyped-def]
    return f"/strategy/plans/{ws.plan.pk}/setup/activate/"


def test_a_plan_with_blocking_items_lists_them_and_offers_no_activation(ws):
    objective = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    html = client_for(ws.org.root_admin).get(finish_url(ws)).content.decode()

    blockers = html.split('id="activation-blockers"', 1)[1].split("It stays a draft", 1)[0]
    assert "Activate the plan</button>" not in html
    assert 'data-check="perspectives_without_objectives"' in blockers
    assert "Customer" in blockers
    assert 'data-check="objectives_without_kpis"' in blockers
    assert f'href="/strategy/plans/{ws.plan.pk}/kpis/new/?objective={objective.pk}' in blockers
    # What does not block activation is left to the plan's checklist.
    assert "objectives_without_owner" not in blockers
    assert "objectives_without_action_plan" not in blockers


def test_a_ready_plan_offers_activation_and_the_owner_activates_it(ws):
    complete(ws)
    client = client_for(ws.org.root_admin)

    page = client.get(finish_url(ws)).content.decode()
    response = client.post(activate_url(ws))

    assert f'action="{activate_url(ws)}"' in page
    assert "Activate the plan</button>" in page
    assert 'id="activation-blockers"' not in page
    assert response.status_code == 302
    assert response["Location"] == f"/strategy/plans/{ws.plan.pk}/"
    ws.plan.refresh_from_db()
    assert ws.plan.status == StrategicPlan.Status.ACTIVE


def test_activating_a_plan_with_blocking_items_is_refused_and_lists_them(ws):
    response = client_for(ws.org.root_admin).post(activate_url(ws))

    html = response.content.decode()
    assert response.status_code == 400
    assert "ACME 2026 was not activated: first fix what is listed below." in html
    assert 'data-check="perspectives_without_objectives"' in html
    ws.plan.refresh_from_db()
    assert ws.plan.status == StrategicPlan.Status.DRAFT


@pytest.mark.parametrize("who", ["manager", "viewer", "sales_admin"])
def test_a_lesser_role_or_an_admin_of_a_sub_unit_may_not_activate(ws, who):
    complete(ws)

    response = client_for(getattr(ws.org, who)).post(activate_url(ws))

    assert response.status_code == 403
    ws.plan.refresh_from_db()
    assert ws.plan.status == StrategicPlan.Status.DRAFT


def test_without_transparency_an_outsider_gets_404_for_activation(ws, opaque):
    complete(ws)

    assert client_for(ws.org.operator).post(activate_url(ws)).status_code == 404
    ws.plan.refresh_from_db()
    assert ws.plan.status == StrategicPlan.Status.DRAFT
