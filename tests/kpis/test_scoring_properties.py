"""Properties of the scoring engine that hold whatever the numbers (hypothesis).

The formula's properties are checked on `score` and `range_score`; the properties under "one
path" prove that `evaluate_kpi` and `evaluate_view`, which `kpis.selectors.plan_scorecard`
calls for every KPI, give exactly those scores, and that the words change no number.
"""

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from kpis.combined_periods import PeriodValues, combine_periods, evaluate_view
from kpis.explanations import explain_kpi, explain_rollup, explain_view
from kpis.scoring import (
    Direction,
    ScoreStatus,
    Trend,
    derive_red_flag,
    display_score,
    evaluate_kpi,
    range_score,
    rollup,
    score,
    score_to_decimal,
    status_for,
    trend,
    validate_target,
)

values = st.decimals(
    min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False
)
margins = st.decimals(
    min_value=Decimal("0.0001"), max_value=10**6, places=4, allow_nan=False, allow_infinity=False
)
tolerances = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(5), places=4)
scores = st.fractions(min_value=0, max_value=10, max_denominator=1000)
weights = st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False)
named_children = st.lists(
    st.tuples(st.text(min_size=1, max_size=5), st.none() | scores, weights), max_size=8
)


@given(values, values, values)
def test_score_never_leaves_zero_to_ten(actual, goal, red_flag):
    assume(goal != red_flag)
    result = score(actual, goal, red_flag)
    assert result is not None
    assert 0 <= result <= 10


@given(values, values, values, margins)
def test_score_rises_with_the_actual_when_higher_is_better(first, second, goal, margin):
    low, high = sorted([first, second])
    red_flag = goal - margin
    assert score(low, goal, red_flag) <= score(high, goal, red_flag)


@given(values, values, values, margins)
def test_score_falls_with_the_actual_when_lower_is_better(first, second, goal, margin):
    low, high = sorted([first, second])
    red_flag = goal + margin
    assert score(low, goal, red_flag) >= score(high, goal, red_flag)


@given(
    values, values, values, tolerances, st.sampled_from([Direction.INCREASE, Direction.DECREASE])
)
def test_evaluated_score_moves_the_kpis_way_with_a_derived_red_flag(
    first, second, goal, tolerance, direction
):
    assume(goal != 0)
    low, high = sorted([first, second])
    low_score = evaluate_kpi(direction=direction, actual=low, goal=goal, tolerance=tolerance).score
    high_score = evaluate_kpi(
        direction=direction, actual=high, goal=goal, tolerance=tolerance
    ).score
    assert low_score is not None
    assert high_score is not None
    if direction is Direction.INCREASE:
        assert low_score <= high_score
    else:
        assert low_score >= high_score


@given(values, values)
def test_actual_at_the_goal_scores_six_point_six_seven_and_at_the_red_flag_three_point_three_three(
    goal, red_flag
):
    assume(goal != red_flag)
    at_goal = score(goal, goal, red_flag)
    at_red_flag = score(red_flag, goal, red_flag)
    assert at_goal == Fraction(20, 3)
    assert at_red_flag == Fraction(10, 3)
    assert score_to_decimal(at_goal, places=2) == Decimal("6.67")
    assert score_to_decimal(at_red_flag, places=2) == Decimal("3.33")
    assert (display_score(at_goal), display_score(at_red_flag)) == ("6.7", "3.3")
    assert status_for(at_goal) is ScoreStatus.ON_TRACK
    assert status_for(at_red_flag) is ScoreStatus.AT_RISK


@given(
    st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**9),
    st.integers(min_value=0, max_value=6),
)
def test_stored_and_shown_scores_round_half_away_from_zero_exactly(value, places):
    # The definition, in fractions: the units are floor(|value| · 10^places + 1/2).
    units = math.floor(abs(value) * 10**places + Fraction(1, 2))
    expected = Decimal(-units if value < 0 else units).scaleb(-places)
    assert score_to_decimal(value, places=places) == expected
    assert str(score_to_decimal(value, places=places)) == str(expected)
    assert display_score(value) == str(score_to_decimal(value, places=1))


@given(values, values, margins)
def test_status_follows_goal_and_red_flag_exactly_when_higher_is_better(actual, goal, margin):
    red_flag = goal - margin
    status = status_for(score(actual, goal, red_flag))
    if actual >= goal:
        assert status is ScoreStatus.ON_TRACK
    elif actual >= red_flag:
        assert status is ScoreStatus.AT_RISK
    else:
        assert status is ScoreStatus.OFF_TRACK


