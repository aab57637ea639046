"""Reads for an objective's page (and the dashboard's summary of it): its score explained,
its KPIs with their last 12 months, the objectives of departments' plans that support it, its
action plans and its commentary for the period. Its numbers are those of the plan's
`plan_scorecard`, so the page and the dashboard never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import User
from actionplans.models import ActionPlan
from kpis import periods
from kpis.models import Actual
from kpis.selectors import KpiScore, ObjectiveScore, plan_scorecard
from strategy.models import ObjectiveComment, StrategicPlan

# The months of history each KPI's sparkline shows.
HISTORY_MONTHS = 12


@dataclass(frozen=True)
class KpiLine:
    score: KpiScore
    analysis: str
    sparkline: dict[str, object]


@dataclass(frozen=True)
class SupportingObjective:
    """An objective of a department's plan that supports this one, with that plan (to drill
    into its dashboard)."""

    score: ObjectiveScore
    plan: StrategicPlan


@dataclass
class ObjectivePage:
    score: ObjectiveScore | None
    kpis: list[KpiLine]
    children: list[SupportingObjective]
    action_plans: list[ActionPlan]
    commentary: ObjectiveComment | None = None


def commentary_for(*, objective_id: int, period: date) -> ObjectiveComment | None:
    """The objective's commentary for the period, with who wrote it (one query)."""
    return (
        ObjectiveComment.objects.filter(objective_id=objective_id, period=period)
        .select_related("written_by")
        .first()
    )


def _find(objectives: Iterable[ObjectiveScore], pk: int) -> ObjectiveScore | None:
    for o in objectives:
        if o.objective.pk == pk:
            return o
        found = _find(o.children, pk)
        if found is not None:
            return found
    return None


def objective_page(
    *, objective_id: int, plan: StrategicPlan, period: date, view: str, reader: User
) -> ObjectivePage:
    """An objective's KPIs with their last 12 months, its cascaded children, its action plans."""
    scorecard = plan_scorecard(plan=plan, period=period, view=view, reader=reader, summarised=True)
    score = _find(scorecard.objectives(), objective_id)
    commentary = commentary_for(objective_id=objective_id, period=period)
    if score is None:  # archived: it is no longer scored
        return ObjectivePage(None, [], [], [], commentary)
    first = periods.shift(period, periods.Frequency.MONTHLY, -(HISTORY_MONTHS - 1))
    history: dict[int, dict[date, Decimal]] = defaultdict(dict)
    words: dict[tuple[int, date], str] = {}
    for kpi_id, day, value, analysis in Actual.objects.filter(
        kpi_id__in=[k.kpi.pk for k in score.kpis], period__gte=first, period__lte=period
    ).values_list("kpi_id", "period", "value", "analysis"):
        history[kpi_id][day] = value
        words[(kpi_id, day)] = analysis
    lines = []
    for k in score.kpis:
        series = sorted(history[k.kpi.pk].items())
        lines.append(
            KpiLine(
                k,
                words.get((k.kpi.pk, k.periods[-1]), ""),
                {
                    "kind": "sparkline",
                    "name": f"{k.kpi.code} over the last 12 months",
                    "labels": [f"{d:%b %Y}" for d, _ in series],
                    "values": [float(v) for _, v in series],
                },
            )
        )
    seen = [c for c in score.children if reader.has_perm("strategy.view_objective", c.objective)]
    plans = StrategicPlan.objects.in_bulk({c.objective.plan_id for c in seen})
    children = [SupportingObjective(c, plans[c.objective.plan_id]) for c in seen]
    action_plans = list(
        ActionPlan.objects.filter(objective_id=objective_id).select_related("owner")
    )
    return ObjectivePage(score, lines, children, action_plans, commentary)
