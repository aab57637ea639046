"""The whole scorecard of a plan for a period (`plan_scorecard`; what it returns, and how
objectives roll up, are in `kpis.selectors.scores`), and the formula a reader may see.

`plan_scorecard` loads everything it needs in a fixed number of queries (the plans of the
cascade, their perspectives, objectives, KPIs, and the targets and actuals of the periods in
view) and scores in memory with the pure engine, so its cost in queries does not grow with
the number of KPIs. Compute, then explain: each KPI of one period is scored by
`kpis.scoring.evaluate_kpi`, a combined view by `kpis.combined_periods.evaluate_view` (both
through `kpis.scoring.score`), each roll-up by `kpis.scoring.rollup`; `kpis.explanations` then
words those results.

Targets and actuals are combined in Python rather than with SQL aggregates because a view must
know which of its periods are reported, derive missing red flags period by period and combine
a calculated KPI's inputs before applying its formula.

It scores for a reader: the words explaining a score never name or value a KPI or objective
the reader may not see (DESIGN.md §5), whichever page, API call or report shows them; the
numbers themselves are the same for everyone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import User
from accounts.permissions import visible_unit_ids
from kpis import combined_periods, explanations, formulas, periods
from kpis.models import Kpi
from kpis.scoring import View
from kpis.selectors import cascade
from kpis.selectors.cascade import PlanSummaries
from kpis.selectors.measures import (
    Values,
    evaluate,
    measure,
)
from kpis.selectors.scores import (
    MONTH,
    NOTHING_HIDDEN,
    VIEWS,
    KpiScore,
    ObjectiveRollups,
    ObjectiveScore,
    PerspectiveScore,
    PlanScorecard,
    children_of,
    from_summary,
    worded_rollup,
)
from strategy.models import Objective, Perspective, StrategicPlan


def kpi_periods(kpi: Kpi, day: date, view: str, fiscal_year_start_month: int) -> list[date]:
    """The KPI's own periods that make up the view containing `day`.

    A view shorter than the KPI's period (a yearly KPI per quarter) shows the KPI's period.
    """
    return kpi_periods_for(kpi.frequency, day, view, fiscal_year_start_month)


def kpi_periods_for(
    frequency: str, day: date, view: str, fiscal_year_start_month: int
) -> list[date]:
    """`kpi_periods` for any KPI of the frequency."""
    own = periods.period_start(day, frequency, fiscal_year_start_month)
    if view == MONTH:
        return [own]
    try:
        return combined_periods.view_periods(day, view, frequency, fiscal_year_start_month)
    except ValueError:
        return [own]


def _previous_day(day: date, view: str, fiscal_year_start_month: int) -> date:
    """A day in the view before the one containing `day`, for the trend."""
    if view == View.QUARTER:
        return periods.shift(
            periods.period_start(day, "quarterly", fiscal_year_start_month), "quarterly", -1
        )
    if view == View.YEAR:
        return periods.shift(
            periods.period_start(day, "yearly", fiscal_year_start_month), "yearly", -1
        )
    # Year to date: through the month before (the month view takes each KPI's own period
    # before instead: `_frequency_periods`).
    return periods.shift(periods.period_start(day, "monthly"), "monthly", -1)


def _cascade_plan_units(plan: StrategicPlan) -> tuple[dict[int, int], dict[int, list[int]]]:
    """The plan and every plan that cascades from it, at any depth, with their units, and
    the child plans of each (one query).

    Raises StrategicPlan.DoesNotExist when the plan is gone: deleted since the caller read it.
    """
    children: dict[int | None, list[int]] = defaultdict(list)
    units: dict[int, int] = {}
    for pk, parent_id, unit_id in StrategicPlan.objects.values_list(
        "pk", "parent_id", "org_unit_id"
    ):
        children[parent_id].append(pk)
        units[pk] = unit_id
    if plan.pk not in units:
        raise StrategicPlan.DoesNotExist(f"There is no plan number {plan.pk}: it was deleted.")
    ids = [plan.pk]
    frontier = [plan.pk]
    while frontier:
        frontier = [child for pk in frontier for child in children[pk]]
        ids.extend(frontier)
    return {pk: units[pk] for pk in ids}, {pk: children[pk] for pk in ids if children[pk]}


Reader = User | AnonymousUser | None


def _sees_objective(units: frozenset[int] | None, plan_unit_id: int, unit_id: int) -> bool:
    """`strategy.view_objective` (and so `kpis.view_kpi`) for the units the reader sees, with
    None for all of them: an objective is seen through its plan's unit or its own."""
    return units is None or plan_unit_id in units or unit_id in units


