"""The pure period module: explicit calendar examples, then properties that hold for any day."""

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis import periods
from kpis.periods import Frequency

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
frequencies = st.sampled_from(list(Frequency))
fiscal_start_months = st.integers(min_value=1, max_value=12)


def period_starts(frequency=frequencies, fiscal_start_month=fiscal_start_months):
    """A (start, frequency, fiscal start month) triple where start is a real period start."""
    return st.tuples(days, frequency, fiscal_start_month).map(
        lambda t: (periods.period_start(t[0], t[1], t[2]), t[1], t[2])
    )


# --- period_start and is_period_start -----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "frequency", "fiscal_start_month", "expected"),
    [
        (date(2026, 2, 15), "monthly", 1, date(2026, 2, 1)),
        (date(2026, 2, 15), "quarterly", 1, date(2026, 1, 1)),
        (date(2026, 12, 31), "quarterly", 1, date(2026, 10, 1)),
        (date(2026, 12, 31), "yearly", 1, date(2026, 1, 1)),
        # April start: quarters begin in April, July, October and January.
        (date(2026, 2, 15), "quarterly", 4, date(2026, 1, 1)),
        (date(2026, 5, 31), "quarterly", 4, date(2026, 4, 1)),
        (date(2026, 3, 31), "yearly", 4, date(2025, 4, 1)),
        (date(2026, 4, 1), "yearly", 4, date(2026, 4, 1)),
        # October start: the fiscal year straddles the calendar year.
        (date(2026, 1, 10), "quarterly", 10, date(2026, 1, 1)),
        (date(2025, 12, 10), "quarterly", 10, date(2025, 10, 1)),
        (date(2026, 9, 30), "yearly", 10, date(2025, 10, 1)),
        (date(2026, 10, 1), "yearly", 10, date(2026, 10, 1)),
        (date(2024, 2, 29), "monthly", 10, date(2024, 2, 1)),
    ],
)
def test_period_start_is_the_first_day_of_the_containing_period(
    day, frequency, fiscal_start_month, expected
):
    assert periods.period_start(day, frequency, fiscal_start_month) == expected


def test_period_start_accepts_the_enum_as_well_as_its_value():
    assert periods.period_start(date(2026, 5, 5), Frequency.QUARTERLY) == date(2026, 4, 1)


def test_only_the_first_day_of_a_period_is_a_period_start():
    assert periods.is_period_start(date(2026, 4, 1), "quarterly", 1)
    assert not periods.is_period_start(date(2026, 4, 2), "quarterly", 1)
    assert not periods.is_period_start(date(2026, 5, 1), "quarterly", 1)
    assert periods.is_period_start(date(2026, 5, 1), "quarterly", 2)
    assert periods.is_period_start(date(2025, 10, 1), "yearly", 10)
    assert not periods.is_period_start(date(2026, 1, 1), "yearly", 10)


@pytest.mark.parametrize("month", [0, 13, -1])
def test_a_fiscal_start_month_outside_1_to_12_raises_value_error(month):
    with pytest.raises(ValueError, match="fiscal year start month"):
        periods.period_start(date(2026, 1, 1), "monthly", month)


def test_an_unknown_frequency_raises_value_error():
    with pytest.raises(ValueError, match="weekly"):
        periods.period_start(date(2026, 1, 1), "weekly")


# --- period_end, shift and the neighbours --------------------------------------------------


@pytest.mark.parametrize(
    ("start", "frequency", "expected"),
    [
        (date(2026, 1, 1), "monthly", date(2026, 1, 31)),
        (date(2026, 2, 1), "monthly", date(2026, 2, 28)),
        (date(2024, 2, 1), "monthly", date(2024, 2, 29)),
        (date(2026, 4, 1), "monthly", date(2026, 4, 30)),
        (date(2026, 12, 1), "monthly", date(2026, 12, 31)),
        (date(2026, 10, 1), "quarterly", date(2026, 12, 31)),
        (date(2023, 12, 1), "quarterly", date(2024, 2, 29)),
        (date(2026, 1, 1), "yearly", date(2026, 12, 31)),
        (date(2026, 4, 1), "yearly", date(2027, 3, 31)),
        (date(2023, 3, 1), "yearly", date(2024, 2, 29)),
    ],
)
def test_period_end_is_the_last_day_before_the_next_period(start, frequency, expected):
    assert periods.period_end(start, frequency) == expected


