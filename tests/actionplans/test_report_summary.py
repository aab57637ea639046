"""A variance report's summary lists the plan's action plans that are behind or overdue at the
period's end (actionplans/report_summary.py through kpis/reports/extensions.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from actionplans.models import ActionPlan
from kpis.reports.services import variance_report_compute
from tests.factories import (
    ActionPlanFactory,
    MembershipFactory,
    ObjectiveFactory,
    StrategicPlanFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MAR = datetime.date(2026, 3, 1)


@pytest.fixture
def plans():
    """Action plans of one strategic plan, judged on 31 March 2026."""
    plan = StrategicPlanFactory(name="Sales plan")
    objective = ObjectiveFactory(plan=plan, code="C1")
    active = ActionPlan.Status.ACTIVE
    # 89 of its 150 days used, a fifth done: behind.
    behind = ActionPlanFactory(
        objective=objective,
        name="Win back lapsed customers",
        status=active,
        due_date=datetime.date(2026, 5, 31),
    )
    TaskFactory(action_plan=behind, weight=Decimal(1), percent_complete=20)
    # Due in February, not finished: overdue.
    overdue = ActionPlanFactory(
        objective=objective,
        name="Renegotiate the courier contract",
        status=ActionPlan.Status.ON_HOLD,
        due_date=datetime.date(2026, 2, 28),
    )
    TaskFactory(action_plan=overdue, weight=Decimal(1), percent_complete=50)
    # Ahead of its time, finished, a draft, another plan's: none of them listed.
    ahead = ActionPlanFactory(objective=objective, name="Ahead of time", status=active)
    TaskFactory(action_plan=ahead, weight=Decimal(1), percent_complete=90)
    done = ActionPlanFactory(
        objective=objective,
        name="Finished late",
        status=ActionPlan.Status.DONE,
        due_date=datetime.date(2026, 1, 31),
    )
    TaskFactory(action_plan=done, weight=Decimal(1), percent_complete=10)
    ActionPlanFactory(objective=objective, name="Only a draft", due_date=datetime.date(2026, 1, 2))
    ActionPlanFactory(name="Of another plan", status=active, due_date=datetime.date(2026, 1, 2))
    return plan


def test_the_summary_lists_the_action_plans_behind_or_overdue_at_the_periods_end(plans):
    report = variance_report_compute(plan=plans, period=MAR)

    (section,) = report.summary["sections"]
    assert section["title"] == "Action plans behind"
    assert [(item["label"], item["detail"]) for item in section["items"]] == [
        (
            "C1 Renegotiate the courier contract",
            "Overdue: 50 % done with 100 % of its time used, due 2026-02-28 (no owner)",
        ),
        (
            "C1 Win back lapsed customers",
            "Behind: 20 % done with 59 % of its time used, due 2026-05-31 (no owner)",
        ),
    ]


def test_the_report_page_shows_them(client, plans):
    report = variance_report_compute(plan=plans, period=MAR)
    admin = UserFactory()
    MembershipFactory(user=admin, org_unit=plans.org_unit, role=Role.ADMIN)
    client.force_login(admin)

    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()

    assert "Action plans behind" in page
    assert "C1 Win back lapsed customers: Behind: 20 % done" in page
    assert "Ahead of time" not in page


def test_a_plan_with_none_behind_says_so(client):
    plan = StrategicPlanFactory()
    report = variance_report_compute(plan=plan, period=MAR)
    admin = UserFactory()
    MembershipFactory(user=admin, org_unit=plan.org_unit, role=Role.ADMIN)
    client.force_login(admin)

    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()

    assert "No action plan is behind." in page
