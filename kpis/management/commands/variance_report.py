"""`manage.py variance_report`: compute variance reports by hand and print their summaries.

`--plan ID --period YYYY-MM-DD` computes one plan's report; `--all` every active plan's report
for the last closed period. Bad input ends with a message and exit code 1.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kpis.models import VarianceReport
from kpis.reports.schedule import last_closed_period
from kpis.reports.selectors import report_digest
from kpis.reports.services import period_refusal, variance_report_compute
from strategy.models import StrategicPlan


class Command(BaseCommand):
    help = "Compute a plan's variance report for a period (or every active plan's) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, help="The plan's id.")
        parser.add_argument("--period", help="The month's first day, YYYY-MM-DD.")
        parser.add_argument(
            "--all",
            action="store_true",
            help="Every active plan, for the last closed period.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            if options["plan"] is not None or options["period"] is not None:
                raise CommandError("Give either --all or --plan with --period, not both.")
            period = last_closed_period(timezone.localdate(), settings.VARIANCE_REPORT_DELAY_DAYS)
            plans = list(StrategicPlan.objects.filter(status=StrategicPlan.Status.ACTIVE))
            if not plans:
                self.stdout.write("There is no active plan: no report computed.")
            for active in plans:
                self._print(variance_report_compute(plan=active, period=period))
            return
        if options["plan"] is None or options["period"] is None:
            raise CommandError("Give --plan ID and --period YYYY-MM-DD, or --all.")
        try:
            period = date.fromisoformat(options["period"])
        except ValueError:
            raise CommandError(
                f"--period {options['period']!r} is not a date: write it as YYYY-MM-DD."
            ) from None
        refusal = period_refusal(period)
        if refusal is not None:
            raise CommandError(refusal)
        plan = StrategicPlan.objects.filter(pk=options["plan"]).first()
        if plan is None:
            raise CommandError(f"There is no plan with id {options['plan']}.")
        try:
            report = variance_report_compute(plan=plan, period=period)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self._print(report)

    def _print(self, report: VarianceReport) -> None:
        digest = report_digest(list(report.lines.all()))
        score = "no score" if report.score is None else f"score {report.score:.1f}"
        self.stdout.write(
            f"{report.plan.name}, {report.period:%B %Y}: {score}, "
            f"{report.kpis_reported} of {report.kpis_total} KPIs reported."
        )
        counts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in digest.counts.items())
        self.stdout.write(f"  {counts}")
        for line in digest.worst:
            self.stdout.write(
                f"  {line.kpi_code} {line.kpi_name}: {line.actual} against {line.goal} "
                f"({line.variance_pct:+.1%})"
            )
