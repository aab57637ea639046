"""Where the apps above strategy add to its pages, so that strategy never names them.

Dependencies point one way (docs/architecture.md): strategy imports no app above it, names
none of their URLs and loads none of their templates. A plan's pages still show what those
apps know (the plan's KPIs and targets, a new plan started from a copy, the health checklist
and what of it blocks activation, where to add an action plan): each app registers a small
function here from its `AppConfig.ready()`, and the strategy views call whatever is registered.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from accounts.extensions import Link as Link  # the one link type of every page extension
from accounts.models import User
from strategy.models import Objective, StrategicPlan
from strategy.selectors import HealthItem, PlanStructure, plan_strategy_health

# A link on a plan's page, for the person reading it (None: nothing for them).
PlanLink = Callable[[User, StrategicPlan], Link | None]
# An action on the list of plans ("New plan"), for the person reading it.
PlansAction = Callable[[User], Link | None]
# A section of a plan's page as HTML rendered by a template (so a SafeString), e.g. the
# checklist of what the plan still lacks.
PlanSection = Callable[[HttpRequest, StrategicPlan, bool, PlanStructure], str]
# Where to add an action plan for an objective, for the person (None: they cannot).
ObjectiveAction = Callable[[User, Objective], Link | None]
# The plan's whole health checklist, from the app that sees every part of it.
PlanHealth = Callable[[StrategicPlan], list[HealthItem]]

plan_links: list[PlanLink] = []
plans_actions: list[PlansAction] = []
plan_sections: list[PlanSection] = []
objective_actions: list[ObjectiveAction] = []
plan_health: list[PlanHealth] = []


def links_for_plan(user: User, plan: StrategicPlan) -> list[Link]:
    return [link for make in plan_links if (link := make(user, plan)) is not None]


def actions_for_plans(user: User) -> list[Link]:
    return [link for make in plans_actions if (link := make(user)) is not None]


def sections_for_plan(
    request: HttpRequest, plan: StrategicPlan, can_edit: bool, structure: PlanStructure
) -> list[str]:
    return [render(request, plan, can_edit, structure) for render in plan_sections]


def actions_for_objective(user: User, objective: Objective) -> list[Link]:
    return [link for make in objective_actions if (link := make(user, objective)) is not None]


def activation_blockers(plan: StrategicPlan) -> list[HealthItem]:
    """The checklist's items that keep the plan from being activated, with their problems.

    The registered checklist when there is one (scorecard's sees KPIs and action plans too),
    else the strategy's own items.
    """
    checks = plan_health or [lambda plan: plan_strategy_health(plan=plan)]
    return [item for check in checks for item in check(plan) if item.blocks_activation]
