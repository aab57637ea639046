"""Reads for the executive dashboard: which plan, period and view to show, and what it shows.

The dashboard of a plan and a period is its `plan_scorecard` (a fixed number of queries) plus
a fixed number of further queries: the plans the reader may see, the strategy map's links, the
period's actuals of the worst KPIs that need attention (their analysis and corrective action;
the dashboard names `ATTENTION_SHOWN` of them, the whole list has its own page), the action
plans acting on those, the plan's latest variance report. None of them grows with the number
of KPIs. The heat map and the forecasts (the year-to-date values of every KPI on track) load
after the first paint. An objective's page is `scorecard.objective_page`.

The address is not trusted: `choose` checks each value against what the reader may see and
what the plan holds, and says in words what it did with a value it could not use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import Membership, User
from actionplans.kpi_pages import corrective_plan_for
from actionplans.models import ActionPlan
from actionplans.selectors import plans_acting_on_kpis
from kpis import forecast, periods
from kpis.models import Actual, Kpi, Target, VarianceReport
from kpis.period_params import VIEW_LABELS, parse_month, parse_view
from kpis.reports.selectors import latest_report
from kpis.scoring import Score, ScoreStatus, Trend, display_score, rollup, status_for, trend
from kpis.selectors import (
    KpiScore,
    ObjectiveScore,
    PerspectiveScore,
    PlanScorecard,
    plan_scorecard,
    plan_scorecards,
)
from strategy.extensions import Link
from strategy.models import ObjectiveLink, StrategicPlan
from strategy.selectors import plans_for
from strategy.strategy_map import StrategyMap, layout

HEAT_MAP_PERIODS = 12
WINS_SHOWN = 10
# The dashboard names the worst few; the whole list has its own page.
ATTENTION_SHOWN = 10
# Worst first: off track before at risk; within a status, the lower score first.
_SEVERITY = {
    ScoreStatus.OFF_TRACK: 0,
    ScoreStatus.AT_RISK: 1,
    ScoreStatus.NO_DATA: 2,
    ScoreStatus.ON_TRACK: 3,
}


class PlanNotFound(Exception):
    """The address names a plan the reader may not see, or none at all (both answer 404)."""


@dataclass
class Choice:
    """The plan, period and view to show, the choices offered, and what was wrong with the
    address (one sentence per refused value)."""

    plans: list[StrategicPlan]
    plan: StrategicPlan | None
    period: date
    view: str
    period_choices: list[date]
    problems: list[str] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return f"{self.period:%b %Y}"

    @property
    def view_label(self) -> str:
        return VIEW_LABELS[self.view]

    @property
    def query(self) -> str:
        """The address's query string for this choice, for links that keep it."""
        if self.plan is None:
            return ""
        return f"plan={self.plan.pk}&period={self.period:%Y-%m}&view={self.view}"


def visible_plans(user: User) -> QuerySet[StrategicPlan]:
    """The plans the person may see and that are not archived, top plans first."""
    return (
        plans_for(user)
        .exclude(status=StrategicPlan.Status.ARCHIVED)
        .order_by("org_unit__parent_id", "org_unit__name", "-start", "name")
    )


def default_plan(user: User, plans: list[StrategicPlan]) -> StrategicPlan | None:
    """The person's own unit's plan if there is one, else the top plan they may see."""
    if not plans:
        return None
    own_units = set(Membership.objects.filter(user=user).values_list("org_unit_id", flat=True))

    def preference(plan: StrategicPlan) -> tuple[bool, bool, bool, date]:
        # Own unit first, then a plan that cascades from none, then an active one, the latest.
        return (
            plan.org_unit_id not in own_units,
            plan.parent_id is not None,
            plan.status != StrategicPlan.Status.ACTIVE,
            date.max - (plan.start - date.min),
        )

    return min(plans, key=preference)


def last_closed_month(today: date) -> date:
    return periods.last_closed_period(today, periods.Frequency.MONTHLY)


def _months(plan: StrategicPlan, today: date) -> list[date]:
    """The months of the plan's horizon up to the last closed one, newest first."""
    last = min(periods.period_start(plan.end, "monthly"), last_closed_month(today))
    first = periods.period_start(plan.start, "monthly")
    if last < first:
        return [first]
    return list(reversed(periods.periods_between(first, last, periods.Frequency.MONTHLY)))