def _reader_units(reader: Reader) -> frozenset[int] | None:
    return None if reader is None else visible_unit_ids(reader)


def shown_formula(*, kpi: Kpi, reader: Reader) -> str:
    """The KPI's formula as the reader may see it: the codes of inputs they may not see are
    masked as in the explanations (one query for a calculated KPI when transparency is off)."""
    units = _reader_units(reader)
    if not kpi.is_calculated or units is None:
        return kpi.formula.strip()
    try:
        codes = formulas.formula_codes(kpi.formula)
    except formulas.FormulaError:
        codes = set()
    inputs = Kpi.objects.filter(plan_id=kpi.plan_id, code__in=codes).values_list(
        "code", "objective__plan__org_unit_id", "objective__org_unit_id"
    )
    hidden = {
        code for code, plan_unit, unit in inputs if not _sees_objective(units, plan_unit, unit)
    }
    return explanations.formula_words(kpi.formula, hidden)


_PeriodsByFrequency = dict[str, list[date]]


def _view_periods(
    kpis: Iterable[Kpi], period: date, view: str, *, trends: bool
) -> tuple[_PeriodsByFrequency, _PeriodsByFrequency]:
    """The periods of the view containing `period` and, for trends, of the one before, by
    frequency (every KPI of a frequency sees the same periods)."""
    return _frequency_periods({k.frequency for k in kpis}, period, view, trends=trends)


def _frequency_periods(
    frequencies: Iterable[str], period: date, view: str, *, trends: bool
) -> tuple[_PeriodsByFrequency, _PeriodsByFrequency]:
    """`_view_periods` of KPIs of these frequencies."""
    fy = settings.FISCAL_YEAR_START_MONTH
    current = {f: kpi_periods_for(f, period, view, fy) for f in frequencies}
    if not trends:
        return current, {}
    if view == MONTH:
        # Each KPI's own period before: a quarterly KPI seen in February compares its quarter
        # with the last one (the month before lies in the same quarter).
        return current, {f: [periods.shift(current[f][0], f, -1)] for f in current}
    previous_day = _previous_day(period, view, fy)
    return current, {f: kpi_periods_for(f, previous_day, view, fy) for f in current}


def _period_set(*by_frequency: _PeriodsByFrequency) -> set[date]:
    return {p for periods_ in by_frequency for ps in periods_.values() for p in ps}


def _score_kpis(
    kpis: list[Kpi],
    scored: Iterable[Kpi],
    *,
    of_kpis: Q,
    period: date,
    view: str,
    seen_objectives: Callable[[int], bool],
    values: Values | None = None,
    trends: bool = True,
) -> dict[int, KpiScore]:
    """Score `scored` (some of `kpis`, which hold every input of a calculated one) in the
    period or view, in two queries: the targets and actuals of `kpis` (`of_kpis` selects
    them, as a filter on Target and Actual), or none when `values` already holds them.
    Without `trends`, the previous period is not scored (no trend, no previous score)."""
    fy = settings.FISCAL_YEAR_START_MONTH
    current, previous = _view_periods(kpis, period, view, trends=trends)
    if values is None:
        values = Values(kpis, _period_set(current, previous), of_kpis)

    codes_by_plan: dict[int, dict[str, Kpi]] = defaultdict(dict)
    for kpi in kpis:
        codes_by_plan[kpi.plan_id][kpi.code] = kpi

    kpi_scores: dict[int, KpiScore] = {}
    for kpi in scored:
        by_code = codes_by_plan[kpi.plan_id]
        hidden = NOTHING_HIDDEN
        if kpi.is_calculated:
            hidden = frozenset(
                code
                for code in formulas.formula_codes(kpi.formula)
                if code in by_code and not seen_objectives(by_code[code].objective_id)
            )
        measured = measure(kpi, current[kpi.frequency], values, by_code, fy, with_inputs=True)
        before = previous.get(kpi.frequency, [])
        reported_before = any((kpi.pk, p) in values.actuals for p in before)
        result = evaluate(
            kpi,
            measured,
            partial(measure, kpi, before, values, by_code, fy, with_inputs=False)
            if reported_before
            else None,
        )
        kpi_scores[kpi.pk] = KpiScore(
            kpi=kpi,
            periods=current[kpi.frequency],
            result=result,
            combined=measured.combined,
            inputs=measured.inputs,
            hidden_inputs=hidden,
        )
    return kpi_scores


