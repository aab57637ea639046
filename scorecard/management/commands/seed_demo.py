"""`manage.py seed_demo`: the demo organisation with 24 months of scorecard history.

Idempotent: every row is found by its natural key. The structure (units, people, plan,
perspectives, objectives, KPIs) is brought back to the demo's definition; history and work
that people change while trying the demo (targets, actuals, action plans, tasks, passwords)
is only added where it is missing, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction
from django.utils import timezone

from accounts.models import Membership, OrgUnit, User
from actionplans.models import ActionPlan, ActionPlanKpi, Milestone, Task
from core import data_version
from kpis import periods, scoring
from kpis.models import Actual, Direction, Frequency, Kpi, Target
from scorecard import demo_data
from scorecard.demo_data import KpiSpec, ObjectiveSpec
from strategy.models import Objective, ObjectiveComment, ObjectiveLink, Perspective, StrategicPlan
from strategy.services import objective_link_create

_M = TypeVar("_M", bound=models.Model)

# How much the actuals improve from the first to the last month of the history, in steps
# of the goal-to-red-flag distance: the strategy shows that it is working, slowly.
_IMPROVEMENT = 0.4

Standing = Literal["ahead", "behind", "failing"]


@dataclass(frozen=True)
class Window:
    """The closed periods the history covers, per frequency, as of `today`."""

    today: datetime.date
    fiscal_year_start_month: int

    @property
    def last_month(self) -> datetime.date:
        return periods.last_closed_period(
            self.today, periods.Frequency.MONTHLY, self.fiscal_year_start_month
        )

    @property
    def first_month(self) -> datetime.date:
        return periods.shift(
            self.last_month, periods.Frequency.MONTHLY, -(demo_data.HISTORY_MONTHS - 1)
        )

    def closed_periods(self, frequency: str) -> list[datetime.date]:
        """Every period of the frequency that overlaps the window and has already closed."""
        return [
            start
            for start in periods.periods_between(
                self.first_month, self.last_month, frequency, self.fiscal_year_start_month
            )
            if periods.period_end(start, frequency) < self.today
        ]


@dataclass(frozen=True)
class Band:
    """One period's target values, before they become a Target row."""

    goal: Decimal
    red_flag: Decimal | None
    goal_high: Decimal | None
    red_flag_high: Decimal | None


@dataclass(frozen=True)
class SignIn:
    """One row of the sign-in table printed at the end."""

    username: str
    role: str
    unit: str
    password: str


@dataclass
class Summary:
    """What the demo holds, and what this run added to it."""

    units: int = 0
    people: int = 0
    objectives: int = 0
    links_added: int = 0
    kpis: int = 0
    targets_added: int = 0
    actuals_added: int = 0
    action_plans_added: int = 0
    tasks_added: int = 0


class Command(BaseCommand):
    help = (
        "Create the demo organisation Northwind Group: people, a three-year strategic plan, "
        "KPIs with 24 months of targets and actuals, and action plans. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help=(
                f"Set every demo person's password to this. Without it, new people get "
                f"{demo_data.DEFAULT_PASSWORD!r} and existing people keep theirs."
            ),
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing if the demo organisation already exists (for start-up scripts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = demo_data.ROOT_UNIT
        if options["once"] and OrgUnit.objects.filter(code=root.code).exists():
            self.stdout.write(
                f"The demo organisation {root.name} is already there; nothing changed."
            )
            return
        started = time.monotonic()
        summary = Summary()
        with transaction.atomic():
            sign_ins = seed_demo(
                today=timezone.localdate(), password=options["password"], summary=summary
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation {root.name} is ready ({elapsed:.1f} s): "
                f"{summary.units} units, {summary.people} people, {summary.objectives} "
                f"objectives, {summary.kpis} KPIs; added {summary.links_added} links, "
                f"{summary.targets_added} targets, {summary.actuals_added} actuals, "
                f"{summary.action_plans_added} action plans, {summary.tasks_added} tasks."
            )
        )
        self.stdout.write("")
        self._write_sign_ins(sign_ins)

    def _write_sign_ins(self, sign_ins: list[SignIn]) -> None:
        header = SignIn("Username", "Role", "Unit", "Password")
        rows = [header, *sign_ins]
        widths = [max(len(getattr(row, name)) for row in rows) for name in _SIGN_IN_COLUMNS]
        for index, row in enumerate(rows):
            cells = (
                getattr(row, name).ljust(width)
                for name, width in zip(_SIGN_IN_COLUMNS, widths, strict=True)
            )
            self.stdout.write("  ".join(cells).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))