def choose(*, user: User, query: Mapping[str, str], today: date) -> Choice:
    """The plan, period and view the address asks for, each checked; defaults where absent.

    Raises PlanNotFound for a plan number the reader may not see or that does not exist.
    """
    plans = list(visible_plans(user))
    problems: list[str] = []
    plan_text = query.get("plan", "").strip()
    plan: StrategicPlan | None = None
    if plan_text:
        if not plan_text.isdigit():
            problems.append(f"“{plan_text}” is not a plan number; showing your default plan.")
        else:
            plan = next((p for p in plans if p.pk == int(plan_text)), None)
            if plan is None:
                raise PlanNotFound(plan_text)
    if plan is None:
        plan = default_plan(user, plans)

    if plan is None:
        view, view_problems = parse_view(query)
        return Choice(plans, None, last_closed_month(today), view, [], problems + view_problems)
    period, view, months, more = choose_period(plan=plan, query=query, today=today)
    return Choice(plans, plan, period, view, months, problems + more)


def choose_period(
    *, plan: StrategicPlan, query: Mapping[str, str], today: date
) -> tuple[date, str, list[date], list[str]]:
    """The period and view the address asks for in the plan: (period, view, the months on
    offer, newest first, and a sentence for each value that could not be used)."""
    view, problems = parse_view(query)
    months = _months(plan, today)
    default_period = months[0]
    period_text = query.get("period", "").strip()
    period = default_period
    if period_text:
        asked = parse_month(period_text)
        if asked is None:
            problems.append(
                f"“{period_text}” is not a month: write it as YYYY-MM, for example "
                f"{default_period:%Y-%m}; showing {default_period:%b %Y}."
            )
        elif asked not in months:
            problems.append(
                f"{asked:%b %Y} is outside the periods of {plan.name} with results "
                f"({months[-1]:%b %Y} to {months[0]:%b %Y}); showing {default_period:%b %Y}."
            )
        else:
            period = asked
    return period, view, months, problems


# --- What the dashboard shows -----------------------------------------------------------------


@dataclass
class AttentionItem:
    """A KPI off track or at risk (or a win), with the period's words and who acts on it."""

    score: KpiScore
    objective: ObjectiveScore
    analysis: str = ""
    corrective_action: str = ""
    action_plans: list[ActionPlan] = field(default_factory=list)
    forecast: forecast.Forecast | None = None
    # For an off-track KPI: a draft corrective plan, when the reader may start one.
    corrective_plan: Link | None = None

    @property
    def previous_status(self) -> ScoreStatus:
        return status_for(self.score.result.previous_score)

    @property
    def improved(self) -> bool:
        before = self.previous_status
        return (
            before is not ScoreStatus.NO_DATA and _SEVERITY[self.score.status] > _SEVERITY[before]
        )


@dataclass(frozen=True)
class Movement:
    """A score's trend against the previous period, in words as well as a direction."""

    trend: Trend | None
    previous: Score | None

    @property
    def words(self) -> str:
        if self.trend is None:
            return "no earlier score to compare"
        if self.trend is Trend.FLAT:
            return f"flat (was {display_score(self.previous)})"
        return f"{self.trend.value} from {display_score(self.previous)}"


@dataclass(frozen=True)
class PerspectiveCard:
    score: PerspectiveScore
    movement: Movement


@dataclass
class Dashboard:
    scorecard: PlanScorecard
    movement: Movement
    perspective_cards: list[PerspectiveCard]
    strategy_map: StrategyMap
    rows: list[AttentionItem]
    needs_attention: list[AttentionItem]
    attention_more: int
    wins: list[AttentionItem]
    wins_more: int
    # The plan's latest variance report up to the period, when one has been computed.
    report: VarianceReport | None

    @property
    def gauge(self) -> dict[str, object]:
        """The overall score for the gauge chart (its words are on the page beside it)."""
        score = self.scorecard.rollup.score
        return {
            "kind": "gauge",
            "name": "Overall score",
            "score": None if score is None else float(round(score, 1)),
            "status": self.scorecard.status.value,
        }


def _previous_scores(scorecard: PlanScorecard) -> tuple[Score | None, dict[int, Score | None]]:
    """The plan's and each perspective's score in the previous period, rolled up by the engine
    from the KPIs' previous scores with today's weights (no further query)."""

    by_perspective = {
        p.perspective.pk: rollup(
            [(o.objective.code, o.previous_score(), o.objective.weight) for o in p.objectives]
        ).score
        for p in scorecard.perspectives
    }
    plan = rollup(
        [
            (p.perspective.name, by_perspective[p.perspective.pk], p.perspective.weight)
            for p in scorecard.perspectives
        ]
    ).score
    return plan, by_perspective


def _own_kpis(scorecard: PlanScorecard) -> list[tuple[ObjectiveScore, KpiScore]]:
    """The plan's own KPIs with their objectives, in map order (cascaded ones are not listed:
    they show on their own plan's dashboard and count here through their objectives)."""
    return [(o, k) for o in scorecard.objectives() for k in o.kpis]