def test_shift_moves_by_whole_periods_across_year_boundaries():
    assert periods.shift(date(2026, 11, 1), "monthly", 2) == date(2027, 1, 1)
    assert periods.shift(date(2026, 1, 1), "monthly", -1) == date(2025, 12, 1)
    assert periods.shift(date(2026, 10, 1), "quarterly", 1) == date(2027, 1, 1)
    assert periods.shift(date(2026, 1, 1), "quarterly", -5) == date(2024, 10, 1)
    assert periods.shift(date(2026, 4, 1), "yearly", -3) == date(2023, 4, 1)
    assert periods.shift(date(2026, 4, 1), "yearly", 0) == date(2026, 4, 1)


def test_next_and_previous_period_are_one_shift_away():
    assert periods.next_period(date(2026, 12, 1), "monthly") == date(2027, 1, 1)
    assert periods.previous_period(date(2026, 1, 1), "quarterly") == date(2025, 10, 1)


# --- periods_between -----------------------------------------------------------------------


def test_periods_between_lists_every_overlapping_month_across_the_new_year():
    assert periods.periods_between(date(2025, 11, 15), date(2026, 2, 1), "monthly") == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_periods_between_follows_the_fiscal_quarters():
    assert periods.periods_between(date(2026, 1, 1), date(2026, 12, 31), "quarterly", 4) == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    ]
    assert periods.periods_between(date(2026, 1, 1), date(2026, 12, 31), "quarterly", 2) == [
        date(2025, 11, 1),
        date(2026, 2, 1),
        date(2026, 5, 1),
        date(2026, 8, 1),
        date(2026, 11, 1),
    ]


def test_periods_between_is_empty_when_last_is_before_the_first_period():
    assert periods.periods_between(date(2026, 3, 1), date(2026, 2, 28), "monthly") == []


# --- fiscal years, quarters and labels ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "fiscal_start_month", "year", "quarter"),
    [
        (date(2026, 1, 1), 1, 2026, 1),
        (date(2026, 3, 31), 1, 2026, 1),
        (date(2026, 12, 31), 1, 2026, 4),
        # April start: FY2027 runs from April 2026 to March 2027.
        (date(2026, 3, 31), 4, 2026, 4),
        (date(2026, 4, 1), 4, 2027, 1),
        (date(2026, 12, 31), 4, 2027, 3),
        (date(2027, 1, 1), 4, 2027, 4),
        # October start: FY2027 runs from October 2026 to September 2027.
        (date(2026, 9, 30), 10, 2026, 4),
        (date(2026, 10, 1), 10, 2027, 1),
        (date(2027, 2, 28), 10, 2027, 2),
        (date(2024, 2, 29), 10, 2024, 2),
    ],
)
def test_fiscal_year_is_named_after_the_calendar_year_in_which_it_ends(
    day, fiscal_start_month, year, quarter
):
    assert periods.fiscal_year(day, fiscal_start_month) == year
    assert periods.fiscal_quarter(day, fiscal_start_month) == quarter


@pytest.mark.parametrize(
    ("start", "frequency", "fiscal_start_month", "expected"),
    [
        (date(2026, 3, 1), "monthly", 1, "Mar 2026"),
        (date(2026, 3, 1), "monthly", 4, "Mar 2026"),
        (date(2026, 1, 1), "quarterly", 1, "FY2026 Q1"),
        (date(2026, 10, 1), "quarterly", 1, "FY2026 Q4"),
        (date(2026, 4, 1), "quarterly", 4, "FY2027 Q1"),
        (date(2026, 1, 1), "quarterly", 4, "FY2026 Q4"),
        (date(2026, 10, 1), "quarterly", 10, "FY2027 Q1"),
        (date(2026, 1, 1), "yearly", 1, "FY2026"),
        (date(2026, 4, 1), "yearly", 4, "FY2027"),
        (date(2025, 10, 1), "yearly", 10, "FY2026"),
    ],
)
def test_label_names_months_fiscal_quarters_and_fiscal_years(
    start, frequency, fiscal_start_month, expected
):
    assert periods.label(start, frequency, fiscal_start_month) == expected


