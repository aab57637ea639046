"""A plan's "strategy health" checklist, composed from what each app knows about its objects.

Strategy, KPIs and action plans each contribute the items about their own objects; this is
the one place that sees all three (scorecard composes the apps below it).
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from actionplans.selectors import objectives_without_action_plan
from kpis.selectors import plan_kpi_health
from strategy.models import StrategicPlan
from strategy.selectors import (
    HealthItem,
    HealthProblem,
    PlanStructure,
    health_item,
    merge_health,
    plan_strategy_health,
)


def plan_health(
    *,
    plan: StrategicPlan,
    today: datetime.date | None = None,
    structure: PlanStructure | None = None,
) -> list[HealthItem]:
    """Every item of the plan's checklist, in order, each with the problems to fix and where.

    `today` (default: today) decides which period's actual is due; `structure` is the plan's
    when the caller has already read it.
    """
    # Action plans are managed in the administration until they have pages of their own.
    add_action_plan = reverse("admin:actionplans_actionplan_add")
    action_plans = health_item(
        "objectives_without_action_plan",
        (
            HealthProblem(str(objective), f"{add_action_plan}?objective={objective.pk}")
            for objective in objectives_without_action_plan(plan=plan)
        ),
    )
    return merge_health(
        plan_strategy_health(plan=plan, structure=structure),
        plan_kpi_health(plan=plan, today=today),
        [action_plans],
    )
