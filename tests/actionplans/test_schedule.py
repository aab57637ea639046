"""The progress and schedule rule at its boundaries, without the database."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from actionplans.schedule import (
    MilestoneState,
    Schedule,
    elapsed,
    milestone_state,
    percent,
    progress,
    schedule,
)

START = date(2026, 1, 1)
DUE = date(2026, 1, 11)  # ten days


def test_progress_is_the_weighted_average_of_task_percentages():
    assert progress([(Decimal(3), 100), (Decimal(1), 0)]) == Fraction(3, 4)


def test_progress_of_no_tasks_or_only_weightless_ones_is_zero():
    assert progress([]) == 0
    assert progress([(Decimal(0), 100)]) == 0


def test_a_weightless_task_does_not_count():
    assert progress([(Decimal(1), 50), (Decimal(0), 100)]) == Fraction(1, 2)


def test_elapsed_is_zero_before_and_on_the_start_and_one_on_and_after_the_due_date():
    assert elapsed(START, DUE, date(2025, 12, 31)) == 0
    assert elapsed(START, DUE, START) == 0
    assert elapsed(START, DUE, date(2026, 1, 6)) == Fraction(1, 2)
    assert elapsed(START, DUE, DUE) == 1
    assert elapsed(START, DUE, date(2026, 2, 1)) == 1


def test_a_one_day_plan_has_used_its_time_on_that_day():
    assert elapsed(START, START, START) == 1
    assert elapsed(START, START, date(2025, 12, 31)) == 0


def test_progress_equal_to_time_elapsed_is_on_schedule():
    assert schedule(done=Fraction(1, 2), start=START, due=DUE, today=date(2026, 1, 6)) == (
        Schedule.ON_SCHEDULE
    )


def test_progress_just_below_time_elapsed_is_behind():
    done = Fraction(1, 2) - Fraction(1, 1000)
    assert schedule(done=done, start=START, due=DUE, today=date(2026, 1, 6)) == Schedule.BEHIND


def test_on_the_due_date_an_incomplete_plan_is_behind_not_yet_overdue():
    assert schedule(done=Fraction(99, 100), start=START, due=DUE, today=DUE) == Schedule.BEHIND


def test_the_day_after_the_due_date_an_incomplete_plan_is_overdue():
    today = date(2026, 1, 12)
    assert schedule(done=Fraction(99, 100), start=START, due=DUE, today=today) == (Schedule.OVERDUE)


def test_a_complete_plan_is_on_schedule_even_after_its_due_date():
    assert schedule(done=Fraction(1), start=START, due=DUE, today=date(2027, 1, 1)) == (
        Schedule.ON_SCHEDULE
    )


def test_before_it_starts_a_plan_with_no_progress_is_on_schedule():
    assert schedule(done=Fraction(0), start=START, due=DUE, today=date(2025, 12, 1)) == (
        Schedule.ON_SCHEDULE
    )


def test_percent_rounds_down():
    assert percent(Fraction(999, 1000)) == 99


@given(
    st.lists(st.tuples(st.integers(0, 10), st.integers(0, 100)), max_size=8),
    st.integers(-30, 60),
)
def test_progress_stays_between_zero_and_one_and_schedule_is_always_one_of_three(tasks, day):
    done = progress([(Decimal(w), p) for w, p in tasks])
    assert 0 <= done <= 1
    today = date.fromordinal(START.toordinal() + day)
    assert schedule(done=done, start=START, due=DUE, today=today) in set(Schedule)


def test_a_milestone_is_reached_when_all_its_tasks_are_done_whatever_the_day():
    assert milestone_state(due=DUE, tasks_done=[True, True], today=date(2026, 3, 1)) == (
        MilestoneState.REACHED
    )


def test_a_milestone_is_missed_the_day_after_its_due_date_without_that():
    assert milestone_state(due=DUE, tasks_done=[True, False], today=DUE) == (
        MilestoneState.UPCOMING
    )
    assert milestone_state(due=DUE, tasks_done=[True, False], today=date(2026, 1, 12)) == (
        MilestoneState.MISSED
    )


def test_a_milestone_without_tasks_is_a_date_reached_when_it_comes():
    assert milestone_state(due=DUE, tasks_done=[], today=START) == MilestoneState.UPCOMING
    assert milestone_state(due=DUE, tasks_done=[], today=DUE) == MilestoneState.REACHED
