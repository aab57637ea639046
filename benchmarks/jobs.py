"""What the memory figure runs in a subprocess of its own: the report job, and a process that
only starts Django and asks one query (the floor the job is compared with)."""

from __future__ import annotations

import datetime
import resource
from pathlib import Path

from kpis.reports.services import variance_report_compute
from strategy.models import StrategicPlan


def report_job(plan_id: str, day: str) -> None:
    """What the Celery task does: compute and store the plan's variance report."""
    plan = StrategicPlan.objects.get(pk=int(plan_id))
    variance_report_compute(plan=plan, period=datetime.date.fromisoformat(day))


def idle_job() -> None:
    StrategicPlan.objects.exists()


def peak_kib() -> int:
    """This process's peak resident size in KiB: VmHWM where Linux gives it (it starts afresh
    with each program), else getrusage's ru_maxrss (which on Linux keeps a parent's peak)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
