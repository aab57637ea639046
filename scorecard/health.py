"""A plan's "strategy health" checklist, composed from what each app knows about its objects.

Strategy, KPIs and action plans each contribute the items about their own objects; this is
the one place that sees all three (scorecard composes the apps below it).
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from actionplans.selectors import objectives_without_action_plan
from kpis.selectors import plan_kpi_health
from strategy.extensions import Link
from strategy.models import Objective, StrategicPlan
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
    add_action_plan = reverse("actionplans:plan_new")
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


def checklist(plan: StrategicPlan) -> list[HealthItem]:
    """The plan's checklist as of today (registered in scorecard/apps.py for the setup)."""
    return plan_health(plan=plan)


def render_checklist(
    request: HttpRequest, plan: StrategicPlan, can_edit: bool, structure: PlanStructure
) -> str:
    """The checklist as a section of the plan's page (registered in scorecard/apps.py)."""
    items = plan_health(plan=plan, structure=structure)
    context = {
        "plan": plan,
        "items": items,
        "can_edit": can_edit,
        "problems": sum(len(item.problems) for item in items),
    }
    # A SafeString: the template engine escaped what it rendered.
    return render_to_string("scorecard/_strategy_health.html", context, request=request)


def add_action_plan(user: User, objective: Objective) -> Link | None:
    """Where to add an action plan for the objective, for those who may (its unit's managers)."""
    if not user.has_perm("actionplans.add_actionplan", objective):
        return None
    url = reverse("actionplans:plan_new")
    return Link("add an action plan", f"{url}?objective={objective.pk}")
