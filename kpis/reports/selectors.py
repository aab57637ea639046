"""Reads of variance reports: computing a snapshot, a report's lines for a reader, the latest.

`report_snapshot` is the one place a report's numbers come from: `plan_scorecard` (the pages'
engine) scores every KPI, then one query reads the actuals' words and one the units' names.
Its cost in queries does not grow with the number of KPIs.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import OrgUnit, User
from accounts.permissions import visible_unit_ids
from kpis import scoring
from kpis.models import Actual, ScoreStatus, VarianceLine, VarianceReport
from kpis.reports.extensions import sections_for_report
from kpis.selectors import KpiScore, ObjectiveScore, PlanScorecard, plan_scorecard
from strategy.models import Objective, Perspective, StrategicPlan

# How many of the largest unfavourable variances a summary names.
WORST_COUNT = 5
STATUS_ORDER = (
    ScoreStatus.OFF_TRACK,
    ScoreStatus.AT_RISK,
    ScoreStatus.ON_TRACK,
    ScoreStatus.NO_DATA,
)


@dataclass
class Snapshot:
    """A report as it would be stored now: unsaved lines, the summary and their digest."""

    scorecard: PlanScorecard
    lines: list[VarianceLine]
    summary: dict[str, Any]
    fingerprint: str


def _walk(objective: ObjectiveScore) -> Iterator[tuple[ObjectiveScore, KpiScore]]:
    for kpi_score in objective.kpis:
        yield objective, kpi_score
    for child in objective.children:
        yield from _walk(child)


def _score(value: scoring.ScoreLike | None) -> Decimal | None:
    return scoring.score_to_decimal(value)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


_Placed = tuple[Perspective, Objective, KpiScore]


def _placed(scorecard: PlanScorecard) -> list[_Placed]:
    """Each KPI once, where the scorecard first shows it, in the scorecard's order."""
    placed: list[_Placed] = []
    seen: set[int] = set()
    for perspective in scorecard.perspectives:
        for top in perspective.objectives:
            for objective_score, kpi_score in _walk(top):
                if kpi_score.kpi.pk not in seen:
                    seen.add(kpi_score.kpi.pk)
                    placed.append((perspective.perspective, objective_score.objective, kpi_score))
    return placed


def _actual_words(placed: list[_Placed]) -> dict[tuple[int, date], tuple[str, str]]:
    """The analysis and corrective action of the KPIs' actuals in their own period (one
    query): only actuals with words, read through the KPIs' plans rather than by thousands of
    ids, unordered (the default order joins the plans to sort every row)."""
    own_periods = {k.periods[0] for _, _, k in placed if len(k.periods) == 1}
    if not own_periods:
        return {}
    actuals = (
        Actual.objects.filter(
            kpi__plan_id__in={k.kpi.plan_id for _, _, k in placed}, period__in=own_periods
        )
        .exclude(analysis="", corrective_action="")
        .order_by()
    )
    return {
        (kpi_id, day): (analysis, corrective)
        for kpi_id, day, analysis, corrective in actuals.values_list(
            "kpi_id", "period", "analysis", "corrective_action"
        )
    }


def report_snapshot(*, plan: StrategicPlan, period: date) -> Snapshot:
    """The plan's report for the period as the data stands: a line per KPI in scorecard order."""
    scorecard = plan_scorecard(plan=plan, period=period, reader=None)
    placed = _placed(scorecard)
    words = _actual_words(placed)
    unit_names = dict(
        OrgUnit.objects.filter(pk__in={o.org_unit_id for _, o, _ in placed}).values_list(
            "pk", "name"
        )
    )
    owner_names = {
        k.kpi.owner_id: k.kpi.owner.display_name for _, _, k in placed if k.kpi.owner is not None
    }
    lines: list[VarianceLine] = []
    for perspective, objective, kpi_score in placed:
        kpi, result = kpi_score.kpi, kpi_score.result
        analysis, corrective = "", ""
        if len(kpi_score.periods) == 1:  # a combined view has no one actual's words to show
            analysis, corrective = words.get((kpi.pk, kpi_score.periods[0]), ("", ""))
        variance_pct = result.variance_pct
        lines.append(
            VarianceLine(
                kpi_id=kpi.pk,
                position=len(lines),
                perspective_name=perspective.name,
                objective_code=objective.code,
                objective_name=objective.name,
                kpi_code=kpi.code,
                kpi_name=kpi.name,
                measure_unit=kpi.measure_unit,
                owner_name=owner_names.get(kpi.owner_id, ""),
                org_unit_id=objective.org_unit_id,
                org_unit_name=unit_names.get(objective.org_unit_id, ""),
                actual=result.actual,
                goal=result.goal,
                red_flag=result.red_flag,
                score=_score(result.score),
                status=result.status.value,
                variance=result.variance,
                variance_pct=None if variance_pct is None else round(variance_pct, 4),
                favourable=result.favourable,
                previous_score=_score(result.previous_score),
                trend=result.trend.value if result.trend else "",
                analysis=analysis,
                corrective_action=corrective,
            )
        )
    summary = {
        "score": _text(_score(scorecard.rollup.score)),
        "status": scorecard.status.value,
        "perspectives": [
            {
                "name": p.perspective.name,
                "score": _text(_score(p.rollup.score)),
                "status": p.status.value,
                "kpis_reported": p.kpis_reported,
                "kpis_total": p.kpis_total,
            }
            for p in scorecard.perspectives
        ],
        # What the apps above kpis add (kpis/reports/extensions.py), e.g. action plans behind.
        "sections": [asdict(section) for section in sections_for_report(plan, period)],
    }
    return Snapshot(scorecard, lines, summary, _fingerprint(lines, summary))


