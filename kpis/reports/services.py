"""Writes of variance reports: computing a plan's report for a period and storing it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kpis.models import VarianceLine, VarianceReport
from kpis.queue import queue_on_commit
from kpis.reports.digest import report_url
from kpis.reports.selectors import report_snapshot
from kpis.scoring import score_to_decimal
from kpis.services.webhooks import report_ready_record
from strategy.models import StrategicPlan


def period_refusal(period: date) -> str | None:
    """Why a date cannot be a report's period, or None: a report covers a month from its 1st."""
    if period.day != 1:
        return (
            f"A report's period starts on the first day of a month: use "
            f"{period.replace(day=1).isoformat()} for the period containing {period.isoformat()}."
        )
    return None


def variance_report_compute(*, plan: StrategicPlan, period: date) -> VarianceReport:
    """Compute and store the plan's report for the period, replacing the period's earlier one.

    One transaction holding the plan's row: concurrent runs queue behind each other, and a run
    that dies half-way leaves the previous report as it was, so there is always exactly one
    complete report per plan and period. Lines go in with bulk inserts. Once committed, the
    report's digest is queued (kpis/reports/digest.py), and so are the report-ready webhooks.
    """
    refusal = period_refusal(period)
    if refusal is not None:
        raise ValidationError({"period": refusal})
    with transaction.atomic():
        # The plan's row is the lock (SQLite already serialises writers).
        locked = list(StrategicPlan.objects.select_for_update().filter(pk=plan.pk).values("pk"))
        if not locked:
            raise StrategicPlan.DoesNotExist(f"There is no plan with id {plan.pk}.")
        snapshot = report_snapshot(plan=plan, period=period)
        VarianceReport.objects.filter(plan=plan, period=period).delete()
        report = VarianceReport.objects.create(
            plan=plan,
            period=period,
            score=score_to_decimal(snapshot.scorecard.rollup.score),
            kpis_reported=snapshot.scorecard.kpis_reported,
            kpis_total=snapshot.scorecard.kpis_total,
            summary=snapshot.summary,
            fingerprint=snapshot.fingerprint,
        )
        for line in snapshot.lines:
            line.report = report
        VarianceLine.objects.bulk_create(snapshot.lines)
        queue_on_commit("kpis.tasks.send_report_digest", report.pk)
        report_ready_record(report=report, url=report_url(report))
    return report
