"""The SMART check, one criterion at a time, and every refusal of the plan and task services."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from actionplans.models import ActionPlan, ActionPlanKpi, Task
from actionplans.services import (
    VersionConflict,
    action_plan_create,
    action_plan_kpi_set,
    action_plan_update,
    smart_check,
    task_create,
    task_update,
)
from tests.factories import (
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    StrategicPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return OrgUnitFactory(name="Operations")


@pytest.fixture
def owner(unit):
    person = UserFactory(username="head")
    MembershipFactory(user=person, org_unit=unit, role=Role.MANAGER)
    return person


@pytest.fixture
def objective(unit):
    plan = StrategicPlanFactory(org_unit=unit, start=date(2026, 1, 1), end=date(2028, 12, 31))
    return ObjectiveFactory(plan=plan, org_unit=unit)


@pytest.fixture
def smart_plan(objective, owner):
    """A draft that passes every SMART check."""
    action_plan = action_plan_create(
        objective=objective,
        name="Second carrier",
        description="Contract a second carrier for the northern routes.",
        owner=owner,
        resources="Two planners, half time.",
        budget_planned=Decimal(12000),
        why="Late deliveries come from one carrier's capacity.",
        start_date=date(2026, 2, 1),
        due_date=date(2026, 6, 30),
    )
    kpi = KpiFactory(objective=objective, code="OTD")
    action_plan_kpi_set(
        action_plan=action_plan, kpi=kpi, expected_value=Decimal(95), expected_by=date(2026, 6, 30)
    )
    return action_plan


def _missing(action_plan):
    return {c.key: c.missing for c in smart_check(action_plan) if not c.passed}


def test_a_complete_plan_passes_every_check_and_becomes_active(smart_plan):
    assert _missing(smart_plan) == {}
    active = action_plan_update(action_plan=smart_plan, status=ActionPlan.Status.ACTIVE)
    assert active.status == ActionPlan.Status.ACTIVE


@pytest.mark.parametrize(
    ("change", "criterion", "named"),
    [
        ({"description": ""}, "specific", "a description"),
        ({"owner": None}, "specific", "an owner"),
        ({"resources": ""}, "achievable", "the resources it takes"),
        ({"budget_planned": None}, "achievable", "a planned budget"),
        ({"why": ""}, "relevant", "why it moves the objective"),
    ],
)
def test_one_missing_criterion_blocks_activation_and_is_named(smart_plan, change, criterion, named):
    action_plan_update(action_plan=smart_plan, **change)
    smart_plan.refresh_from_db()
    assert _missing(smart_plan) == {criterion: (named,)}
    with pytest.raises(ValidationError, match=named):
        action_plan_update(action_plan=smart_plan, status=ActionPlan.Status.ACTIVE)
    smart_plan.refresh_from_db()
    assert smart_plan.status == ActionPlan.Status.DRAFT


def test_a_plan_with_no_linked_kpi_is_not_measurable(smart_plan):
    ActionPlanKpi.objects.filter(action_plan=smart_plan).delete()
    assert list(_missing(smart_plan)) == ["measurable"]
    with pytest.raises(ValidationError, match="Measurable needs a linked KPI"):
        action_plan_update(action_plan=smart_plan, status=ActionPlan.Status.ACTIVE)


def test_a_plan_with_dates_outside_the_horizon_is_not_time_bound(smart_plan):
    # Written before the horizon rule existed (as migrated rows may be).
    ActionPlan.objects.filter(pk=smart_plan.pk).update(due_date=date(2029, 3, 1))
    smart_plan.refresh_from_db()
    assert list(_missing(smart_plan)) == ["time_bound"]


def test_a_draft_may_be_incomplete(objective):
    draft = action_plan_create(
        objective=objective, name="Idea", start_date=date(2026, 3, 1), due_date=date(2026, 4, 1)
    )
    assert draft.status == ActionPlan.Status.DRAFT
    assert set(_missing(draft)) == {"specific", "measurable", "achievable", "relevant"}


def test_creating_a_plan_prefilled_from_a_kpi_links_it_with_the_expected_value(objective):
    kpi = KpiFactory(objective=objective, code="NPS")
    draft = action_plan_create(
        objective=objective,
        name="Recover NPS",
        start_date=date(2026, 3, 1),
        due_date=date(2026, 9, 30),
        kpi=kpi,
        expected_value=Decimal(40),
    )
    link = draft.kpi_links.get()
    assert (link.kpi, link.expected_value, link.expected_by) == (kpi, 40, date(2026, 9, 30))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"due_date": date(2026, 1, 15)}, "due_date", "cannot be before the start date"),
        ({"due_date": date(2029, 1, 1)}, "due_date", "inside the strategic plan's horizon"),
        ({"start_date": date(2025, 12, 1)}, "start_date", "inside the strategic plan's horizon"),
        ({"budget_planned": Decimal(-1)}, "budget_planned", "greater than or equal to 0"),
        ({"budget_spent": Decimal(-1)}, "budget_spent", "greater than or equal to 0"),
    ],
)
def test_a_bad_plan_change_is_refused_at_its_field_and_nothing_is_saved(
    smart_plan, change, field, message
):
    with pytest.raises(ValidationError) as error:
        action_plan_update(action_plan=smart_plan, name="Renamed", **change)
    assert message in " ".join(error.value.message_dict[field])
    smart_plan.refresh_from_db()
    assert smart_plan.name == "Second carrier"
    assert smart_plan.version == 1 + 1  # created, then the KPI linked


def test_an_owner_with_no_role_in_the_unit_is_refused(smart_plan):
    stranger = UserFactory(username="stranger")
    with pytest.raises(ValidationError) as error:
        action_plan_update(action_plan=smart_plan, owner=stranger)
    assert "holds no role in the unit Operations" in error.value.message_dict["owner"][0]


def test_a_stale_plan_edit_is_refused_with_the_current_version(smart_plan):
    action_plan_update(action_plan=smart_plan, expected_version=2, name="First edit")
    with pytest.raises(VersionConflict, match="now version 3"):
        action_plan_update(action_plan=smart_plan, expected_version=2, name="Stale edit")
    smart_plan.refresh_from_db()
    assert smart_plan.name == "First edit"


@pytest.fixture
def task(smart_plan, owner):
    return task_create(
        action_plan=smart_plan,
        name="Tender",
        owner=owner,
        start_date=date(2026, 2, 1),
        due_date=date(2026, 3, 31),
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"due_date": date(2026, 7, 1)}, "due_date", "inside the action plan's dates"),
        ({"start_date": date(2026, 1, 31)}, "start_date", "inside the action plan's dates"),
        ({"start_date": date(2026, 3, 1), "due_date": date(2026, 2, 1)}, "due_date", "before"),
        ({"percent_complete": 101}, "percent_complete", "less than or equal to 100"),
        ({"weight": Decimal(-1)}, "weight", "greater than or equal to 0"),
    ],
)
def test_a_bad_task_change_is_refused_and_nothing_is_saved(task, change, field, message):
    with pytest.raises(ValidationError) as error:
        task_update(task=task, name="Renamed", **change)
    assert message in " ".join(error.value.message_dict[field])
    task.refresh_from_db()
    assert (task.name, task.version) == ("Tender", 1)


def test_a_task_owner_needs_a_role_in_the_plans_unit(task):
    with pytest.raises(ValidationError) as error:
        task_update(task=task, owner=UserFactory(username="elsewhere"))
    assert "holds no role" in error.value.message_dict["owner"][0]


def test_a_stale_task_edit_is_refused(task):
    task_update(task=task, expected_version=1, percent_complete=30)
    with pytest.raises(VersionConflict):
        task_update(task=task, expected_version=1, percent_complete=60)
    assert Task.objects.get(pk=task.pk).percent_complete == 30


def test_marking_a_task_done_completes_it(task):
    assert task_update(task=task, status=Task.Status.DONE).percent_complete == 100
