"""Action plans and tasks in the Django admin: writable, with the same checks as the API.

They have no services yet: the API writes them with `full_clean()` then `save()`
(CleanModelSerializer), and the admin's model forms run the same `full_clean()`, so both
enforce the models' constraints and `clean()` alike. When services come, this admin calls them
or becomes read-only like the strategy's and the KPIs'.
"""

from django.contrib import admin

from actionplans.models import ActionPlan, Task


class TaskInline(admin.TabularInline[Task, ActionPlan]):
    model = Task
    extra = 0
    autocomplete_fields = ["owner"]


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin[ActionPlan]):
    list_display = ["name", "objective", "org_unit", "owner", "start_date", "due_date", "status"]
    list_filter = ["status", "org_unit", "objective__plan"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["objective", "org_unit", "owner"]
    inlines = [TaskInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin[Task]):
    list_display = [
        "name",
        "action_plan",
        "owner",
        "due_date",
        "status",
        "percent_complete",
        "is_milestone",
    ]
    list_filter = ["status", "is_milestone"]
    search_fields = ["name", "action_plan__name"]
    autocomplete_fields = ["action_plan", "owner"]
