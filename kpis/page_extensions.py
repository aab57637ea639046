"""Where the apps above kpis add to the KPI pages, so that kpis never names them.

Dependencies point one way (docs/architecture.md): kpis imports no app above it, names none
of their URLs and loads none of their templates. A KPI's page and the rows of My updates still
offer what those apps know (a corrective action plan for an off-track KPI, the plans acting on
it): each app registers a small function here from its `AppConfig.ready()`, and the KPI pages
call whatever is registered, as strategy/extensions.py does for the strategy's pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from accounts.models import User
from kpis.models import Kpi
from strategy.extensions import Link

# What the person can do about a KPI that is off track (None: nothing for them).
OffTrackAction = Callable[[User, Kpi], Link | None]
# A section of a KPI's page as HTML rendered by a template (so a SafeString).
KpiSection = Callable[[HttpRequest, Kpi], str]

off_track_actions: list[OffTrackAction] = []
kpi_sections: list[KpiSection] = []


def actions_for_off_track(user: User, kpi: Kpi) -> list[Link]:
    return [link for make in off_track_actions if (link := make(user, kpi)) is not None]


def sections_for_kpi(request: HttpRequest, kpi: Kpi) -> list[str]:
    return [render(request, kpi) for render in kpi_sections]