def _attach_owners(kpis: list[Kpi]) -> None:
    """Each KPI's owner, one object per person rather than one per KPI (one query): a few
    people own thousands of KPIs, and building a person for each KPI was half their loading."""
    owners = User.objects.in_bulk({kpi.owner_id for kpi in kpis if kpi.owner_id is not None})
    for kpi in kpis:
        Kpi.owner.field.set_cached_value(kpi, owners.get(kpi.owner_id))


@dataclass
class _PlanParts:
    """A plan as its scorecard reads it: the plans of its cascade with their units and child
    plans, its perspectives, the objectives of the whole cascade, and the KPIs of the whole
    cascade, or of the plan alone when the plans below are `summarised`."""

    plan: StrategicPlan
    plan_units: dict[int, int]
    below: dict[int, list[int]]
    perspectives: list[Perspective]
    objectives: list[Objective]
    kpis: list[Kpi]
    summarised: bool
    # For scorecards of several months: the periods of all of them, so that the plans below
    # are read once (`_summarise`) for every month, with what was read, by set of plans.
    summary_periods: set[date] | None = None
    summary_inputs: dict[frozenset[int], tuple[list[Kpi], Values]] = field(default_factory=dict)

    @property
    def of_kpis(self) -> Q:
        """The targets' and actuals' filter for the KPIs (a join, not thousands of ids)."""
        plans = [self.plan.pk] if self.summarised else list(self.plan_units)
        return Q(kpi__plan_id__in=plans, kpi__is_retired=False)


def _plan_parts(plan: StrategicPlan, *, summarised: bool = False) -> _PlanParts:
    """What the plan's scorecard scores, whatever the period (six queries)."""
    plan_units, below = _cascade_plan_units(plan)
    plan_ids = list(plan_units)
    perspectives = list(Perspective.objects.filter(plan=plan).order_by("order", "pk"))
    # The plan's own objectives show their owners; the cascade's are scored and named only.
    objectives = list(
        Objective.objects.filter(plan=plan, is_archived=False)
        .select_related("owner")
        .order_by("perspective__order", "code")
    ) + list(
        Objective.objects.filter(plan_id__in=plan_ids[1:], is_archived=False).order_by(
            "perspective__order", "code"
        )
    )
    scored_plans = [plan.pk] if summarised else plan_ids
    kpis = list(Kpi.objects.filter(plan_id__in=scored_plans, is_retired=False).order_by("code"))
    _attach_owners(kpis)
    return _PlanParts(plan, plan_units, below, perspectives, objectives, kpis, summarised)


