"""The strategy health checklist: each item finds what it should and links to where it is fixed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from actionplans.models import ActionPlan
from kpis.selectors import plan_kpi_health
from kpis.services import kpi_create, target_set
from scorecard.health import plan_health
from strategy.services import objective_create, perspective_update
from tests.factories import ActionPlanFactory, ActualFactory
from tests.strategy.workspace import build_workspace, client_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 10)  # April 2026 is the last closed month


@pytest.fixture
def ws():  # type: ignore[no-untyped-def]
    return build_workspace()


def item(items, key):  # type: ignore[no-untyped-def]
    return next(i for i in items if i.key == key)


def labels(items, key) -> list[str]:  # type: ignore[no-untyped-def]
    return [problem.label for problem in item(items, key).problems]


def complete(ws):  # type: ignore[no-untyped-def]
    """An objective in every perspective, each owned, with a KPI that has it all."""
    for n, perspective in enumerate([ws.financial, ws.customer, ws.internal, ws.learning]):
        objective = objective_create(
            plan=ws.plan,
            perspective=perspective,
            code=f"O{n}",
            name=f"Objective {n}",
            owner=ws.org.manager,
            org_unit=ws.org.sales,
        )
        kpi = kpi_create(
            plan=ws.plan,
            objective=objective,
            code=f"K{n}",
            name=f"KPI {n}",
            updaters=[ws.contributor],
        )
        target_set(kpi=kpi, period=datetime.date(2026, 4, 1), goal=Decimal(100))
        ActualFactory(kpi=kpi, period=datetime.date(2026, 4, 1), value=Decimal(100))
        ActionPlanFactory(objective=objective)


def test_a_new_plan_lists_its_four_perspectives_as_without_objectives(ws):
    items = plan_health(plan=ws.plan)

    assert labels(items, "perspectives_without_objectives") == [
        "Financial",
        "Customer",
        "Internal processes",
        "Learning & growth",
    ]
    problem = item(items, "perspectives_without_objectives").problems[0]
    assert problem.url == f"/strategy/plans/{ws.plan.pk}/#perspective-{ws.financial.pk}"


def test_a_complete_plan_has_nothing_to_fix(ws):
    complete(ws)

    items = plan_health(plan=ws.plan, today=TODAY)

    assert [i.key for i in items if not i.ok] == []


def test_an_objective_without_an_owner_links_to_its_edit_form(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    problem = item(plan_health(plan=ws.plan), "objectives_without_owner").problems[0]

    assert (problem.label, problem.url) == ("F1 Grow", f"/strategy/objectives/{growth.pk}/edit/")


def test_an_objective_without_kpis_links_to_a_new_kpi_for_it(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    problem = item(plan_health(plan=ws.plan), "objectives_without_kpis").problems[0]

    assert problem.url == f"/strategy/plans/{ws.plan.pk}/kpis/new/?objective={growth.pk}"


def test_kpis_without_targets_or_updaters_are_listed_with_where_to_fix_them(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    revenue = kpi_create(plan=ws.plan, objective=growth, code="REV", name="Revenue")
    kpi_create(plan=ws.plan, objective=growth, code="DOUBLE", name="Twice", formula="2 * REV")

    items = plan_health(plan=ws.plan)

    assert labels(items, "kpis_without_targets") == ["DOUBLE Twice", "REV Revenue"]
    # A calculated KPI takes no actuals, so it needs no updaters.
    [problem] = item(items, "kpis_without_updaters").problems
    assert (problem.label, problem.url) == ("REV Revenue", f"/strategy/kpis/{revenue.pk}/edit/")
    assert item(items, "kpis_without_targets").problems[1].url == (
        f"/strategy/kpis/{revenue.pk}/targets/"
    )


def test_a_kpi_without_an_actual_for_its_last_closed_period_is_listed(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    revenue = kpi_create(plan=ws.plan, objective=growth, code="REV", name="Revenue")
    ActualFactory(kpi=revenue, period=datetime.date(2026, 3, 1), value=Decimal(1))
    current = kpi_create(plan=ws.plan, objective=growth, code="NEW", name="Fresh")
    ActualFactory(kpi=current, period=datetime.date(2026, 4, 1), value=Decimal(1))

    items = plan_kpi_health(plan=ws.plan, today=TODAY)

    assert labels(items, "kpis_without_recent_actuals") == ["REV Revenue (nothing for Apr 2026)"]


def test_nothing_is_due_before_the_plan_starts(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    kpi_create(plan=ws.plan, objective=growth, code="REV", name="Revenue")

    items = plan_kpi_health(plan=ws.plan, today=datetime.date(2026, 1, 15))

    assert item(items, "kpis_without_recent_actuals").ok


def test_an_objective_whose_only_action_plan_is_cancelled_has_none(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    skills = objective_create(plan=ws.plan, perspective=ws.learning, code="L1", name="Skills")
    ActionPlanFactory(objective=growth, status=ActionPlan.Status.CANCELLED)
    ActionPlanFactory(objective=skills)

    problems = item(plan_health(plan=ws.plan), "objectives_without_action_plan").problems

    assert [p.label for p in problems] == ["F1 Grow"]
    assert problems[0].url == f"/action-plans/new/?objective={growth.pk}"


def test_weights_adding_up_to_nothing_are_found_at_every_level(ws):
    for perspective in (ws.financial, ws.customer, ws.internal, ws.learning):
        perspective_update(perspective=perspective, name=perspective.name, weight=Decimal(0))
    growth = objective_create(
        plan=ws.plan, perspective=ws.financial, code="F1", name="Grow", weight=Decimal(0)
    )
    kpi_create(plan=ws.plan, objective=growth, code="REV", name="Revenue", weight=Decimal(0))

    problems = item(plan_health(plan=ws.plan), "weights_adding_to_nothing").problems

    assert [p.label for p in problems] == [
        "The perspectives' weights are all 0",
        "The weights of the objectives in Financial are all 0",
        "The weights of the KPIs of F1 are all 0",
    ]
    assert problems[2].url == f"/strategy/plans/{ws.plan.pk}/kpis/#objective-{growth.pk}"


def test_the_plan_page_shows_the_checklist_with_links_for_its_owner_only(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    edit_link = f'href="/strategy/objectives/{growth.pk}/edit/"'

    owner = client_for(ws.org.root_admin).get(f"/strategy/plans/{ws.plan.pk}/").content.decode()
    viewer = client_for(ws.org.viewer).get(f"/strategy/plans/{ws.plan.pk}/").content.decode()

    assert "Objectives without an owner: 1" in owner
    assert edit_link in owner
    assert "Objectives without an owner: 1" in viewer
    assert edit_link not in viewer


def test_a_long_item_lists_its_first_twenty_problems_and_counts_the_rest(ws):
    objective = objective_create(
        plan=ws.plan,
        perspective=ws.financial,
        code="F1",
        name="Grow",
        owner=ws.org.manager,
        org_unit=ws.org.sales,
    )
    kpis = [
        kpi_create(plan=ws.plan, objective=objective, code=f"K{n:02}", name=f"KPI {n}")
        for n in range(25)
    ]

    html = client_for(ws.org.root_admin).get(f"/strategy/plans/{ws.plan.pk}/").content.decode()

    assert "KPIs without updaters: 25" in html
    assert "and 5 more" in html
    edit = [reverse("kpi_definitions:kpi_edit", args=[kpi.pk]) for kpi in kpis]
    assert all(f'href="{url}"' in html for url in edit[:20])
    assert not any(f'href="{url}"' in html for url in edit[20:])
    items = plan_health(plan=ws.plan, today=TODAY)
    assert len(item(items, "kpis_without_updaters").problems) == 25
    assert item(items, "kpis_without_updaters").more == 5
