""" "My updates": who may update which KPIs, the rows the page shows, and the actuals awaiting
review.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from accounts.models import OrgUnit, Role, User
from accounts.permissions import access_for
from core.many_values import many_values
from core.page_filters import chosen_id
from kpis import periods, scoring
from kpis.models import Actual, ActualStatus, Kpi, Target
from kpis.selectors.closing import closed_message, closed_through
from kpis.selectors.values import target_result, target_thresholds
from strategy.models import Objective


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
    updatable = kpis_updatable_by(user).filter(pk__in=many_values(wanted))
    return set(updatable.values_list("pk", flat=True))


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
    closed: bool  # the period ends on or before the close date
    # The period before's analysis and its label, shown as last period's (never as this one's).
    previous_analysis: str = ""
    previous_label: str = ""

    @property
    def closed_message(self) -> str:
        """Why the row takes no changes, naming its own period; empty when it is open."""
        return closed_message(self.period, self.kpi.frequency) if self.closed else ""

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
            and self.result.status is scoring.ScoreStatus.OFF_TRACK
        )


@dataclass
class UpdateGroup:
    objective: Objective
    rows: list[UpdateRow]


def update_period(kpi: Kpi, day: date | None, today: date) -> date:
    """The KPI's period on "My updates": the one containing `day`, or the last closed one."""
    return _update_period(kpi.frequency, day, today)


def _update_period(frequency: str, day: date | None, today: date) -> date:
    fy = settings.FISCAL_YEAR_START_MONTH
    if day is None:
        return periods.last_closed_period(today, frequency, fy)
    return periods.period_start(day, frequency, fy)


@dataclass(frozen=True)
class UpdatesProgress:
    """How many KPIs of "My updates" have an actual for the period the page shows them."""

    entered: int
    total: int


def _shown_periods(day: date | None, today: date) -> Q:
    """Actuals of the period each KPI shows on the page (`update_period`), by its frequency."""
    shown = Q()
    for frequency in periods.Frequency:
        period = _update_period(frequency.value, day, today)
        shown |= Q(kpi__frequency=frequency.value, period=period)
    return shown


def updates_progress(kpis: QuerySet[Kpi], *, day: date | None, today: date) -> UpdatesProgress:
    """The counter of "My updates" for these KPIs (`kpis_for_updates`), in two queries: a row
    counts as entered when its KPI has an actual for its period on the page (`update_period`),
    so saving one row can refresh the counter without reading every row."""
    entered = Actual.objects.filter(
        _shown_periods(day, today), kpi__in=kpis.order_by().values("pk")
    ).count()
    return UpdatesProgress(entered=entered, total=kpis.count())


@dataclass(frozen=True)
class UpdatesFilter:
    """What "My updates" is narrowed to: a unit's KPIs, an objective's, the rows still empty."""

    unit: int | None = None
    objective: int | None = None
    missing_only: bool = False

    def query(self) -> dict[str, str]:
        """The filter as an address's parameters, so paging and saving keep it."""
        return {
            name: str(value)
            for name, value in (
                ("unit", self.unit),
                ("objective", self.objective),
                ("missing", "1" if self.missing_only else None),
            )
            if value is not None
        }


@dataclass(frozen=True)
class UpdatesChoices:
    """The units and objectives the person's KPIs belong to: what the filter may ask for."""

    units: list[tuple[int, str]]
    objectives: list[tuple[int, str]]


def updates_choices(kpis: QuerySet[Kpi]) -> UpdatesChoices:
    """The filter's choices for these KPIs (`kpis_for_updates`), in two queries."""
    ids = kpis.order_by().values("objective_id")
    units = OrgUnit.objects.filter(objectives__pk__in=ids).distinct().order_by("name")
    objectives = Objective.objects.filter(pk__in=ids).order_by("code", "name")
    return UpdatesChoices(
        units=[(unit.pk, unit.name) for unit in units],
        objectives=[(o.pk, f"{o.code} {o.name}".strip()) for o in objectives],
    )


def parse_updates_filter(
    params: QueryDict, choices: UpdatesChoices
) -> tuple[UpdatesFilter, list[str]]:
    """The filter an address asks for, and the words for each part it may not ask for (not a
    number, or a unit or objective none of the person's KPIs belong to): that part is dropped,
    so a misspelt filter shows every row with a message rather than an error page."""
    problems: list[str] = []

    def choice(name: str, allowed: list[tuple[int, str]]) -> int | None:
        ids = {pk for pk, _ in allowed}
        return chosen_id(params, name, ids, label=name, among="among your KPIs", problems=problems)

    missing = params.get("missing", "").strip()
    if missing not in ("", "1", "on"):
        problems.append(f"“Missing only” is on or off, not “{missing}”; showing every row.")
    return (
        UpdatesFilter(
            unit=choice("unit", choices.units),
            objective=choice("objective", choices.objectives),
            missing_only=missing in ("1", "on"),
        ),
        problems,
    )


def filter_updates(
    kpis: QuerySet[Kpi], chosen: UpdatesFilter, *, day: date | None, today: date
) -> QuerySet[Kpi]:
    """The KPIs of "My updates" the filter keeps; "missing only" keeps those with no actual for
    the period the page shows them."""
    if chosen.unit is not None:
        kpis = kpis.filter(objective__org_unit_id=chosen.unit)
    if chosen.objective is not None:
        kpis = kpis.filter(objective_id=chosen.objective)
    if chosen.missing_only:
        entered = Actual.objects.filter(_shown_periods(day, today), kpi_id=OuterRef("pk"))
        kpis = kpis.exclude(Exists(entered))
    return kpis


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
    through = closed_through()
    groups: dict[int, UpdateGroup] = {}
    for kpi in kpi_list:
        period = wanted[kpi.pk]
        target = targets.get((kpi.pk, period))
        actual = actuals.get((kpi.pk, period))
        previous_period = periods.shift(period, kpi.frequency, -1)
        previous = actuals.get((kpi.pk, previous_period))
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
            closed=periods.is_closed(period, kpi.frequency, through),
            previous_analysis=previous.analysis.strip() if previous else "",
            previous_label=periods.label(previous_period, kpi.frequency, fy),
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
