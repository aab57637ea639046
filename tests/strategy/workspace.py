"""A plan in the small organisation of tests.accounts.org, for the strategy workspace's tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from accounts.models import Role
from strategy.models import Perspective, StrategicPlan
from strategy.services import plan_create
from tests.accounts.org import HTMX, Org, build_org, client_for
from tests.factories import MembershipFactory, UserFactory

__all__ = ["HTMX", "Workspace", "build_workspace", "client_for"]

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 12, 31)


@dataclass
class Workspace:
    """ACME's draft plan for 2026 with its four standard perspectives, and the people of Org.

    plan: ACME's (edited by root_admin only); org.manager manages Sales (a lesser role here),
    org.viewer views ACME, org.outsider has no role. contributor: a contributor of Sales.
    """

    org: Org
    plan: StrategicPlan
    financial: Perspective
    customer: Perspective
    internal: Perspective
    learning: Perspective
    contributor: object


def build_workspace() -> Workspace:
    org = build_org()
    plan = plan_create(org_unit=org.acme, name="ACME 2026", start=START, end=END)
    financial, customer, internal, learning = plan.perspectives.order_by("order")
    contributor = UserFactory(username="contributor", password=None)
    MembershipFactory(user=contributor, org_unit=org.sales, role=Role.CONTRIBUTOR)
    return Workspace(org, plan, financial, customer, internal, learning, contributor)
