"""The rules of KPIs, targets and actuals: held by the database, and reported by full_clean."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kpis.models import Actual, Direction, Frequency, Kpi, Target
from tests.factories import (
    ActualFactory,
    KpiFactory,
    ObjectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

JANUARY = date(2026, 1, 1)


@pytest.fixture
def kpi() -> Kpi:
    return KpiFactory(code="REV", direction=Direction.INCREASE)


def new_target(kpi: Kpi, **fields: object) -> Target:
    values: dict[str, object] = {"period": JANUARY, "goal": Decimal(100), "red_flag": Decimal(90)}
    values.update(fields)
    return Target(kpi=kpi, **values)


def messages(error: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    """The messages full_clean gave for one field, joined."""
    return " ".join(error.value.message_dict.get(field, []))


# --- one Target and one Actual per KPI and period --------------------------------------------


def test_database_refuses_a_second_target_for_the_same_kpi_and_period(kpi):
    TargetFactory(kpi=kpi, period=JANUARY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(kpi=kpi, period=JANUARY, goal=Decimal(120), red_flag=Decimal(100))
    assert Target.objects.filter(kpi=kpi).count() == 1
    assert Target.objects.get(kpi=kpi).goal == Decimal(100)


def test_full_clean_refuses_a_second_target_for_the_same_kpi_and_period(kpi):
    TargetFactory(kpi=kpi, period=JANUARY)
    with pytest.raises(ValidationError, match="already has a target for this period"):
        new_target(kpi, goal=Decimal(120), red_flag=Decimal(100)).full_clean()


def test_the_same_period_may_have_targets_for_two_kpis_and_one_kpi_for_two_periods(kpi):
    TargetFactory(kpi=kpi, period=JANUARY)
    new_target(kpi, period=date(2026, 2, 1)).full_clean()
    new_target(KpiFactory(objective=kpi.objective)).full_clean()


def test_database_refuses_a_second_actual_for_the_same_kpi_and_period(kpi):
    ActualFactory(kpi=kpi, period=JANUARY, value=Decimal(95))
    with pytest.raises(IntegrityError), transaction.atomic():
        Actual.objects.create(kpi=kpi, period=JANUARY, value=Decimal(50))
    assert Actual.objects.filter(kpi=kpi).count() == 1
    assert Actual.objects.get(kpi=kpi).value == Decimal(95)


def test_full_clean_refuses_a_second_actual_for_the_same_kpi_and_period(kpi):
    ActualFactory(kpi=kpi, period=JANUARY)
    with pytest.raises(ValidationError, match="already has an actual for this period"):
        Actual(kpi=kpi, period=JANUARY, value=Decimal(50)).full_clean()


# --- a period is identified by its first day ---------------------------------------------------


def test_database_refuses_a_target_period_that_is_not_a_first_day(kpi):
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetFactory(kpi=kpi, period=date(2026, 1, 15))
    assert Target.objects.count() == 0


def test_database_refuses_an_actual_period_that_is_not_a_first_day(kpi):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActualFactory(kpi=kpi, period=date(2026, 1, 31))
    assert Actual.objects.count() == 0


def test_full_clean_names_the_first_day_of_the_month_for_a_monthly_kpi(kpi):
    with pytest.raises(ValidationError) as error:
        new_target(kpi, period=date(2026, 1, 15)).full_clean()
    assert "use 2026-01-01 for the period containing 2026-01-15" in messages(error, "period")


def test_full_clean_refuses_a_quarterly_target_in_the_quarters_second_month():
    quarterly = KpiFactory(frequency=Frequency.QUARTERLY)
    with pytest.raises(ValidationError) as error:
        new_target(quarterly, period=date(2026, 2, 1)).full_clean()
    assert "A quarterly period starts on its first day: use 2026-01-01" in messages(error, "period")


def test_full_clean_refuses_an_actual_in_the_middle_of_a_yearly_kpis_year():
    yearly = KpiFactory(frequency=Frequency.YEARLY)
    with pytest.raises(ValidationError) as error:
        Actual(kpi=yearly, period=date(2026, 7, 1), value=Decimal(1)).full_clean()
    assert "use 2026-01-01 for the period containing 2026-07-01" in messages(error, "period")


def test_quarters_of_the_first_day_check_follow_the_fiscal_year_start(settings):
    settings.FISCAL_YEAR_START_MONTH = 2  # quarters start in February, May, August, November
    quarterly = KpiFactory(frequency=Frequency.QUARTERLY)
    new_target(quarterly, period=date(2026, 2, 1)).full_clean()
    with pytest.raises(ValidationError) as error:
        new_target(quarterly, period=date(2026, 1, 1)).full_clean()
    assert "use 2025-11-01 for the period containing 2026-01-01" in messages(error, "period")


# --- weights and tolerance --------------------------------------------------------------------


@pytest.mark.parametrize("field", ["weight", "tolerance"])
def test_database_refuses_a_negative_kpi_weight_or_tolerance(field):
    objective = ObjectiveFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiFactory(objective=objective, **{field: Decimal("-0.5")})
    assert Kpi.objects.count() == 0


@pytest.mark.parametrize("field", ["weight", "tolerance"])
def test_full_clean_refuses_a_negative_kpi_weight_or_tolerance(field):
    kpi = KpiFactory.build(objective=ObjectiveFactory(), **{field: Decimal("-0.5")})
    with pytest.raises(ValidationError) as error:
        kpi.full_clean()
    assert field in error.value.message_dict


def test_a_kpi_weight_of_zero_is_allowed():
    KpiFactory.build(objective=ObjectiveFactory(), weight=Decimal(0)).full_clean()


# --- goals and red flags ------------------------------------------------------------------------


def test_database_refuses_a_red_flag_equal_to_the_goal(kpi):
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetFactory(kpi=kpi, goal=Decimal(100), red_flag=Decimal(100))
    assert Target.objects.count() == 0


def test_full_clean_refuses_a_red_flag_equal_to_the_goal(kpi):
    with pytest.raises(ValidationError) as error:
        new_target(kpi, goal=Decimal(100), red_flag=Decimal("100.000")).full_clean()
    assert "must differ from the goal" in messages(error, "red_flag")


def test_full_clean_refuses_a_red_flag_above_the_goal_when_higher_is_better(kpi):
    with pytest.raises(ValidationError) as error:
        new_target(kpi, goal=Decimal(100), red_flag=Decimal(110)).full_clean()
    assert "Higher is better" in messages(error, "red_flag")


def test_full_clean_refuses_a_red_flag_below_the_goal_when_lower_is_better():
    decrease = KpiFactory(direction=Direction.DECREASE)
    with pytest.raises(ValidationError) as error:
        new_target(decrease, goal=Decimal(5), red_flag=Decimal(3)).full_clean()
    assert "Lower is better" in messages(error, "red_flag")


def test_red_flags_on_the_right_side_are_accepted_for_both_directions(kpi):
    new_target(kpi, goal=Decimal(100), red_flag=Decimal(90)).full_clean()
    decrease = KpiFactory(objective=kpi.objective, direction=Direction.DECREASE)
    new_target(decrease, goal=Decimal(5), red_flag=Decimal(8)).full_clean()


def test_a_target_without_red_flag_is_accepted_when_the_goal_is_not_zero(kpi):
    new_target(kpi, goal=Decimal(100), red_flag=None).full_clean()


def test_full_clean_refuses_a_zero_goal_without_a_red_flag():
    incidents = KpiFactory(direction=Direction.DECREASE)
    with pytest.raises(ValidationError) as error:
        new_target(incidents, goal=Decimal(0), red_flag=None).full_clean()
    assert "state the red flag" in messages(error, "red_flag")
    new_target(incidents, goal=Decimal(0), red_flag=Decimal(3)).full_clean()


# --- range KPIs ----------------------------------------------------------------------------------


@pytest.fixture
def range_kpi() -> Kpi:
    return KpiFactory(code="TEMP", direction=Direction.RANGE)


def test_a_well_formed_range_target_is_accepted(range_kpi):
    new_target(
        range_kpi,
        goal=Decimal(18),
        red_flag=Decimal(15),
        goal_high=Decimal(22),
        red_flag_high=Decimal(26),
    ).full_clean()


def test_full_clean_refuses_a_range_target_without_goal_high(range_kpi):
    with pytest.raises(ValidationError) as error:
        new_target(range_kpi, goal=Decimal(18), red_flag=Decimal(15)).full_clean()
    assert "upper edge of its band" in messages(error, "goal_high")


def test_full_clean_refuses_an_inverted_band(range_kpi):
    with pytest.raises(ValidationError) as error:
        new_target(
            range_kpi, goal=Decimal(22), red_flag=Decimal(15), goal_high=Decimal(18)
        ).full_clean()
    assert "inverted" in messages(error, "goal_high")


def test_database_refuses_an_inverted_band(range_kpi):
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetFactory(kpi=range_kpi, goal=Decimal(22), red_flag=Decimal(15), goal_high=Decimal(18))
    assert Target.objects.count() == 0


def test_full_clean_refuses_range_red_flags_inside_the_band(range_kpi):
    with pytest.raises(ValidationError) as error:
        new_target(
            range_kpi,
            goal=Decimal(18),
            red_flag=Decimal(19),
            goal_high=Decimal(22),
            red_flag_high=Decimal(21),
        ).full_clean()
    assert "below the band" in messages(error, "red_flag")
    assert "above the band" in messages(error, "red_flag_high")


def test_full_clean_refuses_a_zero_upper_goal_without_an_upper_red_flag(range_kpi):
    with pytest.raises(ValidationError) as error:
        new_target(
            range_kpi, goal=Decimal(-5), red_flag=Decimal(-8), goal_high=Decimal(0)
        ).full_clean()
    assert "upper goal of 0 has no relative tolerance" in messages(error, "red_flag_high")


# --- KPIs within their plan ----------------------------------------------------------------------


def test_full_clean_refuses_a_kpi_whose_objective_is_in_another_plan():
    objective = ObjectiveFactory()
    other_plan = StrategicPlanFactory()
    kpi = KpiFactory.build(objective=objective, plan=other_plan)
    with pytest.raises(ValidationError) as error:
        kpi.full_clean()
    assert "another plan" in messages(error, "objective")


def test_database_refuses_a_duplicate_kpi_code_within_a_plan(kpi):
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiFactory(objective=kpi.objective, code="REV")
    assert Kpi.objects.filter(plan=kpi.plan).count() == 1


def test_full_clean_refuses_a_duplicate_kpi_code_within_a_plan(kpi):
    duplicate = KpiFactory.build(objective=kpi.objective, code="REV")
    with pytest.raises(ValidationError, match="already has a KPI with this code"):
        duplicate.full_clean()


def test_the_same_kpi_code_is_allowed_in_two_plans(kpi):
    other_objective = ObjectiveFactory()
    assert other_objective.plan != kpi.plan
    twin = KpiFactory.build(objective=other_objective, code="REV")
    twin.full_clean()
    twin.save()
    assert Kpi.objects.filter(code="REV").count() == 2
