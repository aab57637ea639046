"""Scoring of KPIs, period views and roll-ups, with no Django in it (DESIGN.md §4).

This module computes the numbers and nothing else; `kpis.explanations` words them afterwards.
Every KPI score in the app, of one period or of a combined view, comes from `score` (through
`range_score` for a band), the function the property tests check; roll-ups from `rollup`.

Every KPI in a period is scored the same way from its actual `a`, goal `G` and red flag `R`:

    score = clamp(10/3 · (1 + (a - R) / (G - R)), 0, 10)

Exactness. Values come in as `Decimal`; scores are computed and returned as `Fraction`, so
`a = G` gives exactly 20/3 and `a = R` exactly 10/3, and the status bands are compared
exactly. A score is rounded only when it leaves the engine: `display_score` (one decimal, for
people) and `score_to_decimal` (three decimals, for storage). Decide a status from the exact
score, never from a stored rounded one: 10/3 stored as 3.333 lies below the at-risk line.

A KPI seen per quarter, year or year-to-date is combined in `kpis.combined_periods` and
scored here like a single period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from math import lcm


class Direction(StrEnum):
    """Which way is good; the values match `kpis.models.Direction`."""

    INCREASE = "increase"
    DECREASE = "decrease"
    RANGE = "range"


class ScoreStatus(StrEnum):
    """The colour band of a score; the values match `kpis.models.ScoreStatus`."""

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


# A direction by its value or itself: the lookup `Direction(value)` makes, without the call,
# which scoring thousands of KPIs makes many times each.
_DIRECTIONS: dict[str, Direction] = {d.value: d for d in Direction}


def as_direction(value: Direction | str) -> Direction:
    """`Direction(value)`: the direction named, or ValueError for an unknown one."""
    found = _DIRECTIONS.get(value)
    return Direction(value) if found is None else found


Score = Fraction
ScoreLike = Fraction | Decimal

MIN_SCORE = Fraction(0)
MAX_SCORE = Fraction(10)
AT_RISK_FROM = Fraction(10, 3)  # the score of an actual equal to the red flag
ON_TRACK_FROM = Fraction(20, 3)  # the score of an actual equal to the goal
FLAT_BELOW = Fraction(1, 10)  # a smaller change in score than this is no trend
DEFAULT_TOLERANCE = Decimal("0.1")

# Values have at most 20 digits, so sums and products of a few of them fit exactly in 60.
PRECISION = 60


# --- exact numbers and rounding --------------------------------------------------------------


def _fraction(value: ScoreLike) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """`value` rounded half away from zero to `places` decimals, exactly (no double rounding),
    in integers: floor(|n|·10^places / d + 1/2) units for `value` = n/d."""
    numerator, denominator = value.numerator, value.denominator
    units = (abs(numerator) * 10**places * 2 + denominator) // (denominator * 2)
    return Decimal(-units if numerator < 0 else units).scaleb(-places)


def display_score(score: ScoreLike | None) -> str:
    """A score as people see it, with one decimal ("6.7"), or "—" when there is none."""
    if score is None:
        return "—"
    return str(_round_half_up(_fraction(score), 1))


def score_to_decimal(score: ScoreLike | None, places: int = 3) -> Decimal | None:
    """A score rounded for storage (three decimals by default, like `VarianceLine.score`)."""
    return None if score is None else _round_half_up(_fraction(score), places)


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
    with localcontext(prec=PRECISION):
        margin = tolerance * abs(goal)
        if margin == 0:
            return None
        if as_direction(direction) is Direction.DECREASE:
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
    direction = as_direction(direction)
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
    direction = as_direction(direction)
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


def _score_terms(actual: ScoreLike, goal: ScoreLike, red_flag: ScoreLike) -> tuple[int, int]:
    """`10/3 · (1 + (a - R)/(G - R))` as integers `n / d` with `d > 0` (G ≠ R), unreduced.

    Over a common denominator `a = A/c`, `G = g/c`, `R = r/c`, the formula is
    `10 · (A + g - 2r) / (3 · (g - r))`: the same number as the formula in fractions, worked in
    integers because scoring thousands of KPIs is this function.
    """
    an, ad = actual.as_integer_ratio()
    gn, gd = goal.as_integer_ratio()
    rn, rd = red_flag.as_integer_ratio()
    c = lcm(ad, gd, rd)
    a, g, r = an * (c // ad), gn * (c // gd), rn * (c // rd)
    n, d = 10 * (a + g - 2 * r), 3 * (g - r)
    if d == 0:
        raise ZeroDivisionError("the goal equals the red flag: there is no scale to score on")
    return (n, d) if d > 0 else (-n, -d)


def unclamped_score(actual: ScoreLike, goal: ScoreLike, red_flag: ScoreLike) -> Fraction:
    """`10/3 · (1 + (a - R)/(G - R))` exactly, before it is held between 0 and 10 (G ≠ R)."""
    return Fraction(*_score_terms(actual, goal, red_flag))


def score(actual: Decimal | None, goal: Decimal | None, red_flag: Decimal | None) -> Score | None:
    """`clamp(10/3 · (1 + (a - R)/(G - R)), 0, 10)` exactly; None when a value is missing or G = R.

    The same formula serves both directions: with `G < R` it rewards lower values by itself.
    This is the one score of the app: `evaluate_kpi` and `evaluate_view` (and so
    `kpis.selectors.plan_scorecard`) score every KPI through it.
    """
    if actual is None or goal is None or red_flag is None or goal == red_flag:
        return None
    n, d = _score_terms(actual, goal, red_flag)
    if n <= 0:
        return MIN_SCORE
    if n >= 10 * d:
        return MAX_SCORE
    return Fraction(n, d)


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


def status_for(score: ScoreLike | None) -> ScoreStatus:
    """On track from 20/3 (the goal), at risk from 10/3 (the red flag), compared exactly."""
    if score is None:
        return ScoreStatus.NO_DATA
    # In integers: n/d ≥ p/q (d, q > 0) exactly when n·q ≥ p·d.
    n, d = score.as_integer_ratio()
    if n * ON_TRACK_FROM.denominator >= ON_TRACK_FROM.numerator * d:
        return ScoreStatus.ON_TRACK
    if n * AT_RISK_FROM.denominator >= AT_RISK_FROM.numerator * d:
        return ScoreStatus.AT_RISK
    return ScoreStatus.OFF_TRACK


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
    with localcontext(prec=PRECISION):
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
    with localcontext(prec=PRECISION):
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
    direction = as_direction(direction)
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
    # In integers: the change n/d - p/q is (nq - pd)/(dq), below FLAT_BELOW = f/g when
    # |nq - pd|·g < f·dq.
    n, d = score.as_integer_ratio()
    p, q = previous_score.as_integer_ratio()
    change = n * q - p * d
    if abs(change) * FLAT_BELOW.denominator < FLAT_BELOW.numerator * d * q:
        return Trend.FLAT
    return Trend.UP if change > 0 else Trend.DOWN


# --- one KPI in one period ---------------------------------------------------------------------


@dataclass(frozen=True)
class KpiResult:
    """Everything the scorecard shows for a KPI in a period.

    `red_flag`/`red_flag_high` are the ones used, stated or derived (see `*_derived`). `score`
    is exact; use `display_score` or `score_to_decimal` to show or store it. `unclamped`
    gives the formula's value against each edge before it was held between 0 and 10, so an
    explanation can say so. `explanation` is empty until `kpis.explanations` words the result.
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
    status: ScoreStatus
    variance: Decimal | None
    variance_pct: Decimal | None
    favourable: bool | None
    trend: Trend | None
    previous_score: Score | None = None
    periods_expected: int = 1
    periods_reported: int = 1
    explanation: Sequence[str] = ()

    @property
    def complete(self) -> bool:
        """Whether every period of the view is reported."""
        return self.periods_reported >= self.periods_expected

    @property
    def display_score(self) -> str:
        return display_score(self.score)

    @property
    def unclamped(self) -> tuple[Fraction, ...]:
        """The formula's value against each edge (one, or the lower and upper edge of a band)
        before it was held between 0 and 10; empty when there is no score. Computed when an
        explanation asks, not for every KPI scored."""
        if self.score is None or self.actual is None:
            return ()
        edges = [(self.goal, self.red_flag)]
        if self.direction is Direction.RANGE:
            edges.append((self.goal_high, self.red_flag_high))
        return tuple(
            unclamped_score(self.actual, g, r) for g, r in edges if g is not None and r is not None
        )