@pytest.mark.parametrize(
    ("today", "frequency", "fiscal_start_month", "expected"),
    [
        (date(2026, 1, 1), "monthly", 1, date(2025, 12, 1)),
        (date(2026, 3, 31), "monthly", 1, date(2026, 2, 1)),
        (date(2026, 4, 15), "quarterly", 1, date(2026, 1, 1)),
        (date(2026, 4, 15), "quarterly", 4, date(2026, 1, 1)),
        (date(2026, 4, 15), "quarterly", 2, date(2025, 11, 1)),
        (date(2026, 3, 31), "yearly", 4, date(2024, 4, 1)),
        (date(2026, 4, 1), "yearly", 4, date(2025, 4, 1)),
    ],
)
def test_last_closed_period_is_the_latest_one_that_ended_before_today(
    today, frequency, fiscal_start_month, expected
):
    assert periods.last_closed_period(today, frequency, fiscal_start_month) == expected


# --- properties --------------------------------------------------------------------------------


@given(day=days, frequency=frequencies, fiscal_start_month=fiscal_start_months)
def test_period_start_is_an_idempotent_period_start_that_contains_the_day(
    day, frequency, fiscal_start_month
):
    start = periods.period_start(day, frequency, fiscal_start_month)
    assert start.day == 1
    assert start <= day <= periods.period_end(start, frequency)
    assert periods.is_period_start(start, frequency, fiscal_start_month)
    assert periods.period_start(start, frequency, fiscal_start_month) == start


@given(day=days, frequency=frequencies, fiscal_start_month=fiscal_start_months)
def test_a_period_begins_the_day_after_the_previous_one_ends(day, frequency, fiscal_start_month):
    start = periods.period_start(day, frequency, fiscal_start_month)
    previous = periods.previous_period(start, frequency)
    assert periods.period_end(previous, frequency).toordinal() + 1 == start.toordinal()
    assert periods.is_period_start(previous, frequency, fiscal_start_month)


@given(period=period_starts(), n=st.integers(min_value=-200, max_value=200))
def test_shifting_by_n_then_minus_n_is_the_identity(period, n):
    start, frequency, fiscal_start_month = period
    shifted = periods.shift(start, frequency, n)
    assert periods.is_period_start(shifted, frequency, fiscal_start_month)
    assert periods.shift(shifted, frequency, -n) == start


@given(
    first=days,
    length_in_days=st.integers(min_value=0, max_value=3 * 366),
    frequency=frequencies,
    fiscal_start_month=fiscal_start_months,
)
def test_periods_between_covers_the_range_without_gaps(
    first, length_in_days, frequency, fiscal_start_month
):
    last = date.fromordinal(first.toordinal() + length_in_days)
    starts = periods.periods_between(first, last, frequency, fiscal_start_month)
    assert starts[0] == periods.period_start(first, frequency, fiscal_start_month)
    assert starts[-1] == periods.period_start(last, frequency, fiscal_start_month)
    for earlier, later in pairwise(starts):
        assert periods.next_period(earlier, frequency) == later


@given(period=period_starts(frequency=st.just(Frequency.QUARTERLY)))
def test_every_quarter_is_three_consecutive_months_of_one_fiscal_year(period):
    start, _, fiscal_start_month = period
    months = periods.periods_between(
        start, periods.period_end(start, Frequency.QUARTERLY), Frequency.MONTHLY
    )
    assert [periods.add_months(start, n) for n in range(3)] == months
    assert len({periods.fiscal_year(month, fiscal_start_month) for month in months}) == 1
    assert len({periods.fiscal_quarter(month, fiscal_start_month) for month in months}) == 1
    assert periods.period_end(months[-1], Frequency.MONTHLY) == periods.period_end(
        start, Frequency.QUARTERLY
    )


@given(period=period_starts(frequency=st.just(Frequency.YEARLY)))
def test_a_fiscal_year_has_quarters_one_to_four_in_order(period):
    start, _, fiscal_start_month = period
    quarters = periods.periods_between(
        start, periods.period_end(start, Frequency.YEARLY), Frequency.QUARTERLY, fiscal_start_month
    )
    assert [periods.fiscal_quarter(q, fiscal_start_month) for q in quarters] == [1, 2, 3, 4]
    assert {periods.fiscal_year(q, fiscal_start_month) for q in quarters} == {
        periods.fiscal_year(start, fiscal_start_month)
    }


