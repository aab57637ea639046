"""The pure scoring engine, by example: score, status, red flags, variance, trend, roll-ups."""

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from kpis import models
from kpis.explanations import explain_kpi, explain_rollup
from kpis.scoring import (
    Aggregation,
    Direction,
    KpiResult,
    ScoreStatus,
    Trend,
    derive_red_flag,
    derive_red_flag_high,
    display_score,
    evaluate_kpi,
    favourable,
    range_score,
    rollup,
    score,
    score_to_decimal,
    status_for,
    trend,
    validate_target,
    variance,
    variance_pct,
)

D = Decimal


# --- the enums speak the models' language ----------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (Direction, models.Direction),
        (ScoreStatus, models.ScoreStatus),
        (Aggregation, models.Aggregation),
    ],
)
def test_scoring_enums_have_the_same_values_as_the_model_choices(ours, theirs):
    assert {member.value for member in ours} == set(theirs.values)


# --- score -----------------------------------------------------------------------------------


def test_actual_at_the_goal_scores_exactly_twenty_thirds():
    assert score(D(100), D(100), D(90)) == Fraction(20, 3)


def test_actual_at_the_red_flag_scores_exactly_ten_thirds():
    assert score(D(90), D(100), D(90)) == Fraction(10, 3)


def test_actual_halfway_between_red_flag_and_goal_scores_five():
    assert score(D(95), D(100), D(90)) == 5


def test_score_reaches_ten_one_step_beyond_the_goal_and_stops_there():
    assert score(D(110), D(100), D(90)) == 10
    assert score(D(1000), D(100), D(90)) == 10


def test_score_reaches_zero_one_step_short_of_the_red_flag_and_stops_there():
    assert score(D(80), D(100), D(90)) == 0
    assert score(D(-1000), D(100), D(90)) == 0


def test_lower_is_better_uses_the_same_formula_with_the_red_flag_above_the_goal():
    assert score(D(4), D(5), D(8)) == Fraction(70, 9)
    assert score(D(5), D(5), D(8)) == Fraction(20, 3)
    assert score(D(8), D(5), D(8)) == Fraction(10, 3)


@pytest.mark.parametrize(
    ("actual", "goal", "red_flag"),
    [(None, D(1), D(0)), (D(1), None, D(0)), (D(1), D(1), None), (D(1), D(5), D(5))],
)
def test_score_is_none_when_a_number_is_missing_or_the_goal_equals_the_red_flag(
    actual, goal, red_flag
):
    assert score(actual, goal, red_flag) is None


def test_range_score_is_the_smaller_of_the_two_edges():
    assert range_score(D(21), D(19), D(17), D(23), D(26)) == Fraction(80, 9)
    assert range_score(D("24.5"), D(19), D(17), D(23), D(26)) == 5


def test_range_score_is_none_without_the_upper_edge():
    assert range_score(D(21), D(19), D(17), None, None) is None


# --- status and display ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(20, 3), ScoreStatus.ON_TRACK),
        (D("6.667"), ScoreStatus.ON_TRACK),
        (D("6.666"), ScoreStatus.AT_RISK),
        (Fraction(10, 3), ScoreStatus.AT_RISK),
        (D("3.333"), ScoreStatus.OFF_TRACK),
        (Fraction(0), ScoreStatus.OFF_TRACK),
        (Fraction(10), ScoreStatus.ON_TRACK),
        (None, ScoreStatus.NO_DATA),
    ],
)
def test_status_bands_are_compared_exactly(value, expected):
    assert status_for(value) is expected


def test_rounded_six_point_six_seven_is_not_how_status_is_decided():
    # Only just short of the goal: it would round to 6.67, yet the goal is not reached.
    just_short = score(D("99.9999"), D(100), D(90))
    assert display_score(just_short) == "6.7"
    assert status_for(just_short) is ScoreStatus.AT_RISK


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(20, 3), "6.7"),
        (Fraction(10, 3), "3.3"),
        (Fraction(0), "0.0"),
        (Fraction(10), "10.0"),
        (Fraction(1, 20), "0.1"),
        (D("4.25"), "4.3"),
        (None, "—"),
    ],
)
def test_display_score_shows_one_decimal_rounding_half_up(value, shown):
    assert display_score(value) == shown


