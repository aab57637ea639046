"""The strategy workspace's KPI pages, under /strategy/ next to strategy.urls."""

from django.urls import path

from kpis import definition_views as views

app_name = "kpi_definitions"

urlpatterns = [
    path("new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/kpis/", views.kpis, name="kpis"),
    path("plans/<int:pk>/kpis/new/", views.kpi_new, name="kpi_new"),
    path("plans/<int:pk>/kpis/formula-check/", views.formula_check, name="formula_check"),
    path("plans/<int:pk>/setup/kpis/", views.setup_kpis, name="setup_kpis"),
    path("kpis/<int:pk>/edit/", views.kpi_edit, name="kpi_edit"),
    path("kpis/<int:pk>/retire/", views.kpi_retire_view, name="kpi_retire"),
    path("kpis/<int:pk>/reinstate/", views.kpi_reinstate_view, name="kpi_reinstate"),
    path("kpis/<int:pk>/targets/", views.targets, name="targets"),
]