def _period_actuals(items: Iterable[AttentionItem]) -> None:
    """Fill in the analysis and corrective action of each item's latest period (one query)."""
    items = list(items)
    wanted = {(item.score.kpi.pk, item.score.periods[-1]) for item in items}
    if not wanted:
        return
    found = {
        (kpi_id, period): (analysis, corrective)
        for kpi_id, period, analysis, corrective in Actual.objects.filter(
            kpi_id__in={k for k, _ in wanted}, period__in={p for _, p in wanted}
        ).values_list("kpi_id", "period", "analysis", "corrective_action")
    }
    for item in items:
        item.analysis, item.corrective_action = found.get(
            (item.score.kpi.pk, item.score.periods[-1]), ("", "")
        )


def _action_plans(items: Iterable[AttentionItem], *, reader: User) -> None:
    """The plans acting on each item's KPI that the reader may see, not cancelled (one query
    for the links, one for their tasks)."""
    items = list(items)
    by_kpi: dict[int, list[ActionPlan]] = defaultdict(list)
    for link in plans_acting_on_kpis((item.score.kpi.pk for item in items), reader=reader):
        by_kpi[link.kpi_id].append(link.action_plan)
    for item in items:
        item.action_plans = by_kpi[item.score.kpi.pk]


def year_to_date(kpis: list[Kpi], period: date) -> dict[int, forecast.YearValues]:
    """Each KPI's values in the fiscal year containing `period`, through `period` (two queries).

    Only monthly and quarterly KPIs have a pace within a year; yearly ones are left out.
    """
    fy = settings.FISCAL_YEAR_START_MONTH
    year_start = periods.period_start(period, periods.Frequency.YEARLY, fy)
    year_end = periods.period_end(year_start, periods.Frequency.YEARLY)
    paced = [k for k in kpis if k.frequency != periods.Frequency.YEARLY and not k.is_calculated]
    ids = [k.pk for k in paced]
    actuals: dict[int, dict[date, Decimal]] = defaultdict(dict)
    goals: dict[int, dict[date, Decimal]] = defaultdict(dict)
    stored = Actual.objects.filter(kpi_id__in=ids, period__gte=year_start, period__lte=period)
    if settings.SCORECARD_APPROVAL:
        stored = stored.filter(status="approved")
    for kpi_id, day, value in stored.values_list("kpi_id", "period", "value"):
        actuals[kpi_id][day] = value
    for kpi_id, day, goal in Target.objects.filter(
        kpi_id__in=ids, period__gte=year_start, period__lte=year_end
    ).values_list("kpi_id", "period", "goal"):
        goals[kpi_id][day] = goal
    result = {}
    for kpi in paced:
        year_periods = periods.periods_between(year_start, year_end, kpi.frequency)
        result[kpi.pk] = forecast.YearValues(
            direction=kpi.direction,
            aggregation=kpi.aggregation,
            periods_in_year=len(year_periods),
            actuals=[actuals[kpi.pk].get(p) for p in year_periods if p <= period],
            goals=[goals[kpi.pk].get(p) for p in year_periods],
        )
    return result


def dashboard(*, plan: StrategicPlan, period: date, view: str, reader: User) -> Dashboard:
    """Everything the dashboard shows for the plan and period, in a fixed number of queries."""
    scorecard = plan_scorecard(plan=plan, period=period, view=view, reader=reader, summarised=True)
    perspectives = [p.perspective for p in scorecard.perspectives]
    objectives = [o.objective for o in scorecard.objectives()]
    links = ObjectiveLink.objects.filter(cause__plan=plan, effect__plan=plan).only(
        "cause_id", "effect_id"
    )
    strategy_map = layout(
        perspectives,
        objectives,
        links,
        status_by_objective={o.objective.pk: o.status.value for o in scorecard.objectives()},
        href_by_objective={o.pk: reverse("objective", args=[o.pk]) for o in objectives},
    )

    rows = [AttentionItem(score=k, objective=o) for o, k in _own_kpis(scorecard)]
    attention = _attention(rows, reader=reader, shown=ATTENTION_SHOWN)
    wins = sorted(
        (r for r in rows if r.score.status is ScoreStatus.ON_TRACK or r.improved),
        key=lambda r: (-(r.score.result.score or 0), r.score.kpi.code),
    )

    previous_plan, previous_perspectives = _previous_scores(scorecard)
    return Dashboard(
        scorecard=scorecard,
        movement=Movement(trend(scorecard.rollup.score, previous_plan), previous_plan),
        perspective_cards=[
            PerspectiveCard(
                p,
                Movement(
                    trend(p.rollup.score, previous_perspectives[p.perspective.pk]),
                    previous_perspectives[p.perspective.pk],
                ),
            )
            for p in scorecard.perspectives
        ],
        strategy_map=strategy_map,
        rows=rows,
        needs_attention=attention[:ATTENTION_SHOWN],
        attention_more=max(0, len(attention) - ATTENTION_SHOWN),
        wins=wins[:WINS_SHOWN],
        wins_more=max(0, len(wins) - WINS_SHOWN),
        report=latest_report(plan=plan, through=period),
    )