def thresholds_score(
    direction: Direction, actual: Decimal | None, thresholds: Thresholds | None
) -> Score | None:
    """The score of an actual against resolved thresholds: `score`, or `range_score` for a
    band; None without an actual or thresholds. All a trend needs of the previous period."""
    t = thresholds
    if t is None or actual is None:
        return None
    if direction is Direction.RANGE:
        return range_score(actual, t.goal, t.red_flag, t.goal_high, t.red_flag_high)
    return score(actual, t.goal, t.red_flag)


def evaluate_thresholds(
    *,
    direction: Direction,
    actual: Decimal | None,
    thresholds: Thresholds | None,
    previous_score: ScoreLike | None,
    periods_expected: int = 1,
    periods_reported: int | None = None,
) -> KpiResult:
    """Score, status, variance and trend of an actual against resolved thresholds (or none)."""
    t = thresholds
    goal = t.goal if t else None
    is_range = direction is Direction.RANGE
    goal_high = t.goal_high if t and is_range else None
    red_flag_high = t.red_flag_high if t and is_range else None
    result_score = thresholds_score(direction, actual, t)
    return KpiResult(
        direction=direction,
        actual=actual,
        goal=goal,
        red_flag=t.red_flag if t else None,
        goal_high=goal_high,
        red_flag_high=red_flag_high,
        red_flag_derived=bool(t and t.red_flag_derived),
        red_flag_high_derived=bool(t and t.red_flag_high_derived),
        score=result_score,
        status=status_for(result_score),
        variance=variance(actual, goal, goal_high=goal_high),
        variance_pct=variance_pct(actual, goal, goal_high=goal_high),
        favourable=favourable(actual, goal, direction, goal_high=goal_high),
        trend=trend(result_score, previous_score),
        previous_score=None if previous_score is None else _fraction(previous_score),
        periods_expected=periods_expected,
        periods_reported=int(actual is not None) if periods_reported is None else periods_reported,
    )


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
) -> KpiResult:
    """Score a KPI in one period against its Target, deriving missing red flags from `tolerance`.

    The score is `score` (or `range_score` for a band) of the actual against the resolved
    thresholds. Word it with `kpis.explanations.explain_kpi`.
    """
    direction = as_direction(direction)
    thresholds = (
        None
        if goal is None
        else resolve_thresholds(direction, goal, red_flag, goal_high, red_flag_high, tolerance)
    )
    return evaluate_thresholds(
        direction=direction, actual=actual, thresholds=thresholds, previous_score=previous_score
    )


