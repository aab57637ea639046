"""Targets through the API, written through `target_set` (`kpis.change_kpi`)."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.db.models import Model
from drf_spectacular.utils import extend_schema

from accounts.api_base import ReadWriteDeleteViewSet, VisibleRelatedField
from core.api import ModelSerializer, merged, refuse_changes
from kpis import services
from kpis.api.common import KPI_PART_UNITS, KPI_UNITS, PeriodFilterSet
from kpis.models import Kpi, Target


class TargetSerializer(ModelSerializer):
    kpi = VisibleRelatedField(queryset=Kpi.objects.all(), unit_lookups=KPI_UNITS)

    class Meta:
        model = Target
        fields = ["id", "kpi", "period", "goal", "red_flag", "goal_high", "red_flag_high"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_changes(self.instance, attrs, ("kpi", "period"), what="A target")
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Target:
        view: TargetViewSet = self.context["view"]
        view.require("add", Target(kpi=validated_data["kpi"]))
        target, _ = services.target_set(**validated_data)
        return target

    def update(self, instance: Target, validated_data: dict[str, Any]) -> Target:
        values = merged(
            instance, validated_data, ("goal", "red_flag", "goal_high", "red_flag_high")
        )
        target, _ = services.target_set(kpi=instance.kpi, period=instance.period, **values)
        return target


class TargetFilter(PeriodFilterSet):
    class Meta:
        model = Target
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["kpis"])
class TargetViewSet(ReadWriteDeleteViewSet):
    """Targets per KPI and period: the goal and the red flag (clearly failing); range KPIs
    also `goal_high` and `red_flag_high`. Without a red flag it is derived from the KPI's
    tolerance; a goal of 0 needs one. One target per KPI and period: change it with PATCH."""

    queryset = Target.objects.select_related("kpi")
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    unit_lookups = KPI_PART_UNITS
    perms: ClassVar[dict[str, str]] = {"view": "kpis.view_kpi", "change": "kpis.change_kpi"}

    def perm_object(self, obj: Model, kind: str) -> Model | None:
        return cast(Target, obj).kpi

    def perform_destroy(self, instance: Model) -> None:
        target = cast(Target, instance)
        services.target_clear(kpi=target.kpi, period=target.period)