_LINE_FIELDS = (
    "kpi_id",
    "perspective_name",
    "objective_code",
    "objective_name",
    "kpi_code",
    "kpi_name",
    "measure_unit",
    "owner_name",
    "org_unit_id",
    "org_unit_name",
    "actual",
    "goal",
    "red_flag",
    "score",
    "status",
    "variance",
    "variance_pct",
    "favourable",
    "previous_score",
    "trend",
    "analysis",
    "corrective_action",
)
_line_values = attrgetter(*_LINE_FIELDS)


def _fingerprint(lines: list[VarianceLine], summary: dict[str, Any]) -> str:
    """A digest of everything the report shows, so any change to its data changes it."""
    rows = [[None if v is None else str(v) for v in _line_values(line)] for line in lines]
    payload = json.dumps([rows, summary], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def report_is_current(report: VarianceReport) -> bool:
    """Whether the report still shows what its data says (no actual, target or KPI changed)."""
    return report_snapshot(plan=report.plan, period=report.period).fingerprint == (
        report.fingerprint
    )


def reports_for(
    user: User | AnonymousUser, *, plan: StrategicPlan | None = None, period: date | None = None
) -> QuerySet[VarianceReport]:
    """The reports of the plans the person may see, newest period first."""
    reports = VarianceReport.objects.select_related("plan", "plan__org_unit")
    units = visible_unit_ids(user)
    if units is not None:
        reports = reports.filter(plan__org_unit_id__in=units)
    if plan is not None:
        reports = reports.filter(plan=plan)
    if period is not None:
        reports = reports.filter(period=period)
    return reports.order_by("-period", "plan__name", "pk")


def latest_report(*, plan: StrategicPlan, through: date | None = None) -> VarianceReport | None:
    """The plan's report of the latest period (up to `through`, when given), for a link from
    the dashboard (one query)."""
    reports = VarianceReport.objects.filter(plan=plan)
    if through is not None:
        reports = reports.filter(period__lte=through)
    return reports.order_by("-period").first()


def report_lines(
    report: VarianceReport,
    *,
    reader: User | AnonymousUser | None,
    status: str = "",
    org_unit_id: int | None = None,
) -> list[VarianceLine]:
    """The report's lines the reader may see (None: everybody's), optionally one status or unit.

    A line is seen through the unit of its plan or of its objective, as the KPI itself is.
    """
    lines = report.lines.all()
    units = None if reader is None else visible_unit_ids(reader)
    if units is not None:
        lines = lines.filter(Q(org_unit_id__in=units) | Q(kpi__plan__org_unit_id__in=units))
    if status:
        lines = lines.filter(status=status)
    if org_unit_id is not None:
        lines = lines.filter(org_unit_id=org_unit_id)
    return list(lines.order_by("position"))


def report_sections(
    report: VarianceReport, *, reader: User | AnonymousUser | None
) -> list[dict[str, Any]]:
    """The summary's added sections with the items the reader may see (None: everybody's)."""
    units = None if reader is None else visible_unit_ids(reader)
    return [
        {
            **section,
            "items": [
                item for item in section["items"] if units is None or item["org_unit_id"] in units
            ],
        }
        for section in report.summary.get("sections", [])
    ]


@dataclass
class Digest:
    """What a report's summary shows about the lines one reader sees."""

    counts: dict[str, int]
    worst: list[VarianceLine]
    missing: list[VarianceLine]


def _largest_first(line: VarianceLine) -> tuple[Decimal, str]:
    size = Decimal(0) if line.variance_pct is None else abs(Decimal(line.variance_pct))
    return -size, line.kpi_code


def report_digest(lines: list[VarianceLine]) -> Digest:
    """Counts by status, the largest unfavourable variances and the KPIs with no actual."""
    found = Counter(line.status for line in lines)
    unfavourable = [
        line for line in lines if line.favourable is False and line.variance_pct is not None
    ]
    unfavourable.sort(key=_largest_first)
    return Digest(
        counts={status.value: found.get(status.value, 0) for status in STATUS_ORDER},
        worst=unfavourable[:WORST_COUNT],
        missing=[line for line in lines if line.actual is None],
    )
