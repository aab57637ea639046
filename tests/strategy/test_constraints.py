"""The rules of plans, perspectives and objectives: held by the database, reported by full_clean."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from strategy.models import Objective, Perspective, StrategicPlan
from tests.factories import (
    ObjectiveFactory,
    OrgUnitFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
)

pytestmark = pytest.mark.django_db


# --- the plan's horizon ------------------------------------------------------------------------


@pytest.mark.parametrize("end", [date(2026, 1, 1), date(2025, 12, 31)])
def test_database_refuses_a_plan_that_does_not_end_after_it_starts(end):
    org_unit = OrgUnitFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategicPlanFactory(org_unit=org_unit, start=date(2026, 1, 1), end=end)
    assert StrategicPlan.objects.count() == 0


def test_full_clean_refuses_a_plan_that_ends_before_it_starts():
    plan = StrategicPlanFactory.build(
        org_unit=OrgUnitFactory(), start=date(2026, 1, 1), end=date(2025, 12, 31)
    )
    with pytest.raises(ValidationError, match="must end after it starts"):
        plan.full_clean()


def test_a_plan_of_one_day_or_more_is_accepted():
    plan = StrategicPlanFactory.build(
        org_unit=OrgUnitFactory(), start=date(2026, 1, 1), end=date(2026, 1, 2)
    )
    plan.full_clean()


# --- weights ---------------------------------------------------------------------------------


def test_database_refuses_a_negative_perspective_weight():
    plan = StrategicPlanFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PerspectiveFactory(plan=plan, weight=Decimal("-1"))
    assert Perspective.objects.count() == 0


def test_database_refuses_a_negative_objective_weight():
    perspective = PerspectiveFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectiveFactory(perspective=perspective, weight=Decimal("-0.001"))
    assert Objective.objects.count() == 0


def test_full_clean_refuses_negative_weights_and_accepts_zero():
    perspective = PerspectiveFactory.build(plan=StrategicPlanFactory(), weight=Decimal(-1))
    with pytest.raises(ValidationError) as error:
        perspective.full_clean()
    assert "weight" in error.value.message_dict

    objective = ObjectiveFactory.build(perspective=PerspectiveFactory(), weight=Decimal(-1))
    with pytest.raises(ValidationError) as error:
        objective.full_clean()
    assert "weight" in error.value.message_dict

    objective.weight = Decimal(0)
    objective.full_clean()


# --- perspectives and objectives within their plan -----------------------------------------------


def test_database_refuses_two_perspectives_of_the_same_name_in_a_plan():
    perspective = PerspectiveFactory(name="Customer")
    with pytest.raises(IntegrityError), transaction.atomic():
        PerspectiveFactory(plan=perspective.plan, name="Customer")
    assert Perspective.objects.filter(plan=perspective.plan).count() == 1


def test_database_refuses_a_duplicate_objective_code_within_a_plan():
    first = ObjectiveFactory(code="F1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectiveFactory(perspective=first.perspective, code="F1")
    assert Objective.objects.filter(plan=first.plan).count() == 1


def test_full_clean_refuses_a_duplicate_objective_code_within_a_plan():
    first = ObjectiveFactory(code="F1")
    duplicate = ObjectiveFactory.build(perspective=first.perspective, code="F1")
    with pytest.raises(ValidationError, match="already has an objective with this code"):
        duplicate.full_clean()


def test_the_same_objective_code_is_allowed_in_two_plans():
    ObjectiveFactory(code="F1")
    twin = ObjectiveFactory.build(perspective=PerspectiveFactory(), code="F1")
    twin.full_clean()
    twin.save()
    assert Objective.objects.filter(code="F1").count() == 2


def test_full_clean_refuses_an_objective_in_a_perspective_of_another_plan():
    plan = StrategicPlanFactory()
    foreign_perspective = PerspectiveFactory()
    objective = ObjectiveFactory.build(perspective=foreign_perspective, plan=plan)
    with pytest.raises(ValidationError) as error:
        objective.full_clean()
    assert error.value.message_dict["perspective"] == ["The perspective belongs to another plan."]
