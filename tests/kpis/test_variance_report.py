"""A plan's variance report: every line checked against numbers computed here, the summary,
the atomic replacement of a period's snapshot, "changed since", and a fixed query count."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from kpis.models import Actual, Direction, ScoreStatus, VarianceLine, VarianceReport
from kpis.reports import selectors as report_selectors
from kpis.reports.selectors import latest_report, report_digest, report_is_current
from kpis.reports.services import variance_report_compute
from tests.factories import (
    ActualFactory,
    KpiFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
)
from tests.kpis.test_plan_scorecard import build_plan

pytestmark = pytest.mark.django_db

DEC = datetime.date(2025, 12, 1)
JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)


def expected_score(a: Decimal, goal: Decimal, red: Decimal) -> Fraction:
    """DESIGN.md §4, written out again here: clamp(10/3 · (1 + (a - R)/(G - R)), 0, 10)."""
    raw = Fraction(10, 3) * (1 + (Fraction(a) - Fraction(red)) / (Fraction(goal) - Fraction(red)))
    return min(max(raw, Fraction(0)), Fraction(10))


def expected_status(score: Fraction) -> str:
    if score >= Fraction(20, 3):
        return ScoreStatus.ON_TRACK
    if score >= Fraction(10, 3):
        return ScoreStatus.AT_RISK
    return ScoreStatus.OFF_TRACK


def three_places(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.001"))


def seeded_plan():
    """A plan of random KPIs in two perspectives, with a previous month for the trend."""
    rng = random.Random(14)
    plan = StrategicPlanFactory(name="Seeded")
    perspectives = [
        PerspectiveFactory(plan=plan, name="Financial", order=1),
        PerspectiveFactory(plan=plan, name="Customer", order=2),
    ]
    objectives = [
        ObjectiveFactory(plan=plan, perspective=perspectives[n % 2], code=f"O{n}") for n in range(4)
    ]
    cases = []
    for n in range(24):
        direction = Direction.INCREASE if n % 2 else Direction.DECREASE
        kpi = KpiFactory(objective=objectives[n % 4], code=f"K{n:02}", direction=direction)
        goal = Decimal(rng.randint(50, 150))
        gap = Decimal(rng.randint(5, 20))
        red = goal - gap if direction == Direction.INCREASE else goal + gap
        stated_red = n % 5 != 0  # every fifth target derives its red flag (10 % tolerance)
        TargetFactory(kpi=kpi, period=JAN, goal=goal, red_flag=red if stated_red else None)
        TargetFactory(kpi=kpi, period=DEC, goal=goal, red_flag=red if stated_red else None)
        actual = None if n % 7 == 3 else Decimal(rng.randint(30, 180))
        previous = Decimal(rng.randint(30, 180))
        ActualFactory(kpi=kpi, period=DEC, value=previous)
        if actual is not None:
            ActualFactory(kpi=kpi, period=JAN, value=actual, analysis=f"Note {n}")
        if not stated_red:
            red = goal - goal / 10 if direction == Direction.INCREASE else goal + goal / 10
        cases.append((kpi, goal, red, actual, previous))
    return plan, cases


def test_every_line_matches_the_numbers_computed_independently():
    plan, cases = seeded_plan()

    report = variance_report_compute(plan=plan, period=JAN)

    lines = {line.kpi_id: line for line in report.lines.all()}
    assert len(lines) == len(cases)
    for kpi, goal, red, actual, previous in cases:
        line = lines[kpi.pk]
        assert (line.kpi_code, line.goal, line.red_flag) == (kpi.code, goal, red)
        before = expected_score(previous, goal, red)
        assert line.previous_score == three_places(before)
        if actual is None:
            assert (line.actual, line.score, line.status) == (None, None, ScoreStatus.NO_DATA)
            assert line.variance is None
            continue
        score = expected_score(actual, goal, red)
        assert line.actual == actual
        assert line.score == three_places(score)
        assert line.status == expected_status(score)
        assert line.variance == actual - goal
        assert line.variance_pct == ((actual - goal) / abs(goal)).quantize(Decimal("0.0001"))
        increase = kpi.direction == Direction.INCREASE
        assert line.favourable == ((actual >= goal) if increase else (actual <= goal))
        delta = score - before
        assert line.trend == (
            "flat" if abs(delta) < Fraction(1, 10) else "up" if delta > 0 else "down"
        )
        assert line.analysis == f"Note {int(kpi.code[1:])}"
        assert line.perspective_name == kpi.objective.perspective.name
    reported = [case for case in cases if case[3] is not None]
    assert (report.kpis_reported, report.kpis_total) == (len(reported), len(cases))


def test_the_summary_counts_the_statuses_and_names_the_worst_variances():
    plan, cases = seeded_plan()
    report = variance_report_compute(plan=plan, period=JAN)

    digest = report_digest(list(report.lines.all()))

    lines = list(report.lines.all())
    assert sum(digest.counts.values()) == len(cases)
    assert digest.counts[ScoreStatus.NO_DATA] == sum(case[3] is None for case in cases)
    assert sorted(line.kpi_code for line in digest.missing) == sorted(
        case[0].code for case in cases if case[3] is None
    )
    unfavourable = sorted(
        (line for line in lines if line.favourable is False),
        key=lambda line: -abs(line.variance_pct),
    )
    assert [line.kpi_code for line in digest.worst] == [line.kpi_code for line in unfavourable[:5]]
    assert [p["name"] for p in report.summary["perspectives"]] == ["Financial", "Customer"]
    assert report.summary["score"] == str(report.score)


def test_a_period_with_no_data_gives_a_report_that_says_so():
    kpi = KpiFactory(code="EMPTY")
    report = variance_report_compute(plan=kpi.plan, period=JAN)
    assert (report.kpis_reported, report.kpis_total, report.score) == (0, 1, None)
    assert report.lines.get().status == ScoreStatus.NO_DATA


def test_recomputing_replaces_the_snapshot_and_later_changes_do_not_alter_it():
    kpi = KpiFactory(code="REV")
    TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
    actual = ActualFactory(kpi=kpi, period=JAN, value=Decimal(95))
    first = variance_report_compute(plan=kpi.plan, period=JAN)

    Actual.objects.filter(pk=actual.pk).update(value=Decimal(120))
    assert first.lines.get().actual == Decimal(95)
    assert not report_is_current(first)

    second = variance_report_compute(plan=kpi.plan, period=JAN)
    assert VarianceReport.objects.filter(plan=kpi.plan, period=JAN).count() == 1
    assert VarianceLine.objects.filter(report__plan=kpi.plan).count() == 1
    assert second.lines.get().actual == Decimal(120)
    assert report_is_current(second)
    assert latest_report(plan=kpi.plan) == second


def test_a_run_that_fails_half_way_leaves_the_previous_report_whole(monkeypatch):
    kpi = KpiFactory(code="REV")
    KpiFactory(objective=kpi.objective, code="COST")
    first = variance_report_compute(plan=kpi.plan, period=JAN)

    def failing_insert(*args, **kwargs):
        raise DatabaseError("the worker died")

    monkeypatch.setattr(VarianceLine.objects, "bulk_create", failing_insert)
    with pytest.raises(DatabaseError):
        variance_report_compute(plan=kpi.plan, period=JAN)

    kept = VarianceReport.objects.get(plan=kpi.plan, period=JAN)
    assert kept.pk == first.pk
    assert kept.lines.count() == 2


def test_a_period_not_on_the_first_of_a_month_is_refused_with_the_right_date():
    kpi = KpiFactory()
    with pytest.raises(ValidationError) as refused:
        variance_report_compute(plan=kpi.plan, period=datetime.date(2026, 1, 15))
    assert "use 2026-01-01" in str(refused.value)


def test_a_changed_target_or_analysis_also_counts_as_changed_data():
    kpi = KpiFactory(code="REV")
    target = TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
    actual = ActualFactory(kpi=kpi, period=JAN, value=Decimal(95))
    report = variance_report_compute(plan=kpi.plan, period=JAN)

    Actual.objects.filter(pk=actual.pk).update(analysis="Late invoices")
    assert not report_is_current(report)
    report = variance_report_compute(plan=kpi.plan, period=JAN)
    target.goal = Decimal(110)
    target.save()
    assert not report_is_current(report)


def _inserts_and_others(plan) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        variance_report_compute(plan=plan, period=FEB)
    inserts = [
        q
        for q in context.captured_queries
        if q["sql"].startswith('INSERT INTO "kpis_varianceline"')
    ]
    return len(inserts), len(context.captured_queries) - len(inserts)


def test_computing_a_report_takes_the_same_queries_for_10_and_200_kpis():
    small_inserts, small = _inserts_and_others(build_plan(10))
    large_inserts, large = _inserts_and_others(build_plan(200))

    assert small == large
    # The lines go in with bulk inserts: one statement, or as many as the database's limit
    # on parameters per statement asks (SQLite: 999).
    fields = len([f for f in VarianceLine._meta.concrete_fields if not f.primary_key])
    batch = connection.ops.bulk_batch_size([None] * fields, [None] * 200)
    assert small_inserts == 1
    assert large_inserts == -(-200 // batch)


def test_the_report_reads_through_the_scorecard_engine(monkeypatch):
    """One scoring path: the report takes its numbers from plan_scorecard."""
    calls = []
    real = report_selectors.plan_scorecard

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(report_selectors, "plan_scorecard", spy)
    kpi = KpiFactory()
    variance_report_compute(plan=kpi.plan, period=JAN)
    assert calls == [{"plan": kpi.plan, "period": JAN, "reader": None}]
