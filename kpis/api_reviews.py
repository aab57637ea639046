"""The API for approvals and the close date, with the rules of their pages (kpis/views_*.py).

- Approvals: `approvals/` lists the submitted actuals of the units where the caller approves
  (`kpis.view_approvals`, as the queue page); `approvals/{id}/review/` approves or returns one
  through `actual_review`, asking `kpis.approve_actuals` about the actual's KPI. The service
  refuses self-approval, a stale version (409) and a closed period.
- The close date: organisation-wide, so `kpis.close_periods` (an admin of the root unit or a
  superuser) for every request, reads included, as on the close page; `period_close` sets it.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_base import ScorecardPermission, ScorecardViewSet
from accounts.audit import record_with_actor
from accounts.models import User
from core.api import StrictQueryParamsMixin
from core.api_http import Conflict
from kpis import services
from kpis.api import ACTUAL_CONFLICT, KPI_PART_UNITS, ActualSerializer
from kpis.models import Actual, PeriodClose
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


# --- The close date -----------------------------------------------------------------------------


class PeriodCloseSerializer(serializers.Serializer[Any]):
    closed_through = serializers.DateField(
        allow_null=True,
        help_text="Every period ending on or before this day is closed: the last day of a "
        "month that has ended, e.g. 2026-10-31. An earlier day reopens the periods after it; "
        "null reopens every period.",
    )
    closed_by = serializers.IntegerField(
        source="closed_by_id", read_only=True, allow_null=True, help_text="Who set it last."
    )
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class OrganisationAdminPermission(ScorecardPermission):
    """Organisation-wide actions: the view's `organisation_perm` (one granted to admins of the
    root unit) for every request, reads included."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and bool(
            request.user.has_perm(view.organisation_perm)
        )


@extend_schema(tags=["kpis"])
class PeriodCloseView(StrictQueryParamsMixin, APIView):
    """The organisation's close date: no actual or target of a period that ends on or before
    it may change, on any channel. Organisation admins only, reading included. PUT sets it,
    or moves it back to reopen periods (200 either way, with the close date as it is now)."""

    permission_classes = [OrganisationAdminPermission]
    organisation_perm = "kpis.close_periods"

    def accepted_query_params(self) -> frozenset[str]:
        return frozenset()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.refuse_unknown_query_params(request)

    @extend_schema(responses=PeriodCloseSerializer)
    def get(self, request: Request) -> Response:
        close = PeriodClose.objects.filter(pk=1).first() or PeriodClose()
        return Response(PeriodCloseSerializer(close).data)

    @extend_schema(request=PeriodCloseSerializer, responses=PeriodCloseSerializer)
    def put(self, request: Request) -> Response:
        body = PeriodCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # Token clients are authenticated after the audit middleware ran: name the actor here.
        with record_with_actor(request.user):
            close, _ = services.period_close(
                through=body.validated_data["closed_through"], by=cast(User, request.user)
            )
        return Response(PeriodCloseSerializer(close).data)
