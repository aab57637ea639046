"""The API for KPIs, targets and actuals, the bulk upsert of actuals, and the scores.

Writes go through kpis/services.py: `actual_record` (honouring the actual's version),
`actuals_bulk_record` and `target_set`. Permissions are kpis/rules.py's: `kpis.view_kpi` to
read, `kpis.change_kpi` for definitions and targets, `kpis.update_actuals` for actuals.
Scores come from the scoring engine through `kpis.selectors.plan_scorecard`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, ClassVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_base import (
    ReadWriteDeleteViewSet,
    ReadWriteViewSet,
    ScorecardPermission,
    VisibleRelatedField,
    visible,
)
from accounts.models import User
from core.api import (
    MAX_ID,
    IdFilter,
    ModelSerializer,
    NumberField,
    StrictQueryParamsMixin,
    merged,
    refuse_changes,
)
from core.api_http import Conflict, validation_error_detail
from kpis import periods, scoring, selectors, services
from kpis.models import VALUE_FIELD_OPTIONS, Actual, Kpi, Status, Target
from kpis.rules import actuals_refusal
from strategy.models import Objective, StrategicPlan

KPI_UNITS = ("objective__plan__org_unit_id", "objective__org_unit_id")
KPI_PART_UNITS = ("kpi__objective__plan__org_unit_id", "kpi__objective__org_unit_id")
OBJECTIVE_UNITS = ("plan__org_unit_id", "org_unit_id")
MAX_BULK_ROWS = 10_000


def _value_field(**kwargs: Any) -> NumberField:
    return NumberField(
        max_digits=VALUE_FIELD_OPTIONS["max_digits"],
        decimal_places=VALUE_FIELD_OPTIONS["decimal_places"],
        **kwargs,
    )


def _fiscal_month() -> int:
    month: int = settings.FISCAL_YEAR_START_MONTH
    return month


class PeriodFilterSet(filters.FilterSet):
    """Filters of targets and actuals: by KPI, plan and period (exact or a range)."""

    kpi = IdFilter(field_name="kpi_id")
    plan = IdFilter(field_name="kpi__plan_id")
    period = filters.DateFilter()
    period_after = filters.DateFilter(field_name="period", lookup_expr="gte")
    period_before = filters.DateFilter(field_name="period", lookup_expr="lte")


# --- KPIs ---------------------------------------------------------------------------------------


KPI_FIELDS = (
    "objective",
    "code",
    "name",
    "description",
    "unit",
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
    code = filters.CharFilter()
    is_retired = filters.BooleanFilter()

    class Meta:
        model = Kpi
        fields: ClassVar[list[str]] = []


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
        start = periods.period_start(period, kpi.frequency, _fiscal_month())
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
    status = serializers.ChoiceField(choices=Status.choices)
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
        "explanation": list(outcome.explanation),
        "periods_expected": outcome.periods_expected,
        "periods_reported": outcome.periods_reported,
        "complete": outcome.complete,
    }


@extend_schema(tags=["kpis"])
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
        card = selectors.plan_scorecard(
            plan=kpi.plan, period=period, view=view, reader=request.user
        )
        data = _performance(kpi, period, view, card.kpi(kpi.code))
        return Response(PerformanceSerializer(data).data)


# --- Targets ------------------------------------------------------------------------------------


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


# --- Actuals ------------------------------------------------------------------------------------


class ActualSerializer(ModelSerializer):
    kpi = VisibleRelatedField(queryset=Kpi.objects.all(), unit_lookups=KPI_UNITS)
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text="Answered: the current version. Sent: the version the change is based on "
        "(0 or absent when creating); a different current version answers 409 with the "
        "current actual. Absent on a change: no check.",
    )

    class Meta:
        model = Actual
        fields = [
            "id",
            "kpi",
            "period",
            "value",
            "analysis",
            "corrective_action",
            "version",
            "entered_by",
            "entered_at",
            "status",
            "review_comment",
        ]
        read_only_fields = ["entered_by", "entered_at", "status", "review_comment"]
        # An actual that exists already is a version conflict (409), answered by the service.
        validators: ClassVar[list[Any]] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_changes(self.instance, attrs, ("kpi", "period"), what="An actual")
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Actual:
        view: ActualViewSet = self.context["view"]
        view.require("add", Actual(kpi=validated_data["kpi"]))
        return self._record(
            kpi=validated_data["kpi"],
            period=validated_data["period"],
            value=validated_data["value"],
            analysis=validated_data.get("analysis", ""),
            corrective_action=validated_data.get("corrective_action", ""),
            expected_version=validated_data.get("version", 0),
        )

    def update(self, instance: Actual, validated_data: dict[str, Any]) -> Actual:
        return self._record(
            kpi=instance.kpi,
            period=instance.period,
            value=validated_data.get("value", instance.value),
            analysis=validated_data.get("analysis", instance.analysis),
            corrective_action=validated_data.get("corrective_action", instance.corrective_action),
            expected_version=validated_data.get("version"),
        )

    def _record(self, **values: Any) -> Actual:
        request: Request = self.context["request"]
        try:
            actual, _ = services.actual_record(
                by=cast(User, request.user), source=services.Source.INTEGRATION, **values
            )
        except services.ActualVersionConflict as conflict:
            raise Conflict(
                conflict.messages[0], current=ActualSerializer(conflict.current).data
            ) from None
        return actual


class ActualFilter(PeriodFilterSet):
    class Meta:
        model = Actual
        fields: ClassVar[list[str]] = []


class BulkRowSerializer(serializers.Serializer[Any]):
    kpi = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="The KPI's id; or kpi_code."
    )
    kpi_code = serializers.CharField(
        max_length=30, required=False, help_text="The KPI's code; or kpi."
    )
    plan = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="The plan in which kpi_code is looked up (overrides the `plan` parameter).",
    )
    period = serializers.DateField(help_text="The first day of the KPI's period.")
    value = _value_field()
    analysis = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Absent: the stored analysis stays; present (even empty): it is replaced.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "kpi" not in attrs and "kpi_code" not in attrs:
            raise serializers.ValidationError({"kpi": ["Give the KPI's id (kpi) or kpi_code."]})
        return attrs


class BulkResultRowSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField(help_text="The row's position in the request, from 0.")
    id = serializers.IntegerField(help_text="The actual's id.")
    kpi = serializers.IntegerField()
    period = serializers.DateField()
    outcome = serializers.ChoiceField(choices=[(o.value, o.value) for o in services.Outcome])
    version = serializers.IntegerField()


class BulkResultSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    results = BulkResultRowSerializer(many=True)


class _RowsRefused(Exception):
    def __init__(self, errors: dict[int, Any]) -> None:
        self.errors = errors


class _KpiFinder:
    """Finds the KPIs that bulk rows name, among those the person may see: by id here, by
    code through `selectors.KpiCodes` (as the import does)."""

    def __init__(
        self, user: User, default_plan: int | None, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        self.default_plan = default_plan
        kpis = visible(Kpi.objects.select_related("objective", "plan"), user, *KPI_UNITS)
        ids = {row["kpi"] for row in rows if "kpi" in row}
        self.by_id = {kpi.pk: kpi for kpi in kpis.filter(pk__in=ids)} if ids else {}
        self.codes = selectors.KpiCodes(
            user, ((self._plan(row), row["kpi_code"]) for row in rows if "kpi" not in row)
        )

    def _plan(self, row: Mapping[str, Any]) -> int | None:
        plan: int | None = row.get("plan", self.default_plan)
        return plan

    def find(self, row: Mapping[str, Any]) -> Kpi | str:
        """The row's KPI, or the message saying why there is none."""
        if "kpi" in row:
            kpi = self.by_id.get(row["kpi"])
            if kpi is None:
                return f"No KPI with id {row['kpi']}."
            if "kpi_code" in row and row["kpi_code"] != kpi.code:
                return f"KPI {row['kpi']} has the code {kpi.code}, not {row['kpi_code']}."
            return kpi
        return self.codes.find(row["kpi_code"], self._plan(row))


