"""A small organisation for the "My updates" tests, and helpers to act in it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from accounts.models import OrgUnit, Role, User
from kpis import periods
from kpis.models import Kpi
from strategy.models import Objective, StrategicPlan
from tests.factories import (
    KpiFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
)
from tests.org import people, unit_tree

HTMX = {"HTTP_HX_REQUEST": "true"}


def due_month() -> datetime.date:
    """The monthly period due now: the last closed month."""
    return periods.last_closed_period(timezone.localdate(), "monthly")


@dataclass
class Org:
    """ACME (admin, executive, viewer) with Sales (manager, contributor) and Operations.

    REV and WIN are Sales KPIs, the contributor is an updater of WIN only; RATE is calculated
    from them; OPS belongs to Operations. Each has a target for the due month: goal 100, red
    flag 90, higher is better.
    """

    acme: OrgUnit
    sales: OrgUnit
    operations: OrgUnit
    plan: StrategicPlan
    sales_objective: Objective
    ops_objective: Objective
    rev: Kpi
    win: Kpi
    rate: Kpi
    ops: Kpi
    admin: User
    executive: User
    manager: User
    contributor: User
    viewer: User
    outsider: User
    month: datetime.date


def build_org() -> Org:
    units = unit_tree(
        ("acme", "ACME", None), ("sales", "Sales", "acme"), ("operations", "Operations", "acme")
    )
    acme, sales, operations = units["acme"], units["sales"], units["operations"]
    plan = StrategicPlanFactory(org_unit=acme, name="ACME plan")
    perspective = PerspectiveFactory(plan=plan, name="Financial")
    sales_objective = ObjectiveFactory(
        perspective=perspective, org_unit=sales, code="F1", name="Grow sales"
    )
    ops_objective = ObjectiveFactory(
        perspective=perspective, org_unit=operations, code="F2", name="Run lean"
    )
    staff = people(
        {
            "admin": [(acme, Role.ADMIN)],
            "executive": [(acme, Role.EXECUTIVE)],
            "manager": [(sales, Role.MANAGER)],
            "contributor": [(sales, Role.CONTRIBUTOR)],
            "viewer": [(acme, Role.VIEWER)],
            "outsider": [],
        }
    )
    rev = KpiFactory(objective=sales_objective, code="REV", name="Revenue", measure_unit="kEUR")
    win = KpiFactory(objective=sales_objective, code="WIN", name="Deals won", measure_unit="")
    win.updaters.add(staff["contributor"])
    rate = KpiFactory(objective=sales_objective, code="RATE", name="Rate", formula="REV / WIN")
    ops = KpiFactory(objective=ops_objective, code="OPS", name="Throughput", measure_unit="t")
    month = due_month()
    for kpi in (rev, win, rate, ops):
        TargetFactory(kpi=kpi, period=month, goal=Decimal(100), red_flag=Decimal(90))
    return Org(
        acme=acme,
        sales=sales,
        operations=operations,
        plan=plan,
        sales_objective=sales_objective,
        ops_objective=ops_objective,
        rev=rev,
        win=win,
        rate=rate,
        ops=ops,
        month=month,
        **staff,
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row_data(kpi: Kpi, period: datetime.date, value: str, **fields: str) -> dict[str, str]:
    """The fields a row of "My updates" posts."""
    data = {
        f"value-{kpi.pk}": value,
        f"period-{kpi.pk}": period.isoformat(),
        f"version-{kpi.pk}": fields.pop("version", "0"),
    }
    for name, text in fields.items():
        data[f"{name}-{kpi.pk}"] = text
    return data
