"""The KPI pages: /updates/ ("My updates", import, the close date, approvals), /kpis/<id>/ and
/webhooks/ (organisation admins)."""

from django.urls import path

from kpis import views, views_approvals, views_closing, views_import, views_webhooks

app_name = "kpis"

urlpatterns = [
    path("updates/", views.updates, name="updates"),
    path("updates/<int:pk>/", views.update_row, name="update_row"),
    path("updates/import/", views_import.import_start, name="import"),
    path(
        "updates/import/template.csv",
        views_import.import_template,
        {"fmt": "csv"},
        name="import_template_csv",
    ),
    path(
        "updates/import/template.xlsx",
        views_import.import_template,
        {"fmt": "xlsx"},
        name="import_template_xlsx",
    ),
    path("updates/import/<int:pk>/", views_import.import_preview, name="import_preview"),
    path("updates/import/<int:pk>/commit/", views_import.import_confirm, name="import_commit"),
    path("updates/close/", views_closing.close, name="close"),
    path("updates/approvals/", views_approvals.approvals, name="approvals"),
    path("updates/approvals/<int:pk>/", views_approvals.approval_review, name="approval_review"),
    path("webhooks/", views_webhooks.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/active/", views_webhooks.webhook_active, name="webhook_active"),
    path("webhooks/<int:pk>/delete/", views_webhooks.webhook_remove, name="webhook_delete"),
    path("kpis/<int:pk>/", views.kpi_detail, name="kpi"),
    path("kpis/<int:pk>/history/", views.kpi_history, name="kpi_history"),
]
