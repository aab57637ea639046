"""The read side that composes the other apps: for now, the home overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from strategy.models import StrategicPlan


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    plans = (
        StrategicPlan.objects.exclude(status=StrategicPlan.Status.ARCHIVED)
        .select_related("org_unit")
        .annotate(
            objective_count=Count("objectives", distinct=True),
            kpi_count=Count("kpis", distinct=True),
        )
        .order_by("org_unit__parent_id", "name")
    )
    return render(request, "scorecard/home.html", {"plans": plans})
