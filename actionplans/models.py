"""SMART action plans that reach objectives, broken into milestones and tasks.

A plan states what will be done (name, description, owner), how it is measured (linked KPIs
with the value each should reach and by when), what it takes (resources, budget), why it
matters (its objective and a reason) and when (dates inside the strategic plan's horizon).
Whether it says all that is `smart_check` in actionplans/services.py; `clean()` here holds the
rules that apply to every plan and task, draft or not, on every channel.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from accounts.models import OrgUnit, User
from accounts.permissions import ANY_ROLE, access_for
from kpis.models import Kpi
from strategy.models import Objective

NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


def owner_refusal(owner: User | None, unit_id: int | None) -> str | None:
    """Why the person cannot own work of the unit (no role over it), or None."""
    if owner is None or unit_id is None:
        return None
    if owner.is_active and access_for(owner).holds(unit_id, ANY_ROLE):
        return None
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    where = f"the unit {unit}" if unit else "the unit"
    return f"{owner} holds no role in {where} or above it, so cannot own this."


class ActionPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="action_plans")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="action_plans")
    name = models.CharField(max_length=200, help_text="Specific: what will be done.")
    description = models.TextField(blank=True)
    success_measure = models.CharField(
        max_length=300,
        blank=True,
        help_text="Measurable: what no linked KPI measures, in words.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_action_plans",
    )
    resources = models.TextField(blank=True, help_text="Achievable: the people and means it takes.")
    budget_planned = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    budget_spent = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    why = models.TextField(blank=True, help_text="Relevant: why this moves the objective.")
    start_date = models.DateField()
    due_date = models.DateField(help_text="Time-bound: when it will be done.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Raised by every change, so an edit based on an older version is refused (as actuals).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start_date")),
                name="actionplan_due_after_start",
                violation_error_message="The due date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(budget_planned__gte=0) | Q(budget_planned__isnull=True),
                name="actionplan_budget_planned_not_negative",
                violation_error_message="The planned budget cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(budget_spent__gte=0) | Q(budget_spent__isnull=True),
                name="actionplan_budget_spent_not_negative",
                violation_error_message="The budget spent cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.objective_id is not None:
            plan = self.objective.plan
            for field in ("start_date", "due_date"):
                day = getattr(self, field)
                if day is not None and not plan.start <= day <= plan.end:
                    errors[field] = (
                        f"Must be inside the strategic plan's horizon, "
                        f"{plan.start:%-d %b %Y} to {plan.end:%-d %b %Y}."
                    )
        refusal = owner_refusal(self.owner, self.org_unit_id)
        if refusal:
            errors["owner"] = refusal
        if errors:
            raise ValidationError(errors)


class ActionPlanKpi(models.Model):
    """Measurable: a KPI the plan moves, the value it should reach and by when."""

    action_plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="kpi_links")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="action_plan_links")
    expected_value = models.DecimalField(max_digits=20, decimal_places=6)
    expected_by = models.DateField()

    class Meta:
        ordering = ["expected_by", "kpi__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["action_plan", "kpi"],
                name="actionplankpi_once_per_plan",
                violation_error_message="This KPI is already linked to the plan.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} → {self.expected_value} by {self.expected_by}"

    def clean(self) -> None:
        if self.action_plan_id is None or self.kpi_id is None:
            return
        if self.kpi.plan_id != self.action_plan.objective.plan_id:
            raise ValidationError({"kpi": "Choose a KPI of the plan's own strategic plan."})
        plan = self.action_plan
        if self.expected_by is not None and not plan.start_date <= self.expected_by <= (
            plan.objective.plan.end
        ):
            raise ValidationError(
                {"expected_by": "Must be between the plan's start and its strategic plan's end."}
            )


class Milestone(models.Model):
    """A point in a plan that groups the tasks leading to it."""

    action_plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    due_date = models.DateField()

    class Meta:
        ordering = ["due_date", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.action_plan_id is not None and self.due_date is not None:
            plan = self.action_plan
            if not plan.start_date <= self.due_date <= plan.due_date:
                raise ValidationError({"due_date": _inside_plan(plan)})


def _inside_plan(plan: ActionPlan) -> str:
    return (
        f"Must be inside the action plan's dates, "
        f"{plan.start_date:%-d %b %Y} to {plan.due_date:%-d %b %Y}."
    )


class Task(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        BLOCKED = "blocked", "Blocked"
        DONE = "done", "Done"

    action_plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="tasks")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.TODO)
    percent_complete = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    weight = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal(1), validators=NOT_NEGATIVE
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100),
                name="task_percent_at_most_100",
                violation_error_message="Percent complete cannot exceed 100.",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="task_weight_not_negative",
                violation_error_message="The weight cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start_date")) | Q(start_date__isnull=True),
                name="task_due_after_start",
                violation_error_message="The due date cannot be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.action_plan_id is not None:
            plan = self.action_plan
            for field in ("start_date", "due_date"):
                day = getattr(self, field)
                if day is not None and not plan.start_date <= day <= plan.due_date:
                    errors[field] = _inside_plan(plan)
            if self.milestone is not None and self.milestone.action_plan_id != plan.pk:
                errors["milestone"] = "Choose a milestone of the same action plan."
            refusal = owner_refusal(self.owner, plan.org_unit_id)
            if refusal:
                errors["owner"] = refusal
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status != self.Status.DONE and self.due_date < today