def _bulk_description() -> str:
    return (
        "Record many actuals in one call: an idempotent upsert per KPI and period, all rows "
        "or none.\n\n"
        "The body is a list of rows `{kpi | kpi_code, period, value, analysis?}` (at most "
        f"{MAX_BULK_ROWS}). A row names its KPI by id (`kpi`) or by code (`kpi_code`). A code "
        "is looked up in the row's `plan`, else in the `plan` query parameter, else among "
        "the KPIs you may see that are not retired and whose plan is not archived: there it "
        "must name exactly one KPI, or the row is refused as ambiguous. A row without "
        "`analysis` keeps the stored analysis.\n\n"
        "The answer says per row whether the actual was created, updated or unchanged (a "
        "second identical call changes nothing). If any row is bad, nothing is written and the "
        "400 answer names every bad row by its index under `rows`, with its messages — "
        "including rows for KPIs you may not update."
    )


@extend_schema(tags=["kpis"])
class ActualViewSet(ReadWriteViewSet):
    """Actuals per KPI and period, with the analysis and corrective action. Each has a
    version: send the one your change is based on and a stale one answers 409 with the
    current actual. Creating one that exists answers 409 as well. Actuals are not deleted
    through the API."""

    queryset = Actual.objects.select_related("kpi")
    serializer_class = ActualSerializer
    filterset_class = ActualFilter
    unit_lookups = KPI_PART_UNITS
    perms: ClassVar[dict[str, str]] = {"view": "kpis.view_kpi", "change": "kpis.update_actuals"}
    action_query_params: ClassVar[dict[str, frozenset[str]]] = {"bulk": frozenset({"plan"})}

    def perm_object(self, obj: Model, kind: str) -> Model | None:
        actual = cast(Actual, obj)
        return actual.kpi

    def refusal(self, kind: str, obj: Model) -> str | None:
        return actuals_refusal(self.request.user, cast(Actual, obj).kpi)

    @extend_schema(
        request=BulkRowSerializer(many=True),
        responses=BulkResultSerializer,
        parameters=[
            OpenApiParameter(
                "plan",
                OpenApiTypes.INT,
                description="The plan in which rows' kpi_code are looked up.",
            )
        ],
        description=_bulk_description(),
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        user = cast(User, request.user)
        default_plan = self._plan_parameter(request)
        rows = request.data
        if not isinstance(rows, list):
            raise exceptions.ValidationError({"non_field_errors": ["Send a list of rows."]})
        if len(rows) > MAX_BULK_ROWS:
            raise exceptions.ValidationError(
                {"non_field_errors": [f"At most {MAX_BULK_ROWS} rows per call; split the list."]}
            )
        errors: dict[int, Any] = {}
        parsed: dict[int, dict[str, Any]] = {}
        shape = BulkRowSerializer(context={"request": request})
        for index, row in enumerate(rows):
            try:
                parsed[index] = shape.run_validation(row)
            except exceptions.ValidationError as error:
                errors[index] = error.detail
        finder = _KpiFinder(user, default_plan, list(parsed.values()))
        found = {index: finder.find(row) for index, row in parsed.items()}
        # `kpis.update_actuals` for every named KPI in one query, not a has_perm per KPI.
        allowed = selectors.kpis_updatable_among(
            user, (kpi.pk for kpi in found.values() if isinstance(kpi, Kpi))
        )
        good: list[int] = []
        for index in sorted(parsed):
            kpi = found[index]
            if isinstance(kpi, str):
                errors[index] = {"kpi_code" if "kpi" not in parsed[index] else "kpi": [kpi]}
                continue
            refusal = actuals_refusal(user, kpi, is_updater=kpi.pk in allowed)
            if refusal is not None:
                errors[index] = {"kpi": [refusal]}
                continue
            parsed[index]["kpi_object"] = kpi
            good.append(index)
        try:
            results = self._record_rows(user, parsed, good, errors)
        except _RowsRefused as refused:
            return self._refused(refused.errors, len(rows))
        counts = {outcome.value: 0 for outcome in services.Outcome}
        answer = []
        for index, (actual, outcome) in zip(good, results, strict=True):
            counts[outcome.value] += 1
            answer.append(
                {
                    "index": index,
                    "id": actual.pk,
                    "kpi": actual.kpi_id,
                    "period": actual.period,
                    "outcome": outcome.value,
                    "version": actual.version,
                }
            )
        return Response(BulkResultSerializer({**counts, "results": answer}).data)

    def _plan_parameter(self, request: Request) -> int | None:
        raw = request.query_params.get("plan")
        if raw is None:
            return None
        as_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        try:
            plan: int = as_id.run_validation(raw)
        except exceptions.ValidationError as error:
            raise exceptions.ValidationError({"plan": error.detail}) from None
        return plan

    def _record_rows(
        self,
        user: User,
        parsed: dict[int, dict[str, Any]],
        good: list[int],
        errors: dict[int, Any],
    ) -> list[tuple[Actual, services.Outcome]]:
        """Write the good rows in one transaction; roll back if any row, here or there, is bad.

        The service is called even when some rows were already refused above, so that its own
        checks (period starts, duplicates, retired KPIs) name their bad rows in the same
        answer; the transaction then discards what it wrote.
        """
        rows = [
            services.ActualRow(
                kpi=parsed[i]["kpi_object"],
                period=parsed[i]["period"],
                value=parsed[i]["value"],
                analysis=parsed[i].get("analysis"),
            )
            for i in good
        ]
        results: list[tuple[Actual, services.Outcome]] = []
        with transaction.atomic():
            if rows:
                try:
                    results = services.actuals_bulk_record(
                        rows=rows, by=user, source=services.Source.INTEGRATION
                    )
                except DjangoValidationError as error:
                    for key, messages in validation_error_detail(error).items():
                        if not key.isdigit():  # not about one row: refuse the whole call
                            raise exceptions.ValidationError({key: messages}) from None
                        errors[good[int(key)]] = {"non_field_errors": messages}
            if errors:
                raise _RowsRefused(errors)  # leaving the block rolls back what was written
        return results

    def _refused(self, errors: dict[int, Any], total: int) -> Response:
        return Response(
            {
                "detail": f"{len(errors)} of {total} rows are invalid; nothing was written.",
                "rows": {str(index): errors[index] for index in sorted(errors)},
            },
            status=400,
        )


# --- The scorecard ------------------------------------------------------------------------------


class ScorecardQuerySerializer(serializers.Serializer[Any]):
    plan = VisibleRelatedField(
        queryset=StrategicPlan.objects.all(), unit_lookups=("org_unit_id",), help_text="Plan id."
    )
    period = serializers.DateField(
        help_text="The first day of a month; each KPI is seen in its own period containing it."
    )
    view = serializers.ChoiceField(choices=selectors.VIEWS, default=selectors.MONTH)

    def validate_period(self, period: date) -> date:
        if period.day != 1:
            raise serializers.ValidationError(
                f"A period starts on the first day of a month: use "
                f"{period.replace(day=1).isoformat()} for the period containing "
                f"{period.isoformat()}."
            )
        return period


class _ScoreFields(serializers.Serializer[Any]):
    score = NumberField(
        max_digits=6, decimal_places=3, allow_null=True, help_text="0 to 10, three decimals."
    )
    status = serializers.ChoiceField(choices=Status.choices)


class KpiNodeSerializer(_ScoreFields):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    weight = NumberField(max_digits=8, decimal_places=3)
    actual = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    goal = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    red_flag = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    periods_expected = serializers.IntegerField()
    periods_reported = serializers.IntegerField()
    coverage = serializers.CharField(help_text='e.g. "2 of 3 periods reported".')


class _RollupFields(_ScoreFields):
    kpis_reported = serializers.IntegerField()
    kpis_total = serializers.IntegerField()
    coverage = serializers.CharField(help_text='e.g. "12 of 15 KPIs reported".')


class ObjectiveNodeSerializer(_RollupFields):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    weight = NumberField(max_digits=8, decimal_places=3)
    kpis = KpiNodeSerializer(many=True)


# Cascaded objectives (of the plans below) count towards their parent objective.
ObjectiveNodeSerializer._declared_fields["children"] = ObjectiveNodeSerializer(
    many=True, help_text="Cascaded objectives of the plans below, counted in this one's score."
)


class PerspectiveNodeSerializer(_RollupFields):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = NumberField(max_digits=8, decimal_places=3)
    objectives = ObjectiveNodeSerializer(many=True)


class ScorecardSerializer(_RollupFields):
    plan = serializers.IntegerField()
    name = serializers.CharField()
    period = serializers.DateField()
    view = serializers.CharField()
    explanation = serializers.ListField(child=serializers.CharField())
    perspectives = PerspectiveNodeSerializer(many=True)


def _coverage(reported: int, total: int, noun: str) -> str:
    return f"{reported} of {total} {noun} reported"


def _kpi_node(score: selectors.KpiScore) -> dict[str, Any]:
    result = score.result
    return {
        "id": score.kpi.pk,
        "code": score.kpi.code,
        "name": score.kpi.name,
        "weight": score.kpi.weight,
        "score": scoring.score_to_decimal(result.score),
        "status": result.status.value,
        "actual": result.actual,
        "goal": result.goal,
        "red_flag": result.red_flag,
        "periods_expected": result.periods_expected,
        "periods_reported": result.periods_reported,
        "coverage": _coverage(result.periods_reported, result.periods_expected, "periods"),
    }


def _objective_node(score: selectors.ObjectiveScore) -> dict[str, Any]:
    return {
        "id": score.objective.pk,
        "code": score.objective.code,
        "name": score.objective.name,
        "weight": score.objective.weight,
        "score": scoring.score_to_decimal(score.rollup.score),
        "status": score.status.value,
        "kpis_reported": score.kpis_reported,
        "kpis_total": score.kpis_total,
        "coverage": _coverage(score.kpis_reported, score.kpis_total, "KPIs"),
        "kpis": [_kpi_node(kpi) for kpi in score.kpis],
        "children": [_objective_node(child) for child in score.children],
    }


def _scorecard(card: selectors.PlanScorecard) -> dict[str, Any]:
    return {
        "plan": card.plan.pk,
        "name": card.plan.name,
        "period": card.period,
        "view": card.view,
        "score": scoring.score_to_decimal(card.rollup.score),
        "status": card.status.value,
        "kpis_reported": card.kpis_reported,
        "kpis_total": card.kpis_total,
        "coverage": card.coverage,
        "explanation": list(card.rollup.explanation),
        "perspectives": [
            {
                "id": p.perspective.pk,
                "name": p.perspective.name,
                "weight": p.perspective.weight,
                "score": scoring.score_to_decimal(p.rollup.score),
                "status": p.status.value,
                "kpis_reported": p.kpis_reported,
                "kpis_total": p.kpis_total,
                "coverage": _coverage(p.kpis_reported, p.kpis_total, "KPIs"),
                "objectives": [_objective_node(o) for o in p.objectives],
            }
            for p in card.perspectives
        ],
    }


@extend_schema(tags=["kpis"])
class ScorecardView(StrictQueryParamsMixin, APIView):
    """The plan's roll-up tree for a period: plan → perspectives → objectives (→ cascaded
    objectives) → KPIs, with score, status and coverage at each level."""

    permission_classes = [ScorecardPermission]

    def accepted_query_params(self) -> frozenset[str]:
        return frozenset({"plan", "period", "view"})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.refuse_unknown_query_params(request)

    @extend_schema(parameters=[ScorecardQuerySerializer], responses=ScorecardSerializer)
    def get(self, request: Request) -> Response:
        query = ScorecardQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        card = selectors.plan_scorecard(
            plan=query.validated_data["plan"],
            period=query.validated_data["period"],
            view=query.validated_data["view"],
            reader=request.user,
        )
        return Response(ScorecardSerializer(_scorecard(card)).data)
