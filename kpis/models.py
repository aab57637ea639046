"""KPIs, their targets and actuals per period, and stored variance reports."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from accounts.models import OrgUnit
from core.numbers import DECIMAL_PLACES, MAX_DIGITS
from kpis import formulas, periods, scoring
from strategy.models import WEIGHT_FIELD_OPTIONS, Objective, StrategicPlan

# Every measured value: exact decimals, never floats, so scores match the spreadsheets. The
# limits are the typed numbers' limits (core.numbers), so what parses also fits.
VALUE_FIELD_OPTIONS: dict[str, Any] = {"max_digits": MAX_DIGITS, "decimal_places": DECIMAL_PLACES}


class Direction(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"
    RANGE = "range", "Best within a range"


class Frequency(models.TextChoices):
    MONTHLY = periods.Frequency.MONTHLY.value, "Monthly"
    QUARTERLY = periods.Frequency.QUARTERLY.value, "Quarterly"
    YEARLY = periods.Frequency.YEARLY.value, "Yearly"


class Aggregation(models.TextChoices):
    SUM = "sum", "Sum"
    AVERAGE = "average", "Average"
    LAST = "last", "Last value"
    MIN = "min", "Minimum"
    MAX = "max", "Maximum"


def validate_no_control_characters(value: str) -> None:
    """Refuse text holding control characters (bell, vertical tab, line breaks…).

    A name is one line of text; control characters show as nothing, and spreadsheets (the
    import template) cannot hold most of them.
    """
    found = sorted({f"U+{ord(char):04X}" for char in value if unicodedata.category(char) == "Cc"})
    if found:
        raise ValidationError(
            f"Remove the control characters ({', '.join(found)}): a name is one line of text.",
            code="control_characters",
        )


def _check_period(period: object, frequency: str) -> None:
    if not hasattr(period, "day"):
        return
    month = settings.FISCAL_YEAR_START_MONTH
    if not periods.is_period_start(period, frequency, month):  # type: ignore[arg-type]
        start = periods.period_start(period, frequency, month)  # type: ignore[arg-type]
        raise ValidationError(
            {
                "period": f"A {frequency} period starts on its first day: "
                f"use {start.isoformat()} for the period containing {period}."
            }
        )


class Kpi(models.Model):
    """A key performance indicator measuring an objective."""

    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="kpis")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="kpis")
    code = models.CharField(max_length=30, help_text='Short code used in formulas, e.g. "REV".')
    name = models.CharField(max_length=200, validators=[validate_no_control_characters])
    description = models.TextField(blank=True)
    measure_unit = models.CharField(max_length=30, blank=True, help_text='e.g. "%", "EUR", "days".')
    decimals = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(6)])
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    aggregation = models.CharField(
        max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    tolerance = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        default=Decimal("0.1"),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Used to derive a red flag from the goal when a target has none (0.1 = 10 %).",
    )
    weight = models.DecimalField(**WEIGHT_FIELD_OPTIONS)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_kpis",
    )
    updaters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="updatable_kpis"
    )
    formula = models.CharField(
        max_length=500,
        blank=True,
        help_text="A calculated KPI's expression over other KPI codes, e.g. 100 * WON / LEADS.",
    )
    baseline = models.DecimalField(**VALUE_FIELD_OPTIONS, null=True, blank=True)
    is_retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "code"]
        verbose_name = "KPI"
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="kpi_unique_code_per_plan",
                violation_error_message="This plan already has a KPI with this code.",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="kpi_weight_not_negative",
                violation_error_message="A weight cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0),
                name="kpi_tolerance_not_negative",
                violation_error_message="The tolerance cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="kpi_direction_is_known"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="kpi_frequency_is_known"
            ),
            models.CheckConstraint(
                condition=Q(aggregation__in=Aggregation.values), name="kpi_aggregation_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_calculated(self) -> bool:
        return bool(self.formula.strip())

    @property
    def is_percentage(self) -> bool:
        """Its values are percentages: typed values may end in a % sign."""
        return self.measure_unit.strip() == "%"

    def clean(self) -> None:
        if self.objective_id and self.plan_id and self.objective.plan_id != self.plan_id:
            raise ValidationError({"objective": "The objective belongs to another plan."})
        if self.plan_id and self.code and self.formula.strip():
            self._check_formula()

    def _check_formula(self) -> None:
        """Refuse a formula with a syntax error, an unknown code or a cycle, saying which."""
        others = Kpi.objects.filter(plan_id=self.plan_id).exclude(pk=self.pk)
        known = set(others.values_list("code", flat=True))
        dependencies = {
            code: formulas.formula_codes(formula)
            for code, formula in others.exclude(formula="").values_list("code", "formula")
        }
        try:
            formulas.validate_formula(self.code, self.formula, known, dependencies)
        except formulas.FormulaError as error:
            raise ValidationError({"formula": str(error)}) from None


class Target(models.Model):
    """What a KPI should reach in one period: the goal and the red flag (clearly failing)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    period = models.DateField(help_text="First day of the period.")
    goal = models.DecimalField(**VALUE_FIELD_OPTIONS)
    red_flag = models.DecimalField(**VALUE_FIELD_OPTIONS, null=True, blank=True)
    # Range KPIs only: the upper edge of the band and its red flag.
    goal_high = models.DecimalField(**VALUE_FIELD_OPTIONS, null=True, blank=True)
    red_flag_high = models.DecimalField(**VALUE_FIELD_OPTIONS, null=True, blank=True)

    class Meta:
        ordering = ["kpi", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period"],
                name="target_one_per_kpi_and_period",
                violation_error_message="This KPI already has a target for this period.",
            ),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="target_period_first_day",
                violation_error_message="A period is identified by its first day.",
            ),
            # A red flag equal to the goal leaves no room to score between them.
            models.CheckConstraint(
                condition=Q(red_flag__isnull=True) | ~Q(red_flag=F("goal")),
                name="target_red_flag_differs_from_goal",
                violation_error_message="The red flag must differ from the goal.",
            ),
            models.CheckConstraint(
                condition=Q(goal_high__isnull=True) | Q(goal_high__gte=F("goal")),
                name="target_band_not_inverted",
                violation_error_message="The band is inverted: upper goal below the lower one.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.period:%Y-%m}: goal {self.goal}"

    def get_additional_data(self) -> dict[str, int]:
        """Stored with every audit log entry, so the KPI's history finds even deleted targets."""
        return {"kpi_id": self.kpi_id}

    def clean(self) -> None:
        if not self.kpi_id or self.goal is None:
            return
        kpi = self.kpi
        _check_period(self.period, kpi.frequency)
        # The same rule the scoring engine scores by, so a saved Target can always be scored.
        errors = scoring.validate_target(
            kpi.direction,
            self.goal,
            self.red_flag,
            self.goal_high,
            self.red_flag_high,
            kpi.tolerance,
        )
        if errors:
            raise ValidationError(errors)


class ActualStatus(models.TextChoices):
    """Where an actual stands in the optional approval (settings.SCORECARD_APPROVAL).

    With approval off every actual is approved as it is saved and the status is never read.
    """

    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


def actual_name(kpi_code: str, period: date, value: Decimal) -> str:
    """How an actual is named (in the audit trail too), from plain values: "S1 2026-01: 12"."""
    return f"{kpi_code} {period:%Y-%m}: {value}"


class Actual(models.Model):
    """What a KPI reached in one period, with the owner's analysis."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="actuals")
    period = models.DateField(help_text="First day of the period.")
    value = models.DecimalField(**VALUE_FIELD_OPTIONS)
    analysis = models.TextField(blank=True)
    corrective_action = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    # Incremented by every save through the services; a save based on an older one is refused.
    version = models.PositiveIntegerField(default=1)
    # Approval (only read when settings.SCORECARD_APPROVAL is on): rows from before approval
    # was switched on count as approved.
    status = models.CharField(
        max_length=10, choices=ActualStatus.choices, default=ActualStatus.APPROVED
    )
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kpi", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period"],
                name="actual_one_per_kpi_and_period",
                violation_error_message="This KPI already has an actual for this period.",
            ),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="actual_period_first_day",
                violation_error_message="A period is identified by its first day.",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="actual_version_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ActualStatus.values), name="actual_status_is_known"
            ),
        ]

    def __str__(self) -> str:
        return actual_name(self.kpi.code, self.period, self.value)

    def get_additional_data(self) -> dict[str, int]:
        """Stored with every audit log entry, so the KPI's history finds even deleted actuals."""
        return {"kpi_id": self.kpi_id}

    def clean(self) -> None:
        if self.kpi_id:
            _check_period(self.period, self.kpi.frequency)


class PeriodClose(models.Model):
    """The organisation's close date: every period that ends on or before `closed_through`
    is closed, whatever its frequency (closing through 31 October closes October, the quarter
    ending in September and the fiscal years before), and none of its actuals or targets may
    change. One row for the whole organisation; None closes nothing. Enforced in
    kpis.services, so the pages, the import and the API all refuse alike.
    """

    # The only row: the close date belongs to the organisation, not to a plan or a unit.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    closed_through = models.DateField(
        null=True, blank=True, help_text="Last day of the last closed month; empty: none."
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="periodclose_one_row"),
        ]

    def __str__(self) -> str:
        if self.closed_through is None:
            return "No period closed"
        return f"Closed through {periods.day_label(self.closed_through)}"

    def clean(self) -> None:
        if self.closed_through is not None and not periods.is_month_end(self.closed_through):
            raise ValidationError(
                {"closed_through": "A close date is the last day of a month, e.g. 2026-10-31."}
            )