_SIGN_IN_COLUMNS = ("username", "role", "unit", "password")


def seed_demo(*, today: datetime.date, password: str | None, summary: Summary) -> list[SignIn]:
    """Create or complete the demo organisation as of `today`; returns the demo sign-ins."""
    window = Window(today=today, fiscal_year_start_month=settings.FISCAL_YEAR_START_MONTH)
    units = _seed_units(summary)
    users, sign_ins = _seed_people(units, password, summary)
    plan = _seed_plan(units[demo_data.ROOT_UNIT.code], window)
    perspectives = _seed_perspectives(plan)
    objectives = _seed_objectives(
        plan, demo_data.OBJECTIVES, perspectives, units, users, summary, supported={}
    )
    _seed_links(plan, objectives, summary)
    _seed_commentaries(objectives, window)
    kpis = _seed_kpis(plan, demo_data.KPIS, objectives, users, summary)
    _seed_history(plan, demo_data.KPIS, kpis, window, summary)
    _seed_action_plans(objectives, users, today, summary)
    for spec in demo_data.DEPARTMENT_PLANS:
        department = _seed_plan(
            units[spec.unit], window, name=spec.name, vision=spec.vision, parent=plan
        )
        own = _seed_objectives(
            department,
            spec.objectives,
            _seed_perspectives(department),
            units,
            users,
            summary,
            supported=objectives,
        )
        department_kpis = _seed_kpis(department, spec.kpis, own, users, summary)
        _seed_history(department, spec.kpis, department_kpis, window, summary)
    return sign_ins


# --- Structure ------------------------------------------------------------------------------


def _upsert(
    model: type[_M], lookup: Mapping[str, Any], values: Mapping[str, Any], *, update: bool = True
) -> tuple[_M, bool]:
    """Bring the row with this natural key to `values`, creating it if missing.

    With `update=False` an existing row is left as it is. A row is validated before it is
    written, and written only when something differs, so a second run writes nothing.
    """
    instance = model._default_manager.filter(**lookup).first()
    created = instance is None
    if instance is None:
        instance = model(**lookup, **values)
        changed = True
    elif not update:
        return instance, created
    else:
        changed = False
        for name, value in values.items():
            field = model._meta.get_field(name)
            # Compare foreign keys by id, so that no related row is fetched just to compare.
            attname = getattr(field, "attname", name)
            wanted = value.pk if isinstance(value, models.Model) else value
            if getattr(instance, attname) != wanted:
                setattr(instance, name, value)
                changed = True
    if changed:
        instance.full_clean()
        instance.save()
    return instance, created


def _seed_units(summary: Summary) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for spec in demo_data.UNITS:  # parents come before their children
        parent = units[spec.parent] if spec.parent else None
        units[spec.code], _ = _upsert(
            OrgUnit,
            {"code": spec.code},
            {"name": spec.name, "parent": parent, "is_archived": False},
        )
    summary.units = len(units)
    return units