@given(values, values, margins)
def test_status_follows_goal_and_red_flag_exactly_when_lower_is_better(actual, goal, margin):
    red_flag = goal + margin
    status = status_for(score(actual, goal, red_flag))
    if actual <= goal:
        assert status is ScoreStatus.ON_TRACK
    elif actual <= red_flag:
        assert status is ScoreStatus.AT_RISK
    else:
        assert status is ScoreStatus.OFF_TRACK


@given(values, values, margins)
def test_a_hair_short_of_the_goal_or_red_flag_drops_a_band(goal, hair, margin):
    assume(hair > 0)
    hair = min(hair, margin) / 2
    red_flag = goal - margin
    assert status_for(score(goal - hair, goal, red_flag)) is ScoreStatus.AT_RISK
    assert status_for(score(red_flag - hair, goal, red_flag)) is ScoreStatus.OFF_TRACK


@given(values, values, st.none() | values, tolerances)
def test_mirroring_a_kpis_direction_mirrors_its_score(actual, goal, red_flag, tolerance):
    assume(goal != red_flag)
    higher = evaluate_kpi(
        direction=Direction.INCREASE,
        actual=actual,
        goal=goal,
        red_flag=red_flag,
        tolerance=tolerance,
    )
    lower = evaluate_kpi(
        direction=Direction.DECREASE,
        actual=-actual,
        goal=-goal,
        red_flag=None if red_flag is None else -red_flag,
        tolerance=tolerance,
    )
    assert lower.score == higher.score
    assert lower.status is higher.status
    if red_flag is None and higher.red_flag is not None:
        assert lower.red_flag == -higher.red_flag


@given(values, values, margins, margins, margins)
def test_mirroring_a_range_kpi_mirrors_its_score(actual, goal, width, low_margin, high_margin):
    goal_high = goal + width
    red_flag, red_flag_high = goal - low_margin, goal_high + high_margin
    original = range_score(actual, goal, red_flag, goal_high, red_flag_high)
    mirrored = range_score(-actual, -goal_high, -red_flag_high, -goal, -red_flag)
    assert original == mirrored


@given(values, values, st.decimals(min_value=0, max_value=10**6, places=4), margins, margins)
def test_range_score_is_at_most_each_one_sided_score(actual, goal, width, low_margin, high_margin):
    goal_high = goal + width
    red_flag, red_flag_high = goal - low_margin, goal_high + high_margin
    both = range_score(actual, goal, red_flag, goal_high, red_flag_high)
    assert both is not None
    assert both <= score(actual, goal, red_flag)
    assert both <= score(actual, goal_high, red_flag_high)
    inside = goal <= actual <= goal_high
    assert (status_for(both) is ScoreStatus.ON_TRACK) == inside


@given(values, tolerances, st.sampled_from(list(Direction)))
def test_a_red_flag_derived_from_a_tolerance_makes_a_valid_target(goal, tolerance, direction):
    assume(goal != 0)
    goal_high = goal + 2 * abs(goal) if direction is Direction.RANGE else None
    assert validate_target(direction, goal, None, goal_high, None, tolerance) == {}
    red_flag = derive_red_flag(goal, direction, tolerance)
    assert red_flag is not None
    if direction is Direction.DECREASE:
        assert red_flag > goal
    else:
        assert red_flag < goal


@given(values, margins, st.sampled_from([Direction.INCREASE, Direction.DECREASE]))
def test_a_red_flag_on_the_wrong_side_is_refused(goal, margin, direction):
    wrong = goal + margin if direction is Direction.INCREASE else goal - margin
    assert "red_flag" in validate_target(direction, goal, wrong)


@given(scores, st.lists(weights, min_size=1, max_size=8))
def test_a_rollup_of_children_with_equal_scores_has_that_score(value, child_weights):
    assume(any(weight > 0 for weight in child_weights))
    children = [(f"child {n}", value, weight) for n, weight in enumerate(child_weights)]
    result = rollup(children)
    assert result.score == value
    assert result.status is status_for(value)


@given(named_children, st.none() | scores, st.integers(min_value=0, max_value=8))
def test_a_child_with_weight_zero_changes_nothing(children, extra_score, position):
    before = rollup(children)
    after = rollup([*children[:position], ("extra", extra_score, Decimal(0)), *children[position:]])
    assert after.score == before.score
    assert after.status is before.status
    assert after.total == before.total + 1


@given(named_children)
def test_a_rollup_lies_between_its_lowest_and_highest_counted_child(children):
    result = explain_rollup(rollup(children))
    counted = [s for _, s, w in children if s is not None and w > 0]
    if not counted:
        assert result.score is None
    else:
        assert min(counted) <= result.score <= max(counted)
    assert result.reported == sum(1 for _, s, _ in children if s is not None)
    assert len(result.explanation) == len(children) + 2


