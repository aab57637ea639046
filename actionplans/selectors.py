"""Reads of action plans: lists with their progress and schedule, a person's tasks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from fractions import Fraction

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from accounts.permissions import visible_unit_ids
from actionplans import schedule
from actionplans.models import ActionPlan, ActionPlanKpi, Task
from kpis.models import Kpi
from strategy.models import Objective, StrategicPlan

ACTIVE_WORK = (ActionPlan.Status.ACTIVE, ActionPlan.Status.ON_HOLD)


def objectives_without_action_plan(*, plan: StrategicPlan) -> QuerySet[Objective]:
    """The plan's objectives that no action plan (other than a cancelled one) works towards."""
    working = ActionPlan.objects.filter(objective_id=OuterRef("pk")).exclude(
        status=ActionPlan.Status.CANCELLED
    )
    return plan.objectives.filter(~Exists(working)).order_by("perspective__order", "code")


def visible_action_plans(user: User) -> QuerySet[ActionPlan]:
    """The action plans of the units the person may see, with what their list shows."""
    plans = ActionPlan.objects.select_related(
        "objective__plan", "org_unit", "owner"
    ).prefetch_related("tasks")
    units = visible_unit_ids(user)
    return plans if units is None else plans.filter(org_unit_id__in=units)


def plan_progress(action_plan: ActionPlan) -> Fraction:
    """The plan's progress (0-1): its tasks' weighted percent (prefetch `tasks` for lists)."""
    return schedule.progress(
        (task.weight, task.percent_complete) for task in action_plan.tasks.all()
    )


def plan_schedule(action_plan: ActionPlan, today: datetime.date) -> schedule.Schedule | None:
    """On schedule, behind or overdue for active or held plans; None for the others."""
    if action_plan.status not in ACTIVE_WORK:
        return None
    return schedule.schedule(
        done=plan_progress(action_plan),
        start=action_plan.start_date,
        due=action_plan.due_date,
        today=today,
    )


def tasks_of(user: User) -> QuerySet[Task]:
    """The person's tasks in plans that are not finished, the open ones first by due date."""
    return (
        Task.objects.filter(owner=user)
        .exclude(action_plan__status__in=[ActionPlan.Status.DONE, ActionPlan.Status.CANCELLED])
        .select_related("action_plan", "milestone")
        .order_by("due_date", "name")
    )


def plans_acting_on(kpi: Kpi, *, reader: User) -> QuerySet[ActionPlanKpi]:
    """The KPI's links to the plans the reader may see that are not cancelled, with each plan
    and its tasks."""
    return plans_acting_on_kpis([kpi.pk], reader=reader)


def plans_acting_on_kpis(kpi_ids: Iterable[int], *, reader: User) -> QuerySet[ActionPlanKpi]:
    """`plans_acting_on` for several KPIs at once (one query for the links and their plans)."""
    links = ActionPlanKpi.objects.filter(kpi_id__in=list(kpi_ids))
    units = visible_unit_ids(reader)
    if units is not None:
        links = links.filter(action_plan__org_unit_id__in=units)
    return (
        links.exclude(action_plan__status=ActionPlan.Status.CANCELLED)
        .select_related("action_plan__owner")
        .prefetch_related("action_plan__tasks")
        .order_by("action_plan__due_date", "action_plan__name")
    )
