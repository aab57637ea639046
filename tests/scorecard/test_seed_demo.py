"""`manage.py seed_demo`: the demo organisation, its history, and running it again."""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, OrgUnit, Role, User
from actionplans.models import ActionPlan, Milestone, Task
from actionplans.schedule import Schedule
from actionplans.selectors import plan_schedule
from actionplans.services import smart_check
from kpis import periods
from kpis.models import Actual, Aggregation, Direction, Frequency, Kpi, Target
from kpis.scoring import ScoreStatus
from kpis.selectors import plan_scorecard
from strategy.models import Objective, ObjectiveLink, Perspective, StrategicPlan

SEEDED_APPS = ("accounts", "strategy", "kpis", "actionplans")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The demo, seeded once for the whole module in a transaction rolled back at the end.

    Each test runs in a savepoint inside it, so tests that change data still start from the
    freshly seeded demo, and the seed costs a second once rather than once per test.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model the seed writes to, auto-created m2m tables included."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for app in SEEDED_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


def last_closed_month() -> Any:
    return periods.last_closed_period(timezone.localdate(), periods.Frequency.MONTHLY)


def test_seed_creates_the_organisation_with_four_departments():
    root = OrgUnit.objects.get(code="northwind")
    assert root.name == "Northwind Group"
    assert root.parent is None
    assert set(root.children.values_list("name", flat=True)) == {
        "Finance",
        "Sales",
        "Operations",
        "People",
    }


def test_seed_creates_the_eight_demo_people_with_their_roles():
    roles = set(Membership.objects.values_list("user__username", "role", "org_unit__code"))
    assert roles == {
        ("admin", Role.ADMIN, "northwind"),
        ("ceo", Role.EXECUTIVE, "northwind"),
        ("head.finance", Role.MANAGER, "finance"),
        ("head.sales", Role.MANAGER, "sales"),
        ("head.operations", Role.MANAGER, "operations"),
        ("head.people", Role.MANAGER, "people"),
        ("analyst", Role.CONTRIBUTOR, "sales"),
        ("viewer", Role.VIEWER, "northwind"),
    }
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()
    for user in User.objects.all():
        assert user.first_name
        assert user.last_name
        assert user.email.startswith(f"{user.username}@")


def test_seed_creates_an_active_three_year_plan_that_covers_the_last_24_months():
    plan = StrategicPlan.objects.get(parent=None)
    last_month = last_closed_month()
    first_month = periods.shift(last_month, periods.Frequency.MONTHLY, -23)
    assert plan.status == StrategicPlan.Status.ACTIVE
    assert plan.org_unit.code == "northwind"
    assert plan.start <= first_month
    assert periods.period_end(last_month, periods.Frequency.MONTHLY) <= plan.end
    assert plan.start <= timezone.localdate() <= plan.end
    # Four years: the two of history, this one and the next (where action plans end).
    assert (plan.end - plan.start).days in {1459, 1460, 1461}
    assert plan.vision
    assert plan.mission
    assert len(plan.value_list()) >= 3


@pytest.mark.parametrize("unit", ["northwind", "sales", "operations"])
def test_seed_creates_the_four_perspectives_in_order_with_weights(unit):
    perspectives = list(
        Perspective.objects.filter(plan__org_unit__code=unit)
        .order_by("order")
        .values_list("name", "kind", "order", "weight")
    )
    assert perspectives == [
        ("Financial", Perspective.Kind.FINANCIAL, 1, Decimal("0.3")),
        ("Customer", Perspective.Kind.CUSTOMER, 2, Decimal("0.3")),
        ("Internal processes", Perspective.Kind.INTERNAL, 3, Decimal("0.2")),
        ("Learning & growth", Perspective.Kind.LEARNING, 4, Decimal("0.2")),
    ]


def test_objectives_are_owned_by_the_head_of_their_department():
    objectives = Objective.objects.select_related("owner", "org_unit", "perspective")
    assert 14 <= len([o for o in objectives if o.parent_id is None]) <= 18
    letters = {"financial": "F", "customer": "C", "internal": "P", "learning": "L"}
    for objective in objectives:
        assert objective.code[0] == letters[objective.perspective.kind]
        assert objective.owner is not None
        assert objective.owner.username == f"head.{objective.org_unit.code}"


def test_cause_effect_links_point_up_the_perspectives():
    links = ObjectiveLink.objects.select_related("cause__perspective", "effect__perspective")
    assert len(links) >= 12
    for link in links:
        assert link.cause.perspective.order > link.effect.perspective.order, str(link)
    linked = {link.cause.perspective.kind for link in links} | {
        link.effect.perspective.kind for link in links
    }
    assert linked == {"financial", "customer", "internal", "learning"}


