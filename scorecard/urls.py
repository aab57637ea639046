from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scorecard import views
from scorecard.service_health import service_health

urlpatterns = [
    path("", views.dashboard, name="home"),
    # Pages link the icon themselves; this answers clients that ask the conventional address.
    path("favicon.ico", views.favicon, name="favicon"),
    # For load balancers and container health checks: no sign-in (scorecard/service_health.py).
    path("health/", service_health, name="service_health"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/heat-map/", views.heat_map, name="dashboard_heat_map"),
    path("dashboard/forecasts/", views.forecasts, name="dashboard_forecasts"),
    path("dashboard/attention/", views.attention, name="dashboard_attention"),
    path("dashboard/export.<str:fmt>", views.dashboard_export, name="dashboard_export"),
    path("objectives/<int:pk>/", views.objective, name="objective"),
    path(
        "objectives/<int:pk>/commentary/",
        views.objective_commentary,
        name="objective_commentary",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", include("accounts.password_urls")),
    # Two-factor sign-in: the code step after the password, and each person's Security page.
    path("account/", include("accounts.two_factor_urls")),
    path("audit/", include("accounts.audit_urls")),
    path("people/", include("accounts.urls")),
    # The strategy workspace: plans, perspectives, objectives, links; its KPI and target pages.
    path("strategy/", include("strategy.urls")),
    path("strategy/", include("kpis.definition_urls")),
    # /updates/… ("My updates", import, locks, approvals) and /kpis/<id>/.
    path("", include("kpis.urls")),
    path("reports/", include("kpis.reports.urls")),
    # /action-plans/… and /my-tasks/.
    path("", include("actionplans.urls")),
    path("admin/", admin.site.urls),
    # The REST API (/api/v1/…), its OpenAPI schema and interactive docs.
    path("api/", include("scorecard.api_urls")),
]
