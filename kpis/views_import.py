"""The import pages: uploading a file of actuals and targets, its preview, committing it, and
the template to fill in. Only members of a unit import; the rows are checked for the person.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import access_for, signed_in_user
from core.htmx import HtmxHttpRequest
from kpis.imports import (
    ImportFileError,
    RowStatus,
    check_rows,
    outcome_digest,
    preview_order,
    read_upload,
    template_csv,
    template_rows,
    template_xlsx,
)
from kpis.models import ImportBatch
from kpis.selectors import kpis_for_updates
from kpis.services import ImportChanged, import_batch_create, import_commit
from kpis.views import _today
from strategy.models import StrategicPlan


def _import_plans(user: User) -> list[StrategicPlan]:
    plans = StrategicPlan.objects.exclude(status=StrategicPlan.Status.ARCHIVED).select_related(
        "org_unit"
    )
    return [plan for plan in plans.order_by("name") if user.has_perm("strategy.view_plan", plan)]


def _default_plan(plans: list[StrategicPlan]) -> StrategicPlan | None:
    """The active plan at the top of the organisation, where most KPI codes live."""
    active = [plan for plan in plans if plan.status == StrategicPlan.Status.ACTIVE]
    top = [plan for plan in active if plan.parent_id is None]
    candidates = top or active
    return candidates[0] if candidates else None


def _require_member(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not access_for(user).is_member:
        raise PermissionDenied
    return user


@require_http_methods(["GET", "POST"])
@login_required
def import_start(request: HtmxHttpRequest) -> HttpResponse:
    """The upload step: a file and the plan whose KPI codes it uses."""
    user = _require_member(request)
    plans = _import_plans(user)
    default = _default_plan(plans)
    chosen = str(default.pk) if default else ""
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("plan", "").strip()
        plan = next((p for p in plans if str(p.pk) == chosen), None)
        upload = request.FILES.get("file")
        if chosen and plan is None:
            error = "Choose one of the plans in the list."
        elif upload is None:
            error = "Choose a file to import."
        elif upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
            limit = settings.IMPORT_MAX_BYTES / (1024 * 1024)
            error = (
                f"The file is {upload.size / (1024 * 1024):.1f} MB; the limit is {limit:.1f} MB. "
                "Split it into smaller files."
            )
        else:
            try:
                read = read_upload(upload.name or "", upload.read())
            except ImportFileError as refusal:
                error = str(refusal)
            else:
                batch = import_batch_create(
                    user=user,
                    plan=plan,
                    filename=upload.name or "upload",
                    rows=read.rows,
                    notes=read.notes,
                )
                return redirect("kpis:import_preview", pk=batch.pk)
    context = {"plans": plans, "chosen": chosen, "error": error}
    return render(request, "kpis/import.html", context, status=400 if error else 200)


def _preview(
    request: HtmxHttpRequest, batch: ImportBatch, *, error: str = "", status: int = 200
) -> HttpResponse:
    rows = check_rows(batch.rows, user=signed_in_user(request), plan=batch.plan)
    statuses = [row.status for row in rows]
    counts = {status_.label: statuses.count(status_) for status_ in RowStatus}
    context = {
        "batch": batch,
        "rows": preview_order(rows),
        "counts": counts,
        "writes": any(row.writes for row in rows),
        "digest": outcome_digest(rows),
        "error": error,
    }
    return render(request, "kpis/import_preview.html", context, status=status)


@require_GET
@login_required
def import_preview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Every row of the file, as importing it now would treat it."""
    batch = get_object_or_404(
        ImportBatch.objects.select_related("plan"), pk=pk, created_by=_require_member(request)
    )
    return _preview(request, batch)


@require_POST
@login_required
def import_confirm(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Write every accepted row of the previewed file, or none."""
    user = _require_member(request)
    batch = get_object_or_404(ImportBatch.objects.select_related("plan"), pk=pk, created_by=user)
    try:
        summary = import_commit(batch=batch, by=user, expected=request.POST.get("digest"))
    except ImportChanged as changed:
        return _preview(request, batch, error=changed.messages[0], status=409)
    except ValidationError as error:
        return _preview(request, batch, error=" ".join(error.messages), status=400)
    left_out = ""
    if summary.refused:
        left_out += f"; {summary.refused} refused row{'s' if summary.refused != 1 else ''} left out"
    if summary.skipped:
        left_out += f"; {summary.skipped} blank row{'s' if summary.skipped != 1 else ''} skipped"
    messages.success(
        request,
        f"Imported {batch.filename}: {summary.created} created, {summary.changed} changed, "
        f"{summary.unchanged} unchanged{left_out}.",
    )
    return redirect("kpis:updates")


@require_GET
@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The import template, with a row to fill in for each KPI the person updates."""
    rows = template_rows(kpis_for_updates(signed_in_user(request)), today=_today())
    if fmt == "xlsx":
        content = template_xlsx(rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = template_csv(rows)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="bearing-import.{fmt}"'
    return response
