"""The whole scorecard of a plan for a period, read in a fixed number of queries."""

import datetime
import gc
import random
import weakref
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis import explanations, scoring
from kpis.models import Actual, Aggregation, Direction, Kpi, Target
from kpis.scoring import ScoreStatus, Trend
from kpis.selectors import kpi_score, plan_scorecard, plan_scorecards
from tests.factories import (
    ActualFactory,
    KpiFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)
MAR = datetime.date(2026, 3, 1)


def build_plan(kpi_count: int):
    """A plan with two perspectives, a cascaded child plan and `kpi_count` KPIs with data."""
    plan = StrategicPlanFactory()
    financial = PerspectiveFactory(plan=plan, name="Financial", order=1)
    customer = PerspectiveFactory(plan=plan, name="Customer", order=2)
    objectives = [
        ObjectiveFactory(plan=plan, perspective=financial, code="F1"),
        ObjectiveFactory(plan=plan, perspective=customer, code="C1"),
    ]
    child_plan = StrategicPlanFactory(parent=plan)
    child_perspective = PerspectiveFactory(plan=child_plan, name="Financial", order=1)
    child_objective = ObjectiveFactory(
        plan=child_plan, perspective=child_perspective, code="F1.1", parent=objectives[0]
    )
    kpis = Kpi.objects.bulk_create(
        Kpi(
            plan=plan,
            objective=objectives[n % 2],
            code=f"K{n}",
            name=f"KPI {n}",
            direction=Direction.INCREASE if n % 3 else Direction.DECREASE,
        )
        for n in range(kpi_count - 2)
    )
    kpis.append(KpiFactory(objective=child_objective, code="CHILD"))
    kpis.append(KpiFactory(objective=objectives[1], code="RATIO", formula="100 * K0 / K1"))
    targets, actuals = [], []
    for kpi in kpis:
        increase = kpi.direction == Direction.INCREASE
        for period in (JAN, FEB):
            targets.append(
                Target(
                    kpi=kpi,
                    period=period,
                    goal=Decimal(100),
                    red_flag=Decimal(90) if increase else Decimal(110),
                )
            )
            if not kpi.is_calculated:
                actuals.append(Actual(kpi=kpi, period=period, value=Decimal(95)))
    Target.objects.bulk_create(targets)
    Actual.objects.bulk_create(actuals)
    return plan


def count_queries(plan) -> int:
    with CaptureQueriesContext(connection) as context:
        scorecard = plan_scorecard(plan=plan, period=FEB, reader=None)
    assert scorecard.kpis_total > 0
    return len(context.captured_queries)


def test_the_scorecard_takes_the_same_number_of_queries_for_10_and_200_kpis():
    small = count_queries(build_plan(10))
    large = count_queries(build_plan(200))
    assert small == large
    assert large <= 8


def test_the_scorecard_words_only_the_explanations_that_are_read(monkeypatch):
    worded = []
    for name in ("_kpi_words", "_rollup_words"):
        real = getattr(explanations, name)
        monkeypatch.setattr(
            explanations,
            name,
            lambda *a, real=real, name=name, **kw: worded.append(name) or real(*a, **kw),
        )
    scorecard = plan_scorecard(plan=build_plan(20), period=FEB, reader=None)
    assert worded == []

    words = scorecard.kpi("K1").explanation
    assert words[0] == "Actual 95, goal 100, red flag 90."
    assert list(words) == list(words)  # built once, then kept
    assert worded == ["_kpi_words"]
    assert scorecard.rollup.explanation[-1] == "2 of 2 reported."
    assert worded == ["_kpi_words", "_rollup_words"]


def test_a_kpi_scores_by_the_design_formula_and_the_objective_averages_by_weight():
    objective = ObjectiveFactory(code="F1")
    plan = objective.plan
    reaches_goal = KpiFactory(objective=objective, code="A", weight=Decimal(3))
    at_red_flag = KpiFactory(objective=objective, code="B", weight=Decimal(1))
    for kpi, value in ((reaches_goal, 100), (at_red_flag, 90)):
        TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
        ActualFactory(kpi=kpi, period=JAN, value=Decimal(value))

    scorecard = plan_scorecard(plan=plan, period=JAN, reader=None)

    assert scorecard.kpi("A").result.score == Fraction(20, 3)
    assert scorecard.kpi("A").status == ScoreStatus.ON_TRACK
    assert scorecard.kpi("B").result.score == Fraction(10, 3)
    assert scorecard.kpi("B").status == ScoreStatus.AT_RISK
    objective_score = next(scorecard.objectives())
    assert objective_score.rollup.score == (Fraction(20, 3) * 3 + Fraction(10, 3)) / 4
    assert scorecard.rollup.score == objective_score.rollup.score
    assert scorecard.coverage == "2 of 2 KPIs reported"


