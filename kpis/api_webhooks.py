"""The API for webhooks, with the rules of their page (kpis/views_webhooks.py).

Organisation-wide, so `kpis.manage_webhooks` (an admin of the root unit or a superuser) for
every request, reads included. Creating one answers its secret, that once; `is_active` is the
only field that changes afterwards. Writes go through `kpis.services.webhooks`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_base import ScorecardViewSet
from accounts.models import User
from kpis.api_reviews import OrganisationAdminPermission
from kpis.models import Webhook, WebhookDelivery
from kpis.services.webhooks import webhook_create, webhook_delete, webhook_set_active

RECENT_DELIVERIES = 10


class DeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "status", "attempts", "response_code", "error", "created_at"]
        read_only_fields = fields


class WebhookSerializer(serializers.ModelSerializer[Webhook]):
    class Meta:
        model = Webhook
        fields = ["id", "url", "event", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]


class WebhookDetailSerializer(WebhookSerializer):
    recent_deliveries = serializers.SerializerMethodField()

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "recent_deliveries"]

    def get_recent_deliveries(self, webhook: Webhook) -> list[dict[str, Any]]:
        recent = webhook.deliveries.all()[:RECENT_DELIVERIES]
        return list(DeliverySerializer(recent, many=True).data)


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown this once: keep it.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class ActiveSerializer(serializers.Serializer[Any]):
    is_active = serializers.BooleanField()


@extend_schema(tags=["kpis"])
@extend_schema_view(
    create=extend_schema(request=WebhookSerializer, responses={201: WebhookCreatedSerializer}),
    partial_update=extend_schema(request=ActiveSerializer, responses=WebhookSerializer),
    retrieve=extend_schema(responses=WebhookDetailSerializer),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ScorecardViewSet,
):
    """Webhooks told of "report.ready" or "kpi.off_track"; each one's recent deliveries with
    the receiver's response code."""

    queryset = Webhook.objects.order_by("event", "url", "pk")
    serializer_class = WebhookSerializer
    permission_classes = [OrganisationAdminPermission]
    organisation_perm = "kpis.manage_webhooks"
    perms: ClassVar[dict[str, str]] = {"view": organisation_perm, "change": organisation_perm}
    http_method_names: ClassVar[list[str]] = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Webhook]:
        # Organisation-wide: the permission above already admits admins of the root unit only.
        return self.queryset.all()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return WebhookDetailSerializer if self.action == "retrieve" else WebhookSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = WebhookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = request.user if isinstance(request.user, User) else None
        # A refused address is a Django ValidationError: 400 at "url" (core.api_http).
        webhook = webhook_create(
            url=body.validated_data["url"], event=body.validated_data["event"], by=user
        )
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        webhook = self.get_object()
        body = ActiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        webhook_set_active(webhook=webhook, active=body.validated_data["is_active"])
        return Response(WebhookSerializer(webhook).data)

    def perform_destroy(self, instance: Webhook) -> None:
        webhook_delete(webhook=instance)
