"""KPIs, targets, actuals and reports in the Django admin: read-only for every model.

Their writes go through kpis/services/, which holds rules no model constraint does: the
close date, actual versions and the approval status, the KPI formula graph without cycles, codes
unique per plan, the audit of bulk writes. An admin form saving with `save()` would bypass
them, so the admin lists and shows; changes go through the pages, the import or the API.
Variance reports are snapshots written by their task; sent reminders and digests are the
records the tasks keep so that none goes out twice.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from kpis.models import (
    Actual,
    Kpi,
    SentDigest,
    SentReminder,
    Target,
    VarianceLine,
    VarianceReport,
)


class TargetInline(ReadOnlyAdminMixin, admin.TabularInline[Target, Kpi]):
    model = Target
    extra = 0


@admin.register(Kpi)
class KpiAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Kpi]):
    list_display = [
        "code",
        "name",
        "plan",
        "objective",
        "direction",
        "frequency",
        "owner",
        "is_retired",
    ]
    list_filter = ["plan", "direction", "frequency", "aggregation", "is_retired"]
    search_fields = ["code", "name"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Target]):
    list_display = ["kpi", "period", "goal", "red_flag", "goal_high", "red_flag_high"]
    list_filter = ["kpi__plan", "period"]
    search_fields = ["kpi__code", "kpi__name"]
    date_hierarchy = "period"


@admin.register(Actual)
class ActualAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Actual]):
    list_display = ["kpi", "period", "value", "entered_by", "entered_at", "version"]
    list_filter = ["kpi__plan", "period"]
    search_fields = ["kpi__code", "kpi__name", "analysis"]
    readonly_fields = ["entered_at", "version"]
    date_hierarchy = "period"


class VarianceLineInline(ReadOnlyAdminMixin, admin.TabularInline[VarianceLine, VarianceReport]):
    model = VarianceLine
    extra = 0
    can_delete = False
    readonly_fields = [
        "kpi",
        "actual",
        "goal",
        "red_flag",
        "score",
        "status",
        "variance",
        "variance_pct",
    ]


@admin.register(VarianceReport)
class VarianceReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[VarianceReport]):
    list_display = ["plan", "period", "score", "kpis_reported", "kpis_total", "created_at"]
    list_filter = ["plan"]
    inlines = [VarianceLineInline]


@admin.register(SentReminder)
class SentReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[SentReminder]):
    list_display = ["kpi", "period", "stage", "recipient", "sent_at"]
    list_filter = ["stage", "period", "kpi__plan"]
    search_fields = ["kpi__code", "kpi__name", "recipient__username", "recipient__email"]
    list_select_related = ["kpi", "recipient"]
    date_hierarchy = "sent_at"


@admin.register(SentDigest)
class SentDigestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[SentDigest]):
    list_display = ["plan", "period", "recipient", "sent_at"]
    list_filter = ["plan", "period"]
    list_select_related = ["plan", "recipient"]
