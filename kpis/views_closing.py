"""The period locks page: admins lock and unlock periods."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import require_perm, signed_in_user
from core.htmx import HtmxHttpRequest
from kpis import periods
from kpis.models import PeriodLock
from kpis.period_params import parse_month, parse_period
from kpis.services import Outcome, period_lock, period_unlock
from kpis.views import _today


@require_http_methods(["GET", "POST"])
@login_required
def locks(request: HtmxHttpRequest) -> HttpResponse:
    """The locked periods; an admin locks one by its month."""
    require_perm(request.user, "kpis.lock_period")
    error = ""
    typed = ""
    if request.method == "POST":
        typed = request.POST.get("period", "").strip()
        period = parse_month(typed)
        if period is None:
            error = "Enter a month as YYYY-MM, e.g. 2026-01."
        else:
            try:
                _, outcome = period_lock(period=period, by=signed_in_user(request))
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
            else:
                done = "was locked already" if outcome is Outcome.UNCHANGED else "is locked now"
                messages.success(request, f"{period:%b %Y} {done}.")
                return redirect("kpis:locks")
    context = {
        "locks": PeriodLock.objects.select_related("locked_by"),
        "error": error,
        "typed": typed,
        "suggested": f"{periods.last_closed_period(_today(), 'monthly'):%Y-%m}",
    }
    return render(request, "kpis/locks.html", context, status=400 if error else 200)


@require_POST
@login_required
def lock_remove(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "kpis.lock_period")
    period = parse_period(request.POST.get("period", ""))
    if period is not None and period_unlock(period=period):
        messages.success(request, f"{period:%b %Y} is unlocked.")
    else:
        messages.error(request, "That period was not locked.")
    return redirect("kpis:locks")
