"""Quarter, year and year-to-date views: which periods, and how actuals and targets combine."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis import periods
from kpis.combined_periods import (
    PeriodValues,
    aggregate,
    combine_periods,
    evaluate_view,
    view_periods,
)
from kpis.explanations import explain_view, period_note
from kpis.scoring import Aggregation, Direction, ScoreStatus, View

D = Decimal
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
Q1 = [JAN, FEB, MAR]
# Three months of a "higher is better" KPI: actual, goal, red flag.
FULL_QUARTER = {
    JAN: PeriodValues(actual=D(10), goal=D(12), red_flag=D(10)),
    FEB: PeriodValues(actual=D(20), goal=D(12), red_flag=D(10)),
    MAR: PeriodValues(actual=D(15), goal=D(18), red_flag=D(15)),
}


# --- which periods make up a view --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "view", "frequency", "fiscal_start", "expected"),
    [
        (date(2026, 2, 14), View.QUARTER, "monthly", 1, Q1),
        (
            date(2026, 5, 14),
            View.QUARTER,
            "monthly",
            4,
            [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)],
        ),
        (
            date(2026, 6, 30),
            View.YEAR_TO_DATE,
            "monthly",
            4,
            [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)],
        ),
        (date(2026, 4, 1), View.YEAR_TO_DATE, "monthly", 4, [date(2026, 4, 1)]),
        (date(2026, 3, 31), View.YEAR_TO_DATE, "monthly", 1, Q1),
        (
            date(2026, 2, 14),
            View.YEAR,
            "quarterly",
            4,
            [date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1), date(2026, 1, 1)],
        ),
        (
            date(2025, 11, 5),
            View.YEAR_TO_DATE,
            "quarterly",
            4,
            [date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)],
        ),
        (date(2026, 7, 1), View.YEAR, "yearly", 7, [date(2026, 7, 1)]),
    ],
)
def test_view_periods(day, view, frequency, fiscal_start, expected):
    assert view_periods(day, view, frequency, fiscal_start) == expected


def test_year_to_date_with_an_april_fiscal_start_spans_the_new_year():
    months = view_periods(date(2026, 2, 10), "ytd", "monthly", fiscal_year_start_month=4)
    assert months[0] == date(2025, 4, 1)
    assert months[-1] == date(2026, 2, 1)
    assert len(months) == 11


@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31)),
    st.integers(min_value=1, max_value=12),
)
def test_monthly_year_to_date_runs_month_by_month_from_the_fiscal_year_start_to_the_day(
    day, fiscal_start
):
    months = view_periods(day, View.YEAR_TO_DATE, "monthly", fiscal_start)
    assert months[0] == periods.period_start(day, "yearly", fiscal_start)
    assert months[-1] == periods.period_start(day, "monthly")
    assert months == [periods.add_months(months[0], n) for n in range(len(months))]


def test_a_view_shorter_than_the_kpis_period_is_refused():
    with pytest.raises(ValueError, match="yearly KPI cannot be viewed per quarter"):
        view_periods(date(2026, 2, 1), View.QUARTER, "yearly")


# --- aggregate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        (Aggregation.SUM, D(45)),
        (Aggregation.AVERAGE, D(15)),
        (Aggregation.LAST, D(15)),
        (Aggregation.MIN, D(10)),
        (Aggregation.MAX, D(20)),
    ],
)
def test_aggregate_skips_missing_values(aggregation, expected):
    assert aggregate([D(10), None, D(20), D(15), None], aggregation) == expected


@pytest.mark.parametrize("aggregation", list(Aggregation))
def test_aggregate_of_nothing_is_none(aggregation):
    assert aggregate([None, None], aggregation) is None
    assert aggregate([], aggregation) is None


def test_average_of_a_third_is_the_same_decimal_for_actual_and_goal():
    assert aggregate([D(1), D(1), D(2)], "average") == D(4) / D(3)


# --- combine_periods -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aggregation", "actual", "goal", "red_flag"),
    [
        (Aggregation.SUM, D(45), D(42), D(35)),
        (Aggregation.AVERAGE, D(15), D(14), D(35) / D(3)),
        (Aggregation.LAST, D(15), D(18), D(15)),
        (Aggregation.MIN, D(10), D(12), D(10)),
        (Aggregation.MAX, D(20), D(18), D(15)),
    ],
)
def test_a_fully_reported_quarter_combines_actuals_and_targets_alike(
    aggregation, actual, goal, red_flag
):
    combined = combine_periods(Q1, FULL_QUARTER, aggregation, direction="increase")
    assert combined.actual == actual
    assert combined.goal == goal
    assert combined.red_flag == red_flag
    assert combined.complete
    assert (combined.periods_reported, combined.periods_expected) == (3, 3)


def test_a_partly_reported_quarter_is_compared_with_the_targets_of_the_reported_months():
    values = {**FULL_QUARTER, MAR: PeriodValues(goal=D(18), red_flag=D(15))}
    combined = combine_periods(Q1, values, "sum", direction="increase")
    assert combined.actual == D(30)
    assert combined.goal == D(24)
    assert combined.red_flag == D(20)
    assert not combined.complete
    assert (combined.periods_reported, combined.periods_expected) == (2, 3)
    assert combined.reported == (JAN, FEB)
    assert period_note(combined) == (
        "Partly reported: 2 of 3 months (Jan 2026, Feb 2026); "
        "sum compared with the targets of those months only."
    )


def test_a_partly_reported_quarter_is_not_averaged_as_if_it_were_complete():
    values = {JAN: FULL_QUARTER[JAN], MAR: FULL_QUARTER[MAR]}
    combined = combine_periods(Q1, values, "average", direction="increase")
    assert combined.actual == D("12.5")
    assert combined.goal == D(15)
    result = explain_view(evaluate_view(combined, direction="increase"), combined)
    assert not result.complete
    assert (result.periods_reported, result.periods_expected) == (2, 3)
    assert result.explanation[0].startswith("Partly reported: 2 of 3 months (Jan 2026, Mar 2026)")


def test_last_value_of_a_partly_reported_quarter_uses_the_last_reported_month_and_its_target():
    values = {**FULL_QUARTER, MAR: PeriodValues(goal=D(18), red_flag=D(15))}
    combined = combine_periods(Q1, values, "last", direction="increase")
    assert (combined.actual, combined.goal, combined.red_flag) == (D(20), D(12), D(10))


def test_red_flags_are_derived_month_by_month_before_combining():
    values = {
        JAN: PeriodValues(actual=D(10), goal=D(100)),  # derived: 90
        FEB: PeriodValues(actual=D(10), goal=D(100), red_flag=D(50)),
    }
    combined = combine_periods([JAN, FEB], values, "sum", direction="increase")
    assert combined.red_flag == D(140)
    assert combined.thresholds is not None
    assert combined.thresholds.red_flag_derived


def test_a_month_whose_red_flag_cannot_be_derived_leaves_the_view_without_a_red_flag():
    values = {
        JAN: PeriodValues(actual=D(1), goal=D(0)),
        FEB: PeriodValues(actual=D(1), goal=D(2), red_flag=D(4)),
    }
    combined = combine_periods([JAN, FEB], values, "sum", direction="decrease")
    assert combined.goal == D(2)
    assert combined.red_flag is None
    assert evaluate_view(combined, direction="decrease").status is ScoreStatus.NO_DATA


def test_a_reported_month_without_a_target_leaves_the_view_without_a_target():
    values = {**FULL_QUARTER, FEB: PeriodValues(actual=D(20))}
    combined = combine_periods(Q1, values, "sum", direction="increase")
    assert combined.actual == D(45)
    assert combined.thresholds is None
    assert period_note(combined).endswith("No target for Feb 2026, so no combined target.")
    assert evaluate_view(combined, direction="increase").status is ScoreStatus.NO_DATA


def test_a_quarter_with_nothing_reported_still_shows_its_whole_target():
    values = {
        month: PeriodValues(goal=v.goal, red_flag=v.red_flag) for month, v in FULL_QUARTER.items()
    }
    combined = combine_periods(Q1, values, "sum", direction="increase")
    assert combined.actual is None
    assert combined.goal == D(42)
    assert combined.periods_reported == 0
    assert period_note(combined) == "None of the 3 months reported yet."
    assert evaluate_view(combined, direction="increase").status is ScoreStatus.NO_DATA


def test_a_range_kpi_combines_both_edges_of_its_band():
    values = {
        JAN: PeriodValues(D(20), D(19), D(17), D(23), D(26)),
        FEB: PeriodValues(D(22), D(19), None, D(25), None),
    }
    combined = combine_periods([JAN, FEB], values, "average", direction="range")
    assert combined.thresholds is not None
    assert combined.actual == D(21)
    assert (combined.thresholds.goal, combined.thresholds.goal_high) == (D(19), D(24))
    assert combined.thresholds.red_flag == (D(17) + D("17.1")) / 2
    assert combined.thresholds.red_flag_high == (D(26) + D("27.5")) / 2
    assert evaluate_view(combined, direction="range").status is ScoreStatus.ON_TRACK


def test_a_complete_quarter_is_scored_like_a_single_period():
    combined = combine_periods(Q1, FULL_QUARTER, "sum", direction="increase")
    result = explain_view(
        evaluate_view(combined, direction=Direction.INCREASE, previous_score=D(5)), combined
    )
    assert result.complete
    assert result.score == Fraction(170, 21)  # 10/3 · (1 + (45 - 35) / (42 - 35))
    assert result.display_score == "8.1"
    assert result.status is ScoreStatus.ON_TRACK
    assert result.explanation[0] == "Sum of 3 months: Jan 2026, Feb 2026, Mar 2026."
    assert "derived" not in " ".join(result.explanation)


def test_year_to_date_with_an_april_fiscal_start():
    months = view_periods(date(2026, 6, 15), View.YEAR_TO_DATE, "monthly", 4)
    values = {month: PeriodValues(actual=D(100), goal=D(90)) for month in months}
    values[date(2026, 3, 1)] = PeriodValues(actual=D(10_000), goal=D(1))  # last fiscal year
    combined = combine_periods(
        months, values, "sum", direction="increase", fiscal_year_start_month=4
    )
    assert combined.actual == D(300)
    assert combined.goal == D(270)
    assert combined.red_flag == D(243)
    assert combined.complete
    assert period_note(combined) == "Sum of 3 months: Apr 2026, May 2026, Jun 2026."


def test_a_quarterly_kpi_per_year_names_its_quarters():
    quarters = view_periods(date(2026, 2, 1), View.YEAR, "quarterly", 4)
    values = {quarter: PeriodValues(actual=D(5), goal=D(4)) for quarter in quarters[:2]}
    combined = combine_periods(
        quarters,
        values,
        "sum",
        direction="increase",
        frequency="quarterly",
        fiscal_year_start_month=4,
    )
    assert (combined.actual, combined.goal) == (D(10), D(8))
    assert period_note(combined).startswith(
        "Partly reported: 2 of 4 periods (FY2026 Q1, FY2026 Q2)"
    )


@given(
    st.lists(
        st.none() | st.decimals(min_value=-1000, max_value=1000, places=2),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(list(Aggregation)),
)
def test_complete_iff_every_period_reported(actuals, aggregation):
    months = [periods.add_months(JAN, n) for n in range(len(actuals))]
    values = {m: PeriodValues(actual=a, goal=D(1)) for m, a in zip(months, actuals, strict=True)}
    combined = combine_periods(months, values, aggregation, direction="increase")
    reported = [a for a in actuals if a is not None]
    assert combined.periods_reported == len(reported)
    assert combined.complete == (len(reported) == len(actuals))
    assert combined.actual == aggregate(reported, aggregation)
    if reported:
        # Every reported month has a goal of 1, so the goal follows the months that count.
        expected_goal = {Aggregation.SUM: len(reported)}.get(aggregation, 1)
        assert combined.goal == expected_goal
