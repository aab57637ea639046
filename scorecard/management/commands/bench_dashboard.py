"""`manage.py bench_dashboard --kpis 40 5000`: the dashboard's server time by number of KPIs.

For each size it builds a plan with that many KPIs and three months of targets and actuals,
renders the dashboard through Django's test client a few times and reports the median time
and the number of queries; everything it creates is rolled back.
"""

from __future__ import annotations

import datetime
import statistics
import time
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, OrgUnit, Role, User
from kpis.models import Actual, Direction, Kpi, Target
from strategy.models import Objective
from strategy.services import plan_create

MONTHS = (datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1))


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Measure the dashboard's server time for plans of the given numbers of KPIs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kpis", type=int, nargs="+", default=[40, 5000])
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        for size in options["kpis"]:
            try:
                with transaction.atomic():
                    seconds, queries = self._measure(size, options["runs"])
                    self.stdout.write(
                        f"{size} KPIs: median {seconds * 1000:.0f} ms, {queries} queries"
                    )
                    raise _Rollback
            except _Rollback:
                pass

    def _measure(self, size: int, runs: int) -> tuple[float, int]:
        unit = OrgUnit.objects.create(name=f"Bench {size}", code=f"bench-{size}")
        plan = plan_create(
            org_unit=unit,
            name=f"Bench {size}",
            start=datetime.date(2026, 1, 1),
            end=datetime.date(2026, 12, 31),
        )
        objectives = [
            Objective.objects.create(
                plan=plan,
                perspective=perspective,
                code=f"O{n}{i}",
                name=f"Objective {n}.{i}",
                org_unit=unit,
            )
            for n, perspective in enumerate(plan.perspectives.all())
            for i in range(5)
        ]
        kpis = Kpi.objects.bulk_create(
            Kpi(
                plan=plan,
                objective=objectives[n % len(objectives)],
                code=f"K{n}",
                name=f"KPI {n}",
                direction=Direction.INCREASE,
            )
            for n in range(size)
        )
        Target.objects.bulk_create(
            Target(kpi=k, period=m, goal=Decimal(100), red_flag=Decimal(90))
            for k in kpis
            for m in MONTHS
        )
        Actual.objects.bulk_create(
            Actual(kpi=k, period=m, value=Decimal(80 + n % 30))
            for n, k in enumerate(kpis)
            for m in MONTHS
        )
        person = User.objects.create(username=f"bench-{size}")
        Membership.objects.create(user=person, org_unit=unit, role=Role.EXECUTIVE)
        client = Client(SERVER_NAME="localhost")
        client.force_login(person)
        url = f"/dashboard/?plan={plan.pk}&period=2026-03"
        client.get(url)  # warm up: sessions, permissions, templates
        times = []
        queries = 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise CommandError(f"the dashboard answered {response.status_code}")
            queries = len(captured.captured_queries)
        return statistics.median(times), queries