def _seed_people(
    units: Mapping[str, OrgUnit], password: str | None, summary: Summary
) -> tuple[dict[str, User], list[SignIn]]:
    existing = set(
        User.objects.filter(username__in=[spec.username for spec in demo_data.PEOPLE]).values_list(
            "username", flat=True
        )
    )
    new_password = password if password is not None else demo_data.DEFAULT_PASSWORD
    needs_hash = password is not None or len(existing) < len(demo_data.PEOPLE)
    # The demo people share one published password. Hashing it once rather than once per
    # person saves seconds, since the password hasher is slow on purpose.
    password_hash = make_password(new_password) if needs_hash else None

    users: dict[str, User] = {}
    sign_ins: list[SignIn] = []
    for spec in demo_data.PEOPLE:
        values: dict[str, Any] = {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@{demo_data.EMAIL_DOMAIN}",
            "is_active": True,
            "is_staff": spec.is_superuser,
            "is_superuser": spec.is_superuser,
        }
        sets_password = password is not None or spec.username not in existing
        if sets_password:
            values["password"] = password_hash
        user, _ = _upsert(User, {"username": spec.username}, values)
        unit = units[spec.unit]
        _upsert(Membership, {"user": user, "org_unit": unit, "role": spec.role}, {})
        users[spec.username] = user
        sign_ins.append(
            SignIn(
                username=spec.username,
                role=spec.role.label,
                unit=unit.name,
                password=new_password if sets_password else "(unchanged)",
            )
        )
    summary.people = len(users)
    return users, sign_ins


def _seed_plan(
    unit: OrgUnit,
    window: Window,
    *,
    name: str = demo_data.PLAN_NAME,
    vision: str = demo_data.VISION,
    parent: StrategicPlan | None = None,
) -> StrategicPlan:
    # The horizon starts with the fiscal year that holds the first month of the history, so
    # the whole history, today and the action plans of the next months lie inside its horizon.
    start = periods.period_start(
        window.first_month, periods.Frequency.YEARLY, window.fiscal_year_start_month
    )
    end = periods.add_months(start, 12 * demo_data.PLAN_YEARS) - datetime.timedelta(days=1)
    plan, _ = _upsert(
        StrategicPlan,
        {"org_unit": unit, "name": name},
        {
            "parent": parent,
            "vision": vision,
            "mission": demo_data.MISSION if parent is None else "",
            "values": "\n".join(demo_data.VALUES),
            "start": start,
            "end": end,
            "status": StrategicPlan.Status.ACTIVE,
        },
    )
    return plan


def _seed_perspectives(plan: StrategicPlan) -> dict[str, Perspective]:
    perspectives: dict[str, Perspective] = {}
    for spec in demo_data.PERSPECTIVES:
        perspectives[spec.kind], _ = _upsert(
            Perspective,
            {"plan": plan, "name": spec.name},
            {"kind": spec.kind, "order": spec.order, "weight": spec.weight},
        )
    return perspectives


def _seed_objectives(
    plan: StrategicPlan,
    specs: Sequence[ObjectiveSpec],
    perspectives: Mapping[str, Perspective],
    units: Mapping[str, OrgUnit],
    users: Mapping[str, User],
    summary: Summary,
    *,
    supported: Mapping[str, Objective],
) -> dict[str, Objective]:
    """The plan's objectives; in a department's plan, each with the group objective it supports."""
    objectives: dict[str, Objective] = {}
    for spec in specs:
        objectives[spec.code], _ = _upsert(
            Objective,
            {"plan": plan, "code": spec.code},
            {
                "perspective": perspectives[spec.perspective],
                "name": spec.name,
                "description": spec.description,
                "owner": users[spec.owner],
                "org_unit": units[spec.unit],
                "weight": spec.weight,
                "parent": supported[spec.supports] if spec.supports else None,
            },
        )
    summary.objectives += len(objectives)
    return objectives


def _seed_commentaries(objectives: Mapping[str, Objective], window: Window) -> None:
    """The owners' commentaries for the last closed month (left as they are once written)."""
    for code, text in demo_data.COMMENTARIES.items():
        objective = objectives[code]
        _upsert(
            ObjectiveComment,
            {"objective": objective, "period": window.last_month},
            {"text": text, "written_by": objective.owner},
            update=False,
        )


