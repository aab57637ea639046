"""What the KPI app adds to the strategy's pages (see strategy/extensions.py) and to the People
section's menu (accounts/extensions.py)."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from strategy.extensions import Link
from strategy.models import StrategicPlan


def kpis_and_targets(user: User, plan: StrategicPlan) -> Link:
    return Link("KPIs and targets", reverse("kpi_definitions:kpis", args=[plan.pk]))


def new_plan(user: User) -> Link | None:
    # Admins start plans; managers the cascaded plan of their unit (see plan_new).
    if not user.has_perm("strategy.add_plan"):
        return None
    return Link("New plan", reverse("kpi_definitions:plan_new"))


def webhooks(user: User) -> Link | None:
    """The webhooks page in the People section's menu, beside the other organisation settings."""
    if not user.has_perm("kpis.manage_webhooks"):
        return None
    return Link("Webhooks", reverse("kpis:webhooks"))
