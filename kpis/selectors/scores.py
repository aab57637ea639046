"""What a scorecard holds, and how its objectives roll up.

The results of `kpis.selectors.scorecard` (each KPI's score, each objective's, perspective's
and the plan's roll-up), the roll-up of objectives from their KPIs and cascaded children
(`ObjectiveRollups`), and an objective's score read back from its plan's kept summary
(`kpis.selectors.cascade`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from kpis import combined_periods, explanations, scoring
from kpis.models import Kpi
from kpis.scoring import KpiResult, RollupResult, Score, View
from kpis.selectors.cascade import ObjectiveSummary
from strategy.models import Objective, Perspective, StrategicPlan

# A view of one period (the KPI's own period containing the date) besides scoring.View.
MONTH = "month"
VIEWS = (MONTH, View.QUARTER.value, View.YEAR_TO_DATE.value, View.YEAR.value)
# No input hidden from the reader: one empty set shared by every KPI, not one object per KPI
# for the garbage collector to walk.
NOTHING_HIDDEN: frozenset[str] = frozenset()


@dataclass
class KpiScore:
    """A KPI's result in the period or view, and what it takes to explain it: the words are
    built when a page shows them (`explanation`), not for every KPI scored."""

    kpi: Kpi
    periods: list[date]
    result: KpiResult
    combined: combined_periods.CombinedPeriod | None = field(default=None, repr=False)
    inputs: Mapping[str, Decimal | None] | None = field(default=None, repr=False)
    hidden_inputs: frozenset[str] = field(default=NOTHING_HIDDEN, repr=False)

    @property
    def status(self) -> scoring.ScoreStatus:
        return self.result.status

    @cached_property
    def explanation(self) -> Sequence[str]:
        """The words explaining the score, for the reader the scorecard was scored for."""
        kpi = self.kpi
        if self.combined is None:
            worded = explanations.explain_kpi(
                self.result,
                tolerance=kpi.tolerance,
                formula=kpi.formula,
                inputs=self.inputs,
                hidden_inputs=self.hidden_inputs,
            )
        else:
            worded = explanations.explain_view(
                self.result,
                self.combined,
                tolerance=kpi.tolerance,
                formula=kpi.formula,
                hidden_inputs=self.hidden_inputs,
            )
        return worded.explanation


@dataclass
class ObjectiveScore:
    """An objective's roll-up of its KPIs and cascaded children.

    A child read from its plan's kept summary (`kpis.selectors.cascade`) is `summarised`: its
    KPIs are not loaded (`kpis` is empty), its roll-up has no words, and its score of the
    period before is the kept number."""

    objective: Objective
    kpis: list[KpiScore]
    children: list[ObjectiveScore]
    rollup: RollupResult
    kpis_reported: int
    kpis_total: int
    summarised: bool = False
    summarised_previous: Score | None = None

    @property
    def status(self) -> scoring.ScoreStatus:
        return self.rollup.status

    def previous_score(self) -> Score | None:
        """The score of the period before, rolled up by the engine from the KPIs' previous
        scores with today's weights (None without trends)."""
        if self.summarised:
            return self.summarised_previous
        children = [
            (f"KPI {k.kpi.code}", k.result.previous_score, k.kpi.weight) for k in self.kpis
        ] + [(c.objective.code, c.previous_score(), c.objective.weight) for c in self.children]
        return scoring.rollup(children).score

    def summary(self, *, trends: bool) -> ObjectiveSummary:
        """What its plan's summary keeps of it (`kpis.selectors.cascade`)."""
        return ObjectiveSummary(
            objective_id=self.objective.pk,
            score=self.rollup.score,
            status=self.rollup.status,
            reported=self.rollup.reported,
            total=self.rollup.total,
            kpis_reported=self.kpis_reported,
            kpis_total=self.kpis_total,
            previous_score=self.previous_score() if trends else None,
            children=tuple(c.summary(trends=trends) for c in self.children),
        )


@dataclass
class PerspectiveScore:
    perspective: Perspective
    objectives: list[ObjectiveScore]
    rollup: RollupResult
    kpis_reported: int
    kpis_total: int

    @property
    def status(self) -> scoring.ScoreStatus:
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
    def status(self) -> scoring.ScoreStatus:
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


def worded_rollup(
    children: Iterable[tuple[str, scoring.ScoreLike | None, Decimal]],
) -> RollupResult:
    """`kpis.scoring.rollup`, then its words."""
    return explanations.explain_rollup(scoring.rollup(children))


@dataclass
class ObjectiveRollups:
    """Objectives rolled up from their KPIs' scores and their cascaded children's roll-ups.

    A class rather than a function nested in the scorecard's computation: a nested function
    that calls itself holds itself in its closure, and that reference cycle kept every KPI
    score of a scorecard alive until the garbage collector's next full pass, which then had
    all of them to walk.
    """

    kpis_by_objective: dict[int, list[KpiScore]]
    children_of: dict[int, list[Objective]]
    objective_name: Callable[[Objective], str]
    # Objectives already scored (by id): read from kept summaries, or scored before.
    scored: dict[int, ObjectiveScore] = field(default_factory=dict)

    def score(self, objective: Objective, seen: frozenset[int]) -> ObjectiveScore:
        """The objective's roll-up; `seen` holds the objectives above it, so a cycle of
        cascading stops instead of recursing for ever."""
        children = [
            self.scored.get(child.pk) or self.score(child, seen | {child.pk})
            for child in self.children_of[objective.pk]
            if child.pk not in seen
        ]
        own = self.kpis_by_objective[objective.pk]
        name = self.objective_name
        result = worded_rollup(
            [(f"KPI {k.kpi.code}", k.result.score, k.kpi.weight) for k in own]
            + [(name(c.objective), c.rollup.score, c.objective.weight) for c in children]
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


def children_of(objectives: Iterable[Objective]) -> dict[int, list[Objective]]:
    children_of: dict[int, list[Objective]] = defaultdict(list)
    for objective in objectives:
        if objective.parent_id is not None:
            children_of[objective.parent_id].append(objective)
    return children_of


def from_summary(
    summary: ObjectiveSummary, objectives: Mapping[int, Objective], into: dict[int, ObjectiveScore]
) -> ObjectiveScore | None:
    """The objective's score read from its summary, with its children's, added to `into`;
    None for an objective no longer scored (archived since the summary was kept)."""
    objective = objectives.get(summary.objective_id)
    if objective is None:
        return None
    children = [from_summary(c, objectives, into) for c in summary.children]
    score = ObjectiveScore(
        objective=objective,
        kpis=[],
        children=[c for c in children if c is not None],
        rollup=RollupResult(
            score=summary.score,
            status=summary.status,
            reported=summary.reported,
            total=summary.total,
            children=(),
        ),
        kpis_reported=summary.kpis_reported,
        kpis_total=summary.kpis_total,
        summarised=True,
        summarised_previous=summary.previous_score,
    )
    into[objective.pk] = score
    return score
