"""What action plans add to the KPI pages (registered in actionplans/apps.py; see
kpis/page_extensions.py): a corrective action plan for an off-track KPI, and the plans
acting on a KPI with their status and schedule."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.permissions import signed_in_user
from actionplans import selectors
from actionplans.schedule import percent
from kpis.models import Kpi
from strategy.extensions import Link
from strategy.models import Objective


def corrective_plan(user: User, kpi: Kpi) -> Link | None:
    """A draft plan prefilled from the KPI, for those who may add plans to its objective."""
    return corrective_plan_for(user, objective=kpi.objective, kpi_id=kpi.pk)


def corrective_plan_for(user: User, *, objective: Objective, kpi_id: int) -> Link | None:
    """As `corrective_plan`, for a caller that already holds the KPI's objective."""
    if not user.has_perm("actionplans.add_actionplan", objective):
        return None
    query = urlencode({"objective": objective.pk, "kpi": kpi_id})
    return Link("Start a corrective action plan", f"{reverse('actionplans:plan_new')}?{query}")


def render_plans_acting_on(request: HttpRequest, kpi: Kpi) -> str:
    """The section of the KPI's page listing the plans linked to it (a SafeString)."""
    today = timezone.localdate()
    rows = [
        (
            link,
            percent(selectors.plan_progress(link.action_plan)),
            selectors.plan_schedule(link.action_plan, today),
        )
        for link in selectors.plans_acting_on(kpi, reader=signed_in_user(request))
    ]
    return render_to_string("actionplans/_kpi_plans.html", {"rows": rows}, request=request)