def test_score_to_decimal_rounds_for_storage():
    assert score_to_decimal(Fraction(20, 3)) == D("6.667")
    assert score_to_decimal(Fraction(10, 3), places=2) == D("3.33")
    assert score_to_decimal(None) is None


# --- red flags from the tolerance ------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "direction", "tolerance", "expected"),
    [
        (D(100), Direction.INCREASE, D("0.1"), D(90)),
        (D(100), Direction.DECREASE, D("0.1"), D(110)),
        (D(-50), Direction.INCREASE, D("0.1"), D(-55)),
        (D(-50), Direction.DECREASE, D("0.1"), D(-45)),
        (D(2), Direction.DECREASE, D("0.25"), D("2.5")),
        (D(19), Direction.RANGE, D("0.1"), D("17.1")),
        (D(0), Direction.INCREASE, D("0.1"), None),
        (D(100), Direction.INCREASE, D(0), None),
    ],
)
def test_red_flag_derived_from_the_tolerance(goal, direction, tolerance, expected):
    assert derive_red_flag(goal, direction, tolerance) == expected


def test_upper_red_flag_of_a_range_lies_above_the_band():
    assert derive_red_flag_high(D(23), D("0.1")) == D("25.3")


def test_a_negative_tolerance_is_a_programming_error():
    with pytest.raises(ValueError, match="negative"):
        derive_red_flag(D(100), Direction.INCREASE, D("-0.1"))


# --- refusing bad targets ----------------------------------------------------------------------


def test_a_sound_target_has_no_errors():
    assert validate_target(Direction.INCREASE, D(100), D(90)) == {}
    assert validate_target(Direction.DECREASE, D(5), D(8)) == {}
    assert validate_target(Direction.INCREASE, D(100)) == {}
    assert validate_target(Direction.RANGE, D(19), D(17), D(23), D(26)) == {}
    assert validate_target(Direction.RANGE, D(19), None, D(19), None) == {}


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ((Direction.INCREASE, D(100), D(100)), "red_flag", "must differ from the goal"),
        ((Direction.INCREASE, D(100), D(110)), "red_flag", "Higher is better"),
        ((Direction.DECREASE, D(5), D(4)), "red_flag", "Lower is better"),
        ((Direction.DECREASE, D(0)), "red_flag", "A goal of 0 has no relative tolerance"),
        ((Direction.INCREASE, D(10), None, None, None, D(0)), "red_flag", "tolerance is 0"),
        ((Direction.INCREASE, D(10), D(9), D(12)), "goal_high", "Only a range KPI"),
        ((Direction.RANGE, D(19), D(17)), "goal_high", "needs the upper edge"),
        ((Direction.RANGE, D(23), D(17), D(19), D(26)), "goal_high", "band is inverted"),
        ((Direction.RANGE, D(19), D(20), D(23), D(26)), "red_flag", "lower red flag"),
        ((Direction.RANGE, D(19), D(17), D(23), D(22)), "red_flag_high", "upper red flag"),
        ((Direction.RANGE, D(19), D(17), D(23), D(23)), "red_flag_high", "must differ"),
        ((Direction.RANGE, D(0), None, D(5), D(6)), "red_flag", "lower goal of 0"),
    ],
)
def test_a_bad_target_is_refused_with_a_message_on_the_field(args, field, message):
    errors = validate_target(*args)
    assert field in errors
    assert message in errors[field]


# --- variance, favourable, trend ---------------------------------------------------------------


def test_variance_and_its_ratio_to_the_goal():
    assert variance(D(95), D(100)) == D(-5)
    assert variance_pct(D(95), D(100)) == D("-0.05")
    assert variance_pct(D(-60), D(-50)) == D("-0.2")


def test_variance_ratio_is_none_for_a_goal_of_zero():
    assert variance(D(2), D(0)) == D(2)
    assert variance_pct(D(2), D(0)) is None


@pytest.mark.parametrize(
    ("actual", "expected_variance", "expected_pct"),
    [(D(17), D(-2), D(-2) / D(19)), (D(21), D(0), D(0)), (D(25), D(2), D(2) / D(23))],
)
def test_variance_of_a_range_kpi_is_measured_from_the_nearest_edge(
    actual, expected_variance, expected_pct
):
    assert variance(actual, D(19), goal_high=D(23)) == expected_variance
    assert variance_pct(actual, D(19), goal_high=D(23)) == expected_pct