# --- roll-ups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollupLine:
    """How one child counted: its share of the weight, or None when it was left out."""

    name: str
    score: Score | None
    weight: Decimal
    counted_weight: Fraction | None  # the total weight of the children counted; None if left out

    @property
    def counted(self) -> bool:
        return self.counted_weight is not None

    @property
    def share(self) -> Fraction | None:
        if self.counted_weight is None:
            return None
        return Fraction(self.weight) / self.counted_weight


@dataclass(frozen=True)
class RollupResult:
    """A weighted average of scores; `explanation` is empty until `kpis.explanations` words it."""

    score: Score | None
    status: ScoreStatus
    reported: int
    total: int
    children: tuple[RollupLine, ...]
    explanation: Sequence[str] = ()

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
    # Σ s·w / Σ w in integers over one common denominator, reduced once at the end: the same
    # number as summing fractions, without reducing one fraction per child.
    counted = [
        (s.as_integer_ratio(), w.as_integer_ratio()) for _, s, w in items if s is not None and w > 0
    ]
    total_weight: Fraction | None = None
    result: Fraction | None = None
    if counted:
        weights_over = lcm(*(wd for _, (_, wd) in counted))
        weight_sum = sum(wn * (weights_over // wd) for _, (wn, wd) in counted)
        total_weight = Fraction(weight_sum, weights_over)
        over = lcm(*(sd * wd for (_, sd), (_, wd) in counted))
        weighted = sum(sn * wn * (over // (sd * wd)) for (sn, sd), (wn, wd) in counted)
        result = Fraction(weighted * weights_over, over * weight_sum)

    lines = tuple(
        RollupLine(name, s, w, total_weight if s is not None and w > 0 else None)
        for name, s, w in items
    )
    return RollupResult(
        score=result,
        status=status_for(result),
        reported=sum(1 for line in lines if line.score is not None),
        total=len(lines),
        children=lines,
    )
