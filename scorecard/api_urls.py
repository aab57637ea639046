"""The REST API's addresses, under /api/: v1/ (see DESIGN.md §9), schema/ and docs/."""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from actionplans import api as actionplans_api
from core.api_http import not_found
from kpis import api as kpis_api
from kpis import api_reviews, api_webhooks
from kpis.reports import api as reports_api
from strategy import api as strategy_api

router = SimpleRouter()
router.register("org-units", accounts_api.OrgUnitViewSet, basename="orgunit")
router.register("users", accounts_api.UserViewSet, basename="user")
router.register("memberships", accounts_api.MembershipViewSet, basename="membership")
router.register("plans", strategy_api.PlanViewSet, basename="plan")
router.register("perspectives", strategy_api.PerspectiveViewSet, basename="perspective")
router.register("objectives", strategy_api.ObjectiveViewSet, basename="objective")
router.register("objective-links", strategy_api.ObjectiveLinkViewSet, basename="objectivelink")
router.register("kpis", kpis_api.KpiViewSet, basename="kpi")
router.register("targets", kpis_api.TargetViewSet, basename="target")
router.register("actuals", kpis_api.ActualViewSet, basename="actual")
router.register("approvals", api_reviews.ApprovalViewSet, basename="approval")
router.register("webhooks", api_webhooks.WebhookViewSet, basename="webhook")
router.register("variance-reports", reports_api.VarianceReportViewSet, basename="variancereport")
router.register("action-plans", actionplans_api.ActionPlanViewSet, basename="actionplan")
router.register("tasks", actionplans_api.TaskViewSet, basename="task")


class FormatParameterNegotiation(DefaultContentNegotiation):
    """`?format=json` or `?format=yaml` chooses the schema's format; else the Accept header.

    The API turns DRF's `format` parameter off (URL_FORMAT_OVERRIDE), since its endpoints
    answer JSON only; the schema has two formats, and tools ask for one this way.
    """

    def select_renderer(
        self,
        request: Request,
        renderers: list[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        chosen = format_suffix or request.query_params.get("format")
        selected: tuple[BaseRenderer, str] = super().select_renderer(request, renderers, chosen)
        return selected


schema = SpectacularAPIView.as_view(content_negotiation_class=FormatParameterNegotiation)

# Swagger UI comes from drf-spectacular-sidecar's static files; the split view serves its
# start-up script as a file too, so scripts stay 'self'. Swagger UI sets inline styles on its
# elements: allowed on this page only.
docs = csp_update({"style-src": [SELF, UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema")
)

app_name = "api"
urlpatterns = [
    path("v1/auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("v1/scorecard/", kpis_api.ScorecardView.as_view(), name="scorecard"),
    path("v1/period-close/", api_reviews.PeriodCloseView.as_view(), name="period-close"),
    path("v1/", include(router.urls)),
    path("schema/", schema, name="schema"),
    path("docs/", docs, name="docs"),
    # Anything else under /api/ answers a JSON 404, not the site's HTML page.
    re_path(r"^.*$", not_found),
]