@given(day=days, fiscal_start_month=fiscal_start_months)
def test_fiscal_quarter_is_between_one_and_four_and_fiscal_year_ends_in_its_own_year(
    day, fiscal_start_month
):
    assert 1 <= periods.fiscal_quarter(day, fiscal_start_month) <= 4
    year_start = periods.period_start(day, Frequency.YEARLY, fiscal_start_month)
    year_end = periods.period_end(year_start, Frequency.YEARLY)
    assert periods.fiscal_year(day, fiscal_start_month) == year_end.year


@given(today=days, frequency=frequencies, fiscal_start_month=fiscal_start_months)
def test_last_closed_period_ended_before_today_and_is_followed_by_todays(
    today, frequency, fiscal_start_month
):
    closed = periods.last_closed_period(today, frequency, fiscal_start_month)
    assert periods.is_period_start(closed, frequency, fiscal_start_month)
    assert periods.period_end(closed, frequency) < today
    assert periods.next_period(closed, frequency) == periods.period_start(
        today, frequency, fiscal_start_month
    )


@given(
    day=days,
    frequency=frequencies,
    fiscal_start_month=st.one_of(st.integers(max_value=0), st.integers(min_value=13)),
)
def test_any_fiscal_start_month_outside_1_to_12_raises_value_error(
    day, frequency, fiscal_start_month
):
    with pytest.raises(ValueError, match="fiscal year start month"):
        periods.period_start(day, frequency, fiscal_start_month)


# --- is_closed and last_period_closed: the close date -------------------------------------

CLOSED_THROUGH_OCT = date(2026, 10, 31)


@pytest.mark.parametrize(
    ("start", "frequency", "closed"),
    [
        (date(2026, 10, 1), Frequency.MONTHLY, True),  # ends on the close date
        (date(2026, 11, 1), Frequency.MONTHLY, False),  # the next month
        (date(2026, 1, 1), Frequency.MONTHLY, True),
        (date(2026, 7, 1), Frequency.QUARTERLY, True),  # Q3 ended in September
        (date(2026, 10, 1), Frequency.QUARTERLY, False),  # Q4 contains October: still running
        (date(2025, 1, 1), Frequency.YEARLY, True),  # FY2025
        (date(2026, 1, 1), Frequency.YEARLY, False),  # FY2026 ends in December
    ],
)
def test_a_period_is_closed_when_it_ends_on_or_before_the_close_date(start, frequency, closed):
    assert periods.is_closed(start, frequency, CLOSED_THROUGH_OCT) is closed


def test_a_quarter_and_a_year_ending_on_the_close_date_are_closed_the_next_are_open():
    september = date(2026, 9, 30)

    assert periods.is_closed(date(2026, 7, 1), Frequency.QUARTERLY, september)
    assert not periods.is_closed(date(2026, 10, 1), Frequency.QUARTERLY, september)
    december = date(2025, 12, 31)
    assert periods.is_closed(date(2025, 1, 1), Frequency.YEARLY, december)
    assert not periods.is_closed(date(2026, 1, 1), Frequency.YEARLY, december)


def test_nothing_is_closed_without_a_close_date():
    assert not periods.is_closed(date(1990, 1, 1), Frequency.YEARLY, None)


def test_the_fiscal_year_decides_which_quarter_ends_on_the_close_date():
    # With an April start, FY2027 Q2 runs July to September 2026.
    last = periods.last_period_closed(date(2026, 9, 30), Frequency.QUARTERLY, 4)

    assert periods.label(last, Frequency.QUARTERLY, 4) == "FY2027 Q2"
    last_year = periods.last_period_closed(date(2026, 10, 31), Frequency.YEARLY, 4)
    assert periods.label(last_year, Frequency.YEARLY, 4) == "FY2026"


@given(days, frequencies, fiscal_start_months)
def test_the_last_period_closed_is_closed_and_the_one_after_it_is_not(
    day, frequency, fiscal_start_month
):
    through = periods.period_end(periods.period_start(day, "monthly"), "monthly")
    last = periods.last_period_closed(through, frequency, fiscal_start_month)

    assert periods.is_closed(last, frequency, through)
    assert not periods.is_closed(periods.next_period(last, frequency), frequency, through)


def test_only_the_last_day_of_a_month_is_a_month_end():
    assert periods.is_month_end(date(2028, 2, 29))
    assert not periods.is_month_end(date(2026, 10, 30))
