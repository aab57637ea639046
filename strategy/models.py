"""The strategic plan: vision and mission, perspectives, objectives and cause-effect links."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from accounts.models import OrgUnit

WEIGHT_FIELD_OPTIONS: dict[str, Any] = {
    "max_digits": 8,
    "decimal_places": 3,
    "default": Decimal(1),
    "validators": [MinValueValidator(Decimal(0))],
}


class StrategicPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(max_length=200)
    vision = models.TextField(blank=True)
    mission = models.TextField(blank=True)
    values = models.TextField(blank=True, help_text="One value per line.")
    start = models.DateField(help_text="First day of the plan's horizon.")
    end = models.DateField(help_text="Last day of the plan's horizon.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The plan this one cascades from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="plan_ends_after_start",
                violation_error_message="The plan must end after it starts.",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="plan_not_own_parent"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "archived"]), name="plan_status_is_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def value_list(self) -> list[str]:
        return [line.strip() for line in self.values.splitlines() if line.strip()]


class Perspective(models.Model):
    class Kind(models.TextChoices):
        FINANCIAL = "financial", "Financial"
        CUSTOMER = "customer", "Customer"
        INTERNAL = "internal", "Internal processes"
        LEARNING = "learning", "Learning & growth"
        CUSTOM = "custom", "Custom"

    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="perspectives")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOM)
    order = models.PositiveSmallIntegerField(default=0)
    weight = models.DecimalField(**WEIGHT_FIELD_OPTIONS)

    class Meta:
        ordering = ["plan", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="perspective_unique_name_per_plan",
                violation_error_message="This plan already has a perspective with this name.",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="perspective_weight_not_negative",
                violation_error_message="A weight cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Objective(models.Model):
    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="objectives")
    perspective = models.ForeignKey(
        Perspective, on_delete=models.PROTECT, related_name="objectives"
    )
    code = models.CharField(max_length=20, help_text='Short code such as "F1".')
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_objectives",
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="objectives")
    weight = models.DecimalField(**WEIGHT_FIELD_OPTIONS)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The parent plan's objective that this one supports (cascading).",
    )
    # Archived: off the strategy map and out of the scores; its KPIs, actuals and action plans
    # stay as they were, so its history can still be read and it can be restored.
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "perspective__order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="objective_unique_code_per_plan",
                violation_error_message="This plan already has an objective with this code.",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="objective_weight_not_negative",
                violation_error_message="A weight cannot be negative.",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="objective_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        # A database constraint cannot span tables, so the plan's consistency is checked here.
        if self.perspective_id and self.plan_id and self.perspective.plan_id != self.plan_id:
            raise ValidationError({"perspective": "The perspective belongs to another plan."})
        # Cascading links an objective to one of the parent plan's objectives.
        if (
            self.parent is not None
            and self.plan_id is not None
            and self.parent.plan_id != self.plan.parent_id  # also when the plan has no parent
        ):
            raise ValidationError(
                {"parent": "A parent objective must belong to the plan this one cascades from."}
            )


class ObjectiveComment(models.Model):
    """The commentary on an objective for one period (a month), written by its owner: how it
    stands and why, shown on its page and in its summary on the dashboard.

    Written through `strategy.services.objective_comment_save`; who may write it is
    `strategy.comment_objective`.
    """

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="comments")
    period = models.DateField()
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["objective", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "period"],
                name="objectivecomment_one_per_period",
                violation_error_message="This objective has a commentary for the period already.",
            ),
            # A period is named by its first day (DESIGN.md §3); the dashboard's are months.
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="objectivecomment_period_first_day",
                violation_error_message="A commentary's period is the first day of a month.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective.code} {self.period:%Y-%m}"


class ObjectiveLink(models.Model):
    """A cause-effect arrow on the strategy map: achieving `cause` helps achieve `effect`."""

    cause = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="effect_links")
    effect = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="cause_links")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["cause__code", "effect__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cause", "effect"],
                name="objectivelink_unique",
                violation_error_message="These objectives are already linked.",
            ),
            models.CheckConstraint(
                condition=~Q(cause=F("effect")),
                name="objectivelink_not_to_itself",
                violation_error_message="An objective cannot be linked to itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cause.code} → {self.effect.code}"

    def clean(self) -> None:
        if self.cause_id and self.effect_id:
            if self.cause_id == self.effect_id:
                raise ValidationError("An objective cannot be linked to itself.")
            if self.cause.plan_id != self.effect.plan_id:
                raise ValidationError("Both objectives of a link must belong to the same plan.")


class Stakeholder(models.Model):
    """Someone beyond the owners who is consulted on, or kept informed of, a plan or objective.

    Stakeholders are listed on the plan's page and receive its variance-report digest.
    """

    class Involvement(models.TextChoices):
        CONSULTED = "consulted", "Consulted"
        INFORMED = "informed", "Kept informed"

    plan = models.ForeignKey(
        StrategicPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="stakeholders"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="stakeholders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stakeholder_of"
    )
    involvement = models.CharField(max_length=10, choices=Involvement.choices)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__username"]
        constraints = [
            # A stakeholder is of exactly one thing: the plan or one of its objectives.
            models.CheckConstraint(
                condition=(Q(plan__isnull=False) & Q(objective__isnull=True))
                | (Q(plan__isnull=True) & Q(objective__isnull=False)),
                name="stakeholder_of_plan_or_objective",
                violation_error_message="A stakeholder is of a plan or of an objective.",
            ),
            models.UniqueConstraint(
                fields=["plan", "user"],
                name="stakeholder_once_per_plan",
                violation_error_message="This person is already a stakeholder of the plan.",
            ),
            models.UniqueConstraint(
                fields=["objective", "user"],
                name="stakeholder_once_per_objective",
                violation_error_message="This person is already a stakeholder of the objective.",
            ),
            models.CheckConstraint(
                condition=Q(involvement__in=["consulted", "informed"]),
                name="stakeholder_involvement_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_involvement_display()}) of {self.plan or self.objective}"

    @property
    def subject(self) -> StrategicPlan | Objective:
        subject = self.plan or self.objective
        assert subject is not None  # noqa: S101 - the check constraint guarantees one
        return subject