def test_seed_creates_about_forty_kpis_of_every_kind():
    kpis = list(Kpi.objects.filter(plan__parent=None))
    assert 36 <= len(kpis) <= 45
    assert {kpi.direction for kpi in kpis} == set(Direction.values)
    assert {kpi.aggregation for kpi in kpis} == set(Aggregation.values)
    frequencies = Counter(kpi.frequency for kpi in kpis)
    assert frequencies[Frequency.MONTHLY] > len(kpis) / 2
    assert frequencies[Frequency.QUARTERLY] >= 3
    assert 1 <= frequencies[Frequency.YEARLY] <= 2
    assert all(kpi.owner_id == kpi.objective.owner_id for kpi in Kpi.objects.all())


@pytest.mark.parametrize("unit", ["sales", "operations"])
def test_sales_and_operations_have_plans_cascaded_from_the_groups_for_drill_down(unit):
    group = StrategicPlan.objects.get(parent=None)
    plan = StrategicPlan.objects.get(org_unit__code=unit)
    assert plan.parent == group
    assert plan.status == StrategicPlan.Status.ACTIVE
    objectives = list(plan.objectives.select_related("parent"))
    assert len(objectives) == 2
    for objective in objectives:
        # Each supports a group objective that the department's own head owns there too.
        assert objective.parent is not None
        assert objective.parent.plan_id == group.pk
        assert objective.owner.username == f"head.{unit}"
    kpis = Kpi.objects.filter(plan=plan)
    assert kpis.count() >= 2
    last = last_closed_month()
    first = periods.shift(last, periods.Frequency.MONTHLY, -23)
    for kpi in kpis:
        months = set(kpi.actuals.values_list("period", flat=True))
        assert first in months
        assert last in months
        assert len(months) == 24
    statuses = {
        k.status
        for o in plan_scorecard(plan=plan, period=last, reader=None).objectives()
        for k in o.kpis
    }
    assert ScoreStatus.OFF_TRACK in statuses  # something to drill into


def test_range_kpis_have_a_band_and_both_red_flags():
    targets = Target.objects.filter(kpi__direction=Direction.RANGE)
    assert targets.exists()
    for target in targets:
        assert target.red_flag is not None
        assert target.goal_high is not None
        assert target.red_flag_high is not None
        assert target.red_flag < target.goal <= target.goal_high < target.red_flag_high


def test_two_calculated_kpis_refer_to_other_kpis_and_have_targets_but_no_actuals():
    calculated = Kpi.objects.exclude(formula="")
    assert calculated.count() == 2
    codes = set(Kpi.objects.values_list("code", flat=True))
    for kpi in calculated:
        names = {word for word in kpi.formula.split() if word.isidentifier()}
        assert names
        assert names <= codes - {kpi.code}
        assert kpi.targets.exists()
        assert not kpi.actuals.exists()


def test_the_analyst_updates_some_sales_kpis():
    kpis = Kpi.objects.filter(updaters__username="analyst")
    assert kpis.exists()
    assert {kpi.objective.org_unit.code for kpi in kpis} == {"sales"}


def test_monthly_kpis_have_targets_and_actuals_for_the_last_24_months():
    last_month = last_closed_month()
    months = [periods.shift(last_month, periods.Frequency.MONTHLY, -n) for n in range(24)]
    monthly = Kpi.objects.filter(frequency=Frequency.MONTHLY, formula="")
    for kpi in monthly:
        assert sorted(kpi.targets.values_list("period", flat=True)) == sorted(months)
        actual_months = set(kpi.actuals.values_list("period", flat=True))
        assert set(months[1:]) <= actual_months <= set(months)
    for kpi in Kpi.objects.exclude(frequency=Frequency.MONTHLY):
        assert kpi.targets.count() == kpi.actuals.count() >= 2


def status(kpi: Kpi, target: Target, value: Decimal) -> str:
    """The design's status bands for a one-sided KPI, written out plainly."""
    goal = target.goal
    red_flag = target.red_flag
    if red_flag is None:
        margin = kpi.tolerance * abs(goal)
        red_flag = goal - margin if kpi.direction == Direction.INCREASE else goal + margin
    if kpi.direction == Direction.INCREASE:
        reaches_goal, reaches_red_flag = value >= goal, value >= red_flag
    else:
        reaches_goal, reaches_red_flag = value <= goal, value <= red_flag
    if reaches_goal:
        return "on track"
    return "at risk" if reaches_red_flag else "off track"