def _attention(
    rows: Iterable[AttentionItem], *, reader: User, shown: int | None
) -> list[AttentionItem]:
    """The rows off track or at risk, worst first; the first `shown` of them (all for None)
    with the period's words, the plans acting on them and a corrective plan to start (a fixed
    number of queries)."""
    attention = sorted(
        (r for r in rows if r.score.status in (ScoreStatus.OFF_TRACK, ScoreStatus.AT_RISK)),
        key=lambda r: (_SEVERITY[r.score.status], r.score.result.score or 0),
    )
    told = attention if shown is None else attention[:shown]
    _period_actuals(told)
    _action_plans(told, reader=reader)
    for item in told:
        if item.score.status is ScoreStatus.OFF_TRACK:
            item.corrective_plan = corrective_plan_for(
                reader, objective=item.objective.objective, kpi_id=item.score.kpi.pk
            )
    return attention


def needs_attention(
    *, plan: StrategicPlan, period: date, view: str, reader: User
) -> list[AttentionItem]:
    """Every KPI of the plan off track or at risk in the period, worst first, with what the
    dashboard tells of each (its page when the dashboard names only the worst)."""
    scorecard = plan_scorecard(plan=plan, period=period, view=view, reader=reader, summarised=True)
    rows = [AttentionItem(score=k, objective=o) for o, k in _own_kpis(scorecard)]
    return _attention(rows, reader=reader, shown=None)


def forecast_misses(
    *, plan: StrategicPlan, period: date, view: str, reader: User
) -> list[AttentionItem]:
    """The plan's KPIs on track in the period whose year-end forecast misses the year's goal
    (the scorecard's queries and two more), loaded after the dashboard's first paint."""
    scorecard = plan_scorecard(plan=plan, period=period, view=view, reader=reader, summarised=True)
    on_track = [
        AttentionItem(score=k, objective=o)
        for o, k in _own_kpis(scorecard)
        if k.status is ScoreStatus.ON_TRACK
    ]
    paces = year_to_date([item.score.kpi for item in on_track], period)
    misses = []
    for item in on_track:
        values = paces.get(item.score.kpi.pk)
        if values is None:
            continue
        item.forecast = forecast.year_end(values)
        if item.forecast.misses_goal:
            misses.append(item)
    return misses


# --- Heat map: objectives by month, the last 12 months -------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    score: Score | None
    status: ScoreStatus

    @property
    def display_score(self) -> str:
        return display_score(self.score)


@dataclass(frozen=True)
class HeatRow:
    code: str
    name: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatMap:
    months: list[date]
    rows: list[HeatRow]

    @property
    def chart(self) -> dict[str, object]:
        """The heat map's data for the chart: scores by [month index, row index]."""
        return {
            "kind": "heatmap",
            "name": "Objectives over the last 12 months",
            "months": [f"{m:%b %Y}" for m in self.months],
            "rows": [f"{row.code}" for row in self.rows],
            "cells": [
                [x, y, None if cell.score is None else float(round(cell.score, 1)), cell.status]
                for y, row in enumerate(self.rows)
                for x, cell in enumerate(row.cells)
            ],
        }


def heat_map(*, plan: StrategicPlan, period: date, reader: User) -> HeatMap:
    """Each objective of the plan scored in each of the 12 months up to `period`: the plan's
    scorecard of each month without trends, from one read of the plan and of the months'
    targets and actuals (a fixed number of queries in all)."""
    months = [
        periods.shift(period, periods.Frequency.MONTHLY, -n)
        for n in reversed(range(HEAT_MAP_PERIODS))
    ]
    months = [m for m in months if m >= periods.period_start(plan.start, "monthly")]
    cards = plan_scorecards(plan=plan, months=months, reader=reader, trends=False, summarised=True)
    by_month = [{o.objective.pk: o for o in card.objectives()} for card in cards]
    rows = []
    for objective in cards[-1].objectives():
        cells = []
        for scored in by_month:
            found = scored.get(objective.objective.pk)
            cells.append(
                HeatCell(None, ScoreStatus.NO_DATA)
                if found is None
                else HeatCell(found.rollup.score, found.status)
            )
        rows.append(HeatRow(objective.objective.code, objective.objective.name, cells))
    return HeatMap(months, rows)
