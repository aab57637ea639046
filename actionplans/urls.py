"""The action-plan pages: /action-plans/… and /my-tasks/."""

from django.urls import path

from actionplans import views

app_name = "actionplans"

urlpatterns = [
    path("action-plans/", views.plan_list, name="plans"),
    path("action-plans/timeline/", views.timeline, name="timeline"),
    path("action-plans/new/", views.plan_new, name="plan_new"),
    path("action-plans/<int:pk>/", views.plan_detail, name="plan"),
    path("action-plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("action-plans/<int:pk>/status/", views.plan_status, name="plan_status"),
    path("action-plans/<int:pk>/kpis/", views.plan_kpi_add, name="plan_kpi_add"),
    path("action-plans/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("action-plans/<int:pk>/tasks/", views.task_add, name="task_add"),
    path("tasks/<int:pk>/", views.task_update, name="task_update"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
]