def _seed_links(plan: StrategicPlan, objectives: Mapping[str, Objective], summary: Summary) -> None:
    existing = set(
        ObjectiveLink.objects.filter(cause__plan=plan).values_list("cause__code", "effect__code")
    )
    for cause, effect in demo_data.OBJECTIVE_LINKS:
        if (cause, effect) not in existing:
            # Through the service, which refuses links that would close a cycle.
            objective_link_create(cause=objectives[cause], effect=objectives[effect])
            summary.links_added += 1


def _seed_kpis(
    plan: StrategicPlan,
    specs: Sequence[KpiSpec],
    objectives: Mapping[str, Objective],
    users: Mapping[str, User],
    summary: Summary,
) -> dict[str, Kpi]:
    kpis: dict[str, Kpi] = {}
    for spec in specs:
        objective = objectives[spec.objective]
        kpi, _ = _upsert(
            Kpi,
            {"plan": plan, "code": spec.code},
            {
                "objective": objective,
                "name": spec.name,
                "description": spec.description,
                "measure_unit": spec.measure_unit,
                "decimals": spec.decimals,
                "direction": spec.direction,
                "frequency": spec.frequency,
                "aggregation": spec.aggregation,
                "tolerance": spec.tolerance,
                "owner_id": objective.owner_id,
                "formula": spec.formula,
                "is_retired": False,
            },
        )
        if spec.updaters:
            kpi.updaters.add(*(users[username] for username in spec.updaters))
        kpis[spec.code] = kpi
    summary.kpis += len(kpis)
    return kpis


# --- History --------------------------------------------------------------------------------


