"""What the KPI app adds to the strategy's pages (see strategy/extensions.py)."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Role, User
from accounts.permissions import holds_role_anywhere
from strategy.extensions import Link
from strategy.models import StrategicPlan


def kpis_and_targets(user: User, plan: StrategicPlan) -> Link:
    return Link("KPIs and targets", reverse("workspace:kpis", args=[plan.pk]))


def new_plan(user: User) -> Link | None:
    # Admins start plans; managers the cascaded plan of their unit (see plan_new).
    if not holds_role_anywhere(user, Role.ADMIN, Role.MANAGER):
        return None
    return Link("New plan", reverse("workspace:plan_new"))
