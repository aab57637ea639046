"""The variance reports in the API, read-only: `variance-reports/?plan=&period=` and one
report with the lines the caller may see."""

from __future__ import annotations

from typing import Any, ClassVar

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers

from accounts.api_base import ScorecardViewSet
from core.api import IdFilter, ModelSerializer
from kpis.models import VarianceLine, VarianceReport
from kpis.reports.selectors import report_lines


class VarianceLineSerializer(ModelSerializer):
    class Meta:
        model = VarianceLine
        fields = [
            "kpi",
            "kpi_code",
            "kpi_name",
            "perspective_name",
            "objective_code",
            "objective_name",
            "owner_name",
            "org_unit",
            "org_unit_name",
            "measure_unit",
            "goal",
            "red_flag",
            "actual",
            "variance",
            "variance_pct",
            "favourable",
            "score",
            "status",
            "previous_score",
            "trend",
            "analysis",
            "corrective_action",
        ]
        read_only_fields = fields


class VarianceReportSerializer(ModelSerializer):
    class Meta:
        model = VarianceReport
        fields = [
            "id",
            "plan",
            "period",
            "created_at",
            "score",
            "kpis_reported",
            "kpis_total",
            "summary",
        ]
        read_only_fields = fields


class VarianceReportDetailSerializer(VarianceReportSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(VarianceReportSerializer.Meta):
        fields = [*VarianceReportSerializer.Meta.fields, "lines"]
        read_only_fields = fields

    @extend_schema_field(VarianceLineSerializer(many=True))
    def get_lines(self, report: VarianceReport) -> list[dict[str, Any]]:
        """Only the lines whose KPI the caller may see (transparency off)."""
        lines = report_lines(report, reader=self.context["request"].user)
        return list(VarianceLineSerializer(lines, many=True).data)


class VarianceReportFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id")
    period = filters.DateFilter()

    class Meta:
        model = VarianceReport
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["reports"])
class VarianceReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScorecardViewSet):
    """Stored variance reports, one per plan and period, newest first; one report with its
    lines. Read-only: reports are computed by the schedule or an admin."""

    queryset = VarianceReport.objects.order_by("-period", "plan_id", "pk")
    filterset_class = VarianceReportFilter
    unit_lookups = ("plan__org_unit_id",)
    perms: ClassVar[dict[str, str]] = {"view": "kpis.view_variancereport"}

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "retrieve":
            return VarianceReportDetailSerializer
        return VarianceReportSerializer
