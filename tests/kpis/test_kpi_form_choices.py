"""The KPI and action-plan forms offer only the people their services accept, so a choice is
never refused: owners with a role over the unit, KPI updaters with a role that enters actuals.
"""

from __future__ import annotations

import datetime
import re

import pytest

from accounts.models import User
from actionplans.services import action_plan_create
from kpis.services import kpi_create
from strategy.services import objective_create
from tests.strategy.workspace import Workspace, build_workspace, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws() -> Workspace:
    return build_workspace()


@pytest.fixture
def growth(ws):  # type: ignore[no-untyped-def]
    """F1, an objective of Sales in ACME's plan."""
    return objective_create(
        plan=ws.plan, perspective=ws.financial, code="F1", name="Grow", org_unit=ws.org.sales
    )


def owner_options(html: str, field: str = "owner") -> set[str]:
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, html
    return set(re.findall(r'<option value="(\d+)"', select.group(1)))


def updater_options(html: str) -> set[str]:
    return set(re.findall(r'name="updaters" value="(\d+)"', html))


def ids(*people: object) -> set[str]:
    return {str(person.pk) for person in people if isinstance(person, User)}


def test_a_kpis_form_offers_owners_with_a_role_over_its_unit_and_updaters_who_enter_actuals(
    ws, growth
):
    org = ws.org
    html = (
        client_for(org.root_admin)
        .get(f"/strategy/plans/{ws.plan.pk}/kpis/new/", {"objective": growth.pk})
        .content.decode()
    )
    # Sales and ACME above it: the operator (Operations) has no access to Sales.
    assert owner_options(html) == ids(
        org.root_admin, org.sales_admin, org.manager, org.viewer, ws.contributor
    )
    # The viewer has access but no role that enters actuals.
    assert updater_options(html) == ids(
        org.root_admin, org.sales_admin, org.manager, ws.contributor
    )


def test_editing_a_kpi_offers_the_people_of_its_objectives_unit(ws, growth):
    kpi = kpi_create(plan=ws.plan, objective=growth, code="REV", name="Revenue")
    html = client_for(ws.org.root_admin).get(f"/strategy/kpis/{kpi.pk}/edit/").content.decode()
    assert str(ws.org.operator.pk) not in owner_options(html)
    assert str(ws.org.viewer.pk) not in updater_options(html)
    assert str(ws.contributor.pk) in updater_options(html)


def test_every_offered_updater_is_accepted(ws, growth):
    html = (
        client_for(ws.org.root_admin)
        .get(f"/strategy/plans/{ws.plan.pk}/kpis/new/", {"objective": growth.pk})
        .content.decode()
    )
    offered = User.objects.filter(pk__in=updater_options(html))
    owner = User.objects.get(pk=min(owner_options(html)))
    kpi = kpi_create(
        plan=ws.plan,
        objective=growth,
        code="REV",
        name="Revenue",
        owner=owner,
        updaters=list(offered),
    )
    assert set(kpi.updaters.all()) == set(offered)


def test_before_an_objective_is_chosen_updaters_are_people_who_enter_actuals(ws, growth):
    html = (
        client_for(ws.org.root_admin)
        .get(f"/strategy/plans/{ws.plan.pk}/kpis/new/")
        .content.decode()
    )
    assert str(ws.org.viewer.pk) in owner_options(html)
    assert str(ws.org.viewer.pk) not in updater_options(html)
    assert str(ws.org.operator.pk) not in updater_options(html)
    assert str(ws.contributor.pk) in updater_options(html)


def test_an_action_plans_forms_offer_owners_with_a_role_over_its_unit(ws, growth):
    org = ws.org
    client = client_for(org.root_admin)
    new = client.get("/action-plans/new/", {"objective": growth.pk}).content.decode()
    assert str(org.operator.pk) not in owner_options(new)
    assert str(org.manager.pk) in owner_options(new)

    action_plan = action_plan_create(
        objective=growth,
        name="Win back the north",
        start_date=datetime.date(2026, 2, 1),
        due_date=datetime.date(2026, 6, 30),
    )
    page = client.get(f"/action-plans/{action_plan.pk}/").content.decode()
    for field in ("owner", "task-owner"):
        assert str(org.operator.pk) not in owner_options(page, field)
        assert str(org.manager.pk) in owner_options(page, field)