def _quantize(value: float | Decimal, decimals: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _band(spec: KpiSpec, period: datetime.date, plan_start: datetime.date, fy_month: int) -> Band:
    """The target for one period: the first year's values moved by growth and season."""
    years = periods.period_start(period, periods.Frequency.YEARLY, fy_month).year - plan_start.year
    factor = (1 + spec.growth) ** years
    if spec.seasonal and spec.frequency == Frequency.MONTHLY:
        # Busiest in November, quietest in May: the customers' own production rhythm.
        factor *= 1 + spec.seasonal * math.cos(2 * math.pi * (period.month - 11) / 12)

    def scaled(value: Decimal) -> Decimal:
        return _quantize(float(value) * factor, spec.decimals)

    def scaled_optional(value: Decimal | None) -> Decimal | None:
        return None if value is None else scaled(value)

    return Band(
        goal=scaled(spec.goal),
        red_flag=scaled_optional(spec.red_flag),
        goal_high=scaled_optional(spec.goal_high),
        red_flag_high=scaled_optional(spec.red_flag_high),
    )


def _thresholds(spec: KpiSpec, band: Band) -> scoring.Thresholds:
    """The goal and red flags the scoring engine uses for the band (red flags derived if unset)."""
    return scoring.resolve_thresholds(
        spec.direction, band.goal, band.red_flag, band.goal_high, band.red_flag_high, spec.tolerance
    )


def _draw_actual(spec: KpiSpec, band: Band, progress: float, rng: random.Random) -> Decimal:
    """An actual placed around the target as the spec's performance says, with noise."""
    position = rng.gauss(spec.performance + _IMPROVEMENT * (progress - 0.5), spec.noise)
    return _place_actual(spec, band, position)


def _place_actual(spec: KpiSpec, band: Band, position: float) -> Decimal:
    """The actual at `position` (in steps of the goal-to-red-flag distance, see KpiSpec)."""
    t = _thresholds(spec, band)
    if t.red_flag is None:
        raise ValueError(f"{spec.code}: the target has no red flag and none can be derived.")
    if spec.direction == Direction.RANGE:
        if t.goal_high is None or t.red_flag_high is None:
            raise ValueError(f"{spec.code}: a range KPI needs both edges of its band.")
        centre = (t.goal + t.goal_high) / 2
        reach = t.red_flag_high - centre if position >= 0 else centre - t.red_flag
        value = float(centre) + position * float(reach)
    else:
        value = float(t.goal) + position * float(t.goal - t.red_flag)
    actual = _quantize(value, spec.decimals)
    if spec.floor is not None:
        actual = max(actual, spec.floor)
    if spec.ceiling is not None:
        actual = min(actual, spec.ceiling)
    return actual


_STANDINGS: dict[scoring.ScoreStatus, Standing] = {
    scoring.ScoreStatus.ON_TRACK: "ahead",
    scoring.ScoreStatus.AT_RISK: "behind",
    scoring.ScoreStatus.OFF_TRACK: "failing",
}


def _standing(spec: KpiSpec, band: Band, value: Decimal) -> Standing:
    """How the period went, as the scoring engine's status says, to pick a fitting analysis."""
    result = scoring.evaluate_kpi(
        direction=spec.direction,
        actual=value,
        goal=band.goal,
        red_flag=band.red_flag,
        goal_high=band.goal_high,
        red_flag_high=band.red_flag_high,
        tolerance=spec.tolerance,
    )
    if result.status is scoring.ScoreStatus.NO_DATA:
        raise ValueError(f"{spec.code}: the target cannot be scored.")
    return _STANDINGS[result.status]


_ANALYSES: dict[Standing, tuple[tuple[str, ...], float]] = {
    # Owners explain bad months far more often than good ones.
    "ahead": (demo_data.ANALYSIS_AHEAD, 0.15),
    "behind": (demo_data.ANALYSIS_BEHIND, 0.4),
    "failing": (demo_data.ANALYSIS_FAILING, 0.85),
}


def _entered_at(period: datetime.date, frequency: str, rng: random.Random) -> datetime.datetime:
    """A plausible moment of entry: a few working days after the period closed."""
    day = periods.period_end(period, frequency) + datetime.timedelta(days=rng.randint(2, 8))
    moment = datetime.datetime.combine(
        day,
        datetime.time(rng.randint(8, 17), rng.randint(0, 59)),
        tzinfo=timezone.get_current_timezone(),
    )
    return min(moment, timezone.now())


def _seed_history(
    plan: StrategicPlan,
    specs: Sequence[KpiSpec],
    kpis: Mapping[str, Kpi],
    window: Window,
    summary: Summary,
) -> None:
    existing_targets = set(Target.objects.filter(kpi__plan=plan).values_list("kpi_id", "period"))
    existing_actuals = set(Actual.objects.filter(kpi__plan=plan).values_list("kpi_id", "period"))
    new_targets: list[Target] = []
    new_actuals: list[Actual] = []
    entry_times: list[datetime.datetime] = []
    for spec in specs:
        kpi = kpis[spec.code]
        # One generator per KPI, seeded by its code: its history does not depend on the
        # other KPIs, nor on which rows already exist.
        rng = random.Random(f"{demo_data.SEED}:{spec.code}")
        kpi_periods = window.closed_periods(spec.frequency)
        for index, period in enumerate(kpi_periods):
            band = _band(spec, period, plan.start, window.fiscal_year_start_month)
            if (kpi.pk, period) not in existing_targets:
                target = Target(
                    kpi=kpi,
                    period=period,
                    goal=band.goal,
                    red_flag=band.red_flag,
                    goal_high=band.goal_high,
                    red_flag_high=band.red_flag_high,
                )
                _validate(target)
                new_targets.append(target)
            if spec.formula:
                continue  # the scoring computes calculated KPIs from their inputs
            is_latest = index == len(kpi_periods) - 1
            progress = index / max(len(kpi_periods) - 1, 1)
            value = _draw_actual(spec, band, progress, rng)
            texts, chance = _ANALYSES[_standing(spec, band, value)]
            analysis = rng.choice(texts) if rng.random() < chance else ""
            corrective_action = (
                rng.choice(demo_data.CORRECTIVE_ACTIONS)
                if analysis and texts is demo_data.ANALYSIS_FAILING
                else ""
            )
            entered_at = _entered_at(period, spec.frequency, rng)
            if is_latest and spec.latest is not None:
                # Drawn above all the same, so the rest of the history stays as it was.
                value = _place_actual(spec, band, spec.latest)
                analysis = spec.latest_analysis
                corrective_action = spec.latest_corrective_action
            if spec.reports_late and is_latest and spec.frequency == Frequency.MONTHLY:
                continue
            if (kpi.pk, period) in existing_actuals:
                continue
            actual = Actual(
                kpi=kpi,
                period=period,
                value=value,
                analysis=analysis,
                corrective_action=corrective_action,
                entered_by_id=kpi.owner_id,
            )
            _validate(actual)
            new_actuals.append(actual)
            entry_times.append(entered_at)
    Target.objects.bulk_create(new_targets, batch_size=500)
    Actual.objects.bulk_create(new_actuals, batch_size=500)
    # `entered_at` is set to now on insert (auto_now); backdate it to when it would have been
    # entered, so that "last updated" reads like a real history.
    for actual, entered_at in zip(new_actuals, entry_times, strict=True):
        actual.entered_at = entered_at
    Actual.objects.bulk_update(new_actuals, ["entered_at"], batch_size=500)
    data_version.bump()  # bulk writes send no signals
    summary.targets_added += len(new_targets)
    summary.actuals_added += len(new_actuals)


def _validate(row: Target | Actual) -> None:
    """The model's own rules without a query per row: the KPI is known to exist, and the
    one-per-period constraint is kept by inserting only periods that have no row yet."""
    row.clean_fields(exclude=["kpi", "entered_by"])
    row.clean()


# --- Action plans ---------------------------------------------------------------------------


def _seed_action_plans(
    objectives: Mapping[str, Objective],
    users: Mapping[str, User],
    today: datetime.date,
    summary: Summary,
) -> None:
    def day(offset: int) -> datetime.date:
        return today + datetime.timedelta(days=offset)

    for spec in demo_data.ACTION_PLANS:
        objective = objectives[spec.objective]
        # Created once and then left alone: people update plans and tasks while trying the demo.
        action_plan, created = _upsert(
            ActionPlan,
            {"objective": objective, "name": spec.name},
            {
                "org_unit_id": objective.org_unit_id,
                "success_measure": spec.success_measure,
                "description": spec.description,
                "owner_id": objective.owner_id,
                "start_date": day(spec.start),
                "due_date": day(spec.due),
                "status": spec.status,
                "resources": spec.resources,
                "budget_planned": spec.budget,
                "why": spec.why,
            },
            update=False,
        )
        summary.action_plans_added += created
        if created and spec.why:
            _link_kpi(action_plan, objective, spec.kpi)
        # Each task belongs to the first milestone due on or after it.
        milestones = [
            _upsert(
                Milestone,
                {"action_plan": action_plan, "name": m.name},
                {"due_date": day(m.due)},
                update=False,
            )[0]
            for m in spec.tasks
            if m.is_milestone
        ]
        for task_spec in spec.tasks:
            if task_spec.is_milestone:
                continue
            owner_id = users[task_spec.owner].pk if task_spec.owner else action_plan.owner_id
            due = day(task_spec.due)
            _, created = _upsert(
                Task,
                {"action_plan": action_plan, "name": task_spec.name},
                {
                    "owner_id": owner_id,
                    "milestone": next((m for m in milestones if m.due_date >= due), None),
                    "start_date": action_plan.start_date,
                    "due_date": due,
                    "status": task_spec.status,
                    "percent_complete": task_spec.percent_complete,
                },
                update=False,
            )
            summary.tasks_added += created


def _link_kpi(action_plan: ActionPlan, objective: Objective, code: str | None) -> None:
    """Measurable: the objective's KPI of that code (else its first by code), expected to
    reach its latest goal by the due date."""
    targets = Target.objects.filter(kpi__objective=objective, goal__isnull=False)
    if code is not None:
        targets = targets.filter(kpi__code=code)
    target = targets.order_by("kpi__code", "-period").first()
    if target is not None and target.goal is not None:
        ActionPlanKpi.objects.create(
            action_plan=action_plan,
            kpi_id=target.kpi_id,
            expected_value=target.goal,
            expected_by=action_plan.due_date,
        )
