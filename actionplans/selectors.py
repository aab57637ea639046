"""Reads of action plans: lists with their progress and schedule, a person's tasks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from fractions import Fraction

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from accounts.permissions import visible_unit_ids
from actionplans import schedule, timeline
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


def timeline_plans(
    user: User, *, org_unit_id: int | None = None, status: str | None = None
) -> QuerySet[ActionPlan]:
    """The plans the person may see on the timeline, earliest first, with their tasks and
    milestones: of one unit when given, of one status when given, else all but cancelled."""
    plans = visible_action_plans(user).prefetch_related("milestones")
    if org_unit_id is not None:
        plans = plans.filter(org_unit_id=org_unit_id)
    if status is not None:
        plans = plans.filter(status=status)
    else:
        plans = plans.exclude(status=ActionPlan.Status.CANCELLED)
    return plans.order_by("start_date", "due_date", "name")


def plan_span(action_plan: ActionPlan, *, today: datetime.date, href: str) -> timeline.PlanSpan:
    """What the timeline shows of a plan (prefetch `tasks` and `milestones`)."""
    done = plan_progress(action_plan)
    on_time = plan_schedule(action_plan, today)
    tasks = list(action_plan.tasks.all())
    milestones = []
    for milestone in action_plan.milestones.all():
        done_tasks = (t.status == Task.Status.DONE for t in tasks if t.milestone_id == milestone.pk)
        state = schedule.milestone_state(due=milestone.due_date, tasks_done=done_tasks, today=today)
        milestones.append(
            timeline.MilestonePoint(milestone.name, milestone.due_date, state, state.label)
        )
    return timeline.PlanSpan(
        plan_id=action_plan.pk,
        name=action_plan.name,
        start=action_plan.start_date,
        due=action_plan.due_date,
        status=action_plan.status,
        status_label=action_plan.get_status_display(),
        schedule=on_time.value if on_time else None,
        schedule_label=on_time.label if on_time else "",
        progress=done,
        href=href,
        milestones=tuple(milestones),
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
