"""A small organisation with one plan for the API tests (tests/<app>/test_api_*.py), and
clients acting as its people. Loaded for the whole suite by tests/conftest.py; a test module
with an `org` fixture of its own uses that one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from actionplans.models import ActionPlan, Task
from kpis.models import Actual, Kpi, Target
from strategy.models import Objective, Perspective, StrategicPlan
from tests.factories import (
    ActionPlanFactory,
    ActualFactory,
    KpiFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
    TaskFactory,
)
from tests.org import people, unit_tree

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)


@dataclass
class Org:
    """ACME at the root with Sales and Operations below; Sales' plan with one objective and KPI.

    admin: admin of ACME (owner of the strategy); manager: manager of Sales (owner of its
    actuals, action plans and tasks); contributor: contributor of Sales, updater of `kpi` and
    owner of `task`; viewer: viewer of Sales (a lesser role); outsider: viewer of Operations
    only (sees nothing of Sales once transparency is off).
    """

    acme: OrgUnit
    sales: OrgUnit
    operations: OrgUnit
    admin: User
    manager: User
    contributor: User
    viewer: User
    outsider: User
    plan: StrategicPlan
    perspective: Perspective
    objective: Objective
    kpi: Kpi
    target: Target
    actual: Actual
    action_plan: ActionPlan
    task: Task


@pytest.fixture
def org(db: None) -> Org:
    units = unit_tree(
        ("acme", "ACME", None), ("sales", "Sales", "acme"), ("operations", "Operations", "acme")
    )
    acme, sales, operations = units["acme"], units["sales"], units["operations"]
    staff = people(
        {
            "admin": [(acme, Role.ADMIN)],
            "manager": [(sales, Role.MANAGER)],
            "contributor": [(sales, Role.CONTRIBUTOR)],
            "viewer": [(sales, Role.VIEWER)],
            "outsider": [(operations, Role.VIEWER)],
        }
    )
    plan = StrategicPlanFactory(org_unit=sales, name="Sales 2026")
    perspective = PerspectiveFactory(plan=plan, name="Financial")
    objective = ObjectiveFactory(perspective=perspective, org_unit=sales, code="F1")
    kpi = KpiFactory(objective=objective, code="REV", name="Revenue")
    kpi.updaters.add(staff["contributor"])
    action_plan = ActionPlanFactory(objective=objective, org_unit=sales)
    return Org(
        acme=acme,
        sales=sales,
        operations=operations,
        plan=plan,
        perspective=perspective,
        objective=objective,
        kpi=kpi,
        target=TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90)),
        actual=ActualFactory(kpi=kpi, period=JAN, value=Decimal(95)),
        action_plan=action_plan,
        task=TaskFactory(action_plan=action_plan, owner=staff["contributor"]),
        **staff,
    )


@pytest.fixture
def transparency_off(settings):  # type: ignore[no-untyped-def]
    """Members see only the subtrees of their units: the outsider sees nothing of Sales."""
    settings.SCORECARD_TRANSPARENCY = False


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):  # type: ignore[no-untyped-def]
    """Token clients are rate limited; only the rate-limiting test runs into the limit."""
    settings.API_RATE_LIMIT = "100000/hour"


def client_for(user: User | None) -> APIClient:
    """An API client signed in as `user` with a token, as integrations are (None: anonymous).

    Each request loads the person afresh, as in production, so changes to their roles or to
    the organisation made by earlier requests count.
    """
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    """The ids of a list answer's results."""
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}
