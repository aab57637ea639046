"""/reports/: variance reports by plan and period, a report, its downloads, recomputing it."""

from django.urls import path

from kpis.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/report.csv", views.report_download, {"fmt": "csv"}, name="report_csv"),
    path("<int:pk>/report.xlsx", views.report_download, {"fmt": "xlsx"}, name="report_xlsx"),
    path("<int:pk>/recompute/", views.report_recompute, name="report_recompute"),
]
