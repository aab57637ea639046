"""The KPI items of a plan's health checklist (see `strategy.selectors`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone

from kpis import periods
from kpis.models import Kpi, Target
from strategy.models import Objective, StrategicPlan
from strategy.selectors import HealthItem, HealthProblem, health_item


def plan_kpi_health(*, plan: StrategicPlan, today: date | None = None) -> list[HealthItem]:
    """The KPI items of the plan's checklist, in four queries: objectives without KPIs; active
    KPIs without targets, without updaters, or without an actual for their last closed period
    (calculated KPIs take none); objectives whose KPIs' weights sum to 0."""
    today = today or timezone.localdate()
    fy = settings.FISCAL_YEAR_START_MONTH
    objectives = list(plan.objectives.order_by("perspective__order", "code"))
    kpis = list(
        Kpi.objects.filter(plan=plan, is_retired=False)
        .annotate(
            has_target=Exists(Target.objects.filter(kpi_id=OuterRef("pk"))),
            has_updater=Exists(Kpi.updaters.through.objects.filter(kpi_id=OuterRef("pk"))),
            last_actual=Max("actuals__period"),
        )
        .order_by("code")
    )
    by_objective: dict[int, list[Kpi]] = defaultdict(list)
    for kpi in kpis:
        by_objective[kpi.objective_id].append(kpi)

    def new_kpi(objective: Objective) -> str:
        return reverse("kpi_definitions:kpi_new", args=[plan.pk]) + f"?objective={objective.pk}"

    def kpis_of(objective: Objective) -> str:
        return reverse("kpi_definitions:kpis", args=[plan.pk]) + f"#objective-{objective.pk}"

    def edit(kpi: Kpi) -> str:
        return reverse("kpi_definitions:kpi_edit", args=[kpi.pk])

    without_kpis = [HealthProblem(str(o), new_kpi(o)) for o in objectives if not by_objective[o.pk]]
    without_targets = [
        HealthProblem(str(k), reverse("kpi_definitions:targets", args=[k.pk]))
        for k in kpis
        if not k.has_target
    ]
    without_updaters = [
        HealthProblem(str(k), edit(k)) for k in kpis if not k.is_calculated and not k.has_updater
    ]
    stale = []
    for kpi in kpis:
        due = periods.last_closed_period(today, kpi.frequency, fy)
        if kpi.is_calculated or due < periods.period_start(plan.start, kpi.frequency, fy):
            continue  # calculated, or nothing due yet in the plan's horizon
        last = kpi.last_actual
        if last is None or last < due:
            label = periods.label(due, kpi.frequency, fy)
            stale.append(HealthProblem(f"{kpi} (nothing for {label})", edit(kpi)))
    weights = [
        HealthProblem(f"The weights of the KPIs of {o.code} are all 0", kpis_of(o))
        for o in objectives
        if by_objective[o.pk] and sum((k.weight for k in by_objective[o.pk]), Decimal(0)) == 0
    ]
    return [
        health_item("objectives_without_kpis", without_kpis),
        health_item("kpis_without_targets", without_targets),
        health_item("kpis_without_updaters", without_updaters),
        health_item("kpis_without_recent_actuals", stale),
        health_item("weights_adding_to_nothing", weights),
    ]
