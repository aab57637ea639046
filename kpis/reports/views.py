"""The variance report pages: reports by plan and period, a report, its downloads, recompute.

A report is seen by whoever sees its plan (404 otherwise), and its lines by whoever sees their
KPI (DESIGN.md §5); recomputing answers 403 to all but the plan unit's admins.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import get_visible_or_404, require_perm, signed_in_user
from core.htmx import HtmxHttpRequest, wants_fragment
from kpis.models import ScoreStatus, VarianceLine, VarianceReport
from kpis.reports.exports import report_csv, report_xlsx
from kpis.reports.selectors import report_digest, report_is_current, report_lines, reports_for
from kpis.reports.services import variance_report_compute
from strategy.models import StrategicPlan


def _low_first(value: Decimal | None) -> tuple[bool, Decimal]:
    return value is None, value if value is not None else Decimal(0)


def _by_position(line: VarianceLine) -> tuple[bool, Decimal]:
    return False, Decimal(line.position)


def _by_score(line: VarianceLine) -> tuple[bool, Decimal]:
    return _low_first(line.score)


def _by_variance(line: VarianceLine) -> tuple[bool, Decimal]:
    return _low_first(line.variance_pct)


SortKey = Callable[[VarianceLine], tuple[bool, Decimal]]
SORTS: dict[str, tuple[str, SortKey]] = {
    "": ("Scorecard order", _by_position),
    "score": ("Score, lowest first", _by_score),
    "variance": ("Variance %, worst first", _by_variance),
}


def _report_for(user: User, pk: int) -> VarianceReport:
    return get_visible_or_404(
        user,
        VarianceReport.objects.select_related("plan", "plan__org_unit"),
        "kpis.view_variancereport",
        pk=pk,
    )


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


@require_GET
@login_required
def report_list(request: HtmxHttpRequest) -> HttpResponse:
    """The reports of the plans the person sees, optionally one plan's or one period's."""
    user = signed_in_user(request)
    plans = list(StrategicPlan.objects.filter(variance_reports__isnull=False).distinct())
    plans = [plan for plan in plans if user.has_perm("strategy.view_plan", plan)]
    plan = next((p for p in plans if p.pk == _int_or_none(request.GET.get("plan", ""))), None)
    period = None
    errors = []
    if request.GET.get("period"):
        try:
            period = date.fromisoformat(request.GET["period"] + "-01")
        except ValueError:
            errors.append("Choose the period as a month, for example 2026-01.")
    reports = list(reports_for(user, plan=plan, period=period))
    context = {
        "reports": reports,
        "plans": plans,
        "plan": plan,
        "period": period,
        "errors": errors,
    }
    template = "kpis/reports/list.html"
    if wants_fragment(request):
        template += "#results"
    return render(request, template, context, status=400 if errors else 200)


def _filtered_lines(request: HtmxHttpRequest, report: VarianceReport) -> list[VarianceLine]:
    status = request.GET.get("status", "")
    lines = report_lines(
        report,
        reader=request.user,
        status=status if status in ScoreStatus.values else "",
        org_unit_id=_int_or_none(request.GET.get("unit", "")),
    )
    _, key = SORTS.get(request.GET.get("sort", ""), SORTS[""])
    return sorted(lines, key=key)


@require_GET
@login_required
def report_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A report: its summary, then its lines by perspective, filtered and sorted by the query."""
    user = signed_in_user(request)
    report = _report_for(user, pk)
    every_line = report_lines(report, reader=user)
    lines = _filtered_lines(request, report)
    groups: dict[str, list[VarianceLine]] = {}
    for line in sorted(lines, key=lambda line: line.position):
        groups.setdefault(line.perspective_name, [])
    for line in lines:
        groups[line.perspective_name].append(line)
    units = sorted(
        {(line.org_unit_id, line.org_unit_name) for line in every_line if line.org_unit_id}
    )
    context = {
        "report": report,
        "digest": report_digest(every_line),
        "groups": groups,
        "line_count": len(lines),
        "statuses": ScoreStatus.choices,
        "units": units,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "chosen": {
            "status": request.GET.get("status", ""),
            "unit": request.GET.get("unit", ""),
            "sort": request.GET.get("sort", ""),
        },
        "query": request.GET.urlencode(),
        "current": report_is_current(report),
        "may_recompute": user.has_perm("kpis.recompute_variancereport", report),
    }
    template = "kpis/reports/report.html"
    if wants_fragment(request):
        template += "#lines"
    return render(request, template, context)


@require_GET
@login_required
def report_download(request: HtmxHttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The lines on the page (the same filters and order) as a CSV or XLSX file."""
    report = _report_for(signed_in_user(request), pk)
    lines = _filtered_lines(request, report)
    name = f"variance-report-{report.plan_id}-{report.period:%Y-%m}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(report_csv(lines), content_type="text/csv; charset=utf-8")
    else:
        title = f"{report.plan.name}, {report.period:%B %Y}"
        response = HttpResponse(
            report_xlsx(lines, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@login_required
def report_recompute(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Compute the period again from today's data; the new report replaces this one."""
    user = signed_in_user(request)
    report = _report_for(user, pk)
    require_perm(user, "kpis.recompute_variancereport", report)
    fresh = variance_report_compute(plan=report.plan, period=report.period)
    messages.success(request, "The report was computed again from the current data.")
    return redirect("reports:report", fresh.pk)
