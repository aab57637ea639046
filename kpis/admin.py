from django.contrib import admin

from kpis.models import Actual, Kpi, Target, VarianceLine, VarianceReport


class TargetInline(admin.TabularInline[Target, Kpi]):
    model = Target
    extra = 0


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin[Kpi]):
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
    autocomplete_fields = ["objective", "owner"]
    filter_horizontal = ["updaters"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin[Target]):
    list_display = ["kpi", "period", "goal", "red_flag", "goal_high", "red_flag_high"]
    list_filter = ["kpi__plan", "period"]
    search_fields = ["kpi__code", "kpi__name"]
    autocomplete_fields = ["kpi"]
    date_hierarchy = "period"


@admin.register(Actual)
class ActualAdmin(admin.ModelAdmin[Actual]):
    list_display = ["kpi", "period", "value", "entered_by", "entered_at", "version"]
    list_filter = ["kpi__plan", "period"]
    search_fields = ["kpi__code", "kpi__name", "analysis"]
    autocomplete_fields = ["kpi", "entered_by"]
    readonly_fields = ["entered_at", "version"]
    date_hierarchy = "period"


class VarianceLineInline(admin.TabularInline[VarianceLine, VarianceReport]):
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
class VarianceReportAdmin(admin.ModelAdmin[VarianceReport]):
    list_display = ["plan", "period", "score", "kpis_reported", "kpis_total", "created_at"]
    list_filter = ["plan"]
    inlines = [VarianceLineInline]
