"""The background side of variance reports: when a period is due, the tasks, the beat
schedule seeded for admins, and the `variance_report` command."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask

from kpis import tasks
from kpis.models import VarianceReport
from kpis.reports.schedule import last_closed_period
from strategy.models import StrategicPlan
from tests.factories import ActualFactory, KpiFactory, StrategicPlanFactory, TargetFactory

JAN = datetime.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("today", "delay", "period"),
    [
        (datetime.date(2026, 11, 4), 3, datetime.date(2026, 10, 1)),
        (datetime.date(2026, 11, 3), 3, datetime.date(2026, 9, 1)),
        (datetime.date(2026, 11, 1), 0, datetime.date(2026, 10, 1)),
        (datetime.date(2026, 10, 31), 0, datetime.date(2026, 9, 1)),
        (datetime.date(2026, 1, 5), 4, datetime.date(2025, 12, 1)),
    ],
)
def test_the_last_closed_period_waits_the_delay_after_the_month_ends(today, delay, period):
    assert last_closed_period(today, delay) == period


@pytest.mark.django_db
def test_the_task_computes_the_report_and_is_idempotent():
    kpi = KpiFactory(code="REV")
    TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
    ActualFactory(kpi=kpi, period=JAN, value=Decimal(95))

    first = tasks.variance_report.apply(args=(kpi.plan_id, "2026-01-01")).get()
    second = tasks.variance_report.apply(args=(kpi.plan_id, "2026-01-01")).get()

    report = VarianceReport.objects.get(plan=kpi.plan, period=JAN)
    assert second == report.pk != first
    assert report.lines.get().actual == Decimal(95)


@pytest.mark.django_db
def test_the_task_for_a_deleted_plan_does_nothing():
    assert tasks.variance_report.apply(args=(987654, "2026-01-01")).get() is None


@pytest.mark.django_db
def test_a_transient_database_error_makes_the_task_retry_until_it_succeeds(monkeypatch):
    real = tasks.variance_report_compute
    attempts = []

    def locked_twice(**kwargs):
        attempts.append(kwargs["period"])
        if len(attempts) <= 2:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "variance_report_compute", locked_twice)
    plan = StrategicPlanFactory()
    # Run eagerly, the retries happen at once (a worker waits with back-off between them).
    report_id = tasks.variance_report.apply(args=(plan.pk, "2026-01-01")).get()

    assert len(attempts) == 3
    assert VarianceReport.objects.get(pk=report_id).plan == plan
    assert tasks.variance_report.retry_backoff


@pytest.mark.django_db
def test_an_error_that_is_not_transient_is_not_retried(monkeypatch):
    attempts = []

    def broken(**kwargs):
        attempts.append(1)
        raise ZeroDivisionError

    monkeypatch.setattr(tasks, "variance_report_compute", broken)
    result = tasks.variance_report.apply(args=(StrategicPlanFactory().pk, "2026-01-01"))
    assert (result.state, len(attempts)) == ("FAILURE", 1)


@pytest.mark.django_db
def test_the_daily_task_queues_active_plans_without_a_report_after_commit(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.VARIANCE_REPORT_DELAY_DAYS = 3
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: datetime.date(2026, 2, 10))
    waiting = StrategicPlanFactory()
    done = StrategicPlanFactory()
    StrategicPlanFactory(status=StrategicPlan.Status.DRAFT)
    VarianceReport.objects.create(plan=done, period=JAN)
    queued = []
    monkeypatch.setattr(tasks.variance_report, "delay", lambda *args: queued.append(args))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.variance_reports_due() == [waiting.pk]
    assert queued == []  # nothing goes to the broker before the commit
    for callback in callbacks:
        callback()
    assert queued == [(waiting.pk, "2026-01-01")]


@pytest.mark.django_db
def test_the_schedule_is_seeded_for_admins_to_edit(beat_schedule):
    task = PeriodicTask.objects.get(task="kpis.tasks.variance_reports_due")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("5", "0", "UTC")


@pytest.mark.django_db
def test_the_command_computes_one_report_and_prints_its_summary():
    kpi = KpiFactory(code="REV", name="Revenue")
    TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
    ActualFactory(kpi=kpi, period=JAN, value=Decimal(80))
    out = StringIO()

    call_command("variance_report", plan=kpi.plan_id, period="2026-01-01", stdout=out)

    assert VarianceReport.objects.filter(plan=kpi.plan, period=JAN).exists()
    assert "January 2026: score 0.0, 1 of 1 KPIs reported." in out.getvalue()
    assert "REV Revenue: 80" in out.getvalue()
    assert "-20.0%" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"plan": 987654, "period": "2026-01-01"}, "There is no plan with id 987654."),
        ({"plan": 1, "period": "January"}, "is not a date: write it as YYYY-MM-DD"),
        ({"plan": 1, "period": "2026-01-15"}, "use 2026-01-01"),
        ({"plan": 1}, "Give --plan ID and --period YYYY-MM-DD, or --all."),
        ({"all": True, "plan": 1}, "not both"),
    ],
)
def test_the_command_refuses_bad_input_with_a_clear_message(options, message):
    with pytest.raises(CommandError, match=message) as refused:
        call_command("variance_report", **options)
    assert refused.value.returncode == 1


@pytest.mark.django_db
def test_the_command_computes_every_active_plan_for_the_last_closed_period(monkeypatch):
    monkeypatch.setattr(
        "kpis.management.commands.variance_report.timezone.localdate",
        lambda: datetime.date(2026, 2, 10),
    )
    active = StrategicPlanFactory()
    StrategicPlanFactory(status=StrategicPlan.Status.DRAFT)
    call_command("variance_report", all=True, stdout=StringIO())
    assert list(VarianceReport.objects.values_list("plan_id", "period")) == [(active.pk, JAN)]
