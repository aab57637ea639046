"""KPIs through the API: their definitions (`kpis.change_kpi` to write) and the performance of
one KPI for a period and view.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_base import ReadWriteViewSet, VisibleRelatedField
from accounts.models import User
from core.api import MAX_ID, IdFilter, ModelSerializer, NumberField, TrueOrFalseFilter, merged
from kpis import periods, scoring, selectors, services
from kpis.api.common import KPI_UNITS, OBJECTIVE_UNITS, fiscal_month
from kpis.models import Kpi, ScoreStatus
from strategy.models import Objective

KPI_FIELDS = (
    "objective",
    "code",
    "name",
    "description",
    "measure_unit",
    "decimals",
    "direction",
    "frequency",
    "aggregation",
    "tolerance",
    "weight",
    "owner",
    "updaters",
    "formula",
    "baseline",
)


class KpiSerializer(ModelSerializer):
    objective = VisibleRelatedField(queryset=Objective.objects.all(), unit_lookups=OBJECTIVE_UNITS)
    owner = VisibleRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    updaters = VisibleRelatedField(
        queryset=User.objects.all(),
        many=True,
        required=False,
        help_text="The people who enter its actuals (contributors, managers or admins of the "
        "objective's unit).",
    )

    class Meta:
        model = Kpi
        fields = ["id", "plan", *KPI_FIELDS, "is_retired"]
        read_only_fields = ["plan"]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "is_retired": {"help_text": "A retired KPI leaves the scorecard; its history stays."}
        }
        # The service refuses a duplicate code naming it.
        validators: ClassVar[list[Any]] = []

    def create(self, validated_data: dict[str, Any]) -> Kpi:
        objective: Objective = validated_data["objective"]
        view: KpiViewSet = self.context["view"]
        view.require("add", Kpi(plan=objective.plan, objective=objective))
        retired = validated_data.pop("is_retired", False)
        with transaction.atomic():
            kpi = services.kpi_create(plan=objective.plan, **validated_data)
            return services.kpi_retire(kpi=kpi) if retired else kpi

    def update(self, instance: Kpi, validated_data: dict[str, Any]) -> Kpi:
        retired = validated_data.pop("is_retired", instance.is_retired)
        with transaction.atomic():
            kpi = instance
            if validated_data:
                values = merged(instance, validated_data, KPI_FIELDS)
                if "updaters" not in validated_data:
                    values["updaters"] = list(instance.updaters.all())
                kpi = services.kpi_update(kpi=instance, **values)
            if retired and not kpi.is_retired:
                kpi = services.kpi_retire(kpi=kpi)
            elif not retired and kpi.is_retired:
                kpi = services.kpi_reinstate(kpi=kpi)
            return kpi


class KpiFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id")
    objective = IdFilter(field_name="objective_id")
    owner = IdFilter(field_name="owner_id")
    updater = IdFilter(field_name="updaters", distinct=True)
    may_update = TrueOrFalseFilter(method="filter_may_update")
    code = filters.CharFilter()
    is_retired = TrueOrFalseFilter()

    class Meta:
        model = Kpi
        fields: ClassVar[list[str]] = []

    def filter_may_update(self, queryset: QuerySet[Kpi], name: str, value: bool) -> QuerySet[Kpi]:
        """The rule of `kpis.update_actuals`, in SQL (`kpis_updatable_by`)."""
        updatable = selectors.kpis_updatable_by(self.request.user).values("pk")
        return queryset.filter(pk__in=updatable) if value else queryset.exclude(pk__in=updatable)


class PerformanceQuerySerializer(serializers.Serializer[Any]):
    period = serializers.DateField(
        help_text="The first day of one of the KPI's periods (e.g. 2026-04-01 for Q2)."
    )
    view = serializers.ChoiceField(
        choices=selectors.VIEWS,
        default=selectors.MONTH,
        help_text="month: the KPI's own period; quarter, ytd (year to date) or year: the "
        "KPI's periods combined with its aggregation.",
    )

    def validate_period(self, period: date) -> date:
        kpi: Kpi = self.context["kpi"]
        start = periods.period_start(period, kpi.frequency, fiscal_month())
        if start != period:
            raise serializers.ValidationError(
                f"A {kpi.frequency} period starts on its first day: use {start.isoformat()} "
                f"for the period containing {period.isoformat()}."
            )
        return period


class PerformanceSerializer(serializers.Serializer[Any]):
    kpi = serializers.IntegerField()
    code = serializers.CharField()
    period = serializers.DateField(help_text="The period asked for.")
    view = serializers.CharField()
    periods = serializers.ListField(
        child=serializers.DateField(), help_text="The KPI's periods that make up the view."
    )
    actual = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    goal = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    red_flag = NumberField(
        max_digits=40,
        decimal_places=6,
        allow_null=True,
        help_text="The red flag used: stated, or derived from the tolerance.",
    )
    red_flag_derived = serializers.BooleanField()
    goal_high = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    red_flag_high = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    score = NumberField(
        max_digits=6, decimal_places=3, allow_null=True, help_text="0 to 10, three decimals."
    )
    status = serializers.ChoiceField(choices=ScoreStatus.choices)
    variance = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    variance_pct = NumberField(
        max_digits=40,
        decimal_places=6,
        allow_null=True,
        help_text="(actual - goal) / |goal| as a fraction (0.05 is 5 %); null when the goal is 0.",
    )
    favourable = serializers.BooleanField(allow_null=True)
    trend = serializers.ChoiceField(
        choices=[(trend.value, trend.value) for trend in scoring.Trend], allow_null=True
    )
    explanation = serializers.ListField(child=serializers.CharField())
    periods_expected = serializers.IntegerField()
    periods_reported = serializers.IntegerField()
    complete = serializers.BooleanField()


def _performance(kpi: Kpi, period: date, view: str, result: selectors.KpiScore) -> dict[str, Any]:
    outcome = result.result
    return {
        "kpi": kpi.pk,
        "code": kpi.code,
        "period": period,
        "view": view,
        "periods": result.periods,
        "actual": outcome.actual,
        "goal": outcome.goal,
        "red_flag": outcome.red_flag,
        "red_flag_derived": outcome.red_flag_derived,
        "goal_high": outcome.goal_high,
        "red_flag_high": outcome.red_flag_high,
        "score": scoring.score_to_decimal(outcome.score),
        "status": outcome.status.value,
        "variance": outcome.variance,
        "variance_pct": outcome.variance_pct,
        "favourable": outcome.favourable,
        "trend": None if outcome.trend is None else outcome.trend.value,
        "explanation": list(result.explanation),
        "periods_expected": outcome.periods_expected,
        "periods_reported": outcome.periods_reported,
        "complete": outcome.complete,
    }


_UPDATE_FILTERS = [
    OpenApiParameter(
        "updater",
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        description="The KPIs that name this person (a user id) as an updater. Managers and "
        "admins update every KPI of their units without being named: to find the KPIs you may "
        "update, use `may_update`.",
    ),
    OpenApiParameter(
        "may_update",
        OpenApiTypes.BOOL,
        description="true: the KPIs whose actuals you may record, as My updates lists them "
        "(every KPI of the units where you are a manager or admin, subunits included, and "
        "those naming you as an updater where you are a contributor; never retired or "
        "calculated KPIs). false: the other KPIs you may see.",
    ),
]


@extend_schema(tags=["kpis"])
@extend_schema_view(list=extend_schema(parameters=_UPDATE_FILTERS))
class KpiViewSet(ReadWriteViewSet):
    """KPIs measuring objectives; the plan is the objective's. Whoever may change the plan
    changes its KPIs. KPIs are retired (`is_retired`), not deleted."""

    queryset = Kpi.objects.select_related("objective", "plan").prefetch_related("updaters")
    serializer_class = KpiSerializer
    filterset_class = KpiFilter
    unit_lookups = KPI_UNITS
    perms: ClassVar[dict[str, str]] = {"view": "kpis.view_kpi", "change": "kpis.change_kpi"}
    action_query_params: ClassVar[dict[str, frozenset[str]]] = {
        "performance": frozenset({"period", "view"})
    }

    @extend_schema(
        parameters=[PerformanceQuerySerializer],
        responses=PerformanceSerializer,
        description="The KPI's actual, target, score, status, variance and trend for a "
        "period, with the words that explain the score. Numbers come from the scoring engine "
        "(DESIGN.md §4).",
    )
    @action(detail=True, methods=["get"])
    def performance(self, request: Request, pk: str | None = None) -> Response:
        kpi: Kpi = self.get_object()
        query = PerformanceQuerySerializer(data=request.query_params, context={"kpi": kpi})
        query.is_valid(raise_exception=True)
        if kpi.is_retired:
            raise exceptions.ValidationError(
                {"non_field_errors": [f"{kpi.code} is retired: it is no longer scored."]}
            )
        period, view = query.validated_data["period"], query.validated_data["view"]
        score = selectors.kpi_score(kpi=kpi, period=period, view=view, reader=request.user)
        data = _performance(kpi, period, view, score)
        return Response(PerformanceSerializer(data).data)
