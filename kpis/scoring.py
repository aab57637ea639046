"""Scoring of KPIs, period views and roll-ups, with no Django in it (DESIGN.md §4).

Every KPI in a period is scored the same way from its actual `a`, goal `G` and red flag `R`:

    score = clamp(10/3 · (1 + (a - R) / (G - R)), 0, 10)

Exactness. Values come in as `Decimal`; scores are computed and returned as `Fraction`, so
`a = G` gives exactly 20/3 and `a = R` exactly 10/3, and the status bands are compared
exactly. A score is rounded only when it leaves the engine: `display_score` (one decimal, for
people) and `score_to_decimal` (three decimals, for storage). Decide a status from the exact
score, never from a stored rounded one: 10/3 stored as 3.333 lies below the at-risk line.

Period views. A monthly KPI seen per quarter or year-to-date (or a quarterly KPI per year)
combines the actuals of its periods with the KPI's aggregation, and the targets with the same
aggregation: for `sum` the goal is the sum of the periods' goals and the red flag the sum of
their red flags, for `average` the averages, for `last` the target of the last period used,
for `min`/`max` the smallest/largest goal and red flag. A missing red flag is derived from the
tolerance period by period, before combining, so stated and derived red flags mix correctly.

A partly reported view (two of a quarter's three months in) combines the actuals of the
reported periods only and compares them with the targets of *those* periods only: two months
of revenue against two months of goals, not against the whole quarter's goal (which would
look alarming every month) nor against an average that hides the gap. The result carries
`periods_reported`/`periods_expected` and `complete=False`, so a screen shows it as
"2 of 3 months reported", never as a finished quarter. A reported period without a target
leaves the view without a target (no data), because comparing three months of actuals with
two months of goals would be wrong. When nothing is reported yet, the targets of all the
view's periods are combined so the view can still show what it aims for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from kpis import formulas, periods


class Direction(StrEnum):
    """Which way is good; the values match `kpis.models.Direction`."""

    INCREASE = "increase"
    DECREASE = "decrease"
    RANGE = "range"


class Status(StrEnum):
    """The colour band of a score; the values match `kpis.models.Status`."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Aggregation(StrEnum):
    """How a KPI's periods combine into a longer one; the values match `kpis.models.Aggregation`."""

    SUM = "sum"
    AVERAGE = "average"
    LAST = "last"
    MIN = "min"
    MAX = "max"


class Trend(StrEnum):
    UP = "up"
    DOWN = "down"
    FLAT = "flat"


class View(StrEnum):
    """A longer period in which a KPI's own periods are combined."""

    QUARTER = "quarter"
    YEAR = "year"
    YEAR_TO_DATE = "ytd"


Score = Fraction
ScoreLike = Fraction | Decimal

MIN_SCORE = Fraction(0)
MAX_SCORE = Fraction(10)
AT_RISK_FROM = Fraction(10, 3)  # the score of an actual equal to the red flag
ON_TRACK_FROM = Fraction(20, 3)  # the score of an actual equal to the goal
FLAT_BELOW = Fraction(1, 10)  # a smaller change in score than this is no trend
DEFAULT_TOLERANCE = Decimal("0.1")

# What a reader is told in place of a KPI or an objective they may not see (DESIGN.md §5).
HIDDEN_KPI = "a KPI you cannot see"
HIDDEN_OBJECTIVE = "an objective you cannot see"

# Values have at most 20 digits, so sums and products of a few of them fit exactly in 60.
_PRECISION = 60


# --- numbers and words -------------------------------------------------------------------------


def _fraction(value: ScoreLike) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """`value` rounded half away from zero to `places` decimals, exactly (no double rounding)."""
    scaled = abs(value) * 10**places
    units = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    return Decimal(-units if value < 0 else units).scaleb(-places)


def display_score(score: ScoreLike | None) -> str:
    """A score as people see it, with one decimal ("6.7"), or "—" when there is none."""
    if score is None:
        return "—"
    return str(_round_half_up(_fraction(score), 1))


