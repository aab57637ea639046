"""The read side that composes the other apps: for now, the home overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import signed_in_user
from strategy.models import StrategicPlan
from strategy.selectors import plans_for


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The plans the person may see (as on the strategy list), not every plan.
    plans = (
        plans_for(signed_in_user(request))
        .exclude(status=StrategicPlan.Status.ARCHIVED)
        .annotate(kpi_count=Count("kpis", distinct=True))
        .order_by("org_unit__parent_id", "name")
    )
    return render(request, "scorecard/home.html", {"plans": plans})
