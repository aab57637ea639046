"""`{% strategy_health plan can_edit structure %}`: the plan's health checklist, on every plan
page (`structure`, optional, is the plan's `PlanStructure` when the page has already read it).

A template tag, so the strategy's own pages can show items about KPIs and action plans
(apps above strategy) without strategy importing them.
"""

from __future__ import annotations

from typing import Any

from django import template

from scorecard.health import plan_health
from strategy.models import StrategicPlan
from strategy.selectors import PlanStructure

register = template.Library()


@register.inclusion_tag("scorecard/_strategy_health.html")
def strategy_health(
    plan: StrategicPlan, can_edit: bool = False, structure: PlanStructure | None = None
) -> dict[str, Any]:
    # A page without `structure` in its context passes "" here: read it afresh then.
    items = plan_health(plan=plan, structure=structure or None)
    return {
        "plan": plan,
        "items": items,
        "can_edit": can_edit,
        "problems": sum(len(item.problems) for item in items),
    }
