"""Year-end forecasts from the year-to-date pace: linear on cumulative values for sums, the
trend of the last values for levels."""

from __future__ import annotations

from decimal import Decimal

from kpis.forecast import CUMULATIVE, LEVEL, YearValues, year_end

D = Decimal


def year(actuals, goals, *, aggregation="sum", direction="increase", periods=12):  # type: ignore[no-untyped-def]
    return YearValues(
        direction,
        aggregation,
        periods,
        [None if a is None else D(a) for a in actuals],
        [D(g) for g in goals],
    )


def test_a_cumulative_kpi_extends_its_pace_over_the_remaining_periods():
    result = year_end(year([10, 12, 14], [12] * 12))

    assert result.method == CUMULATIVE
    assert result.value == D(144)  # a pace of 12 a month for 12 months
    assert result.goal == D(144)
    assert result.projected == (D(12),) * 9
    assert result.misses_goal is False


def test_a_cumulative_kpi_on_a_slower_pace_misses_the_years_goal():
    result = year_end(year([10, 10, None], [12] * 12))

    assert result.value == D(120)  # a missing month is unreported, not zero
    assert result.misses_goal is True


def test_a_level_kpi_extends_the_trend_of_its_last_three_values():
    result = year_end(year([50, 60, 70, 80], [90] * 12, aggregation="average"))

    assert result.method == LEVEL
    # The last three values rise 10 a month: month 12 (index 11) is 80 + 8 * 10.
    assert result.value == D(160)
    assert result.goal == D(90)
    assert result.misses_goal is False


def test_a_falling_level_kpi_where_lower_is_better_is_judged_the_other_way():
    rising = year_end(year([5, 6], [5] * 4, aggregation="last", direction="decrease", periods=4))

    assert rising.value == D(8)
    assert rising.misses_goal is True


def test_a_single_value_is_carried_forward_and_no_actual_means_no_forecast():
    single = year_end(year([7], [8] * 4, aggregation="average", periods=4))
    none = year_end(year([None, None], [8] * 4, aggregation="average", periods=4))

    assert single.value == D(7)
    assert single.misses_goal is True
    assert none.value is None
    assert none.misses_goal is False


def test_a_range_kpi_is_not_judged_against_one_goal():
    result = year_end(year([1, 2, 3], [5] * 12, aggregation="average", direction="range"))

    assert result.misses_goal is False