def score_to_decimal(score: ScoreLike | None, places: int = 3) -> Decimal | None:
    """A score rounded for storage (three decimals by default, like `VarianceLine.score`)."""
    return None if score is None else _round_half_up(_fraction(score), places)


def _fmt(value: Decimal | Fraction) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return str(_round_half_up(value, 2))
    return format(value.normalize(), "f") if value.is_finite() else str(value)


def _term(value: Decimal) -> str:
    """A number inside a formula, in parentheses when negative."""
    text = _fmt(value)
    return f"({text})" if value < 0 else text


def _percent(ratio: Decimal) -> str:
    return f"{_fmt(ratio * 100)} %"


# --- red flags and validation ------------------------------------------------------------------


def derive_red_flag(
    goal: Decimal, direction: Direction | str, tolerance: Decimal = DEFAULT_TOLERANCE
) -> Decimal | None:
    """The red flag implied by the tolerance: `t·|G|` on the failing side of the goal.

    For a range KPI this is the lower red flag (the upper one is `derive_red_flag_high`).
    None when the goal or the tolerance is 0: there is then no room between goal and red flag.
    """
    if tolerance < 0:
        raise ValueError(f"a tolerance cannot be negative, not {tolerance}")
    with localcontext(prec=_PRECISION):
        margin = tolerance * abs(goal)
        if margin == 0:
            return None
        if Direction(direction) is Direction.DECREASE:
            return goal + margin
        return goal - margin


def derive_red_flag_high(
    goal_high: Decimal, tolerance: Decimal = DEFAULT_TOLERANCE
) -> Decimal | None:
    """The upper red flag of a range KPI implied by the tolerance: `t·|G_high|` above the band."""
    return derive_red_flag(goal_high, Direction.DECREASE, tolerance)


def validate_target(
    direction: Direction | str,
    goal: Decimal,
    red_flag: Decimal | None = None,
    goal_high: Decimal | None = None,
    red_flag_high: Decimal | None = None,
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> dict[str, str]:
    """What is wrong with a Target, as {field: message}; empty when it can be scored.

    Refuses a red flag equal to the goal or on the wrong side of it for the direction, a red
    flag that cannot be derived (goal 0 or tolerance 0), and for range KPIs a missing or
    inverted band and red flags inside it. At most one message per field, the first found.
    """
    direction = Direction(direction)
    errors: dict[str, str] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, message)

    def check_derivable(field: str, edge: Decimal, what: str) -> None:
        if edge == 0:
            refuse(field, f"{what} of 0 has no relative tolerance: state the red flag.")
        elif tolerance == 0:
            refuse(field, "The KPI's tolerance is 0, so no red flag can be derived: state it.")

    if red_flag is not None and red_flag == goal:
        refuse("red_flag", "The red flag must differ from the goal.")
    if direction is not Direction.RANGE:
        if red_flag is None:
            check_derivable("red_flag", goal, "A goal")
        elif direction is Direction.INCREASE and red_flag > goal:
            refuse("red_flag", "Higher is better, so the red flag must lie below the goal.")
        elif direction is Direction.DECREASE and red_flag < goal:
            refuse("red_flag", "Lower is better, so the red flag must lie above the goal.")
        if goal_high is not None:
            refuse("goal_high", "Only a range KPI has an upper goal.")
        if red_flag_high is not None:
            refuse("red_flag_high", "Only a range KPI has an upper red flag.")
        return errors

    if red_flag is None:
        check_derivable("red_flag", goal, "A lower goal")
    elif red_flag > goal:
        refuse("red_flag", "The lower red flag must lie below the band.")
    if goal_high is None:
        refuse("goal_high", "A range KPI needs the upper edge of its band.")
    elif goal_high < goal:
        refuse("goal_high", "The band is inverted: the upper goal lies below the lower one.")
    else:
        if red_flag_high is None:
            check_derivable("red_flag_high", goal_high, "An upper goal")
        elif red_flag_high == goal_high:
            refuse("red_flag_high", "The upper red flag must differ from the upper goal.")
        elif red_flag_high < goal_high:
            refuse("red_flag_high", "The upper red flag must lie above the band.")
    return errors


