"""The guided setup of a plan: the Balanced Scorecard's steps, in the order the method takes.

Each step is a page (its url name, with the plan's id); the KPI step's page belongs to kpis.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from strategy.models import StrategicPlan

STEPS = (
    ("basics", "Plan basics", "strategy:setup_basics"),
    ("vision", "Vision & mission", "strategy:setup_vision"),
    ("objectives", "Objectives", "strategy:setup_objectives"),
    ("links", "Cause and effect", "strategy:setup_links"),
    ("kpis", "KPIs and targets", "kpi_definitions:setup_kpis"),
    ("action-plans", "Action plans", "strategy:setup_action_plans"),
)
STEP_NAMES = tuple(name for name, _, _ in STEPS)


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    title: str
    url: str
    is_current: bool
    is_done: bool


def setup_steps(plan: StrategicPlan, current: str) -> list[Step]:
    """The steps for the plan's setup navigation, `current` marked."""
    index = STEP_NAMES.index(current)
    return [
        Step(
            number=n + 1,
            name=name,
            title=title,
            url=reverse(url_name, args=[plan.pk]),
            is_current=name == current,
            is_done=n < index,
        )
        for n, (name, title, url_name) in enumerate(STEPS)
    ]


def step_url(plan: StrategicPlan, name: str) -> str:
    return reverse({n: u for n, _, u in STEPS}[name], args=[plan.pk])


def next_step_url(plan: StrategicPlan, current: str) -> str:
    """The next step's page; after the last one, the plan's page."""
    index = STEP_NAMES.index(current)
    if index + 1 == len(STEPS):
        return reverse("strategy:plan", args=[plan.pk])
    return step_url(plan, STEP_NAMES[index + 1])
