"""Variance reports computed by a real Celery worker in a subprocess, on the broker the settings
pick (Redis when REDIS_URL is set, the server-less broker otherwise): end to end from the
scheduled task, and a worker killed half-way through a report."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from kpis.models import Actual, Kpi, VarianceReport
from kpis.reports.schedule import last_closed_period
from kpis.reports.services import variance_report_compute
from strategy.models import StrategicPlan
from tests.factories import ActualFactory, KpiFactory, ObjectiveFactory, TargetFactory
from tests.kpis.worker import WorkerSetup, running_worker, wait_for

# The worker reads what the test committed. No serialized rollback: its flush skips Django's
# post-migrate step, leaving the next test without content types; the schedule comes from the
# `beat_schedule` fixture instead.
pytestmark = pytest.mark.django_db(transaction=True)

JAN = datetime.date(2026, 1, 1)


@pytest.fixture
def worker_setup(tmp_path):  # type: ignore[no-untyped-def]
    return WorkerSetup(folder=tmp_path)


def plan_with_actuals(period: datetime.date, values: list[int]) -> tuple[StrategicPlan, list[Kpi]]:
    objective = ObjectiveFactory()
    kpis = []
    for value in values:
        kpi = KpiFactory(objective=objective)
        TargetFactory(kpi=kpi, period=period, goal=Decimal(100), red_flag=Decimal(90))
        ActualFactory(kpi=kpi, period=period, value=Decimal(value))
        kpis.append(kpi)
    return objective.plan, kpis


def actuals_in(report: VarianceReport) -> dict[int, Decimal | None]:
    return {line.kpi_id: line.actual for line in report.lines.all()}


def test_a_worker_computes_the_closed_periods_report_from_the_scheduled_task(
    worker_setup, beat_schedule
):
    period = last_closed_period(timezone.localdate(), settings.VARIANCE_REPORT_DELAY_DAYS)
    plan, kpis = plan_with_actuals(period, [95, 80, 104])
    scheduled = PeriodicTask.objects.get(task="kpis.tasks.variance_reports_due")
    reports = VarianceReport.objects.filter(plan=plan, period=period)

    with running_worker(worker_setup):
        # What beat sends at the scheduled time: the daily task queues the plan's report.
        worker_setup.send(scheduled.task, json.loads(scheduled.args), json.loads(scheduled.kwargs))
        wait_for(reports.exists, what="the report of the closed period", setup=worker_setup)

    report = reports.get()
    assert actuals_in(report) == {kpis[0].pk: 95, kpis[1].pk: 80, kpis[2].pk: 104}
    assert (report.kpis_reported, report.kpis_total) == (3, 3)


def test_a_worker_killed_half_way_leaves_the_previous_report_and_a_rerun_replaces_it(
    worker_setup, tmp_path
):
    plan, kpis = plan_with_actuals(JAN, [95, 80, 104])
    previous = variance_report_compute(plan=plan, period=JAN)
    Actual.objects.filter(kpi=kpis[1], period=JAN).update(value=Decimal(99))
    reports = VarianceReport.objects.filter(plan=plan, period=JAN)
    stopped = tmp_path / "stopped"

    with running_worker(worker_setup, stop_file=stopped) as worker:
        worker_setup.send("kpis.tasks.variance_report", (plan.pk, JAN.isoformat()))
        wait_for(stopped.exists, what="the report to stop half-way", setup=worker_setup)
        worker.kill()
        worker.wait()

    # The old lines were deleted inside the dead worker's transaction: nothing of it remains.
    assert list(reports.values_list("pk", flat=True)) == [previous.pk]
    assert actuals_in(reports.get()) == {kpis[0].pk: 95, kpis[1].pk: 80, kpis[2].pk: 104}

    with running_worker(worker_setup):
        worker_setup.send("kpis.tasks.variance_report", (plan.pk, JAN.isoformat()))
        wait_for(
            lambda: reports.exclude(pk=previous.pk).exists(),
            what="the rerun's report",
            setup=worker_setup,
        )

    assert reports.count() == 1
    assert actuals_in(reports.get()) == {kpis[0].pk: 95, kpis[1].pk: 99, kpis[2].pk: 104}