@pytest.mark.parametrize(
    ("actual", "direction", "expected"),
    [
        (D(100), Direction.INCREASE, True),
        (D(99), Direction.INCREASE, False),
        (D(100), Direction.DECREASE, True),
        (D(101), Direction.DECREASE, False),
        (None, Direction.INCREASE, None),
    ],
)
def test_favourable_when_the_goal_is_met_the_kpis_way(actual, direction, expected):
    assert favourable(actual, D(100), direction) is expected


def test_favourable_for_a_range_kpi_means_inside_the_band():
    assert favourable(D(21), D(19), Direction.RANGE, goal_high=D(23)) is True
    assert favourable(D(23), D(19), Direction.RANGE, goal_high=D(23)) is True
    assert favourable(D(24), D(19), Direction.RANGE, goal_high=D(23)) is False
    assert favourable(D(24), D(19), Direction.RANGE) is None


@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [
        (D("5.1"), D(5), Trend.UP),
        (D("4.9"), D(5), Trend.DOWN),
        (D("5.09"), D(5), Trend.FLAT),
        (Fraction(20, 3), Fraction(20, 3) - Fraction(1, 10), Trend.UP),
        (Fraction(20, 3), D("6.6"), Trend.FLAT),
        (None, D(5), None),
        (D(5), None, None),
    ],
)
def test_trend_is_flat_below_a_change_of_a_tenth(now, before, expected):
    assert trend(now, before) is expected


# --- one KPI, all together ---------------------------------------------------------------------


def explained(**values: Any) -> KpiResult:
    """`evaluate_kpi`, then its words, as the scorecard does it."""
    return explain_kpi(evaluate_kpi(**values))


def test_evaluate_kpi_derives_the_red_flag_and_explains_the_score():
    result = explained(direction="increase", actual=D(95), goal=D(100))
    assert result.red_flag == D(90)
    assert result.red_flag_derived
    assert result.score == 5
    assert result.status is ScoreStatus.AT_RISK
    assert result.variance == D(-5)
    assert result.variance_pct == D("-0.05")
    assert result.favourable is False
    assert result.trend is None
    text = "\n".join(result.explanation)
    assert "Actual 95, goal 100, red flag 90 (derived: 10 % of |100| below the goal)" in text
    assert "10/3 · (1 + (95 - 90) / (100 - 90)) = 5.0" in text
    assert "at risk" in text


def test_evaluate_kpi_uses_a_stated_red_flag_and_reports_the_trend():
    result = explained(
        direction=Direction.DECREASE, actual=D(4), goal=D(5), red_flag=D(8), previous_score=D(5)
    )
    assert not result.red_flag_derived
    assert result.display_score == "7.8"
    assert result.status is ScoreStatus.ON_TRACK
    assert result.favourable is True
    assert result.trend is Trend.UP
    assert result.explanation[-1] == "Trend: up (previous score 5.0)."


def test_evaluate_kpi_explains_a_score_held_at_ten():
    result = explained(direction="increase", actual=D(130), goal=D(100), red_flag=D(90))
    assert result.score == 10
    assert any("capped at 10" in line for line in result.explanation)


def test_evaluate_kpi_without_an_actual_has_no_data_but_keeps_the_target():
    result = explained(direction="increase", actual=None, goal=D(100))
    assert result.status is ScoreStatus.NO_DATA
    assert result.score is None
    assert result.goal == D(100)
    assert result.red_flag == D(90)
    assert result.periods_reported == 0
    assert "No actual for this period, so no score." in result.explanation


def test_evaluate_kpi_without_a_target_has_no_data():
    result = explained(direction="increase", actual=D(5), goal=None)
    assert result.status is ScoreStatus.NO_DATA
    assert result.variance is None
    assert "No target for this period, so no score." in result.explanation


def test_evaluate_kpi_with_a_zero_goal_and_no_red_flag_says_why_there_is_no_score():
    result = explained(direction="decrease", actual=D(0), goal=D(0))
    assert result.status is ScoreStatus.NO_DATA
    assert any("from a goal of 0" in line for line in result.explanation)


