"""Reads of action plans."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from actionplans.models import ActionPlan
from strategy.models import Objective, StrategicPlan


def objectives_without_action_plan(*, plan: StrategicPlan) -> QuerySet[Objective]:
    """The plan's objectives that no action plan (other than a cancelled one) works towards."""
    working = ActionPlan.objects.filter(objective_id=OuterRef("pk")).exclude(
        status=ActionPlan.Status.CANCELLED
    )
    return plan.objectives.filter(~Exists(working)).order_by("perspective__order", "code")
