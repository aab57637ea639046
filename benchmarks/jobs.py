"""What the memory figure runs in a subprocess of its own: the report job, and a process that
only starts Django and asks one query (the floor the job is compared with)."""

from __future__ import annotations

import datetime

from kpis.reports.services import variance_report_compute
from strategy.models import StrategicPlan


def report_job(plan_id: str, day: str) -> None:
    """What the Celery task does: compute and store the plan's variance report."""
    plan = StrategicPlan.objects.get(pk=int(plan_id))
    variance_report_compute(plan=plan, period=datetime.date.fromisoformat(day))


def idle_job() -> None:
    StrategicPlan.objects.exists()