def test_evaluate_kpi_of_a_range_kpi_explains_both_edges():
    result = explained(
        direction="range",
        actual=D("24.5"),
        goal=D(19),
        red_flag=D(17),
        goal_high=D(23),
        red_flag_high=D(26),
    )
    assert result.score == 5
    assert result.variance == D("1.5")
    assert result.favourable is False
    text = "\n".join(result.explanation)
    assert "Against the lower edge" in text
    assert "Against the upper edge" in text
    assert "The score is the smaller of the two: 5.0." in text


def test_evaluate_kpi_of_a_range_kpi_derives_both_red_flags():
    result = explained(direction="range", actual=D(112), goal=D(90), goal_high=D(110))
    assert (result.red_flag, result.red_flag_high) == (D(81), D(121))
    assert result.red_flag_derived
    assert result.red_flag_high_derived
    assert result.display_score == "6.1"


def test_evaluate_kpi_ignores_upper_values_for_a_one_sided_kpi():
    result = explained(
        direction="increase", actual=D(95), goal=D(100), red_flag=D(90), goal_high=D(120)
    )
    assert result.goal_high is None
    assert result.score == 5


def calculated_kpi_explanation(hidden: set[str]) -> str:
    """The first line explaining 100 * WON / LEADS with WON = 12 and LEADS = 40."""
    result = evaluate_kpi(direction="increase", actual=D(30), goal=D(25), red_flag=D(20))
    return explain_kpi(
        result,
        formula="100 * WON / LEADS",
        inputs={"WON": D(12), "LEADS": D(40)},
        hidden_inputs=hidden,
    ).explanation[0]


def test_evaluate_kpi_of_a_calculated_kpi_names_the_formula_and_its_inputs():
    assert calculated_kpi_explanation(set()) == (
        "Actual calculated as 100 * WON / LEADS with LEADS = 40, WON = 12."
    )


def test_evaluate_kpi_neither_names_nor_values_inputs_the_reader_cannot_see():
    assert calculated_kpi_explanation({"LEADS"}) == (
        "Actual calculated as 100 * WON / [a KPI you cannot see] with WON = 12 and "
        "a KPI you cannot see."
    )
    assert calculated_kpi_explanation({"LEADS", "WON"}) == (
        "Actual calculated as 100 * [a KPI you cannot see] / [a KPI you cannot see] "
        "with 2 KPIs you cannot see."
    )


# --- roll-ups ----------------------------------------------------------------------------------


def test_rollup_is_the_weighted_average_of_the_children_with_data():
    result = rollup([("F1", D(8), D(2)), ("F2", D(5), D(1)), ("F3", None, D(3))])
    assert result.score == 7
    assert result.status is ScoreStatus.ON_TRACK
    assert (result.reported, result.total) == (2, 3)
    assert result.coverage("KPIs") == "2 of 3 KPIs reported"


def test_rollup_explains_each_child_with_its_score_and_weight():
    result = explain_rollup(
        rollup([("F1", D(8), D(2)), ("F2", D(5), D(1)), ("F3", None, D(3)), ("F4", D(1), 0)])
    )
    assert result.explanation == (
        "F1: score 8.0, weight 2 (66.67 % of the total).",
        "F2: score 5.0, weight 1 (33.33 % of the total).",
        "F3: no data, weight 3 (left out).",
        "F4: score 1.0, weight 0 (does not count).",
        "Score = (8.0 · 2 + 5.0 · 1) / 3 = 7.0: on track.",
        "3 of 4 reported.",
    )
    assert [line.counted for line in result.children] == [True, True, False, False]
    assert result.children[0].share == Fraction(2, 3)


def test_rollup_keeps_child_scores_exact():
    result = rollup([("a", Fraction(20, 3), 1), ("b", Fraction(20, 3), 5)])
    assert result.score == Fraction(20, 3)
    assert result.status is ScoreStatus.ON_TRACK


@pytest.mark.parametrize(
    "children",
    [[], [("a", None, 1)], [("a", D(5), 0), ("b", None, 1)]],
)
def test_rollup_without_data_and_weight_has_no_score(children):
    result = rollup(children)
    assert result.score is None
    assert result.status is ScoreStatus.NO_DATA
    assert result.display_score == "—"


def test_rollup_refuses_a_negative_weight():
    with pytest.raises(ValueError, match="negative"):
        rollup([("a", D(5), D(-1))])
