"""Recording actuals one by one and in bulk: versions, outcomes and all-or-nothing writes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis.models import Actual
from kpis.services import (
    ActualRow,
    ActualVersionConflict,
    Outcome,
    actual_record,
    actuals_bulk_record,
    target_set,
)
from tests.factories import ActualFactory, KpiFactory, UserFactory

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)


def test_recording_creates_then_updates_with_a_new_version_and_unchanged_keeps_it():
    kpi, head = KpiFactory(), UserFactory()
    actual, outcome = actual_record(kpi=kpi, period=JAN, value=Decimal(5), by=head)
    assert (outcome, actual.version) == (Outcome.CREATED, 1)

    actual, outcome = actual_record(kpi=kpi, period=JAN, value=Decimal(6), by=head)
    assert (outcome, actual.version, actual.value) == (Outcome.UPDATED, 2, Decimal(6))

    actual, outcome = actual_record(kpi=kpi, period=JAN, value=Decimal(6), by=head)
    assert (outcome, actual.version) == (Outcome.UNCHANGED, 2)


def test_a_save_based_on_an_older_version_is_refused_showing_the_other_value():
    kpi = KpiFactory()
    colleague = UserFactory(first_name="Sam", last_name="Lee")
    actual_record(kpi=kpi, period=JAN, value=Decimal(5), by=colleague)
    actual_record(kpi=kpi, period=JAN, value=Decimal(7), by=colleague, expected_version=1)

    with pytest.raises(ActualVersionConflict) as conflict:
        actual_record(kpi=kpi, period=JAN, value=Decimal(9), by=UserFactory(), expected_version=1)

    assert "Sam Lee saved 7" in conflict.value.messages[0]
    assert Actual.objects.get(kpi=kpi, period=JAN).value == 7


def test_a_calculated_or_retired_kpi_refuses_actuals():
    calculated = KpiFactory(code="RATE", formula="1 + 1")
    retired = KpiFactory(is_retired=True)
    for kpi in (calculated, retired):
        with pytest.raises(ValidationError):
            actual_record(kpi=kpi, period=JAN, value=Decimal(1), by=None)
    assert not Actual.objects.exists()


def test_an_actual_on_a_day_other_than_the_period_start_is_refused():
    with pytest.raises(ValidationError, match="first day"):
        actual_record(
            kpi=KpiFactory(), period=datetime.date(2026, 1, 15), value=Decimal(1), by=None
        )


def test_bulk_recording_answers_per_row_and_is_idempotent():
    first, second = KpiFactory(), KpiFactory()
    ActualFactory(kpi=second, period=JAN, value=Decimal(3))
    rows = [
        ActualRow(kpi=first, period=JAN, value=Decimal(1)),
        ActualRow(kpi=second, period=JAN, value=Decimal(4), analysis="Better month."),
        ActualRow(kpi=second, period=FEB, value=Decimal(2)),
    ]

    outcomes = [w.outcome for w in actuals_bulk_record(rows=rows, by=None)]
    assert outcomes == [Outcome.CREATED, Outcome.UPDATED, Outcome.CREATED]
    assert Actual.objects.get(kpi=second, period=JAN).version == 2

    again = [w.outcome for w in actuals_bulk_record(rows=rows, by=None)]
    assert again == [Outcome.UNCHANGED] * 3
    assert Actual.objects.count() == 3


def test_bulk_recording_with_a_bad_row_writes_nothing_and_names_every_bad_row():
    kpi = KpiFactory()
    rows = [
        ActualRow(kpi=kpi, period=JAN, value=Decimal(1)),
        ActualRow(kpi=kpi, period=datetime.date(2026, 2, 2), value=Decimal(1)),
        ActualRow(kpi=kpi, period=JAN, value=Decimal(2)),
    ]
    with pytest.raises(ValidationError) as error:
        actuals_bulk_record(rows=rows, by=None)
    assert set(error.value.error_dict) == {"1", "2"}
    assert not Actual.objects.exists()


def test_target_set_validates_by_the_scoring_rules_and_reports_unchanged():
    kpi = KpiFactory()
    with pytest.raises(ValidationError, match="below the goal"):
        target_set(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(120))
    _, outcome = target_set(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
    assert outcome == Outcome.CREATED
    _, outcome = target_set(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
    assert outcome == Outcome.UNCHANGED
