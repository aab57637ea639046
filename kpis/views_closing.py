"""The close page: an admin previews a new close date, then applies it (or moves it back)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.permissions import require_perm, signed_in_user
from kpis import periods
from kpis.models import PeriodClose
from kpis.period_params import parse_month
from kpis.selectors import close_preview
from kpis.services import Outcome, close_date_refusal, period_close
from kpis.views import local_today


def _typed_close_date(typed: str) -> tuple[date | None, str]:
    """The close date typed as the month to close through (its last day), or why not."""
    month = parse_month(typed)
    if month is None:
        return None, "Enter a month as YYYY-MM, e.g. 2026-10."
    through = periods.period_end(month, periods.Frequency.MONTHLY)
    return through, close_date_refusal(through) or ""


@require_http_methods(["GET", "POST"])
@login_required
def close(request: HttpRequest) -> HttpResponse:
    """The close date. `?through=YYYY-MM` previews what closing through that month would
    close or reopen; posting the month applies it."""
    require_perm(request.user, "kpis.close_periods")
    current = PeriodClose.objects.select_related("closed_by").filter(pk=1).first()
    data = request.POST if request.method == "POST" else request.GET
    typed = data.get("through", "").strip()
    through, error = _typed_close_date(typed) if typed else (None, "")
    if request.method == "POST" and not typed:
        error = "Choose the month to close through."
    if request.method == "POST" and through is not None and not error:
        try:
            _, outcome = period_close(through=through, by=signed_in_user(request))
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            day = periods.day_label(through)
            done = "already" if outcome is Outcome.UNCHANGED else "now"
            messages.success(request, f"The periods are closed through {day} {done}.")
            return redirect("kpis:close")
    preview = None
    if through is not None and not error:
        preview = close_preview(
            through=through, current=current.closed_through if current else None
        )
    context = {
        "current": current,
        "preview": preview,
        "error": error,
        "typed": typed,
        "suggested": f"{periods.last_closed_period(local_today(), 'monthly'):%Y-%m}",
    }
    return render(request, "kpis/close.html", context, status=400 if error else 200)