def plan_scorecard(
    *,
    plan: StrategicPlan,
    period: date,
    view: str = MONTH,
    reader: Reader,
    summarised: bool = False,
) -> PlanScorecard:
    """Score every KPI, objective and perspective of the plan, and the plan, for the period.

    `period` is any day of the period to show; each KPI is seen in its own period (or the
    periods of the view) containing it. Cascaded child objectives count towards their parent.
    The explanations are worded for `reader` (None: for someone who sees everything).
    `summarised`: the cascaded children come from their plans' kept summaries
    (`kpis.selectors.cascade`), with the same scores but without their KPIs, for pages that
    show the plan's own KPIs only.
    Raises StrategicPlan.DoesNotExist when the plan was deleted since the caller read it.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}")
    return _scorecard(
        _plan_parts(plan, summarised=summarised),
        period=period,
        view=view,
        units=_reader_units(reader),
    )


def plan_scorecards(
    *,
    plan: StrategicPlan,
    months: Sequence[date],
    reader: Reader,
    trends: bool = True,
    summarised: bool = False,
) -> list[PlanScorecard]:
    """`plan_scorecard` of each of `months` (month view), each the same as on its own, with
    the plan read once and the targets and actuals of every month in two queries: a fixed
    number of queries however many months and KPIs. Without `trends` the month before each
    is not scored, so no KPI has a trend or a previous score (a heat map needs neither).
    `summarised` as for `plan_scorecard`: the summaries not kept are scored from one read of
    their plans (three queries more)."""
    parts = _plan_parts(plan, summarised=summarised)
    views = [_view_periods(parts.kpis, month, MONTH, trends=trends) for month in months]
    values = Values(parts.kpis, _period_set(*(p for pair in views for p in pair)), parts.of_kpis)
    if summarised:  # the periods of every frequency, for the KPIs of the plans below
        every_frequency = [
            _frequency_periods(periods.Frequency, month, MONTH, trends=trends) for month in months
        ]
        parts.summary_periods = _period_set(*(p for pair in every_frequency for p in pair))
    units = _reader_units(reader)
    return [
        _scorecard(parts, period=month, view=MONTH, units=units, values=values, trends=trends)
        for month in months
    ]


def _scorecard(
    parts: _PlanParts,
    *,
    period: date,
    view: str,
    units: frozenset[int] | None,
    values: Values | None = None,
    trends: bool = True,
) -> PlanScorecard:
    """The scorecard of the plan's parts for the period (`_score_kpis`, then the roll-ups)."""
    plan, plan_units = parts.plan, parts.plan_units
    perspectives, objectives, kpis = parts.perspectives, parts.objectives, parts.kpis

    seen_objectives = {
        o.pk for o in objectives if _sees_objective(units, plan_units[o.plan_id], o.org_unit_id)
    }

    def objective_name(objective: Objective) -> str:
        if objective.pk in seen_objectives:
            return f"Objective {objective.code}"
        return explanations.HIDDEN_OBJECTIVE

    kpi_scores = _score_kpis(
        kpis,
        kpis,
        of_kpis=parts.of_kpis,
        period=period,
        view=view,
        seen_objectives=seen_objectives.__contains__,
        values=values,
        trends=trends,
    )

    kpis_by_objective: dict[int, list[KpiScore]] = defaultdict(list)
    for kpi in kpis:
        kpis_by_objective[kpi.objective_id].append(kpi_scores[kpi.pk])
    rollups = ObjectiveRollups(kpis_by_objective, children_of(objectives), objective_name)
    if parts.summarised:
        rollups.scored = _kept_children(parts, period=period, view=view, trends=trends)

    perspective_scores = []
    for perspective in perspectives:
        scored = [
            rollups.score(o, frozenset({o.pk}))
            for o in objectives
            if o.plan_id == plan.pk and o.perspective_id == perspective.pk
        ]
        perspective_scores.append(
            PerspectiveScore(
                perspective=perspective,
                objectives=scored,
                rollup=worded_rollup(
                    [
                        (objective_name(o.objective), o.rollup.score, o.objective.weight)
                        for o in scored
                    ]
                ),
                kpis_reported=sum(o.kpis_reported for o in scored),
                kpis_total=sum(o.kpis_total for o in scored),
            )
        )
    return PlanScorecard(
        plan=plan,
        period=period,
        view=view,
        perspectives=perspective_scores,
        rollup=worded_rollup(
            [(p.perspective.name, p.rollup.score, p.perspective.weight) for p in perspective_scores]
        ),
        kpis_reported=sum(p.kpis_reported for p in perspective_scores),
        kpis_total=sum(p.kpis_total for p in perspective_scores),
        _by_code={k.kpi.code: k for k in kpi_scores.values() if k.kpi.plan_id == plan.pk},
    )


def _kept_children(
    parts: _PlanParts, *, period: date, view: str, trends: bool
) -> dict[int, ObjectiveScore]:
    """The objectives of the plans below `parts.plan`, scored from their plans' kept
    summaries (those not kept are scored and kept: `_summarise`), by objective id."""
    child_plans = parts.below.get(parts.plan.pk, [])
    if not child_plans:
        return {}
    kept = cascade.kept_summaries(
        plans=child_plans,
        below=parts.below,
        period=period,
        view=view,
        trends=trends,
        compute=partial(_summarise, parts, period=period, view=view, trends=trends),
    )
    objectives = {o.pk: o for o in parts.objectives}
    scored: dict[int, ObjectiveScore] = {}
    for summaries in kept.values():
        for summary in summaries:
            from_summary(summary, objectives, scored)
    return scored