@given(scores, scores)
def test_trend_one_way_is_the_opposite_trend_the_other_way(now, before):
    forward, backward = trend(now, before), trend(before, now)
    opposite = {Trend.UP: Trend.DOWN, Trend.DOWN: Trend.UP, Trend.FLAT: Trend.FLAT}
    assert backward is opposite[forward]


# --- the engine works in integers; the design's formulas in fractions give the same numbers ---

# Values as stored (20 digits, 6 decimals) and as combined views make them (averages).
exact_values = values | st.decimals(
    min_value=-(10**13), max_value=10**13, places=6, allow_nan=False, allow_infinity=False
)


@given(exact_values, exact_values, exact_values)
def test_the_score_is_the_design_formula_in_fractions_to_the_last_digit(actual, goal, red_flag):
    assume(goal != red_flag)
    a, g, r = Fraction(actual), Fraction(goal), Fraction(red_flag)
    unclamped = Fraction(10, 3) * (1 + (a - r) / (g - r))
    assert score(actual, goal, red_flag) == min(max(unclamped, Fraction(0)), Fraction(10))


@given(st.fractions(min_value=-1, max_value=11, max_denominator=10**9))
def test_the_status_compares_the_score_exactly_with_twenty_and_ten_thirds(value):
    expected = (
        ScoreStatus.ON_TRACK
        if value >= Fraction(20, 3)
        else ScoreStatus.AT_RISK
        if value >= Fraction(10, 3)
        else ScoreStatus.OFF_TRACK
    )
    assert status_for(value) is expected


@given(scores, scores | st.decimals(min_value=0, max_value=10, places=3))
def test_the_trend_is_flat_exactly_below_a_change_of_one_tenth(now, before):
    change = now - Fraction(before)
    expected = (
        Trend.FLAT if abs(change) < Fraction(1, 10) else Trend.UP if change > 0 else Trend.DOWN
    )
    assert trend(now, before) is expected


@given(named_children)
def test_a_rollup_is_the_weighted_average_in_fractions_to_the_last_digit(children):
    counted = [(s, Fraction(w)) for _, s, w in children if s is not None and w > 0]
    result = rollup(children)
    if not counted:
        assert result.score is None
        return
    total = sum(w for _, w in counted)
    assert result.score == sum(s * w for s, w in counted) / total
    shares = [line.share for line in result.children if line.counted]
    assert shares == [w / total for _, w in counted]
    assert sum(shares) == 1


# --- one path: what the scorecard runs is what the formula's properties check ----------------

directions = st.sampled_from(list(Direction))


@given(directions, st.none() | values, values, st.none() | values, margins, st.none() | margins)
def test_evaluate_kpi_scores_with_the_tested_formula(
    direction, actual, goal, red_flag, width, red_flag_high_margin
):
    goal_high = goal + width if direction is Direction.RANGE else None
    red_flag_high = (
        None
        if goal_high is None or red_flag_high_margin is None
        else goal_high + red_flag_high_margin
    )
    result = evaluate_kpi(
        direction=direction,
        actual=actual,
        goal=goal,
        red_flag=red_flag,
        goal_high=goal_high,
        red_flag_high=red_flag_high,
    )
    if direction is Direction.RANGE:
        expected = range_score(
            actual, goal, result.red_flag, result.goal_high, result.red_flag_high
        )
    else:
        expected = score(actual, goal, result.red_flag)
    assert result.score == expected
    assert result.status is status_for(expected)
    if red_flag is not None:
        assert result.red_flag == red_flag
    assert explain_kpi(result).score == expected


@given(directions, values, values, st.none() | values, margins, scores)
def test_a_view_of_one_period_scores_like_that_period(
    direction, actual, goal, red_flag, width, previous
):
    goal_high = goal + width if direction is Direction.RANGE else None
    month = date(2026, 1, 1)
    period = PeriodValues(actual, goal, red_flag, goal_high, None)
    combined = combine_periods([month], {month: period}, "sum", direction=direction)
    view = evaluate_view(combined, direction=direction, previous_score=previous)
    single = evaluate_kpi(
        direction=direction,
        actual=actual,
        goal=goal,
        red_flag=red_flag,
        goal_high=goal_high,
        previous_score=previous,
    )
    assert (view.score, view.status, view.trend) == (single.score, single.status, single.trend)
    explained = explain_view(view, combined)
    assert (explained.score, explained.status) == (view.score, view.status)