@pytest.mark.parametrize("view", ["month", "quarter"])
def test_every_score_of_the_scorecard_comes_from_the_tested_formula(monkeypatch, view):
    """plan_scorecard → evaluate_kpi / evaluate_view → scoring.score (via range_score for a
    band): the function the hypothesis properties check, on random values."""
    rng = random.Random(11)
    objective = ObjectiveFactory(code="F1")
    for n, direction in enumerate([Direction.INCREASE, Direction.DECREASE, Direction.RANGE] * 4):
        kpi = KpiFactory(objective=objective, code=f"K{n}", direction=direction)
        for period in (JAN, FEB):
            goal = Decimal(rng.randint(-500, 500))
            TargetFactory(
                kpi=kpi,
                period=period,
                goal=goal,
                red_flag=goal - rng.randint(1, 50) if direction != Direction.DECREASE else None,
                goal_high=goal + 20 if direction == Direction.RANGE else None,
                red_flag_high=goal + 20 + rng.randint(1, 50)
                if direction == Direction.RANGE
                else None,
            )
            ActualFactory(kpi=kpi, period=period, value=goal + rng.randint(-80, 80))
    scored: list[Fraction] = []
    formula = scoring.score

    def spy(*args):
        result = formula(*args)
        scored.append(result)
        return result

    monkeypatch.setattr(scoring, "score", spy)

    scorecard = plan_scorecard(plan=objective.plan, period=FEB, view=view, reader=None)

    monkeypatch.undo()
    results = [k.result for k in next(scorecard.objectives()).kpis]
    assert all(r.score is not None for r in results)
    for r in results:
        assert r.score in scored
        expected = (
            scoring.range_score(r.actual, r.goal, r.red_flag, r.goal_high, r.red_flag_high)
            if r.direction == Direction.RANGE
            else scoring.score(r.actual, r.goal, r.red_flag)
        )
        assert r.score == expected
    objective_score = next(scorecard.objectives())
    assert (
        objective_score.rollup.score
        == scoring.rollup(
            [(f"KPI {k.kpi.code}", k.result.score, k.kpi.weight) for k in objective_score.kpis]
        ).score
    )


