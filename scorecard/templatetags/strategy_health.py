"""`{% strategy_health plan can_edit %}`: the plan's health checklist, on every plan page.

A template tag, so the strategy's own pages can show items about KPIs and action plans
(apps above strategy) without strategy importing them.
"""

from __future__ import annotations

from typing import Any

from django import template

from scorecard.health import plan_health
from strategy.models import StrategicPlan

register = template.Library()


@register.inclusion_tag("scorecard/_strategy_health.html")
def strategy_health(plan: StrategicPlan, can_edit: bool = False) -> dict[str, Any]:
    items = plan_health(plan=plan)
    return {
        "plan": plan,
        "items": items,
        "can_edit": can_edit,
        "problems": sum(len(item.problems) for item in items),
    }
