"""Action plans in the Django admin: read-only, with each plan's SMART check shown.

Plans and tasks are written through actionplans/services.py (activation only when the SMART
check passes, versions against stale edits); rather than copy those rules into admin forms,
the admin lists and shows, and changes go through the action-plan pages or the API.
"""

from django.contrib import admin

from actionplans.models import ActionPlan, ActionPlanKpi, Milestone, Task
from actionplans.services import smart_check
from core.admin import ReadOnlyAdminMixin


class ActionPlanKpiInline(ReadOnlyAdminMixin, admin.TabularInline[ActionPlanKpi, ActionPlan]):
    model = ActionPlanKpi
    extra = 0


class MilestoneInline(ReadOnlyAdminMixin, admin.TabularInline[Milestone, ActionPlan]):
    model = Milestone
    extra = 0


class TaskInline(ReadOnlyAdminMixin, admin.TabularInline[Task, ActionPlan]):
    model = Task
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ActionPlan]):
    list_display = ["name", "objective", "org_unit", "owner", "start_date", "due_date", "status"]
    list_filter = ["status", "org_unit", "objective__plan"]
    search_fields = ["name", "description"]
    readonly_fields = ["smart"]
    inlines = [ActionPlanKpiInline, MilestoneInline, TaskInline]

    @admin.display(description="SMART check")
    def smart(self, obj: ActionPlan) -> str:
        return "; ".join(
            f"{c.label}: {'passed' if c.passed else 'missing ' + ', '.join(c.missing)}"
            for c in smart_check(obj)
        )


@admin.register(Task)
class TaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Task]):
    list_display = [
        "name",
        "action_plan",
        "milestone",
        "owner",
        "due_date",
        "status",
        "percent_complete",
        "weight",
    ]
    list_filter = ["status"]
    search_fields = ["name", "action_plan__name"]
