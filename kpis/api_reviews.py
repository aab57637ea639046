"""The API for approvals and period locks, with the rules of their pages (kpis/views_*.py).

- Approvals: `approvals/` lists the submitted actuals of the units where the caller approves
  (`kpis.view_approvals`, as the queue page); `approvals/{id}/review/` approves or returns one
  through `actual_review`, asking `kpis.approve_actuals` about the actual's KPI. The service
  refuses self-approval, a stale version (409) and a locked period.
- Period locks: organisation-wide, so `kpis.lock_period` (an admin of the root unit or a
  superuser) for every request; `period_lock` and `period_unlock` write them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_base import ScorecardPermission, ScorecardViewSet
from accounts.models import User
from core.api import ModelSerializer
from core.api_http import Conflict
from kpis import services
from kpis.api import ACTUAL_CONFLICT, KPI_PART_UNITS, ActualSerializer
from kpis.models import Actual, PeriodLock
from kpis.selectors import actuals_awaiting_review

# --- Approvals ----------------------------------------------------------------------------------


class ReviewSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(
        choices=[("approve", "approve"), ("return", "return")],
        help_text="approve, or return it to its updater (say why in `comment`).",
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when returning."
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text="The version reviewed; a value changed since then answers 409 with the "
        "current actual. Absent: no check.",
    )


class ApprovalPermission(ScorecardPermission):
    """The queue is for people who approve somewhere; each review checks the actual's unit."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        return view.action != "list" or bool(request.user.has_perm("kpis.view_approvals"))


@extend_schema(tags=["kpis"])
class ApprovalViewSet(mixins.ListModelMixin, ScorecardViewSet):
    """Actuals awaiting approval (when approval is switched on), and their review. Nobody
    approves a value they entered themselves."""

    queryset = Actual.objects.select_related(
        "kpi", "kpi__objective", "kpi__objective__plan", "entered_by"
    )
    serializer_class = ActualSerializer
    permission_classes = [ApprovalPermission]
    unit_lookups = KPI_PART_UNITS
    perms: ClassVar[dict[str, str]] = {
        "view": "kpis.view_kpi",
        "change": "kpis.approve_actuals",
    }

    def get_queryset(self) -> QuerySet[Any]:
        if self.action == "list":
            return actuals_awaiting_review(self.request.user)
        return super().get_queryset()

    def perm_object(self, obj: Model, kind: str) -> Model | None:
        return cast(Actual, obj).kpi

    @extend_schema(
        request=ReviewSerializer, responses={200: ActualSerializer, 409: ACTUAL_CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Approve the actual, or return it with a comment; the answer is the actual."""
        actual: Actual = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            reviewed = services.actual_review(
                actual=actual,
                by=cast(User, request.user),
                approve=body.validated_data["decision"] == "approve",
                comment=body.validated_data["comment"],
                expected_version=body.validated_data.get("version"),
            )
        except services.ActualVersionConflict as conflict:
            raise Conflict(
                conflict.messages[0], current=ActualSerializer(conflict.current).data
            ) from None
        except DjangoValidationError as error:
            if getattr(error, "code", None) == "self_approval":
                raise exceptions.PermissionDenied(error.messages[0]) from None
            raise
        return Response(ActualSerializer(reviewed).data)


# --- Period locks -------------------------------------------------------------------------------


class PeriodLockSerializer(ModelSerializer):
    class Meta:
        model = PeriodLock
        fields = ["period", "locked_by", "locked_at"]
        read_only_fields = ["locked_by", "locked_at"]
        # Locking a locked period is no error: the service answers "unchanged".
        extra_kwargs: ClassVar[dict[str, Any]] = {"period": {"validators": []}}


class OrganisationAdminPermission(ScorecardPermission):
    """Organisation-wide actions: `kpis.lock_period` for every request, reads included."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and bool(
            request.user.has_perm("kpis.lock_period")
        )

    def has_object_permission(self, request: Request, view: Any, obj: Model) -> bool:
        return True


@extend_schema(tags=["kpis"])
class PeriodLockViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    ScorecardViewSet,
):
    """Locked periods: no actual or target of a period starting on a locked date may change,
    on any channel. Organisation admins only. Locking is idempotent (201 when locked now, 200
    when it was locked already); DELETE on the period's date unlocks it."""

    queryset = PeriodLock.objects.select_related("locked_by")
    serializer_class = PeriodLockSerializer
    permission_classes = [OrganisationAdminPermission]
    lookup_field = "period"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"

    def get_queryset(self) -> QuerySet[Any]:
        return PeriodLock.objects.select_related("locked_by")  # not tied to a unit

    def get_object(self) -> PeriodLock:
        try:
            period = date.fromisoformat(self.kwargs["period"])
        except ValueError:
            raise Http404 from None
        lock: PeriodLock | None = self.get_queryset().filter(period=period).first()
        if lock is None:
            raise exceptions.NotFound(f"{period:%b %Y} is not locked.")
        return lock

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        lock, outcome = services.period_lock(
            period=body.validated_data["period"], by=cast(User, request.user)
        )
        status = 200 if outcome is services.Outcome.UNCHANGED else 201
        return Response(self.get_serializer(lock).data, status=status)

    def perform_destroy(self, instance: Model) -> None:
        services.period_unlock(period=cast(PeriodLock, instance).period)
