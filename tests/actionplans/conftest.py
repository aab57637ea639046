"""A small organisation for the action-plan page tests: Operations with its head (manager), a
clerk (contributor), a sub-unit admin (Warehouse) and an outsider (Finance's manager)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import Role
from tests.factories import (
    ActionPlanFactory,
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    StrategicPlanFactory,
    TargetFactory,
    TaskFactory,
    UserFactory,
)


@pytest.fixture
def world():
    root = OrgUnitFactory(name="Org")
    ops = OrgUnitFactory(name="Operations", parent=root)
    sub = OrgUnitFactory(name="Warehouse", parent=ops)
    finance = OrgUnitFactory(name="Finance", parent=root)
    people = {}
    for name, unit, role in [
        ("head", ops, Role.MANAGER),
        ("clerk", ops, Role.CONTRIBUTOR),
        ("outsider", finance, Role.MANAGER),
        ("sub_admin", sub, Role.ADMIN),
    ]:
        people[name] = UserFactory(username=name)
        MembershipFactory(user=people[name], org_unit=unit, role=role)
    plan = StrategicPlanFactory(org_unit=ops)
    objective = ObjectiveFactory(plan=plan, org_unit=ops)
    kpi = KpiFactory(objective=objective, code="OTD")
    TargetFactory(kpi=kpi, period=date(2026, 1, 1), goal=Decimal(95), red_flag=Decimal(90))
    action_plan = ActionPlanFactory(objective=objective, org_unit=ops)
    task = TaskFactory(action_plan=action_plan, owner=people["clerk"])
    return people, objective, kpi, action_plan, task


def client(person):
    c = Client()
    c.force_login(person)
    return c