def _summarise(
    parts: _PlanParts,
    plan_ids: list[int],
    known: Mapping[int, PlanSummaries],
    *,
    period: date,
    view: str,
    trends: bool,
) -> dict[int, PlanSummaries]:
    """The summaries of the plans `plan_ids` of the cascade, each of its own KPIs and of its
    children's summaries (`known`, or computed here first: the deepest plans are scored
    first). Three queries, the plans' KPIs, their targets and their actuals, unless an
    earlier month of the same scorecards read them (`_PlanParts.summary_periods`)."""
    if not plan_ids:
        return {}
    of_kpis = Q(kpi__plan_id__in=plan_ids, kpi__is_retired=False)
    loaded = parts.summary_inputs.get(frozenset(plan_ids))
    if loaded is None:
        kpis = list(Kpi.objects.filter(plan_id__in=plan_ids, is_retired=False).order_by())
        period_set = parts.summary_periods or _period_set(
            *_view_periods(kpis, period, view, trends=trends)
        )
        loaded = parts.summary_inputs[frozenset(plan_ids)] = (
            kpis,
            Values(kpis, period_set, of_kpis),
        )
    kpis, values = loaded
    kpi_scores = _score_kpis(
        kpis,
        kpis,
        of_kpis=of_kpis,
        period=period,
        view=view,
        seen_objectives=lambda _: True,  # a summary is the same for every reader
        values=values,
        trends=trends,
    )
    kpis_by_objective: dict[int, list[KpiScore]] = defaultdict(list)
    for kpi in kpis:
        kpis_by_objective[kpi.objective_id].append(kpi_scores[kpi.pk])
    rollups = ObjectiveRollups(
        kpis_by_objective, children_of(parts.objectives), lambda o: f"Objective {o.code}"
    )
    objectives = {o.pk: o for o in parts.objectives}
    for child_plan in {child for pk in plan_ids for child in parts.below.get(pk, [])}:
        for summary in known.get(child_plan, []):
            from_summary(summary, objectives, rollups.scored)

    computed: dict[int, PlanSummaries] = {}
    wanted = set(plan_ids)
    top_down = cascade.with_everything_below([parts.plan.pk], parts.below)
    for plan_id in reversed(top_down):  # the deepest first
        if plan_id not in wanted:
            continue
        own = [o for o in parts.objectives if o.plan_id == plan_id]
        scores = [rollups.score(o, frozenset({o.pk})) for o in own]
        rollups.scored.update((s.objective.pk, s) for s in scores)
        computed[plan_id] = [s.summary(trends=trends) for s in scores]
    return computed


def kpi_score(*, kpi: Kpi, period: date, view: str = MONTH, reader: Reader) -> KpiScore:
    """One KPI's score in the period or view, the same as its line in `plan_scorecard`, at the
    cost of one KPI: a calculated KPI reads its inputs (one query per level of formula), then
    the targets and actuals of those KPIs only. Worded for `reader` (None: sees everything).
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}")
    needed = [kpi]
    known = {kpi.code}
    frontier = [kpi]
    while True:
        codes = {c for k in frontier if k.is_calculated for c in formulas.formula_codes(k.formula)}
        codes -= known
        if not codes:
            break
        frontier = list(
            Kpi.objects.filter(plan_id=kpi.plan_id, code__in=codes, is_retired=False)
            .select_related("objective")
            .order_by("code")
        )
        known |= codes
        needed.extend(frontier)
    units = _reader_units(reader)
    plan_unit_id = kpi.plan.org_unit_id
    objectives = {k.objective_id: k.objective for k in needed[1:]}

    def seen(objective_id: int) -> bool:
        # As in `plan_scorecard`, which reads the objectives that are not archived.
        objective = objectives[objective_id]
        return not objective.is_archived and _sees_objective(
            units, plan_unit_id, objective.org_unit_id
        )

    scores = _score_kpis(
        needed,
        [kpi],
        of_kpis=Q(kpi_id__in=[k.pk for k in needed]),
        period=period,
        view=view,
        seen_objectives=seen,
    )
    return scores[kpi.pk]
