"""The words that explain a score, built from the numbers the engine returned (DESIGN.md §4).

`kpis.scoring` and `kpis.combined_periods` compute; this module only words their results:
`explain_kpi`, `explain_view` and `explain_rollup` return the result with its `explanation`
filled in, and compute no score of their own. Compute, then explain:

    explain_kpi(evaluate_kpi(direction=..., actual=..., goal=...), tolerance=...)

The words are for a reader: a calculated KPI's inputs and a roll-up's children that the reader
may not see are neither named nor valued (DESIGN.md §5). No Django in here.

The words are `Words`: built the first time they are read, since a scorecard of thousands of
KPIs is scored whole but a page explains only a few of its numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import overload

from kpis import formulas, periods
from kpis.combined_periods import CombinedPeriod
from kpis.scoring import (
    DEFAULT_TOLERANCE,
    MAX_SCORE,
    MIN_SCORE,
    Aggregation,
    Direction,
    KpiResult,
    RollupResult,
    ScoreStatus,
    display_score,
    score_to_decimal,
)

# What a reader is told in place of a KPI or an objective they may not see (DESIGN.md §5).
HIDDEN_KPI = "a KPI you cannot see"
HIDDEN_OBJECTIVE = "an objective you cannot see"

_AGGREGATION_WORDS = {
    Aggregation.SUM: "Sum",
    Aggregation.AVERAGE: "Average",
    Aggregation.LAST: "Last value",
    Aggregation.MIN: "Minimum",
    Aggregation.MAX: "Maximum",
}


class Words(Sequence[str]):
    """Lines of explanation, built on first use and then kept; equal to the tuple of its lines."""

    __slots__ = ("_build", "_lines")

    def __init__(self, build: Callable[[], Sequence[str]]) -> None:
        self._build: Callable[[], Sequence[str]] | None = build
        self._lines: tuple[str, ...] = ()

    def lines(self) -> tuple[str, ...]:
        if self._build is not None:
            self._lines, self._build = tuple(self._build()), None
        return self._lines

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self.lines()[index]

    def __len__(self) -> int:
        return len(self.lines())

    def __iter__(self) -> Iterator[str]:
        return iter(self.lines())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Words):
            return self.lines() == other.lines()
        return isinstance(other, tuple) and self.lines() == other

    def __hash__(self) -> int:
        return hash(self.lines())

    def __repr__(self) -> str:
        return f"Words({self.lines()!r})"


# --- numbers as words --------------------------------------------------------------------------


def _fmt(value: Decimal | Fraction) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return str(score_to_decimal(value, places=2))
    return format(value.normalize(), "f") if value.is_finite() else str(value)


def _term(value: Decimal) -> str:
    """A number inside a formula, in parentheses when negative."""
    text = _fmt(value)
    return f"({text})" if value < 0 else text


def _percent(ratio: Decimal) -> str:
    return f"{_fmt(ratio * 100)} %"


# --- one KPI -----------------------------------------------------------------------------------


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


def _red_flag_words(
    value: Decimal, derived: bool, edge: Decimal, tolerance: Decimal, combined: bool
) -> str:
    if not derived:
        return _fmt(value)
    if combined:
        return f"{_fmt(value)} (derived from the {_percent(tolerance)} tolerance, period by period)"
    side = "below" if value < edge else "above"
    return f"{_fmt(value)} (derived: {_percent(tolerance)} of |{_fmt(edge)}| {side} the goal)"


def _formula_words(actual: Decimal, goal: Decimal, red_flag: Decimal, unclamped: Fraction) -> str:
    """The score formula with the numbers put in, and what clamping did to its value."""
    text = (
        f"10/3 · (1 + ({_term(actual)} - {_term(red_flag)}) / ({_term(goal)} - {_term(red_flag)}))"
        f" = {display_score(unclamped)}"
    )
    if unclamped > MAX_SCORE:
        text += ", capped at 10"
    elif unclamped < MIN_SCORE:
        text += ", raised to 0"
    return text


def _status_words(status: ScoreStatus) -> str:
    if status is ScoreStatus.ON_TRACK:
        return "Status: on track (the score is at least 6.67: the actual reaches the goal)."
    if status is ScoreStatus.AT_RISK:
        return (
            "Status: at risk (the score is at least 3.33 but below 6.67: "
            "the actual reaches the red flag but not the goal)."
        )
    return "Status: off track (the score is below 3.33: the actual is beyond the red flag)."


def _one_sided_words(r: KpiResult, goal: Decimal, tolerance: Decimal, combined: bool) -> list[str]:
    if r.red_flag is None:
        return [
            f"Goal {_fmt(goal)} but no red flag, and none can be derived "
            + ("from a goal of 0" if goal == 0 else "with a tolerance of 0")
            + ": the target must state it, so no score."
        ]
    if r.red_flag == goal:
        return ["The red flag equals the goal, so there is no scale to score on."]
    red = _red_flag_words(r.red_flag, r.red_flag_derived, goal, tolerance, combined)
    if r.actual is None or not r.unclamped:
        return [f"Goal {_fmt(goal)}, red flag {red}."]
    formula = _formula_words(r.actual, goal, r.red_flag, r.unclamped[0])
    return [
        f"Actual {_fmt(r.actual)}, goal {_fmt(goal)}, red flag {red}.",
        f"Score = 10/3 · (1 + (actual - red flag) / (goal - red flag)) = {formula}.",
    ]


def _range_words(r: KpiResult, goal: Decimal, tolerance: Decimal, combined: bool) -> list[str]:
    if r.goal_high is None or r.red_flag is None or r.red_flag_high is None:
        return [
            "The range target lacks its upper goal or a red flag that can be derived, so no score."
        ]
    if r.red_flag == goal or r.red_flag_high == r.goal_high:
        return ["A red flag equals its edge of the band, so there is no scale to score on."]
    low_red = _red_flag_words(r.red_flag, r.red_flag_derived, goal, tolerance, combined)
    high_red = _red_flag_words(
        r.red_flag_high, r.red_flag_high_derived, r.goal_high, tolerance, combined
    )
    band = f"band {_fmt(goal)} to {_fmt(r.goal_high)}, red flags {low_red} and {high_red}"
    if r.actual is None or len(r.unclamped) != 2:
        return [f"{band[0].upper()}{band[1:]}."]
    low, high = r.unclamped
    return [
        f"Actual {_fmt(r.actual)}, {band}.",
        f"Against the lower edge: {_formula_words(r.actual, goal, r.red_flag, low)}.",
        f"Against the upper edge: {_formula_words(r.actual, r.goal_high, r.red_flag_high, high)}.",
        f"The score is the smaller of the two: {display_score(r.score)}.",
    ]


def _kpi_words(
    result: KpiResult, *, tolerance: Decimal, preamble: Sequence[str], combined: bool
) -> tuple[str, ...]:
    lines = list(preamble)
    if result.actual is None:
        lines.append("No actual for this period, so no score.")
    if result.goal is None:
        lines.append("No target for this period, so no score.")
    elif result.direction is Direction.RANGE:
        lines.extend(_range_words(result, result.goal, tolerance, combined))
    else:
        lines.extend(_one_sided_words(result, result.goal, tolerance, combined))
    if result.score is not None:
        lines.append(_status_words(result.status))
    if result.trend is not None and result.previous_score is not None:
        lines.append(
            f"Trend: {result.trend.value} (previous score {display_score(result.previous_score)})."
        )
    return tuple(lines)


def explain_kpi(
    result: KpiResult,
    *,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    formula: str = "",
    inputs: Mapping[str, Decimal | None] | None = None,
    hidden_inputs: Collection[str] = (),
) -> KpiResult:
    """The result of `kpis.scoring.evaluate_kpi` with the words that explain it.

    `tolerance` is the one the red flags were derived with. `formula` (and the `inputs` it was
    computed from) explain a calculated KPI's actual; the codes in `hidden_inputs` are inputs
    the reader may not see: the explanation neither names nor values them.
    """

    def words() -> tuple[str, ...]:
        preamble = _formula_preamble(formula, inputs, hidden_inputs)
        return _kpi_words(result, tolerance=tolerance, preamble=preamble, combined=False)

    return replace(result, explanation=Words(words))


# --- period views ------------------------------------------------------------------------------


def period_note(combined: CombinedPeriod) -> str:
    """Which periods a combined view holds and how they were combined, in one sentence or two."""
    frequency, fy = combined.frequency, combined.fiscal_year_start_month

    def names(dates: Sequence[date]) -> str:
        return ", ".join(periods.label(d, frequency, fy) for d in dates)

    unit = "month" if frequency is periods.Frequency.MONTHLY else "period"
    words = _AGGREGATION_WORDS[combined.aggregation]
    expected, reported = combined.periods_expected, combined.reported
    if not reported:
        note = f"None of the {expected} {unit}s reported yet."
    elif len(reported) == expected:
        note = f"{words} of {expected} {unit}s: {names(reported)}."
    else:
        note = (
            f"Partly reported: {len(reported)} of {expected} {unit}s ({names(reported)}); "
            f"{words.lower()} compared with the targets of those {unit}s only."
        )
    if combined.without_target:
        note += f" No target for {names(combined.without_target)}, so no combined target."
    return note


def explain_view(
    result: KpiResult,
    combined: CombinedPeriod,
    *,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    formula: str = "",
    hidden_inputs: Collection[str] = (),
) -> KpiResult:
    """The result of `kpis.combined_periods.evaluate_view(combined)` with its words: the note on
    the periods combined, then the score as for one period."""

    def words() -> tuple[str, ...]:
        preamble = [*_formula_preamble(formula, None, hidden_inputs), period_note(combined)]
        return _kpi_words(result, tolerance=tolerance, preamble=preamble, combined=True)

    return replace(result, explanation=Words(words))


# --- roll-ups ----------------------------------------------------------------------------------


def explain_rollup(result: RollupResult) -> RollupResult:
    """The result of `kpis.scoring.rollup` with the words saying how each child counted."""
    return replace(result, explanation=Words(lambda: _rollup_words(result)))


def _rollup_words(result: RollupResult) -> list[str]:
    words: list[str] = []
    for line in result.children:
        if line.score is None:
            words.append(f"{line.name}: no data, weight {_fmt(line.weight)} (left out).")
        elif line.share is None:
            words.append(
                f"{line.name}: score {display_score(line.score)}, weight 0 (does not count)."
            )
        else:
            words.append(
                f"{line.name}: score {display_score(line.score)}, weight {_fmt(line.weight)} "
                f"({_fmt(line.share * 100)} % of the total)."
            )
    counted = [line for line in result.children if line.counted]
    if result.score is None:
        words.append("No child has both data and weight, so no score.")
    else:
        terms = " + ".join(f"{display_score(c.score)} · {_fmt(c.weight)}" for c in counted)
        total = sum((c.weight for c in counted), Decimal(0))
        words.append(
            f"Score = ({terms}) / {_fmt(total)}"
            f" = {display_score(result.score)}: {result.status.label}."
        )
    words.append(f"{result.reported} of {result.total} reported.")
    return words
