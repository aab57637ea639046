"""SMART action plans that reach objectives, broken into tasks and milestones."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q

from accounts.models import OrgUnit
from strategy.models import Objective


class ActionPlan(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="action_plans")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="action_plans")
    name = models.CharField(max_length=200, help_text="Specific: what will be done.")
    description = models.TextField(blank=True)
    success_measure = models.CharField(
        max_length=300, blank=True, help_text="Measurable: how we will know it is achieved."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_action_plans",
    )
    start_date = models.DateField()
    due_date = models.DateField(help_text="Time-bound: when it will be done.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["due_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start_date")),
                name="actionplan_due_after_start",
                violation_error_message="The due date cannot be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"

    action_plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.TODO)
    percent_complete = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    is_milestone = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100),
                name="task_percent_at_most_100",
                violation_error_message="Percent complete cannot exceed 100.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status != self.Status.DONE and self.due_date < today
