"""`manage.py seed_scale --kpis N --months M [--units U] [--code scale]`: a synthetic organisation.

For benchmarks and demos at size: an organisation (org unit `--code`) with `--units`
departments, a group plan and one cascaded plan per department whose objectives support the
group's, N monthly KPIs spread over those objectives (every direction and aggregation, some
calculated as `A + B` of two others, some targets with a stated red flag and some derived),
M months of targets and actuals up to the last closed month (a few actuals missing), an
admin and an executive at the root (`<code>-admin`, `<code>-exec`), a manager per
department who owns and updates its KPIs, and an action plan per objective of a department
with a milestone, two tasks and a linked KPI.

Everything is inserted set-based: a handful of bulk inserts per table, and on PostgreSQL
`COPY` for the targets and actuals, so 10,000 KPIs x 36 months take seconds, not minutes.
The rows bypass the services (and so the audit trail): they are synthetic and valid by
construction.

It refuses, changing nothing, when the org unit `--code` already exists: run it again with
another code, or on a fresh database. The data is deterministic for given arguments.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Membership, OrgUnit, Role, User
from actionplans.models import ActionPlan, ActionPlanKpi, Milestone, Task
from core import data_version
from kpis import periods
from kpis.models import Actual, Aggregation, Direction, Kpi, Target
from strategy.models import Objective, Perspective, StrategicPlan

# Group objectives per perspective; every department's plan supports all of them.
OBJECTIVES_PER_PERSPECTIVE = 3
# One KPI in CALCULATED_EVERY is calculated from the two KPIs created just before it.
CALCULATED_EVERY = 50
# One actual in MISSING_EVERY is left out, so some KPIs show "no data" and partial views.
MISSING_EVERY = 23
BATCH = 5000
PASSWORD = "scale"  # the synthetic people's shared password, for benchmarks

_AGGREGATIONS = [a.value for a in Aggregation]
_TOLERANCES = [Decimal("0.1"), Decimal("0.05"), Decimal("0.2")]


def last_closed_month(today: datetime.date) -> datetime.date:
    return periods.last_closed_period(
        today, periods.Frequency.MONTHLY, settings.FISCAL_YEAR_START_MONTH
    )


def _months(last: datetime.date, count: int) -> list[datetime.date]:
    first = periods.shift(last, periods.Frequency.MONTHLY, -(count - 1))
    return periods.periods_between(
        first, last, periods.Frequency.MONTHLY, settings.FISCAL_YEAR_START_MONTH
    )


def _direction(n: int) -> str:
    """60 % higher is better, 25 % lower is better, 15 % within a range."""
    slot = n % 20
    if slot < 12:
        return Direction.INCREASE
    if slot < 17:
        return Direction.DECREASE
    return Direction.RANGE


class Command(BaseCommand):
    help = "Create a synthetic organisation of N KPIs with M months of history, set-based."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kpis", type=int, required=True, help="How many KPIs in all.")
        parser.add_argument("--months", type=int, required=True, help="Months of history.")
        parser.add_argument("--units", type=int, default=4, help="Departments (default 4).")
        parser.add_argument(
            "--code", default="scale", help="The organisation's unit code (default scale)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kpis, months, units = options["kpis"], options["months"], options["units"]
        if kpis < 1 or months < 1 or units < 1:
            raise CommandError("--kpis, --months and --units must each be at least 1.")
        code = options["code"]
        existing = OrgUnit.objects.filter(code=code).first()
        if existing is not None:
            raise CommandError(
                f"The org unit {code!r} ({existing.name}) exists already, so nothing was "
                "created: seed_scale only creates. Pass another --code or use a fresh database."
            )
        started = timezone.now()
        with transaction.atomic():
            counts = seed(code=code, kpis=kpis, months=months, units=units)
        seconds = (timezone.now() - started).total_seconds()
        summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
        self.stdout.write(f"Seeded {code!r} in {seconds:.1f} s: {summary}.")


def seed(*, code: str, kpis: int, months: int, units: int) -> dict[str, int]:
    """Create the organisation; returns how many of each thing it created."""
    rng = random.Random(f"{code}-{kpis}-{months}-{units}")
    last = last_closed_month(timezone.localdate())
    month_list = _months(last, months)
    horizon_start = periods.period_start(month_list[0], periods.Frequency.YEARLY)
    horizon_end = periods.shift(
        periods.period_start(last, periods.Frequency.YEARLY), periods.Frequency.YEARLY, 2
    ) - datetime.timedelta(days=1)

    root = OrgUnit.objects.create(name=f"Scale {code}", code=code)
    data_version.bump()  # the bulk inserts here, and in the helpers below, send no signals
    departments = OrgUnit.objects.bulk_create(
        OrgUnit(name=f"Department {n + 1}", code=f"{code}-d{n + 1}", parent=root)
        for n in range(units)
    )
    password = make_password(PASSWORD)
    admin, executive, *managers = User.objects.bulk_create(
        [
            User(username=f"{code}-admin", first_name="Scale", last_name="Admin"),
            User(username=f"{code}-exec", first_name="Scale", last_name="Executive"),
            *(
                User(username=f"{code}-head{n + 1}", first_name="Head", last_name=f"{n + 1}")
                for n in range(units)
            ),
        ]
    )
    User.objects.filter(username__startswith=f"{code}-").update(password=password)
    Membership.objects.bulk_create(
        [
            Membership(user=admin, org_unit=root, role=Role.ADMIN),
            Membership(user=executive, org_unit=root, role=Role.EXECUTIVE),
            *(
                Membership(user=manager, org_unit=unit, role=Role.MANAGER)
                for manager, unit in zip(managers, departments, strict=True)
            ),
        ]
    )

    group = StrategicPlan.objects.create(
        org_unit=root,
        name=f"Scale {code} group plan",
        start=horizon_start,
        end=horizon_end,
        status=StrategicPlan.Status.ACTIVE,
    )
    plans = [
        group,
        *StrategicPlan.objects.bulk_create(
            StrategicPlan(
                org_unit=unit,
                name=f"{unit.name} plan",
                start=horizon_start,
                end=horizon_end,
                status=StrategicPlan.Status.ACTIVE,
                parent=group,
            )
            for unit in departments
        ),
    ]
    kinds = list(Perspective.Kind)[:4]
    perspectives = Perspective.objects.bulk_create(
        Perspective(plan=plan, name=str(kind.label), kind=kind, order=order)
        for plan in plans
        for order, kind in enumerate(kinds)
    )
    group_objectives = Objective.objects.bulk_create(
        Objective(
            plan=group,
            perspective=perspective,
            code=f"{perspective.name[0]}{n + 1}",
            name=f"{perspective.name} objective {n + 1}",
            org_unit=root,
            owner=executive,
        )
        for perspective in perspectives[:4]
        for n in range(OBJECTIVES_PER_PERSPECTIVE)
    )
    unit_objectives = Objective.objects.bulk_create(
        Objective(
            plan=plan,
            perspective=perspectives[4 * p + n // OBJECTIVES_PER_PERSPECTIVE],
            code=parent.code,
            name=parent.name,
            org_unit=plan.org_unit,
            owner=managers[p - 1],
            parent=parent,
            weight=Decimal(1 + (p + n) % 2),
        )
        for p, plan in enumerate(plans[1:], start=1)
        for n, parent in enumerate(group_objectives)
    )
    # Most KPIs belong to the departments; one in ten measures a group objective directly.
    homes = [*unit_objectives, *group_objectives[: max(1, len(unit_objectives) // 10)]]
    owners = {o.pk: o.owner for o in homes}
    kpi_rows: list[Kpi] = []
    # A calculated KPI adds the two stored KPIs of its plan created just before it; their
    # values add up per quarter and year only when all three are summed.
    stored_by_plan: dict[int, list[Kpi]] = {}
    per_plan: dict[int, int] = {}
    for n in range(kpis):
        objective = homes[n % len(homes)]
        earlier = stored_by_plan.setdefault(objective.plan_id, [])
        number = per_plan[objective.plan_id] = per_plan.get(objective.plan_id, 0) + 1
        kpi = Kpi(
            plan_id=objective.plan_id,
            objective=objective,
            code=f"K{number:05d}",
            name=f"KPI {n + 1}",
            measure_unit="%" if n % 7 == 0 else "",
            direction=_direction(n),
            aggregation=_AGGREGATIONS[n % 5],
            tolerance=_TOLERANCES[n % 3],
            weight=Decimal(1 + n % 3),
            owner=owners[objective.pk],
        )
        if n % CALCULATED_EVERY == CALCULATED_EVERY - 1 and len(earlier) >= 2:
            inputs = earlier[-2:]
            kpi.formula = " + ".join(used.code for used in inputs)
            kpi.direction = Direction.INCREASE
            kpi.aggregation = Aggregation.SUM
            for used in inputs:
                used.aggregation = Aggregation.SUM
                if used.direction == Direction.RANGE:
                    used.direction = Direction.INCREASE
        else:
            earlier.append(kpi)
        kpi_rows.append(kpi)
    created = Kpi.objects.bulk_create(kpi_rows, batch_size=BATCH)
    Kpi.updaters.through.objects.bulk_create(
        (
            Kpi.updaters.through(kpi_id=kpi.pk, user_id=kpi.owner_id)
            for kpi in created
            if not kpi.formula
        ),
        batch_size=BATCH,
    )

    goals = {kpi.pk: Decimal(rng.randrange(50, 500)) for kpi in created}
    by_code = {(kpi.plan_id, kpi.code): kpi for kpi in created}
    for kpi in created:
        if kpi.formula:
            left, right = kpi.formula.split(" + ")
            goals[kpi.pk] = (
                goals[by_code[kpi.plan_id, left].pk] + goals[by_code[kpi.plan_id, right].pk]
            )
    targets = list(_targets(created, goals, month_list))
    actuals = list(_actuals(created, goals, month_list, rng))
    _insert(Target, ["kpi_id", "period", "goal", "red_flag", "goal_high", "red_flag_high"], targets)
    now = timezone.now()
    _insert(
        Actual,
        [
            "kpi_id",
            "period",
            "value",
            "analysis",
            "corrective_action",
            "review_comment",
            "entered_at",
            "version",
            "status",
        ],
        ((k, p, v, "", "", "", now, 1, "approved") for k, p, v in actuals),
    )
    action_plans = _action_plans(unit_objectives, created, last)
    return {
        "org units": 1 + len(departments),
        "people": 2 + len(managers),
        "plans": len(plans),
        "objectives": len(group_objectives) + len(unit_objectives),
        "KPIs": len(created),
        "targets": len(targets),
        "actuals": len(actuals),
        "action plans": action_plans,
    }


def _targets(
    kpis: Sequence[Kpi], goals: dict[int, Decimal], months: Sequence[datetime.date]
) -> Iterable[tuple[int, datetime.date, Decimal, Decimal | None, Decimal | None, Decimal | None]]:
    """A target per KPI and month; one KPI in three states no red flag (it is derived)."""
    for kpi in kpis:
        goal = goals[kpi.pk]
        stated = kpi.pk % 3 != 0
        for month in months:
            if kpi.direction == Direction.RANGE:
                high = goal + goal / 5
                yield (
                    kpi.pk,
                    month,
                    goal,
                    goal * Decimal("0.8") if stated else None,
                    high,
                    high * Decimal("1.2") if stated else None,
                )
            elif kpi.direction == Direction.DECREASE:
                yield kpi.pk, month, goal, goal * Decimal("1.15") if stated else None, None, None
            else:
                yield kpi.pk, month, goal, goal * Decimal("0.85") if stated else None, None, None


def _actuals(
    kpis: Sequence[Kpi],
    goals: dict[int, Decimal],
    months: Sequence[datetime.date],
    rng: random.Random,
) -> Iterable[tuple[int, datetime.date, Decimal]]:
    """An actual per stored KPI and month around its goal (±30 %), a few left out."""
    n = 0
    for kpi in kpis:
        if kpi.formula:
            continue  # computed on read from its inputs
        goal = goals[kpi.pk]
        for month in months:
            n += 1
            if n % MISSING_EVERY == 0:
                continue
            yield (
                kpi.pk,
                month,
                (goal * Decimal(rng.randrange(70, 131)) / 100).quantize(Decimal("0.01")),
            )


def _insert(model: type[models.Model], columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert rows of plain values into the model's table: COPY on PostgreSQL, else batched
    multi-row INSERTs of the values as the fields store them."""
    table = model._meta.db_table
    data_version.bump()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        by_column = {field.attname: field for field in model._meta.concrete_fields}
        fields = [by_column[column] for column in columns]
        statement = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        prepared = (
            [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
            for row in rows
        )
        while batch := [row for _, row in zip(range(BATCH), prepared, strict=False)]:
            cursor.executemany(statement, batch)


def _action_plans(objectives: Sequence[Objective], kpis: Sequence[Kpi], last: datetime.date) -> int:
    """An active action plan per department objective: a linked KPI, a milestone, two tasks."""
    data_version.bump()
    first_kpi: dict[int, Kpi] = {}
    for kpi in kpis:
        first_kpi.setdefault(kpi.objective_id, kpi)
    start = last
    due = periods.shift(last, periods.Frequency.QUARTERLY, 2)
    plans = ActionPlan.objects.bulk_create(
        ActionPlan(
            objective=objective,
            org_unit_id=objective.org_unit_id,
            name=f"Lift {objective.code} in {objective.org_unit_id}",
            owner=objective.owner,
            start_date=start,
            due_date=due,
            status=ActionPlan.Status.ACTIVE,
        )
        for objective in objectives
    )
    ActionPlanKpi.objects.bulk_create(
        ActionPlanKpi(
            action_plan=plan,
            kpi=first_kpi[plan.objective_id],
            expected_value=Decimal(100),
            expected_by=due,
        )
        for plan in plans
        if plan.objective_id in first_kpi
    )
    milestones = Milestone.objects.bulk_create(
        Milestone(action_plan=plan, name="Halfway", due_date=periods.shift(start, "quarterly", 1))
        for plan in plans
    )
    Task.objects.bulk_create(
        Task(
            action_plan=plan,
            milestone=milestone,
            name=name,
            owner=plan.owner,
            start_date=start,
            due_date=milestone.due_date,
            status=status,
        )
        for plan, milestone in zip(plans, milestones, strict=True)
        for name, status in (("Analyse", Task.Status.DONE), ("Act", Task.Status.IN_PROGRESS))
    )
    return len(plans)