class ImportBatch(models.Model):
    """An uploaded file of actuals and targets, parsed and kept between preview and commit.

    `rows` holds the file's cells as text (one dict per row, with its row number), so the
    commit re-validates exactly what the preview showed against the data as it is then.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    plan = models.ForeignKey(
        StrategicPlan,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The plan whose KPI codes the file uses; none for every plan one can see.",
    )
    filename = models.CharField(max_length=255)
    notes = models.JSONField(default=list, blank=True)
    rows = models.JSONField(default=list)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"


class VarianceReport(models.Model):
    """A stored snapshot of a plan's KPIs against their targets for one period."""

    plan = models.ForeignKey(
        StrategicPlan, on_delete=models.CASCADE, related_name="variance_reports"
    )
    period = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    score = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    kpis_reported = models.PositiveIntegerField(default=0)
    kpis_total = models.PositiveIntegerField(default=0)
    # Perspective scores and counts as computed (kpis.reports.services); the lines hold the rest.
    summary = models.JSONField(default=dict, blank=True)
    # A digest of the numbers and words the report was computed from: a report whose data
    # still digests the same is up to date (kpis.reports.selectors.report_is_current).
    fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-period", "plan"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period"], name="variancereport_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="variancereport_period_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} — {self.period:%Y-%m}"


class ScoreStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No data"


class VarianceLine(models.Model):
    """One KPI of a report, with the names it had then: a snapshot reads the same tomorrow."""

    report = models.ForeignKey(VarianceReport, on_delete=models.CASCADE, related_name="lines")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="variance_lines")
    position = models.PositiveIntegerField(default=0)
    perspective_name = models.CharField(max_length=100, blank=True)
    objective_code = models.CharField(max_length=20, blank=True)
    objective_name = models.CharField(max_length=200, blank=True)
    kpi_code = models.CharField(max_length=30, blank=True)
    kpi_name = models.CharField(max_length=200, blank=True)
    measure_unit = models.CharField(max_length=30, blank=True)
    owner_name = models.CharField(max_length=300, blank=True)
    # The objective's unit: the lines a reader sees follow it (DESIGN.md §5).
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    org_unit_name = models.CharField(max_length=200, blank=True)
    favourable = models.BooleanField(null=True, blank=True)
    previous_score = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    trend = models.CharField(max_length=4, blank=True)
    corrective_action = models.TextField(blank=True)
    actual = models.DecimalField(**VALUE_FIELD_OPTIONS, null=True, blank=True)
    goal = models.DecimalField(**VALUE_FIELD_OPTIONS, null=True, blank=True)
    red_flag = models.DecimalField(**VALUE_FIELD_OPTIONS, null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ScoreStatus.choices, default=ScoreStatus.NO_DATA
    )
    variance = models.DecimalField(**VALUE_FIELD_OPTIONS, null=True, blank=True)
    variance_pct = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    analysis = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kpi"], name="varianceline_one_per_kpi"),
            models.CheckConstraint(
                condition=Q(status__in=ScoreStatus.values), name="varianceline_status_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.kpi.code}"


class ReminderStage(models.TextChoices):
    """The reminders about one missing actual, in the order they go out (see kpis/reminders.py)."""

    UPCOMING = "upcoming", "Due soon"
    OVERDUE = "overdue", "Overdue"
    ESCALATION = "escalation", "Escalated to the manager"


class SentReminder(models.Model):
    """A reminder that went out: about a KPI's missing actual for a period, to one person."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="sent_reminders")
    period = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=12, choices=ReminderStage.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "kpi", "stage", "recipient"]
        constraints = [
            # Never the same reminder twice, even from two workers at once.
            models.UniqueConstraint(
                fields=["kpi", "period", "recipient", "stage"], name="sentreminder_once"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=ReminderStage.values), name="sentreminder_stage_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.period}: {self.stage} to {self.recipient}"


class SentDigest(models.Model):
    """A variance-report digest that went out: the plan's report for a period, to one person.

    Keyed by plan and period rather than by report: recomputing a period replaces its report,
    and the people told once that it was ready are not told again.
    """

    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "plan", "recipient"]
        constraints = [
            # Never the same digest twice, even from two workers at once.
            models.UniqueConstraint(fields=["plan", "period", "recipient"], name="sentdigest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.period:%Y-%m}: digest to {self.recipient}"


class WebhookEvent(models.TextChoices):
    REPORT_READY = "report.ready", "A variance report is ready"
    KPI_OFF_TRACK = "kpi.off_track", "A KPI went off track"


class Webhook(models.Model):
    """An address an organisation admin registered to be told of one event, with the secret
    that signs every delivery (kpis/webhooks.py). Deleting it deletes its deliveries."""

    url = models.URLField("address", max_length=500)
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField("active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "url", "pk"]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event sent (or still to send) to one webhook: the exact body, and how the last
    attempt went. Written in the transaction of the change it reports, so a change rolled
    back leaves none."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.get_event_display()} to {self.webhook.url}: {self.get_status_display()}"
