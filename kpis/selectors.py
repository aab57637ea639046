"""Reads of KPIs that must be fast: the whole scorecard of a plan for a period.

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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Role, User
from accounts.permissions import access_for, visible_unit_ids
from kpis import combined_periods, explanations, formulas, periods, scoring
from kpis.models import VALUE_FIELD_OPTIONS, Actual, ActualStatus, Kpi, PeriodLock, Target
from kpis.scoring import KpiResult, RollupResult, View
from strategy.models import Objective, Perspective, StrategicPlan

# A view of one period (the KPI's own period containing the date) besides scoring.View.
MONTH = "month"
VIEWS = (MONTH, View.QUARTER.value, View.YEAR_TO_DATE.value, View.YEAR.value)


@dataclass
class KpiScore:
    kpi: Kpi
    periods: list[date]
    result: KpiResult

    @property
    def status(self) -> scoring.Status:
        return self.result.status


@dataclass
class ObjectiveScore:
    objective: Objective
    kpis: list[KpiScore]
    children: list[ObjectiveScore]
    rollup: RollupResult
    kpis_reported: int
    kpis_total: int

    @property
    def status(self) -> scoring.Status:
        return self.rollup.status


@dataclass
class PerspectiveScore:
    perspective: Perspective
    objectives: list[ObjectiveScore]
    rollup: RollupResult
    kpis_reported: int
    kpis_total: int

    @property
    def status(self) -> scoring.Status:
        return self.rollup.status


@dataclass
class PlanScorecard:
    plan: StrategicPlan
    period: date
    view: str
    perspectives: list[PerspectiveScore]
    rollup: RollupResult
    kpis_reported: int
    kpis_total: int
    _by_code: dict[str, KpiScore] = field(default_factory=dict, repr=False)

    @property
    def status(self) -> scoring.Status:
        return self.rollup.status

    @property
    def coverage(self) -> str:
        """ "12 of 15 KPIs reported"."""
        return f"{self.kpis_reported} of {self.kpis_total} KPIs reported"

    def kpi(self, code: str) -> KpiScore:
        return self._by_code[code]

    def objectives(self) -> Iterable[ObjectiveScore]:
        for perspective in self.perspectives:
            yield from perspective.objectives


def kpi_periods(kpi: Kpi, day: date, view: str, fiscal_year_start_month: int) -> list[date]:
    """The KPI's own periods that make up the view containing `day`.

    A view shorter than the KPI's period (a yearly KPI per quarter) shows the KPI's period.
    """
    own = periods.period_start(day, kpi.frequency, fiscal_year_start_month)
    if view == MONTH:
        return [own]
    try:
        return combined_periods.view_periods(day, view, kpi.frequency, fiscal_year_start_month)
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
    # Month and year-to-date: the month before.
    return periods.shift(periods.period_start(day, "monthly"), "monthly", -1)


def _cascade_plan_units(plan: StrategicPlan) -> dict[int, int]:
    """The plan and every plan that cascades from it, at any depth, with their units (one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    units: dict[int, int] = {}
    for pk, parent_id, unit_id in StrategicPlan.objects.values_list(
        "pk", "parent_id", "org_unit_id"
    ):
        children[parent_id].append(pk)
        units[pk] = unit_id
    ids = [plan.pk]
    frontier = [plan.pk]
    while frontier:
        frontier = [child for pk in frontier for child in children[pk]]
        ids.extend(frontier)
    return {pk: units[pk] for pk in ids}


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


_VALUE_QUANTUM = Decimal(1).scaleb(-VALUE_FIELD_OPTIONS["decimal_places"])


def _as_value(value: Decimal | None) -> Decimal | None:
    """A calculated value with the precision of a stored one, so both read the same."""
    return None if value is None else value.quantize(_VALUE_QUANTUM)


class _Values:
    """Targets and actuals by KPI id and period, with calculated KPIs' actuals filled in."""

    def __init__(self, kpis: list[Kpi], period_set: set[date]) -> None:
        kpi_ids = [kpi.pk for kpi in kpis]
        self.targets: dict[tuple[int, date], Target] = {
            (t.kpi_id, t.period): t
            for t in Target.objects.filter(kpi_id__in=kpi_ids, period__in=period_set)
        }
        stored = Actual.objects.filter(kpi_id__in=kpi_ids, period__in=period_set)
        if settings.SCORECARD_APPROVAL:
            # With approval on, a submitted or returned value does not count yet.
            stored = stored.filter(status=ActualStatus.APPROVED)
        self.actuals: dict[tuple[int, date], Decimal] = {
            (kpi_id, period): value
            for kpi_id, period, value in stored.values_list("kpi_id", "period", "value")
        }
        self._fill_calculated(kpis, period_set)

    def _fill_calculated(self, kpis: list[Kpi], period_set: set[date]) -> None:
        # Calculated KPIs are never stored: they are computed here from their inputs, so a
        # changed input changes every dependant on the next read.
        for plan_id in {kpi.plan_id for kpi in kpis}:
            by_code = {kpi.code: kpi for kpi in kpis if kpi.plan_id == plan_id}
            dependencies = {
                kpi.code: formulas.formula_codes(kpi.formula)
                for kpi in by_code.values()
                if kpi.is_calculated
            }
            for code in formulas.evaluation_order(dependencies):
                kpi = by_code[code]
                for period in period_set:
                    inputs = {
                        used: self.actuals.get((by_code[used].pk, period))
                        if used in by_code
                        else None
                        for used in dependencies[code]
                    }
                    value = _as_value(formulas.evaluate_formula(kpi.formula, inputs))
                    if value is not None:
                        self.actuals[(kpi.pk, period)] = value

    def period_values(self, kpi: Kpi, period: date) -> combined_periods.PeriodValues:
        target = self.targets.get((kpi.pk, period))
        return combined_periods.PeriodValues(
            actual=self.actuals.get((kpi.pk, period)),
            goal=target.goal if target else None,
            red_flag=target.red_flag if target else None,
            goal_high=target.goal_high if target else None,
            red_flag_high=target.red_flag_high if target else None,
        )


def _evaluate(
    kpi: Kpi,
    kpi_periods_: list[date],
    values: _Values,
    by_code: dict[str, Kpi],
    previous_score: scoring.ScoreLike | None,
    fiscal_year_start_month: int,
    hidden_inputs: frozenset[str],
) -> KpiResult:
    if len(kpi_periods_) == 1:
        v = values.period_values(kpi, kpi_periods_[0])
        inputs = None
        if kpi.is_calculated:
            inputs = {
                code: values.actuals.get((by_code[code].pk, kpi_periods_[0]))
                if code in by_code
                else None
                for code in formulas.formula_codes(kpi.formula)
            }
        result = scoring.evaluate_kpi(
            direction=kpi.direction,
            actual=v.actual,
            goal=v.goal,
            red_flag=v.red_flag,
            goal_high=v.goal_high,
            red_flag_high=v.red_flag_high,
            tolerance=kpi.tolerance,
            previous_score=previous_score,
        )
        return explanations.explain_kpi(
            result,
            tolerance=kpi.tolerance,
            formula=kpi.formula,
            inputs=inputs,
            hidden_inputs=hidden_inputs,
        )
    combined = combined_periods.combine_periods(
        kpi_periods_,
        {p: values.period_values(kpi, p) for p in kpi_periods_},
        kpi.aggregation,
        direction=kpi.direction,
        tolerance=kpi.tolerance,
        frequency=kpi.frequency,
        fiscal_year_start_month=fiscal_year_start_month,
    )
    if kpi.is_calculated and combined.reported:
        # A quarter's rate is won / leads of the quarter, not the average of monthly rates:
        # combine each input over the reported periods, then apply the formula.
        inputs = {}
        for code in formulas.formula_codes(kpi.formula):
            used = by_code.get(code)
            inputs[code] = (
                None
                if used is None
                else combined_periods.aggregate(
                    [values.actuals.get((used.pk, p)) for p in combined.reported], used.aggregation
                )
            )
        combined = replace(
            combined, actual=_as_value(formulas.evaluate_formula(kpi.formula, inputs))
        )
    result = combined_periods.evaluate_view(
        combined, direction=kpi.direction, previous_score=previous_score
    )
    return explanations.explain_view(
        result,
        combined,
        tolerance=kpi.tolerance,
        formula=kpi.formula,
        hidden_inputs=hidden_inputs,
    )


def _rollup(children: Iterable[tuple[str, scoring.ScoreLike | None, Decimal]]) -> RollupResult:
    """`kpis.scoring.rollup`, then its words."""
    return explanations.explain_rollup(scoring.rollup(children))


def plan_scorecard(
    *, plan: StrategicPlan, period: date, view: str = MONTH, reader: Reader
) -> PlanScorecard:
    """Score every KPI, objective and perspective of the plan, and the plan, for the period.

    `period` is any day of the period to show; each KPI is seen in its own period (or the
    periods of the view) containing it. Cascaded child objectives count towards their parent.
    The explanations are worded for `reader` (None: for someone who sees everything).
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}")
    fy = settings.FISCAL_YEAR_START_MONTH
    plan_units = _cascade_plan_units(plan)
    plan_ids = list(plan_units)
    perspectives = list(Perspective.objects.filter(plan=plan).order_by("order", "pk"))
    objectives = list(
        Objective.objects.filter(plan_id__in=plan_ids, is_archived=False)
        .select_related("owner")
        .order_by("perspective__order", "code")
    )
    kpis = list(
        Kpi.objects.filter(plan_id__in=plan_ids, is_retired=False)
        .select_related("owner")
        .order_by("code")
    )

    previous_day = _previous_day(period, view, fy)
    current = {kpi.pk: kpi_periods(kpi, period, view, fy) for kpi in kpis}
    previous = {kpi.pk: kpi_periods(kpi, previous_day, view, fy) for kpi in kpis}
    period_set = {p for ps in (*current.values(), *previous.values()) for p in ps}
    values = _Values(kpis, period_set)

    codes_by_plan: dict[int, dict[str, Kpi]] = defaultdict(dict)
    for kpi in kpis:
        codes_by_plan[kpi.plan_id][kpi.code] = kpi
    units = _reader_units(reader)
    seen_objectives = {
        o.pk for o in objectives if _sees_objective(units, plan_units[o.plan_id], o.org_unit_id)
    }

    def objective_name(objective: Objective) -> str:
        if objective.pk in seen_objectives:
            return f"Objective {objective.code}"
        return explanations.HIDDEN_OBJECTIVE

    kpi_scores: dict[int, KpiScore] = {}
    for kpi in kpis:
        by_code = codes_by_plan[kpi.plan_id]
        hidden = frozenset(
            code
            for code in (formulas.formula_codes(kpi.formula) if kpi.is_calculated else ())
            if code in by_code and by_code[code].objective_id not in seen_objectives
        )
        before = _evaluate(kpi, previous[kpi.pk], values, by_code, None, fy, hidden)
        result = _evaluate(kpi, current[kpi.pk], values, by_code, before.score, fy, hidden)
        kpi_scores[kpi.pk] = KpiScore(kpi=kpi, periods=current[kpi.pk], result=result)

    kpis_by_objective: dict[int, list[KpiScore]] = defaultdict(list)
    for kpi in kpis:
        kpis_by_objective[kpi.objective_id].append(kpi_scores[kpi.pk])
    children_of: dict[int, list[Objective]] = defaultdict(list)
    for objective in objectives:
        if objective.parent_id is not None:
            children_of[objective.parent_id].append(objective)

    def score_objective(objective: Objective, seen: frozenset[int]) -> ObjectiveScore:
        children = [
            score_objective(child, seen | {child.pk})
            for child in children_of[objective.pk]
            if child.pk not in seen
        ]
        own = kpis_by_objective[objective.pk]
        result = _rollup(
            [(f"KPI {k.kpi.code}", k.result.score, k.kpi.weight) for k in own]
            + [(objective_name(c.objective), c.rollup.score, c.objective.weight) for c in children]
        )
        return ObjectiveScore(
            objective=objective,
            kpis=own,
            children=children,
            rollup=result,
            kpis_reported=sum(k.result.actual is not None for k in own)
            + sum(c.kpis_reported for c in children),
            kpis_total=len(own) + sum(c.kpis_total for c in children),
        )

    perspective_scores = []
    for perspective in perspectives:
        scored = [
            score_objective(o, frozenset({o.pk}))
            for o in objectives
            if o.plan_id == plan.pk and o.perspective_id == perspective.pk
        ]
        perspective_scores.append(
            PerspectiveScore(
                perspective=perspective,
                objectives=scored,
                rollup=_rollup(
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
        rollup=_rollup(
            [(p.perspective.name, p.rollup.score, p.perspective.weight) for p in perspective_scores]
        ),
        kpis_reported=sum(p.kpis_reported for p in perspective_scores),
        kpis_total=sum(p.kpis_total for p in perspective_scores),
        _by_code={k.kpi.code: k for k in kpi_scores.values() if k.kpi.plan_id == plan.pk},
    )


# --- "My updates": who may update what, and what the page shows ---------------------------------


def plain_number(value: Decimal) -> str:
    """A stored value as people typed it: 123 rather than 123.000000."""
    return format(value.normalize(), "f") if value.is_finite() else str(value)


def lock_message(period: date) -> str:
    return f"{period:%b %Y} is locked; ask an admin to unlock it."


def future_message(period: date) -> str:
    """Why a period that starts after today takes no actuals, on every channel."""
    return f"The period starting {period.day} {period:%b %Y} has not begun: enter its actual then."


OFF_TRACK_NEEDS_ACTION = "Off track: say what you will do about it."


def needs_corrective_action(
    kpi: Kpi, target: Target | None, value: Decimal, corrective_action: str
) -> bool:
    """Whether a person saving the value must say what they will do: it puts the KPI off
    track and no corrective action is written (no query)."""
    if corrective_action.strip():
        return False
    return target_result(kpi, target, value).status is scoring.Status.OFF_TRACK


def locked_periods(candidates: Iterable[date]) -> set[date]:
    """Which of the periods are locked (one query, none for no periods)."""
    wanted = set(candidates)
    if not wanted:
        return set()
    return set(PeriodLock.objects.filter(period__in=wanted).values_list("period", flat=True))


def target_result(kpi: Kpi, target: Target | None, value: Decimal | None) -> scoring.KpiResult:
    """How the value scores against the target, explained (no query)."""
    result = scoring.evaluate_kpi(
        direction=kpi.direction,
        actual=value,
        goal=target.goal if target else None,
        red_flag=target.red_flag if target else None,
        goal_high=target.goal_high if target else None,
        red_flag_high=target.red_flag_high if target else None,
        tolerance=kpi.tolerance,
    )
    return explanations.explain_kpi(result, tolerance=kpi.tolerance)


def target_thresholds(kpi: Kpi, target: Target | None) -> scoring.Thresholds | None:
    """The target's goal and red flags, those it does not state derived (no query)."""
    if target is None:
        return None
    return scoring.resolve_thresholds(
        kpi.direction,
        target.goal,
        target.red_flag,
        target.goal_high,
        target.red_flag_high,
        kpi.tolerance,
    )


def value_result(*, kpi: Kpi, period: date, value: Decimal | None) -> scoring.KpiResult:
    """How the value would score against the KPI's target for the period (one query)."""
    return target_result(kpi, Target.objects.filter(kpi=kpi, period=period).first(), value)


def kpis_updatable_by(user: User | AnonymousUser) -> QuerySet[Kpi]:
    """Every KPI whose actuals the person may update: `kpis.rules.actuals_refusal` in SQL.

    The two are held equal for every role by tests/kpis/test_actuals_refusal.py: admins and
    managers update every KPI of their units (subtrees included); contributors the KPIs of
    their units that name them as updaters; retired and calculated KPIs take no actuals, not
    even from superusers.
    """
    access = access_for(user)
    kpis = Kpi.objects.filter(is_retired=False).exclude(formula__regex=r"\S")
    if access.is_superuser:
        return kpis
    managed = access.units({Role.ADMIN, Role.MANAGER})
    contributed = access.units({Role.CONTRIBUTOR})
    is_updater = Exists(
        Kpi.updaters.through.objects.filter(kpi_id=OuterRef("pk"), user_id=user.pk or 0)
    )
    return kpis.filter(
        Q(objective__org_unit_id__in=managed)
        | (Q(objective__org_unit_id__in=contributed) & is_updater)
    )


def kpis_updatable_among(user: User | AnonymousUser, kpi_ids: Iterable[int]) -> set[int]:
    """Which of the KPIs the person may update actuals of (`kpis_updatable_by`), in one query
    rather than a `has_perm` per KPI (a contributor's updater check queries each time); pass
    the answer to `actuals_refusal(is_updater=...)` for the message."""
    wanted = set(kpi_ids)
    if not wanted:
        return set()
    return set(kpis_updatable_by(user).filter(pk__in=wanted).values_list("pk", flat=True))


class KpiCodes:
    """Finds KPIs by code for a person, as every channel does (DESIGN §9): in the plan given,
    else uniquely among the KPIs they see that are not retired and whose plan is not archived.

    `wanted` is every (plan id or None, code) to be found; two queries for all of them.
    """

    def __init__(self, user: User | AnonymousUser, wanted: Iterable[tuple[int | None, str]]):
        pairs = {(plan, code) for plan, code in wanted if code}
        units = visible_unit_ids(user)
        kpis = Kpi.objects.select_related("plan", "objective", "objective__plan")
        plans = StrategicPlan.objects.all()
        if units is not None:
            kpis = kpis.filter(
                Q(objective__plan__org_unit_id__in=units) | Q(objective__org_unit_id__in=units)
            )
            plans = plans.filter(org_unit_id__in=units)
        planned = {(plan, code) for plan, code in pairs if plan is not None}
        unplanned = {code for plan, code in pairs if plan is None}
        current = Q(code__in=unplanned, is_retired=False) & ~Q(
            plan__status=StrategicPlan.Status.ARCHIVED
        )
        in_plans = Q(
            plan_id__in={plan for plan, _ in planned}, code__in={code for _, code in planned}
        )
        self.by_plan_code: dict[tuple[int, str], Kpi] = {}
        self.by_code: dict[str, list[Kpi]] = defaultdict(list)
        for kpi in kpis.filter(current | in_plans) if pairs else []:
            if (kpi.plan_id, kpi.code) in planned:
                self.by_plan_code[kpi.plan_id, kpi.code] = kpi
            archived = kpi.plan.status == StrategicPlan.Status.ARCHIVED
            if kpi.code in unplanned and not kpi.is_retired and not archived:
                self.by_code[kpi.code].append(kpi)
        wanted_plans = {plan for plan, _ in planned}
        self.plan_names = (
            dict(plans.filter(pk__in=wanted_plans).values_list("pk", "name"))
            if wanted_plans
            else {}
        )

    def find(self, code: str, plan: int | None) -> Kpi | str:
        """The KPI with the code, or the message saying why there is none."""
        if not code:
            return "No KPI code."
        if plan is not None:
            where = self.plan_names.get(plan, f"plan {plan}")
            return self.by_plan_code.get((plan, code)) or f"No KPI with code {code} in {where}."
        matches = self.by_code.get(code, [])
        if not matches:
            return f"No KPI with code {code} in an active or draft plan."
        if len(matches) > 1:
            plans = ", ".join(sorted(f"{kpi.plan.name} (id {kpi.plan_id})" for kpi in matches))
            return f"KPI code {code} is used in several plans ({plans}): name the plan."
        return matches[0]


# How many of a KPI's periods its sparkline shows, by frequency.
SPARKLINE_PERIODS = {"monthly": 12, "quarterly": 8, "yearly": 6}


@dataclass
class UpdateRow:
    """One KPI on "My updates": its period, target, stored actual, score and recent values."""

    kpi: Kpi
    period: date
    period_label: str
    target: Target | None
    actual: Actual | None
    result: scoring.KpiResult
    history: list[tuple[str, Decimal | None]]  # (period label, value), oldest first
    locked: bool

    @property
    def thresholds(self) -> scoring.Thresholds | None:
        return target_thresholds(self.kpi, self.target)

    @property
    def awaiting_comment(self) -> bool:
        """Off track with no corrective action: a value an integration sent (people are asked
        for one before saving), so the KPI's owner is asked for it here."""
        return (
            self.actual is not None
            and not self.actual.corrective_action.strip()
            and self.result.status is scoring.Status.OFF_TRACK
        )


@dataclass
class UpdateGroup:
    objective: Objective
    rows: list[UpdateRow]


def update_period(kpi: Kpi, day: date | None, today: date) -> date:
    """The KPI's period on "My updates": the one containing `day`, or the last closed one."""
    fy = settings.FISCAL_YEAR_START_MONTH
    if day is None:
        return periods.last_closed_period(today, kpi.frequency, fy)
    return periods.period_start(day, kpi.frequency, fy)


def update_rows(kpis: Iterable[Kpi], *, day: date | None, today: date) -> list[UpdateGroup]:
    """The rows of "My updates" for the KPIs, grouped by objective, in four queries.

    `day` picks the period (each KPI shows its period containing it); None shows each KPI's
    last closed period, the one due now.
    """
    fy = settings.FISCAL_YEAR_START_MONTH
    kpi_list = list(kpis)
    wanted = {kpi.pk: update_period(kpi, day, today) for kpi in kpi_list}
    windows = {
        kpi.pk: [
            periods.shift(wanted[kpi.pk], kpi.frequency, -n)
            for n in reversed(range(SPARKLINE_PERIODS[kpi.frequency]))
        ]
        for kpi in kpi_list
    }
    first = min((w[0] for w in windows.values()), default=today)
    targets = {
        (t.kpi_id, t.period): t
        for t in Target.objects.filter(kpi_id__in=wanted.keys(), period__in=set(wanted.values()))
    }
    actuals = {
        (a.kpi_id, a.period): a
        for a in Actual.objects.filter(
            kpi_id__in=wanted.keys(),
            period__gte=first,
            period__lte=max(wanted.values(), default=today),
        ).select_related("entered_by", "reviewed_by")
    }
    locked = locked_periods(wanted.values())
    groups: dict[int, UpdateGroup] = {}
    for kpi in kpi_list:
        period = wanted[kpi.pk]
        target = targets.get((kpi.pk, period))
        actual = actuals.get((kpi.pk, period))
        row = UpdateRow(
            kpi=kpi,
            period=period,
            period_label=periods.label(period, kpi.frequency, fy),
            target=target,
            actual=actual,
            result=target_result(kpi, target, actual.value if actual else None),
            history=[
                (
                    periods.label(p, kpi.frequency, fy),
                    a.value if (a := actuals.get((kpi.pk, p))) else None,
                )
                for p in windows[kpi.pk]
            ],
            locked=period in locked,
        )
        group = groups.setdefault(kpi.objective_id, UpdateGroup(kpi.objective, []))
        group.rows.append(row)
    return list(groups.values())


def kpis_for_updates(user: User | AnonymousUser) -> QuerySet[Kpi]:
    """The person's KPIs that take actuals, ordered as "My updates" groups them."""
    return (
        kpis_updatable_by(user)
        .select_related("objective", "objective__perspective", "plan")
        .order_by("plan__name", "objective__perspective__order", "objective__code", "code")
    )


def actuals_awaiting_review(user: User | AnonymousUser) -> QuerySet[Actual]:
    """Submitted actuals of the units where the person approves (manager, executive, admin)."""
    submitted = Actual.objects.filter(status=ActualStatus.SUBMITTED).select_related(
        "kpi", "kpi__objective", "entered_by"
    )
    access = access_for(user)
    if not access.is_superuser:
        units = access.units({Role.ADMIN, Role.MANAGER, Role.EXECUTIVE})
        submitted = submitted.filter(kpi__objective__org_unit_id__in=units)
    return submitted.order_by("period", "kpi__code")


# =================================================================================================
# Strategy workspace: the KPI items of a plan's health checklist (see strategy.selectors).
# (Imports for this section stay here so it could be appended without touching the file's top.)
# =================================================================================================

from django.db.models import Max  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from strategy.selectors import HealthItem, HealthProblem, health_item  # noqa: E402


def plan_kpi_health(*, plan: StrategicPlan, today: date | None = None) -> list[HealthItem]:
    """The KPI items of the plan's checklist, in four queries: objectives without KPIs; active
    KPIs without targets, without updaters, or without an actual for their last closed period
    (calculated KPIs take none); objectives whose KPIs' weights sum to 0."""
    today = today or timezone.localdate()
    fy = settings.FISCAL_YEAR_START_MONTH
    objectives = list(plan.objectives.order_by("perspective__order", "code"))
    kpis = list(
        Kpi.objects.filter(plan=plan, is_retired=False)
        .annotate(
            has_target=Exists(Target.objects.filter(kpi_id=OuterRef("pk"))),
            has_updater=Exists(Kpi.updaters.through.objects.filter(kpi_id=OuterRef("pk"))),
            last_actual=Max("actuals__period"),
        )
        .order_by("code")
    )
    by_objective: dict[int, list[Kpi]] = defaultdict(list)
    for kpi in kpis:
        by_objective[kpi.objective_id].append(kpi)

    def new_kpi(objective: Objective) -> str:
        return reverse("workspace:kpi_new", args=[plan.pk]) + f"?objective={objective.pk}"

    def kpis_of(objective: Objective) -> str:
        return reverse("workspace:kpis", args=[plan.pk]) + f"#objective-{objective.pk}"

    def edit(kpi: Kpi) -> str:
        return reverse("workspace:kpi_edit", args=[kpi.pk])

    without_kpis = [HealthProblem(str(o), new_kpi(o)) for o in objectives if not by_objective[o.pk]]
    without_targets = [
        HealthProblem(str(k), reverse("workspace:targets", args=[k.pk]))
        for k in kpis
        if not k.has_target
    ]
    without_updaters = [
        HealthProblem(str(k), edit(k)) for k in kpis if not k.is_calculated and not k.has_updater
    ]
    stale = []
    for kpi in kpis:
        due = periods.last_closed_period(today, kpi.frequency, fy)
        if kpi.is_calculated or due < periods.period_start(plan.start, kpi.frequency, fy):
            continue  # calculated, or nothing due yet in the plan's horizon
        last = kpi.last_actual
        if last is None or last < due:
            label = periods.label(due, kpi.frequency, fy)
            stale.append(HealthProblem(f"{kpi} (nothing for {label})", edit(kpi)))
    weights = [
        HealthProblem(f"The weights of the KPIs of {o.code} are all 0", kpis_of(o))
        for o in objectives
        if by_objective[o.pk] and sum((k.weight for k in by_objective[o.pk]), Decimal(0)) == 0
    ]
    return [
        health_item("objectives_without_kpis", without_kpis),
        health_item("kpis_without_targets", without_targets),
        health_item("kpis_without_updaters", without_updaters),
        health_item("kpis_without_recent_actuals", stale),
        health_item("weights_adding_to_nothing", weights),
    ]