def test_kpis_without_data_are_left_out_of_the_roll_up_and_counted_as_missing():
    objective = ObjectiveFactory()
    reported = KpiFactory(objective=objective, code="A")
    KpiFactory(objective=objective, code="B")
    TargetFactory(kpi=reported, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
    ActualFactory(kpi=reported, period=JAN, value=Decimal(100))

    scorecard = plan_scorecard(plan=objective.plan, period=JAN, reader=None)

    assert scorecard.kpi("B").status == ScoreStatus.NO_DATA
    assert scorecard.rollup.score == Fraction(20, 3)
    assert scorecard.coverage == "1 of 2 KPIs reported"


def test_a_calculated_kpi_follows_its_inputs_and_has_no_data_when_one_is_missing():
    objective = ObjectiveFactory()
    won = KpiFactory(objective=objective, code="WON")
    leads = KpiFactory(objective=objective, code="LEADS")
    KpiFactory(objective=objective, code="RATE", formula="100 * WON / LEADS")
    ActualFactory(kpi=won, period=JAN, value=Decimal(20))
    leads_actual = ActualFactory(kpi=leads, period=JAN, value=Decimal(80))

    assert (
        plan_scorecard(plan=objective.plan, period=JAN, reader=None).kpi("RATE").result.actual == 25
    )

    leads_actual.value = Decimal(100)
    leads_actual.save()
    assert (
        plan_scorecard(plan=objective.plan, period=JAN, reader=None).kpi("RATE").result.actual == 20
    )

    leads_actual.value = Decimal(0)
    leads_actual.save()
    assert (
        plan_scorecard(plan=objective.plan, period=JAN, reader=None).kpi("RATE").result.actual
        is None
    )

    leads_actual.delete()
    result = plan_scorecard(plan=objective.plan, period=JAN, reader=None).kpi("RATE").result
    assert result.actual is None
    assert result.status == ScoreStatus.NO_DATA


def test_a_quarter_view_of_a_calculated_kpi_applies_the_formula_to_the_combined_inputs():
    objective = ObjectiveFactory()
    won = KpiFactory(objective=objective, code="WON", aggregation=Aggregation.SUM)
    leads = KpiFactory(objective=objective, code="LEADS", aggregation=Aggregation.SUM)
    KpiFactory(objective=objective, code="RATE", formula="100 * WON / LEADS", aggregation="average")
    for period, won_value, leads_value in ((JAN, 1, 10), (FEB, 9, 90), (MAR, 50, 100)):
        ActualFactory(kpi=won, period=period, value=Decimal(won_value))
        ActualFactory(kpi=leads, period=period, value=Decimal(leads_value))

    result = (
        plan_scorecard(plan=objective.plan, period=FEB, view="quarter", reader=None)
        .kpi("RATE")
        .result
    )

    # 60 won of 200 leads, not the average of the monthly rates 10 %, 10 % and 50 %.
    assert result.actual == 30


def test_a_partly_reported_quarter_is_flagged_and_compared_with_its_reported_months():
    kpi = KpiFactory(aggregation=Aggregation.SUM)
    for period in (JAN, FEB, MAR):
        TargetFactory(kpi=kpi, period=period, goal=Decimal(100), red_flag=Decimal(90))
    ActualFactory(kpi=kpi, period=JAN, value=Decimal(100))
    ActualFactory(kpi=kpi, period=FEB, value=Decimal(100))

    score = plan_scorecard(plan=kpi.plan, period=JAN, view="quarter", reader=None).kpi(kpi.code)
    result = score.result

    assert result.actual == 200
    assert result.goal == 200
    assert (result.periods_reported, result.periods_expected) == (2, 3)
    assert not result.complete
    assert any("Partly reported" in line for line in score.explanation)


def test_the_trend_compares_with_the_previous_period():
    kpi = KpiFactory()
    for period, value in ((JAN, 90), (FEB, 100)):
        TargetFactory(kpi=kpi, period=period, goal=Decimal(100), red_flag=Decimal(90))
        ActualFactory(kpi=kpi, period=period, value=Decimal(value))

    assert (
        plan_scorecard(plan=kpi.plan, period=FEB, reader=None).kpi(kpi.code).result.trend
        == Trend.UP
    )


@pytest.mark.parametrize(
    ("frequency", "before", "now", "day"),
    [
        ("quarterly", datetime.date(2025, 10, 1), JAN, FEB),
        ("yearly", datetime.date(2025, 1, 1), JAN, MAR),
    ],
)
def test_in_the_month_view_a_longer_kpi_compares_with_its_own_period_before(
    frequency, before, now, day
):
    """A quarterly KPI seen in February compares its first quarter with the last one, not
    with itself (January lies in the same quarter): its trend is not always flat."""
    kpi = KpiFactory(frequency=frequency)
    for period, value in ((before, 90), (now, 100)):
        TargetFactory(kpi=kpi, period=period, goal=Decimal(100), red_flag=Decimal(90))
        ActualFactory(kpi=kpi, period=period, value=Decimal(value))

    result = plan_scorecard(plan=kpi.plan, period=day, reader=None).kpi(kpi.code).result
    assert result.trend == Trend.UP
    assert result.previous_score == scoring.score(Decimal(90), Decimal(100), Decimal(90))


def test_a_cascaded_child_objective_counts_towards_its_parent_objective():
    parent = ObjectiveFactory(code="F1")
    child_plan = StrategicPlanFactory(parent=parent.plan, org_unit=parent.plan.org_unit)
    child = ObjectiveFactory(
        plan=child_plan, perspective=PerspectiveFactory(plan=child_plan), parent=parent
    )
    kpi = KpiFactory(objective=child)
    TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
    ActualFactory(kpi=kpi, period=JAN, value=Decimal(100))

    scorecard = plan_scorecard(plan=parent.plan, period=JAN, reader=None)

    parent_score = next(scorecard.objectives())
    assert [c.objective for c in parent_score.children] == [child]
    assert parent_score.rollup.score == Fraction(20, 3)
    assert scorecard.coverage == "1 of 1 KPIs reported"
    assert any(f"Objective {child.code}" in line for line in parent_score.rollup.explanation)


def test_retired_kpis_are_left_out():
    kpi = KpiFactory(is_retired=True)
    assert plan_scorecard(plan=kpi.plan, period=JAN, reader=None).kpis_total == 0


def test_an_unknown_view_is_refused():
    with pytest.raises(ValueError, match="unknown view"):
        plan_scorecard(plan=StrategicPlanFactory(), period=JAN, view="fortnight", reader=None)


@pytest.mark.parametrize("view", ["month", "quarter", "ytd"])
def test_one_kpis_score_is_its_line_of_the_plans_scorecard(view):
    plan = build_plan(12)
    retired_input = Kpi.objects.get(code="K1")
    nested = KpiFactory(objective=retired_input.objective, code="NESTED", formula="RATIO + K2 - 1")
    TargetFactory(kpi=nested, period=FEB, goal=Decimal(100), red_flag=Decimal(90))
    card = plan_scorecard(plan=plan, period=FEB, view=view, reader=None)
    for code in ("K0", "K3", "RATIO", "NESTED"):
        kpi = Kpi.objects.select_related("plan").get(code=code)
        alone = kpi_score(kpi=kpi, period=FEB, view=view, reader=None)
        line = card.kpi(code)
        assert alone.result == line.result
        assert alone.periods == line.periods
        assert list(alone.explanation) == list(line.explanation)
    assert card.kpi("NESTED").result.actual is not None


def test_one_kpis_score_takes_the_same_queries_in_a_plan_of_10_and_200_kpis():
    def queries(plan) -> int:
        kpi = Kpi.objects.select_related("plan").get(plan=plan, code="RATIO")
        with CaptureQueriesContext(connection) as context:
            score = kpi_score(kpi=kpi, period=FEB, reader=None)
        assert score.result.score is not None
        return len(context.captured_queries)

    small = queries(build_plan(10))
    large = queries(build_plan(200))
    assert small == large
    assert large <= 3


def vary(plan) -> None:  # type: ignore[no-untyped-def]
    """Actuals that differ by KPI and month, so each month scores differently."""
    for n, actual in enumerate(Actual.objects.filter(kpi__plan__parent=None, kpi__plan=plan)):
        actual.value = Decimal(80 + (n * 7) % 35)
        actual.save(update_fields=["value"])


def lines(scorecard) -> list[tuple[str, object, object]]:  # type: ignore[no-untyped-def]
    """Every score of a scorecard: each KPI's result, each objective's and perspective's
    roll-up, the plan's."""
    found: list[tuple[str, object, object]] = [("plan", scorecard.rollup.score, None)]
    for perspective in scorecard.perspectives:
        found.append((perspective.perspective.name, perspective.rollup.score, None))
        pending = list(perspective.objectives)
        while pending:
            objective = pending.pop()
            pending.extend(objective.children)
            found.append((objective.objective.code, objective.rollup.score, objective.status))
            found.extend((k.kpi.code, k.result, k.periods) for k in objective.kpis)
    return found


def test_the_scorecards_of_several_months_are_each_months_own_scorecard():
    plan = build_plan(12)
    vary(plan)
    months = [datetime.date(2025, 12, 1), JAN, FEB, MAR]

    cards = plan_scorecards(plan=plan, months=months, reader=None)

    assert [lines(c) for c in cards] == [
        lines(plan_scorecard(plan=plan, period=m, reader=None)) for m in months
    ]
    assert any(k.result.trend is not None for k in cards[2]._by_code.values())


def test_without_trends_the_months_score_the_same_and_have_no_trend():
    plan = build_plan(12)
    vary(plan)
    months = [JAN, FEB]

    cards = plan_scorecards(plan=plan, months=months, reader=None, trends=False)

    for card, month in zip(cards, months, strict=True):
        alone = plan_scorecard(plan=plan, period=month, reader=None)
        assert card.rollup.score == alone.rollup.score
        assert [(o.objective.pk, o.rollup.score, o.status) for o in card.objectives()] == [
            (o.objective.pk, o.rollup.score, o.status) for o in alone.objectives()
        ]
        for code, line in card._by_code.items():
            assert (line.result.score, line.result.status) == (
                alone.kpi(code).result.score,
                alone.kpi(code).result.status,
            )
            assert line.result.trend is None
            assert line.result.previous_score is None


def test_the_scorecards_of_twelve_months_take_the_queries_of_one():
    def count(plan) -> int:  # type: ignore[no-untyped-def]
        months = [datetime.date(2025, m, 1) for m in range(3, 13)] + [JAN, FEB]
        with CaptureQueriesContext(connection) as context:
            plan_scorecards(plan=plan, months=months, reader=None, trends=False)
        return len(context.captured_queries)

    small, large = count(build_plan(10)), count(build_plan(200))
    assert small == large
    assert large <= 8


def test_a_dropped_scorecard_is_freed_at_once_not_left_to_the_garbage_collector():
    """No reference cycle holds a scorecard's KPI scores: with the cyclic collector paused,
    dropping the scorecard frees them, so a full collection never has them to walk."""
    scorecard = plan_scorecard(plan=build_plan(10), period=FEB, reader=None)
    objective = scorecard.perspectives[0].objectives[0]
    assert objective.children, "the plan cascades, so the roll-up recursed"
    kept = [weakref.ref(objective), weakref.ref(objective.children[0].kpis[0])]
    del objective
    gc.disable()
    try:
        del scorecard
        assert [ref() for ref in kept] == [None, None]
    finally:
        gc.enable()