@dataclass(frozen=True)
class Thresholds:
    """The goal and the red flags a KPI is scored against, saying which red flags were derived."""

    goal: Decimal
    red_flag: Decimal | None
    goal_high: Decimal | None = None
    red_flag_high: Decimal | None = None
    red_flag_derived: bool = False
    red_flag_high_derived: bool = False


def resolve_thresholds(
    direction: Direction | str,
    goal: Decimal,
    red_flag: Decimal | None = None,
    goal_high: Decimal | None = None,
    red_flag_high: Decimal | None = None,
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> Thresholds:
    """A Target's goal and red flags, with the red flags it does not state derived."""
    direction = Direction(direction)
    derived = red_flag is None
    if derived:
        red_flag = derive_red_flag(goal, direction, tolerance)
    if direction is not Direction.RANGE:
        return Thresholds(goal, red_flag, red_flag_derived=derived and red_flag is not None)
    high_derived = red_flag_high is None and goal_high is not None
    if red_flag_high is None and goal_high is not None:
        red_flag_high = derive_red_flag_high(goal_high, tolerance)
    return Thresholds(
        goal,
        red_flag,
        goal_high,
        red_flag_high,
        red_flag_derived=derived and red_flag is not None,
        red_flag_high_derived=high_derived and red_flag_high is not None,
    )


# --- score, status, variance, trend ------------------------------------------------------------


def _raw_score(actual: Decimal, goal: Decimal, red_flag: Decimal) -> Fraction:
    a, g, r = Fraction(actual), Fraction(goal), Fraction(red_flag)
    return AT_RISK_FROM * (1 + (a - r) / (g - r))


def score(actual: Decimal | None, goal: Decimal | None, red_flag: Decimal | None) -> Score | None:
    """`clamp(10/3 · (1 + (a - R)/(G - R)), 0, 10)` exactly; None when a value is missing or G = R.

    The same formula serves both directions: with `G < R` it rewards lower values by itself.
    """
    if actual is None or goal is None or red_flag is None or goal == red_flag:
        return None
    return min(max(_raw_score(actual, goal, red_flag), MIN_SCORE), MAX_SCORE)


def range_score(
    actual: Decimal | None,
    goal: Decimal | None,
    red_flag: Decimal | None,
    goal_high: Decimal | None,
    red_flag_high: Decimal | None,
) -> Score | None:
    """The score of a range KPI: the smaller of the scores against each edge of the band."""
    low = score(actual, goal, red_flag)
    high = score(actual, goal_high, red_flag_high)
    if low is None or high is None:
        return None
    return min(low, high)


def status_for(score: ScoreLike | None) -> Status:
    """On track from 20/3 (the goal), at risk from 10/3 (the red flag), compared exactly."""
    if score is None:
        return Status.NO_DATA
    exact = _fraction(score)
    if exact >= ON_TRACK_FROM:
        return Status.ON_TRACK
    if exact >= AT_RISK_FROM:
        return Status.AT_RISK
    return Status.OFF_TRACK


def _variance_edge(actual: Decimal, goal: Decimal, goal_high: Decimal | None) -> Decimal | None:
    """The goal the actual is measured from: for a band, the nearest edge; None inside it."""
    if goal_high is None or actual < goal:
        return goal
    if actual > goal_high:
        return goal_high
    return None


def variance(
    actual: Decimal | None, goal: Decimal | None, *, goal_high: Decimal | None = None
) -> Decimal | None:
    """`a - G`. For a range KPI (`goal_high` given): the distance to the nearest edge, 0 inside."""
    if actual is None or goal is None:
        return None
    edge = _variance_edge(actual, goal, goal_high)
    if edge is None:
        return Decimal(0)
    with localcontext(prec=_PRECISION):
        return actual - edge


def variance_pct(
    actual: Decimal | None, goal: Decimal | None, *, goal_high: Decimal | None = None
) -> Decimal | None:
    """`(a - G) / |G|` as a ratio (0.25 is 25 %); None when that goal is 0. Bands as `variance`."""
    if actual is None or goal is None:
        return None
    edge = _variance_edge(actual, goal, goal_high)
    if edge is None:
        return Decimal(0)
    if edge == 0:
        return None
    with localcontext(prec=_PRECISION):
        difference = actual - edge
    return difference / abs(edge)


def favourable(
    actual: Decimal | None,
    goal: Decimal | None,
    direction: Direction | str,
    *,
    goal_high: Decimal | None = None,
) -> bool | None:
    """Whether the actual meets the goal the KPI's way (for a range KPI: lies inside the band)."""
    if actual is None or goal is None:
        return None
    direction = Direction(direction)
    if direction is Direction.INCREASE:
        return actual >= goal
    if direction is Direction.DECREASE:
        return actual <= goal
    if goal_high is None:
        return None
    return goal <= actual <= goal_high


def trend(score: ScoreLike | None, previous_score: ScoreLike | None) -> Trend | None:
    """Up, down or flat (a change smaller than 0.1) against the previous period's score."""
    if score is None or previous_score is None:
        return None
    change = _fraction(score) - _fraction(previous_score)
    if abs(change) < FLAT_BELOW:
        return Trend.FLAT
    return Trend.UP if change > 0 else Trend.DOWN


# --- one KPI in one period ---------------------------------------------------------------------


@dataclass(frozen=True)
class KpiResult:
    """Everything the scorecard shows for a KPI in a period, and the words that explain it.

    `red_flag`/`red_flag_high` are the ones used, stated or derived (see `*_derived`). `score`
    is exact; use `display_score` or `score_to_decimal` to show or store it.
    """

    direction: Direction
    actual: Decimal | None
    goal: Decimal | None
    red_flag: Decimal | None
    goal_high: Decimal | None
    red_flag_high: Decimal | None
    red_flag_derived: bool
    red_flag_high_derived: bool
    score: Score | None
    status: Status
    variance: Decimal | None
    variance_pct: Decimal | None
    favourable: bool | None
    trend: Trend | None
    explanation: tuple[str, ...]
    periods_expected: int = 1
    periods_reported: int = 1

    @property
    def complete(self) -> bool:
        """Whether every period of the view is reported."""
        return self.periods_reported >= self.periods_expected

    @property
    def display_score(self) -> str:
        return display_score(self.score)


def _red_flag_words(
    value: Decimal, derived: bool, edge: Decimal, tolerance: Decimal, combined: bool
) -> str:
    if not derived:
        return _fmt(value)
    if combined:
        return f"{_fmt(value)} (derived from the {_percent(tolerance)} tolerance, period by period)"
    side = "below" if value < edge else "above"
    return f"{_fmt(value)} (derived: {_percent(tolerance)} of |{_fmt(edge)}| {side} the goal)"


def _formula_words(actual: Decimal, goal: Decimal, red_flag: Decimal) -> tuple[str, Fraction]:
    raw = _raw_score(actual, goal, red_flag)
    clamped = min(max(raw, MIN_SCORE), MAX_SCORE)
    text = (
        f"10/3 · (1 + ({_term(actual)} - {_term(red_flag)}) / ({_term(goal)} - {_term(red_flag)}))"
        f" = {display_score(raw)}"
    )
    if raw > MAX_SCORE:
        text += ", capped at 10"
    elif raw < MIN_SCORE:
        text += ", raised to 0"
    return text, clamped


def _status_words(status: Status) -> str:
    if status is Status.ON_TRACK:
        return "Status: on track (the score is at least 6.67: the actual reaches the goal)."
    if status is Status.AT_RISK:
        return (
            "Status: at risk (the score is at least 3.33 but below 6.67: "
            "the actual reaches the red flag but not the goal)."
        )
    return "Status: off track (the score is below 3.33: the actual is beyond the red flag)."


def _evaluate(
    *,
    direction: Direction,
    actual: Decimal | None,
    thresholds: Thresholds | None,
    tolerance: Decimal,
    previous_score: ScoreLike | None,
    preamble: Sequence[str],
    periods_expected: int = 1,
    periods_reported: int | None = None,
    combined: bool = False,
) -> KpiResult:
    lines = list(preamble)
    t = thresholds
    goal = t.goal if t else None
    goal_high = t.goal_high if t and direction is Direction.RANGE else None
    result_score: Fraction | None = None

    if actual is None:
        lines.append("No actual for this period, so no score.")
    if t is None:
        lines.append("No target for this period, so no score.")
    elif direction is not Direction.RANGE:
        if t.red_flag is None:
            lines.append(
                f"Goal {_fmt(t.goal)} but no red flag, and none can be derived "
                + ("from a goal of 0" if t.goal == 0 else "with a tolerance of 0")
                + ": the target must state it, so no score."
            )
        elif t.red_flag == t.goal:
            lines.append("The red flag equals the goal, so there is no scale to score on.")
        else:
            red = _red_flag_words(t.red_flag, t.red_flag_derived, t.goal, tolerance, combined)
            if actual is not None:
                lines.append(f"Actual {_fmt(actual)}, goal {_fmt(t.goal)}, red flag {red}.")
                words, result_score = _formula_words(actual, t.goal, t.red_flag)
                lines.append(
                    f"Score = 10/3 · (1 + (actual - red flag) / (goal - red flag)) = {words}."
                )
            else:
                lines.append(f"Goal {_fmt(t.goal)}, red flag {red}.")
    elif t.goal_high is None or t.red_flag is None or t.red_flag_high is None:
        lines.append(
            "The range target lacks its upper goal or a red flag that can be derived, so no score."
        )
    elif t.red_flag == t.goal or t.red_flag_high == t.goal_high:
        lines.append("A red flag equals its edge of the band, so there is no scale to score on.")
    else:
        low_red = _red_flag_words(t.red_flag, t.red_flag_derived, t.goal, tolerance, combined)
        high_red = _red_flag_words(
            t.red_flag_high, t.red_flag_high_derived, t.goal_high, tolerance, combined
        )
        band = f"band {_fmt(t.goal)} to {_fmt(t.goal_high)}, red flags {low_red} and {high_red}"
        if actual is not None:
            lines.append(f"Actual {_fmt(actual)}, {band}.")
            low_words, low = _formula_words(actual, t.goal, t.red_flag)
            high_words, high = _formula_words(actual, t.goal_high, t.red_flag_high)
            result_score = min(low, high)
            lines.append(f"Against the lower edge: {low_words}.")
            lines.append(f"Against the upper edge: {high_words}.")
            lines.append(f"The score is the smaller of the two: {display_score(result_score)}.")
        else:
            lines.append(f"{band[0].upper()}{band[1:]}.")

    status = status_for(result_score)
    if result_score is not None:
        lines.append(_status_words(status))
    result_trend = trend(result_score, previous_score)
    if result_trend is not None and previous_score is not None:
        lines.append(
            f"Trend: {result_trend.value} (previous score {display_score(previous_score)})."
        )
    return KpiResult(
        direction=direction,
        actual=actual,
        goal=goal,
        red_flag=t.red_flag if t else None,
        goal_high=goal_high,
        red_flag_high=t.red_flag_high if t and direction is Direction.RANGE else None,
        red_flag_derived=bool(t and t.red_flag_derived),
        red_flag_high_derived=bool(t and t.red_flag_high_derived),
        score=result_score,
        status=status,
        variance=variance(actual, goal, goal_high=goal_high),
        variance_pct=variance_pct(actual, goal, goal_high=goal_high),
        favourable=favourable(actual, goal, direction, goal_high=goal_high),
        trend=result_trend,
        explanation=tuple(lines),
        periods_expected=periods_expected,
        periods_reported=int(actual is not None) if periods_reported is None else periods_reported,
    )


def formula_words(formula: str, hidden: Collection[str] = ()) -> str:
    """A calculated KPI's formula as a reader sees it: the `hidden` codes masked."""
    return formulas.mask_codes(formula, hidden, f"[{HIDDEN_KPI}]")


def _formula_preamble(
    formula: str, inputs: Mapping[str, Decimal | None] | None, hidden: Collection[str]
) -> list[str]:
    """How a calculated KPI's actual came about; the `hidden` inputs go unnamed and unvalued."""
    if not formula.strip():
        return []
    shown = formula_words(formula, hidden)
    if not inputs:
        return [f"Actual calculated as {shown}."]
    given = [
        f"{code} = {'no data' if value is None else _fmt(value)}"
        for code, value in sorted(inputs.items())
        if code not in hidden
    ]
    text = ", ".join(given)
    unseen = sum(1 for code in inputs if code in hidden)
    if unseen:
        others = HIDDEN_KPI if unseen == 1 else f"{unseen} KPIs you cannot see"
        text = f"{text} and {others}" if text else others
    return [f"Actual calculated as {shown} with {text}."]


def evaluate_kpi(
    *,
    direction: Direction | str,
    actual: Decimal | None,
    goal: Decimal | None,
    red_flag: Decimal | None = None,
    goal_high: Decimal | None = None,
    red_flag_high: Decimal | None = None,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    previous_score: ScoreLike | None = None,
    formula: str = "",
    inputs: Mapping[str, Decimal | None] | None = None,
    hidden_inputs: Collection[str] = (),
) -> KpiResult:
    """Score a KPI in one period against its Target, deriving missing red flags from `tolerance`.

    `formula` (and the `inputs` it was computed from) only feed the explanation of a
    calculated KPI; compute the actual with `kpis.formulas.evaluate_formula`. The codes in
    `hidden_inputs` are inputs the reader may not see: the explanation neither names nor
    values them.
    """
    direction = Direction(direction)
    thresholds = (
        None
        if goal is None
        else resolve_thresholds(direction, goal, red_flag, goal_high, red_flag_high, tolerance)
    )
    return _evaluate(
        direction=direction,
        actual=actual,
        thresholds=thresholds,
        tolerance=tolerance,
        previous_score=previous_score,
        preamble=_formula_preamble(formula, inputs, hidden_inputs),
    )


# --- period views ------------------------------------------------------------------------------


def view_periods(
    day: date,
    view: View | str,
    kpi_frequency: periods.Frequency | str,
    fiscal_year_start_month: int = 1,
) -> list[date]:
    """The starts of the KPI's periods that make up the view containing `day`, in order.

    A year-to-date view runs from the start of the fiscal year to the KPI period containing
    `day`. A view shorter than the KPI's own period (a yearly KPI per quarter) is refused.
    """
    view = View(view)
    kpi_frequency = periods.Frequency(kpi_frequency)
    span = periods.Frequency.QUARTERLY if view is View.QUARTER else periods.Frequency.YEARLY
    if periods.MONTHS_PER_PERIOD[kpi_frequency] > periods.MONTHS_PER_PERIOD[span]:
        raise ValueError(f"a {kpi_frequency} KPI cannot be viewed per {view.value}")
    start = periods.period_start(day, span, fiscal_year_start_month)
    if view is View.YEAR_TO_DATE:
        last = periods.period_start(day, kpi_frequency, fiscal_year_start_month)
    else:
        last = periods.shift(start, span, 1)
        last = periods.shift(last, kpi_frequency, -1)
    return periods.periods_between(start, last, kpi_frequency, fiscal_year_start_month)


def aggregate(values: Iterable[Decimal | None], aggregation: Aggregation | str) -> Decimal | None:
    """The values that are present combined with the aggregation; None when none is present."""
    present = [value for value in values if value is not None]
    if not present:
        return None
    aggregation = Aggregation(aggregation)
    if aggregation is Aggregation.LAST:
        return present[-1]
    if aggregation is Aggregation.MIN:
        return min(present)
    if aggregation is Aggregation.MAX:
        return max(present)
    with localcontext(prec=_PRECISION):
        total = sum(present, Decimal(0))
    if aggregation is Aggregation.SUM:
        return total
    return total / len(present)


def _aggregate_all(values: Sequence[Decimal | None], aggregation: Aggregation) -> Decimal | None:
    """Like `aggregate`, but None as soon as one value is missing: a red flag is all or nothing."""
    if not values or any(value is None for value in values):
        return None
    return aggregate(values, aggregation)


@dataclass(frozen=True)
class PeriodValues:
    """A KPI's actual and Target in one of the periods of a view (any of them may be missing)."""

    actual: Decimal | None = None
    goal: Decimal | None = None
    red_flag: Decimal | None = None
    goal_high: Decimal | None = None
    red_flag_high: Decimal | None = None


@dataclass(frozen=True)
class CombinedPeriod:
    """A view's actual and targets combined, with how many of its periods are reported."""

    aggregation: Aggregation
    actual: Decimal | None
    thresholds: Thresholds | None
    periods_expected: int
    periods_reported: int
    reported: tuple[date, ...]
    note: str

    @property
    def complete(self) -> bool:
        return self.periods_reported == self.periods_expected

    @property
    def goal(self) -> Decimal | None:
        return self.thresholds.goal if self.thresholds else None

    @property
    def red_flag(self) -> Decimal | None:
        return self.thresholds.red_flag if self.thresholds else None


_AGGREGATION_WORDS = {
    Aggregation.SUM: "Sum",
    Aggregation.AVERAGE: "Average",
    Aggregation.LAST: "Last value",
    Aggregation.MIN: "Minimum",
    Aggregation.MAX: "Maximum",
}


def combine_periods(
    expected: Sequence[date],
    values: Mapping[date, PeriodValues],
    aggregation: Aggregation | str,
    *,
    direction: Direction | str,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    frequency: periods.Frequency | str = periods.Frequency.MONTHLY,
    fiscal_year_start_month: int = 1,
) -> CombinedPeriod:
    """Combine the actuals and targets of the `expected` periods (see `view_periods`).

    Actuals and targets are combined over the reported periods only (the last reported one
    for `last`); see the module docstring for why. `frequency` and the fiscal year only
    name the periods in the note.
    """
    aggregation = Aggregation(aggregation)
    direction = Direction(direction)
    reported = [p for p in expected if (v := values.get(p)) is not None and v.actual is not None]
    target_periods = reported or list(expected)
    if aggregation is Aggregation.LAST:
        target_periods = target_periods[-1:]
    actual_periods = reported[-1:] if aggregation is Aggregation.LAST else reported
    actual = aggregate([values[p].actual for p in actual_periods], aggregation)

    resolved: list[Thresholds] = []
    without_target: list[date] = []
    for p in target_periods:
        v = values.get(p, PeriodValues())
        if v.goal is None:
            without_target.append(p)
        else:
            resolved.append(
                resolve_thresholds(
                    direction, v.goal, v.red_flag, v.goal_high, v.red_flag_high, tolerance
                )
            )

    thresholds: Thresholds | None = None
    goal = None if without_target else aggregate([t.goal for t in resolved], aggregation)
    if goal is not None:
        thresholds = Thresholds(
            goal=goal,
            red_flag=_aggregate_all([t.red_flag for t in resolved], aggregation),
            goal_high=_aggregate_all([t.goal_high for t in resolved], aggregation),
            red_flag_high=_aggregate_all([t.red_flag_high for t in resolved], aggregation),
            red_flag_derived=any(t.red_flag_derived for t in resolved),
            red_flag_high_derived=any(t.red_flag_high_derived for t in resolved),
        )

    def names(dates: Sequence[date]) -> str:
        return ", ".join(periods.label(d, frequency, fiscal_year_start_month) for d in dates)

    unit = "month" if periods.Frequency(frequency) is periods.Frequency.MONTHLY else "period"
    words = _AGGREGATION_WORDS[aggregation]
    if not reported:
        note = f"None of the {len(expected)} {unit}s reported yet."
    elif len(reported) == len(expected):
        note = f"{words} of {len(expected)} {unit}s: {names(reported)}."
    else:
        note = (
            f"Partly reported: {len(reported)} of {len(expected)} {unit}s ({names(reported)}); "
            f"{words.lower()} compared with the targets of those {unit}s only."
        )
    if without_target:
        note += f" No target for {names(without_target)}, so no combined target."
    return CombinedPeriod(
        aggregation=aggregation,
        actual=actual,
        thresholds=thresholds,
        periods_expected=len(expected),
        periods_reported=len(reported),
        reported=tuple(reported),
        note=note,
    )


def evaluate_view(
    combined: CombinedPeriod,
    *,
    direction: Direction | str,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    previous_score: ScoreLike | None = None,
    formula: str = "",
    hidden_inputs: Collection[str] = (),
) -> KpiResult:
    """Score a combined view (quarter, year, year-to-date) like a single period, noting coverage.

    For a calculated KPI, combine each input over the view and evaluate the formula on the
    combined inputs (a quarter's conversion rate is won / leads of the quarter, not the
    average of three monthly rates), then pass that as the actual of a `CombinedPeriod`.
    """
    return _evaluate(
        direction=Direction(direction),
        actual=combined.actual,
        thresholds=combined.thresholds,
        tolerance=tolerance,
        previous_score=previous_score,
        preamble=[*_formula_preamble(formula, None, hidden_inputs), combined.note],
        periods_expected=combined.periods_expected,
        periods_reported=combined.periods_reported,
        combined=True,
    )


# --- roll-ups ----------------------------------------------------------------------------------


class RollupChild(NamedTuple):
    """One item under a roll-up: a KPI under an objective, an objective under a perspective…"""

    name: str
    score: ScoreLike | None
    weight: Decimal | int


@dataclass(frozen=True)
class RollupLine:
    """How one child counted: its share of the weight, or None when it was left out."""

    name: str
    score: Score | None
    weight: Decimal
    share: Fraction | None

    @property
    def counted(self) -> bool:
        return self.share is not None


@dataclass(frozen=True)
class RollupResult:
    score: Score | None
    status: Status
    reported: int
    total: int
    children: tuple[RollupLine, ...]
    explanation: tuple[str, ...]

    @property
    def display_score(self) -> str:
        return display_score(self.score)

    def coverage(self, noun: str = "items") -> str:
        """ "12 of 15 KPIs reported"."""
        return f"{self.reported} of {self.total} {noun} reported"


def rollup(
    children: Iterable[tuple[str, ScoreLike | None, Decimal | int]],
) -> RollupResult:
    """The weighted average score of the children that have data and weight.

    Children without data are left out and counted as missing; a child with weight 0 counts
    as reported but does not move the score. No score when nothing has data and weight.
    """
    items = [(name, None if s is None else _fraction(s), Decimal(w)) for name, s, w in children]
    for name, _, weight in items:
        if weight < 0:
            raise ValueError(f"the weight of {name} cannot be negative, not {weight}")
    counted = [(s, w) for _, s, w in items if s is not None and w > 0]
    total_weight = sum((Fraction(w) for _, w in counted), Fraction(0))
    result: Fraction | None = None
    if total_weight > 0:
        result = sum((s * Fraction(w) for s, w in counted), Fraction(0)) / total_weight

    lines: list[RollupLine] = []
    words: list[str] = []
    for name, s, w in items:
        share = Fraction(w) / total_weight if s is not None and w > 0 else None
        lines.append(RollupLine(name, s, w, share))
        if s is None:
            words.append(f"{name}: no data, weight {_fmt(w)} (left out).")
        elif share is None:
            words.append(f"{name}: score {display_score(s)}, weight 0 (does not count).")
        else:
            words.append(
                f"{name}: score {display_score(s)}, weight {_fmt(w)} "
                f"({_fmt(share * 100)} % of the total)."
            )
    reported = sum(1 for _, s, _ in items if s is not None)
    if result is None:
        words.append("No child has both data and weight, so no score.")
    else:
        terms = " + ".join(f"{display_score(s)} · {_fmt(w)}" for s, w in counted)
        words.append(
            f"Score = ({terms}) / {_fmt(sum((w for _, w in counted), Decimal(0)))}"
            f" = {display_score(result)}: {status_for(result).label}."
        )
    words.append(f"{reported} of {len(items)} reported.")
    return RollupResult(
        score=result,
        status=status_for(result),
        reported=reported,
        total=len(items),
        children=tuple(lines),
        explanation=tuple(words),
    )
