"""Reads of action plans: lists with their progress and schedule, a person's tasks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from accounts.permissions import visible_unit_ids
from actionplans import schedule, timeline
from actionplans.models import ActionPlan, ActionPlanKpi, Task
from core.page_filters import chosen_id
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


@dataclass(frozen=True)
class PlanListChoices:
    """What the list of action plans offers to filter by: the units, objectives and owners of
    the plans the person may see, each as (id, name), by name."""

    units: list[tuple[int, str]]
    objectives: list[tuple[int, str]]
    owners: list[tuple[int, str]]


def plan_list_choices(visible: Iterable[ActionPlan]) -> PlanListChoices:
    """The filter's choices among `visible`, the action plans the person may see."""
    plans = list(visible)

    def by_name(pairs: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
        return sorted(set(pairs), key=lambda pair: pair[1])

    return PlanListChoices(
        units=by_name((p.org_unit_id, str(p.org_unit)) for p in plans),
        objectives=by_name((p.objective_id, str(p.objective)) for p in plans),
        owners=by_name((p.owner_id, str(p.owner)) for p in plans if p.owner_id and p.owner),
    )


@dataclass(frozen=True)
class PlanListFilter:
    """The part of the list's address that could be used (None: that filter is off)."""

    org_unit: int | None = None
    objective: int | None = None
    owner: int | None = None
    status: str | None = None


def parse_plan_list_filter(
    params: Mapping[str, str], choices: PlanListChoices
) -> tuple[PlanListFilter, list[str]]:
    """The filter the address asks for, and a sentence for each value it could not use (not
    a number, or a unit, objective or owner of none of the plans the person may see, or an
    unknown status): that value is dropped and the others still apply, so a misspelt filter
    shows more rows and says why, never silently none or all."""
    problems: list[str] = []

    def choice(name: str, label: str, allowed: list[tuple[int, str]]) -> int | None:
        ids = {pk for pk, _ in allowed}
        among = "among the action plans you may see"
        return chosen_id(params, name, ids, label=label, among=among, problems=problems)

    status: str | None = params.get("status", "").strip() or None
    if status is not None and status not in ActionPlan.Status.values:
        labels = ", ".join(str(label).lower() for label in ActionPlan.Status.labels)
        problems.append(
            f"“{status}” is not a status of an action plan ({labels}); showing every status."
        )
        status = None
    chosen = PlanListFilter(
        org_unit=choice("org_unit", "unit", choices.units),
        objective=choice("objective", "objective", choices.objectives),
        owner=choice("owner", "owner", choices.owners),
        status=status,
    )
    return chosen, problems


def filter_action_plans(
    plans: QuerySet[ActionPlan], chosen: PlanListFilter
) -> QuerySet[ActionPlan]:
    """The plans the filter keeps."""
    if chosen.org_unit is not None:
        plans = plans.filter(org_unit_id=chosen.org_unit)
    if chosen.objective is not None:
        plans = plans.filter(objective_id=chosen.objective)
    if chosen.owner is not None:
        plans = plans.filter(owner_id=chosen.owner)
    if chosen.status is not None:
        plans = plans.filter(status=chosen.status)
    return plans


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
