"""The approvals page: approvers approve or return the actuals awaiting their review."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import require_perm, signed_in_user
from core.htmx import HtmxHttpRequest, wants_fragment
from kpis.models import Actual, ActualStatus
from kpis.selectors import actuals_awaiting_review, closed_through
from kpis.services import actual_review, review_refusal


def _require_approver(request: HttpRequest) -> User:
    """The reviewer, for the queue page only: it lists the units where they approve, and each
    review checks the actual's unit (`kpis.approve_actuals`)."""
    user = signed_in_user(request)
    require_perm(user, "kpis.view_approvals")
    return user


@require_GET
@login_required
def approvals(request: HtmxHttpRequest) -> HttpResponse:
    """Submitted actuals of the units where the person approves."""
    user = _require_approver(request)
    through = closed_through()
    context = {
        # Each actual with the reason it cannot be reviewed here (None: it can).
        "items": [
            (actual, review_refusal(actual=actual, by=user, closed_through=through))
            for actual in actuals_awaiting_review(user)
        ],
        "approval": settings.SCORECARD_APPROVAL,
    }
    return render(request, "kpis/approvals.html", context)


@require_POST
@login_required
def approval_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Approve or return one submitted actual."""
    user = signed_in_user(request)
    actual = get_object_or_404(
        Actual.objects.select_related(
            "kpi", "kpi__objective", "kpi__objective__plan", "entered_by"
        ),
        pk=pk,
    )
    if not user.has_perm("kpis.view_kpi", actual.kpi):
        raise Http404
    require_perm(user, "kpis.approve_actuals", actual.kpi)
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "").strip()
    version = request.POST.get("version", "")
    errors: list[str] = []
    done = ""
    if decision not in ("approve", "return"):
        errors.append("Choose Approve or Return.")
    else:
        try:
            actual = actual_review(
                actual=actual,
                by=user,
                approve=decision == "approve",
                comment=comment,
                expected_version=int(version) if version.isdigit() else None,
            )
        except ValidationError as refusal:
            errors.extend(refusal.messages)
        else:
            done = "Approved." if actual.status == ActualStatus.APPROVED else "Returned."
    status = 400 if errors else 200
    if wants_fragment(request):
        context = {
            "actual": actual,
            "errors": errors,
            "done": done,
            "comment": comment,
            "refusal": review_refusal(actual=actual, by=user, closed_through=closed_through()),
        }
        return render(request, "kpis/approvals.html#item", context, status=status)
    if errors:
        for message in errors:
            messages.error(request, f"{actual.kpi.code}: {message}")
    else:
        messages.success(request, f"{actual.kpi.code} {actual.period:%b %Y}: {done}")
    return redirect("kpis:approvals")
