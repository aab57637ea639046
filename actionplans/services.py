"""Every write of action plans, milestones and tasks, and the SMART check.

Pages, the API and the admin all use these, so each rule holds once: a plan becomes active
only when `smart_check` passes, a change based on an older version is refused
(`VersionConflict`), and `full_clean()` refuses dates outside the horizon or the plan, an owner
with no role over the unit, progress outside 0-100, a negative budget or weight.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from actionplans.models import ActionPlan, ActionPlanKpi, Milestone, Task
from core import data_version
from core.validation import validate_at_fields
from kpis.models import Kpi
from strategy.models import Objective

PLAN_FIELDS = frozenset(
    {
        "objective",
        "org_unit",
        "name",
        "description",
        "success_measure",
        "owner",
        "resources",
        "budget_planned",
        "budget_spent",
        "why",
        "start_date",
        "due_date",
        "status",
    }
)
TASK_FIELDS = frozenset(
    {
        "action_plan",
        "name",
        "owner",
        "milestone",
        "start_date",
        "due_date",
        "status",
        "percent_complete",
        "weight",
    }
)


@dataclass(frozen=True)
class SmartCriterion:
    """One letter of SMART: passed, or what the plan still lacks for it."""

    key: str
    label: str
    missing: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.missing


def smart_check(action_plan: ActionPlan) -> list[SmartCriterion]:
    """The five SMART criteria of the plan, in order, each with what is missing (if anything)."""

    def lacking(*checks: tuple[bool, str]) -> tuple[str, ...]:
        return tuple(what for present, what in checks if not present)

    horizon = action_plan.objective.plan
    linked = action_plan.pk is not None and action_plan.kpi_links.exists()
    inside = all(
        day is not None and horizon.start <= day <= horizon.end
        for day in (action_plan.start_date, action_plan.due_date)
    )
    return [
        SmartCriterion(
            "specific",
            "Specific",
            lacking(
                (bool(action_plan.name.strip()), "a name"),
                (bool(action_plan.description.strip()), "a description"),
                (action_plan.owner_id is not None, "an owner"),
            ),
        ),
        SmartCriterion(
            "measurable",
            "Measurable",
            lacking((linked, "a linked KPI with the value it should reach and by when")),
        ),
        SmartCriterion(
            "achievable",
            "Achievable",
            lacking(
                (bool(action_plan.resources.strip()), "the resources it takes"),
                (action_plan.budget_planned is not None, "a planned budget"),
            ),
        ),
        SmartCriterion(
            "relevant",
            "Relevant",
            lacking(
                (action_plan.objective_id is not None, "the objective it serves"),
                (bool(action_plan.why.strip()), "why it moves the objective"),
            ),
        ),
        SmartCriterion(
            "time_bound",
            "Time-bound",
            lacking((inside, "start and due dates inside the strategic plan's horizon")),
        ),
    ]


def smart_refusal(action_plan: ActionPlan) -> str | None:
    """Why the plan cannot become active (the criteria that fail and what they miss), or None."""
    failing = [c for c in smart_check(action_plan) if not c.passed]
    if not failing:
        return None
    parts = "; ".join(f"{c.label} needs {', '.join(c.missing)}" for c in failing)
    return f"A plan becomes active only when it is SMART. {parts}."


class VersionConflict(ValidationError):
    """The object changed since the version the edit was based on; nothing was written."""

    def __init__(self, what: str, current: ActionPlan | Task) -> None:
        self.current = current
        super().__init__(
            f"This {what} was changed by someone else in the meantime (now version "
            f"{current.version}); reload it before changing it.",
            code="version_conflict",
        )


def _check_version(obj: ActionPlan | Task, expected: int | None, what: str) -> None:
    if expected is not None and expected != obj.version:
        raise VersionConflict(what, obj)


def _unknown(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValueError(f"Not a field that may be changed here: {', '.join(unknown)}")


def _refuse_activation(action_plan: ActionPlan, was: str | None) -> None:
    if action_plan.status == ActionPlan.Status.ACTIVE and was != ActionPlan.Status.ACTIVE:
        refusal = smart_refusal(action_plan)
        if refusal:
            raise ValidationError({"status": refusal}, code="not_smart")


def action_plan_create(
    *,
    objective: Objective,
    name: str,
    start_date: datetime.date,
    due_date: datetime.date,
    org_unit_id: int | None = None,
    kpi: Kpi | None = None,
    expected_value: Decimal | None = None,
    **fields: Any,
) -> ActionPlan:
    """A new plan for the objective, carried out by its unit unless another is given.

    With `kpi` (and its `expected_value`), the plan is linked to that KPI, expected by the due
    date. A plan created active must already pass the SMART check, linked KPI included.
    """
    _unknown(fields, PLAN_FIELDS - {"objective", "org_unit", "name", "start_date", "due_date"})
    action_plan = ActionPlan(
        objective=objective,
        org_unit_id=org_unit_id or objective.org_unit_id,
        name=name,
        start_date=start_date,
        due_date=due_date,
        **fields,
    )
    with transaction.atomic():
        validate_at_fields(action_plan)
        status = action_plan.status
        action_plan.status = ActionPlan.Status.DRAFT
        action_plan.save()
        if kpi is not None and expected_value is not None:
            action_plan_kpi_set(
                action_plan=action_plan,
                kpi=kpi,
                expected_value=expected_value,
                expected_by=due_date,
            )
        action_plan.status = status
        _refuse_activation(action_plan, ActionPlan.Status.DRAFT)
        if status != ActionPlan.Status.DRAFT:
            action_plan.save(update_fields=["status"])
    return action_plan


def action_plan_update(
    *, action_plan: ActionPlan, expected_version: int | None = None, **changes: Any
) -> ActionPlan:
    """Change the plan's fields (status included); refuses a stale version and an activation
    that fails the SMART check, writing nothing."""
    _unknown(changes, PLAN_FIELDS)
    with transaction.atomic():
        current = ActionPlan.objects.select_for_update().get(pk=action_plan.pk)
        _check_version(current, expected_version, "action plan")
        was = current.status
        for field, value in changes.items():
            setattr(current, field, value)
        validate_at_fields(current)
        _refuse_activation(current, was)
        current.version += 1
        current.save()
    return current


def action_plan_kpi_set(
    *,
    action_plan: ActionPlan,
    kpi: Kpi,
    expected_value: Decimal,
    expected_by: datetime.date,
) -> ActionPlanKpi:
    """Link the KPI to the plan (or change the link): the value it should reach, by when."""
    with transaction.atomic():
        link = ActionPlanKpi.objects.filter(action_plan=action_plan, kpi=kpi).first()
        link = link or ActionPlanKpi(action_plan=action_plan, kpi=kpi)
        link.expected_value = expected_value
        link.expected_by = expected_by
        validate_at_fields(link)
        link.save()
        ActionPlan.objects.filter(pk=action_plan.pk).update(version=action_plan.version + 1)
        data_version.bump()  # an update() sends no signals
        action_plan.version += 1
    return link


def action_plan_kpi_remove(*, link: ActionPlanKpi) -> None:
    """Unlink a KPI; an active plan keeps at least one (it must stay measurable)."""
    with transaction.atomic():
        action_plan = ActionPlan.objects.select_for_update().get(pk=link.action_plan_id)
        if (
            action_plan.status == ActionPlan.Status.ACTIVE
            and action_plan.kpi_links.exclude(pk=link.pk).count() == 0
        ):
            raise ValidationError(
                "An active plan keeps at least one linked KPI; link another one first."
            )
        link.delete()


def milestone_create(*, action_plan: ActionPlan, name: str, due_date: datetime.date) -> Milestone:
    milestone = Milestone(action_plan=action_plan, name=name, due_date=due_date)
    validate_at_fields(milestone)
    milestone.save()
    return milestone


def _done_is_complete(task: Task) -> None:
    # A task marked done is complete; its percent says so, so the plan's progress moves.
    if task.status == Task.Status.DONE:
        task.percent_complete = 100


def task_create(
    *,
    action_plan: ActionPlan,
    name: str,
    due_date: datetime.date,
    owner: User | None = None,
    **fields: Any,
) -> Task:
    """A new task of the plan; its dates inside the plan's, its owner with a role in the unit."""
    _unknown(fields, TASK_FIELDS - {"action_plan", "name", "due_date", "owner"})
    task = Task(action_plan=action_plan, name=name, due_date=due_date, owner=owner, **fields)
    _done_is_complete(task)
    with transaction.atomic():
        validate_at_fields(task)
        task.save()
    return task


def task_update(*, task: Task, expected_version: int | None = None, **changes: Any) -> Task:
    """Change the task (status, progress, dates, …); refuses a stale version, writing nothing."""
    _unknown(changes, TASK_FIELDS)
    with transaction.atomic():
        current = Task.objects.select_for_update().select_related("action_plan").get(pk=task.pk)
        _check_version(current, expected_version, "task")
        for field, value in changes.items():
            setattr(current, field, value)
        if "status" in changes:
            _done_is_complete(current)
        validate_at_fields(current)
        current.version += 1
        current.save()
    return current
