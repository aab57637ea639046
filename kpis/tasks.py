"""Background jobs of the KPIs app: thin Celery tasks that take ids and call a service.

They are idempotent (a report replaces its period's snapshot) and retry with back-off when
the database is briefly unavailable. Queue them with `queue_variance_report`, which waits for
the surrounding transaction to commit.
"""

from __future__ import annotations

import smtplib
from datetime import date
from functools import partial

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from kpis.models import VarianceReport, WebhookDelivery
from kpis.reports.digest import report_digest_send
from kpis.reports.schedule import last_closed_period
from kpis.reports.services import variance_report_compute
from kpis.services import reminders_send
from kpis.services.webhooks import Attempt, delivery_attempt
from strategy.models import StrategicPlan

# A locked or restarting database, a dropped connection: worth another try.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RETRY_OPTIONS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**RETRY_OPTIONS)
def variance_report(plan_id: int, period: str) -> int | None:
    """Compute the plan's report for the period (ISO date); the report's id, or None when the
    plan is gone."""
    plan = StrategicPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        return None
    return variance_report_compute(plan=plan, period=date.fromisoformat(period)).pk


@shared_task(**RETRY_OPTIONS)
def variance_reports_due() -> list[int]:
    """Queue the report of the last closed period for every active plan that lacks it.

    Run daily by beat: a missed day is caught up the next, and a period's report is computed
    once; recomputing afterwards is an admin's decision. Returns the plans queued.
    """
    period = last_closed_period(timezone.localdate(), settings.VARIANCE_REPORT_DELAY_DAYS)
    done = VarianceReport.objects.filter(period=period).values("plan_id")
    plan_ids = list(
        StrategicPlan.objects.filter(status=StrategicPlan.Status.ACTIVE)
        .exclude(pk__in=done)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for plan_id in plan_ids:
        queue_variance_report(plan_id=plan_id, period=period)
    return plan_ids


def queue_variance_report(*, plan_id: int, period: date) -> None:
    """Queue a plan's report once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(variance_report.delay, plan_id, period.isoformat()))


@shared_task(**RETRY_OPTIONS)
def send_reminders() -> int:
    """Send today's reminders about missing actuals (each once); how many went out.

    Run daily by beat; running it twice in a day sends nothing more.
    """
    return len(reminders_send(today=timezone.localdate()))


# An SMTP server that refuses or cannot be reached for now: worth another try. People already
# sent the digest are not sent it again (kpis/reports/digest.py).
MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(**{**RETRY_OPTIONS, "autoretry_for": (*TRANSIENT_ERRORS, *MAIL_ERRORS)})
def send_report_digest(report_id: int) -> int:
    """E-mail the report's digest to those of its plan's recipients not yet sent this period's;
    how many went out (none when the report has been replaced or deleted meanwhile)."""
    report = VarianceReport.objects.select_related("plan__org_unit").filter(pk=report_id).first()
    if report is None:
        return 0
    return len(report_digest_send(report=report))


# Seconds before the second webhook attempt, doubling after each (the service decides when
# to stop: kpis.services.webhooks.MAX_ATTEMPTS).
WEBHOOK_FIRST_RETRY = 60


@shared_task(bind=True, **RETRY_OPTIONS)
def deliver_webhook(self: Task, delivery_id: int) -> str:
    """Make one attempt at the webhook delivery; while it may still succeed, try again later
    with back-off. The delivery's final state: "delivered" or "failed" ("deleted" when gone)."""
    if delivery_attempt(delivery_id=delivery_id) is Attempt.RETRY:
        countdown = WEBHOOK_FIRST_RETRY * 2 ** (self.request.retries or 0)
        raise self.retry(countdown=countdown)
    status = WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True)
    return status.first() or "deleted"
