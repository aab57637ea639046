"""The strategy workspace under /strategy/; its KPI pages are in kpis.definition_urls."""

from django.urls import path

from strategy import views, views_setup, views_workspace

app_name = "strategy"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/archive/", views.plan_archive, name="plan_archive"),
    path(
        "plans/<int:pk>/perspectives/add/", views_workspace.perspective_add, name="perspective_add"
    ),
    path("plans/<int:pk>/objectives/add/", views_workspace.objective_add, name="objective_add"),
    path(
        "plans/<int:pk>/objectives/owners/",
        views_workspace.objective_owners,
        name="objective_owners",
    ),
    path("plans/<int:pk>/links/add/", views_workspace.link_add, name="link_add"),
    path("perspectives/<int:pk>/edit/", views_workspace.perspective_edit, name="perspective_edit"),
    path("perspectives/<int:pk>/move/", views_workspace.perspective_move, name="perspective_move"),
    path(
        "perspectives/<int:pk>/delete/",
        views_workspace.perspective_delete,
        name="perspective_delete",
    ),
    path("objectives/<int:pk>/edit/", views_workspace.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/move/", views_workspace.objective_move, name="objective_move"),
    path(
        "objectives/<int:pk>/archive/", views_workspace.objective_archive, name="objective_archive"
    ),
    path(
        "objectives/<int:pk>/restore/", views_workspace.objective_restore, name="objective_restore"
    ),
    path("links/<int:pk>/delete/", views_workspace.link_delete, name="link_delete"),
    # The guided setup; its KPI step is kpis.definition_urls' "setup_kpis".
    path(
        "plans/<int:pk>/setup/basics/", views_setup.setup, {"step": "basics"}, name="setup_basics"
    ),
    path(
        "plans/<int:pk>/setup/vision/", views_setup.setup, {"step": "vision"}, name="setup_vision"
    ),
    path(
        "plans/<int:pk>/setup/objectives/",
        views_setup.setup,
        {"step": "objectives"},
        name="setup_objectives",
    ),
    path("plans/<int:pk>/setup/links/", views_setup.setup, {"step": "links"}, name="setup_links"),
    path(
        "plans/<int:pk>/setup/action-plans/",
        views_setup.setup,
        {"step": "action-plans"},
        name="setup_action_plans",
    ),
    path("plans/<int:pk>/setup/activate/", views_setup.setup_activate, name="setup_activate"),
    path(
        "plans/<int:pk>/stakeholders/add/", views_workspace.stakeholder_add, name="stakeholder_add"
    ),
    path(
        "stakeholders/<int:pk>/remove/",
        views_workspace.stakeholder_remove,
        name="stakeholder_remove",
    ),
]