def test_every_status_occurs_in_the_history():
    kpis = Kpi.objects.filter(
        frequency=Frequency.MONTHLY,
        direction__in=[Direction.INCREASE, Direction.DECREASE],
        formula="",
    )
    targets = {(t.kpi_id, t.period): t for t in Target.objects.filter(kpi__in=kpis)}
    by_id = {kpi.pk: kpi for kpi in kpis}
    statuses = Counter(
        status(by_id[actual.kpi_id], targets[actual.kpi_id, actual.period], actual.value)
        for actual in Actual.objects.filter(kpi__in=kpis)
    )
    assert statuses["on track"] > 0
    assert statuses["at risk"] > 0
    assert statuses["off track"] > 0


def test_some_actuals_of_the_latest_month_are_missing():
    monthly = Kpi.objects.filter(frequency=Frequency.MONTHLY, formula="")
    reported = Actual.objects.filter(kpi__in=monthly, period=last_closed_month()).count()
    assert 0 < reported < monthly.count()


def test_actuals_are_entered_by_the_kpi_owner_and_some_carry_an_analysis():
    actuals = Actual.objects.select_related("kpi")
    assert all(actual.entered_by_id == actual.kpi.owner_id for actual in actuals)
    with_analysis = sum(1 for actual in actuals if actual.analysis)
    assert 0 < with_analysis < len(actuals)
    assert all(actual.entered_at <= timezone.now() for actual in actuals)


def test_every_target_and_actual_passes_full_clean():
    # full_clean runs a few queries per row; every fifth row plus each KPI's rows of the
    # latest month cover every KPI and keep this test fast.
    last_month = last_closed_month()
    for model in (Target, Actual):
        rows = model.objects.select_related("kpi").order_by("pk")
        for index, row in enumerate(rows):
            if index % 5 == 0 or row.period == last_month:
                row.full_clean()
            else:
                row.clean()


def test_action_plans_are_in_every_state_with_one_behind_and_one_overdue():
    today = timezone.localdate()
    plans = ActionPlan.objects.prefetch_related("tasks")
    assert len(plans) >= 10
    for plan in plans:
        plan.full_clean()
        assert plan.owner_id == plan.objective.owner_id
        assert plan.org_unit_id == plan.objective.org_unit_id
        assert len(plan.tasks.all()) <= 5
        if plan.status == ActionPlan.Status.ACTIVE:
            assert all(criterion.passed for criterion in smart_check(plan)), plan
    assert {plan.status for plan in plans} == set(ActionPlan.Status)
    schedules = {plan_schedule(plan, today) for plan in plans}
    assert {Schedule.BEHIND, Schedule.OVERDUE, Schedule.ON_SCHEDULE} <= schedules
    assert Milestone.objects.filter(tasks__isnull=False).exists()
    tasks = Task.objects.all()
    for task in tasks:
        task.full_clean()
    assert any(task.status == Task.Status.DONE for task in tasks)
    assert any(task.is_overdue(today) for task in tasks)
    assert all(task.percent_complete == 100 for task in tasks if task.status == Task.Status.DONE)


def test_running_the_seed_twice_changes_nothing():
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "added 0 links, 0 targets, 0 actuals, 0 action plans, 0 tasks" in output


def test_once_leaves_a_seeded_database_alone():
    before = snapshot()

    output = seed("--once")

    assert "already there" in output
    assert snapshot() == before


def test_the_seed_prints_the_sign_ins():
    output = seed()
    for username, role, unit in [
        ("admin", "Admin", "Northwind Group"),
        ("head.sales", "Manager", "Sales"),
        ("analyst", "Contributor", "Sales"),
        ("viewer", "Viewer", "Northwind Group"),
    ]:
        row = next(line for line in output.splitlines() if line.startswith(f"{username} "))
        assert role in row
        assert unit in row


def test_ceo_signs_in_with_the_demo_password(client):
    assert client.login(username="ceo", password="demo")


def test_password_option_changes_every_demo_password(client):
    output = seed("--password", "other")

    assert client.login(username="head.people", password="other")
    assert not client.login(username="ceo", password="demo")
    assert "other" in output


def test_the_demos_group_objective_drills_down_to_the_sales_objective_and_its_plan(client):
    client.force_login(User.objects.get(username="ceo"))
    revenue = Objective.objects.get(plan__parent=None, code="F1")
    sales_plan = StrategicPlan.objects.get(org_unit__code="sales")
    dashboard_link = f'href="/dashboard/?plan={sales_plan.pk}&amp;period='

    page = client.get(f"/objectives/{revenue.pk}/").content.decode()
    summary = client.get(
        f"/objectives/{revenue.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="objective-summary"
    ).content.decode()

    for html in (page, summary):
        assert "F1-S Grow revenue in the core regions</a>" in html
        assert dashboard_link in html
        assert "Sales plan dashboard</a>" in html
    assert "<html" not in summary
