"""A scorecard whose cascaded plans come from their kept summaries (kpis.selectors.cascade)
scores every objective, perspective and the plan exactly as the full scorecard does, and a
committed write makes only its own plan's branch be scored again."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from kpis.models import Actual, Aggregation, Direction, Frequency, Kpi, PeriodClose, Target
from kpis.selectors import plan_scorecard, plan_scorecards
from kpis.selectors import scorecard as scorecard_module
from kpis.services.actuals import actual_record
from kpis.services.common import Source
from tests.factories import (
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    UserFactory,
)

DEC = datetime.date(2025, 12, 1)
JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)
MAR = datetime.date(2026, 3, 1)
VIEWS = ["month", "quarter", "ytd", "year"]


def _kpis(rng: random.Random, objective, count: int) -> list[Kpi]:  # type: ignore[no-untyped-def]
    """Stored KPIs of every direction, aggregation and frequency, some weighted 0, with
    targets and (not always) actuals, and a calculated one of the first two."""
    kpis = []
    for n in range(count):
        kpis.append(
            Kpi.objects.create(
                plan=objective.plan,
                objective=objective,
                code=f"{objective.code}-K{n}",
                name=f"KPI {n}",
                direction=rng.choice(list(Direction)),
                aggregation=rng.choice(list(Aggregation)),
                frequency=rng.choice([Frequency.MONTHLY, Frequency.MONTHLY, Frequency.QUARTERLY]),
                weight=Decimal(rng.choice([0, 1, 2, 3])),
            )
        )
    first, second = kpis[0].code, kpis[1].code
    kpis.append(
        Kpi.objects.create(
            plan=objective.plan,
            objective=objective,
            code=f"{objective.code}-SUM",
            name="Sum",
            formula=f"{first} + {second}",
        )
    )
    for kpi in kpis:
        for period in (DEC, JAN, FEB, MAR):
            goal = Decimal(rng.randint(50, 150))
            if kpi.direction == Direction.DECREASE:
                red_flag = goal + rng.randint(1, 30)
            else:
                red_flag = goal - rng.randint(1, 30)
            goal_high = red_flag_high = None
            if kpi.direction == Direction.RANGE:
                red_flag, goal_high, red_flag_high = goal - 10, goal + 20, goal + 30
            Target.objects.create(
                kpi=kpi,
                period=period,
                goal=goal,
                red_flag=red_flag,
                goal_high=goal_high,
                red_flag_high=red_flag_high,
            )
            if not kpi.is_calculated and rng.random() < 0.8:
                Actual.objects.create(kpi=kpi, period=period, value=Decimal(rng.randint(20, 180)))
    return kpis


def build_cascade(seed: int):  # type: ignore[no-untyped-def]
    """A group plan, two department plans and a team plan below the first department, each
    with objectives that cascade to the plan above (one does not), all with KPIs."""
    rng = random.Random(seed)
    group = StrategicPlanFactory()
    perspectives = [
        PerspectiveFactory(plan=group, name=name, order=n)
        for n, name in enumerate(["Financial", "Customer"])
    ]
    tops = [
        ObjectiveFactory(plan=group, perspective=perspectives[n % 2], code=f"G{n}")
        for n in range(3)
    ]
    for objective in tops:
        _kpis(rng, objective, 3)
    plans = {"group": group}
    for name in ("sales", "operations"):
        plan = StrategicPlanFactory(parent=group)
        perspective = PerspectiveFactory(plan=plan)
        plans[name] = plan
        for n in range(3):
            objective = ObjectiveFactory(
                plan=plan,
                perspective=perspective,
                code=f"{name[0].upper()}{n}",
                parent=None if n == 2 else rng.choice(tops),
                weight=Decimal(rng.choice([1, 2])),
            )
            _kpis(rng, objective, 3)
    team = StrategicPlanFactory(parent=plans["sales"])
    plans["team"] = team
    sales_objectives = list(plans["sales"].objectives.order_by("code"))
    for n in range(2):
        objective = ObjectiveFactory(
            plan=team,
            perspective=PerspectiveFactory(plan=team),
            code=f"T{n}",
            parent=sales_objectives[n],
        )
        _kpis(rng, objective, 2)
    return plans


def tree(objective) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    """An objective's numbers, with its children's, as the dashboard reads them."""
    return (
        objective.objective.code,
        objective.rollup.score,
        objective.status,
        objective.rollup.reported,
        objective.rollup.total,
        objective.kpis_reported,
        objective.kpis_total,
        objective.previous_score(),
        tuple(tree(child) for child in objective.children),
    )


def numbers(card) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    return (
        card.rollup.score,
        card.status,
        card.kpis_reported,
        card.kpis_total,
        [
            (p.perspective.name, p.rollup.score, p.status, p.kpis_reported, p.kpis_total)
            for p in card.perspectives
        ],
        [tree(o) for o in card.objectives()],
        [(k.kpi.code, k.result.score, k.status) for o in card.objectives() for k in o.kpis],
    )


def scored_both_ways(plan, period, view):  # type: ignore[no-untyped-def]
    full = plan_scorecard(plan=plan, period=period, view=view, reader=None)
    kept = plan_scorecard(plan=plan, period=period, view=view, reader=None, summarised=True)
    return numbers(full), numbers(kept)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("view", VIEWS)
def test_summarised_children_score_every_level_as_the_full_scorecard_does(seed, view):
    plans = build_cascade(seed)
    for plan in plans.values():
        for period in (JAN, FEB, MAR):
            full, kept = scored_both_ways(plan, period, view)
            assert kept == full
    # The group's objectives do have summarised children, two levels deep.
    card = plan_scorecard(plan=plans["group"], period=FEB, reader=None, summarised=True)
    children = [c for o in card.objectives() for c in o.children]
    assert children
    assert all(c.summarised and not c.kpis for c in children)
    assert any(grandchild for c in children for grandchild in c.children)


@pytest.mark.django_db
@pytest.mark.parametrize("trends", [True, False])
def test_the_months_of_a_heat_map_are_scored_as_each_full_scorecard(trends):
    plans = build_cascade(8)
    months = [JAN, FEB, MAR]
    full = plan_scorecards(plan=plans["group"], months=months, reader=None, trends=trends)
    kept = plan_scorecards(
        plan=plans["group"], months=months, reader=None, trends=trends, summarised=True
    )
    assert [numbers(card) for card in kept] == [numbers(card) for card in full]


@pytest.mark.django_db
def test_a_summarised_scorecard_loads_only_the_plans_own_kpis():
    plans = build_cascade(4)
    card = plan_scorecard(plan=plans["group"], period=FEB, reader=None, summarised=True)
    own = {k.kpi.plan_id for o in card.objectives() for k in o.kpis}
    assert own == {plans["group"].pk}


def summarised_plans(monkeypatch) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """The plans each summarised scorecard from now on has to score (not kept)."""
    asked: list[list[int]] = []
    summarise = scorecard_module._summarise

    def recorded(parts, plan_ids, known, **options):  # type: ignore[no-untyped-def]
        asked.append(sorted(plan_ids))
        return summarise(parts, plan_ids, known, **options)

    monkeypatch.setattr(scorecard_module, "_summarise", recorded)
    return asked


@pytest.mark.django_db(transaction=True)
def test_kept_summaries_are_read_until_a_write_and_then_only_its_branch_is_scored_again(
    monkeypatch,
):
    plans = build_cascade(5)
    group, sales, operations, team = (plans[n] for n in ("group", "sales", "operations", "team"))
    asked = summarised_plans(monkeypatch)
    first = scored_both_ways(group, FEB, "month")
    assert first[1] == first[0]
    assert asked == [sorted([sales.pk, operations.pk, team.pk])], "nothing was kept yet"

    asked.clear()
    again = plan_scorecard(plan=group, period=FEB, reader=None, summarised=True)
    assert asked == [], "every summary was kept"
    assert numbers(again) == first[0]

    # A team's new value (committed: this test's writes are not in a transaction) makes the
    # team and the plans above it be scored again, and not the other department.
    kpi = Kpi.objects.filter(plan=team, formula="").order_by("code").first()
    actual_record(
        kpi=kpi, period=FEB, value=Decimal(7), by=UserFactory(), source=Source.INTEGRATION
    )
    asked.clear()
    full, kept = scored_both_ways(group, FEB, "month")
    assert kept == full
    assert full != first[0], "the new value changed the group's scores"
    assert asked == [sorted([sales.pk, team.pk])]

    # So does a changed KPI definition; a period close may change any plan: all are scored.
    kpi.weight = Decimal(5)
    kpi.save()
    asked.clear()
    full, kept = scored_both_ways(group, FEB, "month")
    assert kept == full
    assert asked == [sorted([sales.pk, team.pk])]
    PeriodClose.objects.create(closed_through=JAN)
    asked.clear()
    plan_scorecard(plan=group, period=FEB, reader=None, summarised=True)
    assert asked == [sorted([sales.pk, operations.pk, team.pk])]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_kept_from_inside_a_transaction(monkeypatch):
    """Inside a transaction the data may hold its own writes, which a rollback takes back."""
    from django.db import transaction

    plans = build_cascade(6)
    asked = summarised_plans(monkeypatch)
    with transaction.atomic():
        plan_scorecard(plan=plans["group"], period=FEB, reader=None, summarised=True)
        plan_scorecard(plan=plans["group"], period=FEB, reader=None, summarised=True)
    assert len(asked) == 2, "each read scored the plans below again"
    plan_scorecard(plan=plans["group"], period=FEB, reader=None, summarised=True)
    asked.clear()
    plan_scorecard(plan=plans["group"], period=FEB, reader=None, summarised=True)
    assert asked == []


@pytest.mark.django_db(transaction=True)
def test_with_page_caching_off_no_scores_are_kept(monkeypatch, settings):
    settings.PAGE_CACHE_SECONDS = 0
    plans = build_cascade(7)
    asked = summarised_plans(monkeypatch)
    plan_scorecard(plan=plans["group"], period=FEB, reader=None, summarised=True)
    plan_scorecard(plan=plans["group"], period=FEB, reader=None, summarised=True)
    assert len(asked) == 2
