"""Actuals through the API, one at a time through `actual_record` (honouring the actual's
version) and in bulk through `actuals_bulk_record` (`kpis.update_actuals`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_base import ReadWriteViewSet, VisibleRelatedField, visible
from accounts.models import User
from core.api import MAX_ID, ModelSerializer, conflict_response, refuse_changes, with_conflicts
from core.api_http import Conflict, validation_error_detail
from kpis import selectors, services
from kpis.api.common import KPI_PART_UNITS, KPI_UNITS, MAX_BULK_ROWS, PeriodFilterSet, value_field
from kpis.models import Actual, Kpi
from kpis.rules import actuals_refusal


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
    value = value_field()
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


def _messages(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False, help_text=help_text)


class BulkRefusalSerializer(serializers.Serializer[Any]):
    """The 400 of a bulk call: nothing was written. Bad rows are named by their index under
    `rows`; a call refused whole says why under `non_field_errors` (or the query parameter's
    name)."""

    detail = serializers.CharField(
        required=False, help_text="How many rows are invalid (with `rows`), or a malformed body."
    )
    rows = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        required=False,
        help_text='Each bad row by its index in the request ("0", "1", ...): its bad fields '
        '(or "non_field_errors") and their messages.',
    )
    non_field_errors = _messages("Why the whole call is refused (not a list, too many rows).")
    plan = _messages("Why the `plan` query parameter is refused.")


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


ACTUAL_CONFLICT = conflict_response(ActualSerializer, name="ActualConflict")


@extend_schema(tags=["kpis"])
@with_conflicts(ActualSerializer, ACTUAL_CONFLICT, actions=("create", "update", "partial_update"))
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
        responses={200: BulkResultSerializer, 400: BulkRefusalSerializer},
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
        for index, written in zip(good, results, strict=True):
            counts[written.outcome.value] += 1
            answer.append(
                {
                    "index": index,
                    "id": written.id,
                    "kpi": written.kpi_id,
                    "period": written.period,
                    "outcome": written.outcome.value,
                    "version": written.version,
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
    ) -> list[services.ActualWritten]:
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
        results: list[services.ActualWritten] = []
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
                # Each row's problems by field; a row that is not an object at all (null, a
                # number) has its problem under "non_field_errors", as DRF names such errors.
                "rows": {
                    str(index): errors[index]
                    if isinstance(errors[index], dict)
                    else {"non_field_errors": list(errors[index])}
                    for index in sorted(errors)
                },
            },
            status=400,
        )
