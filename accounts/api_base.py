"""What every app's `api.py` shares that asks who may see and do what: visibility,
permissions, the viewset base and the serializer for models without services.

The rules, written once here:

- Who may do what is asked through `user.has_perm(...)` with the predicates of each app's
  rules.py, exactly as the HTML views ask. Each viewset names its permissions in `perms`
  (`view`, `change`, `add`, `delete`) and, where the rule is about a parent object, which
  object to ask about (`perm_object`). Lists are filtered to the org units the person may see
  (`visible`), so outsiders get 404 on detail; a write they may not make answers 403.
- Writes of plain models run `full_clean()` and `save()` in one transaction
  (`CleanModelSerializer`); other writes call the app's services. Their errors become
  JSON answers in core/api_http.py, with the parser, pagination and throttle.
- Unknown query parameters answer 400 naming them (`core.api.StrictQueryParamsMixin`): a
  misspelt filter must not silently return (or act on) everything.

What knows nothing of the scorecard (numbers, strict query parameters, filters, the error
schema) is in core/api.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from typing import Any, ClassVar, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from rest_framework import exceptions, mixins, serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.audit import Channel, record_with_actor, recording_channel
from accounts.models import User
from accounts.permissions import visible_unit_ids
from accounts.selectors import visible_users
from core.api import ModelSerializer, StrictQueryParamsMixin

M = TypeVar("M", bound=Model)


# --- Visibility ---------------------------------------------------------------------------------


def visible(queryset: QuerySet[M], user: User | AnonymousUser, *unit_lookups: str) -> QuerySet[M]:
    """The objects of `queryset` the person may see, reached through any of `unit_lookups`.

    Each lookup leads from the model to an org unit id (e.g. "plan__org_unit_id"); an object
    is visible when one of them is a unit the person sees (see `visible_unit_ids`).
    """
    unit_ids = visible_unit_ids(user)
    if unit_ids is None:
        return queryset
    condition = Q()
    for lookup in unit_lookups:
        condition |= Q(**{f"{lookup}__in": unit_ids})
    return queryset.filter(condition)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to an object the person may see; others read as "does not exist".

    An outsider cannot tell an object they may not see from one that does not exist.
    """

    def __init__(self, *, unit_lookups: Sequence[str] = (), **kwargs: Any) -> None:
        self.unit_lookups = tuple(unit_lookups)
        kwargs.setdefault("pk_field", serializers.IntegerField())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset()
        request = self.context.get("request")
        user = request.user if request is not None else AnonymousUser()
        if queryset.model is User:
            return queryset.filter(pk__in=visible_users(user).values("pk"))
        return visible(queryset, user, *self.unit_lookups)


# --- Permissions --------------------------------------------------------------------------------


class ScorecardPermission(BasePermission):
    """Signed-in people only; per object, the viewset's `perms` through `user.has_perm`.

    Not allowed to view → 404 (the object does not exist for them); allowed to view but not
    to change or delete → 403. Creation is checked on the new object by `require` (see
    CleanModelSerializer and the services' callers), since it does not exist yet here.
    """

    def has_permission(self, request: Request, view: ScorecardViewSet) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: ScorecardViewSet, obj: Model) -> bool:
        if not view.allows(request.user, "view", obj):
            raise exceptions.NotFound
        if request.method in SAFE_METHODS:
            return True
        kind = "delete" if request.method == "DELETE" else "change"
        if view.allows(request.user, kind, obj):
            return True
        self.message = view.refusal(kind, obj)
        return False


# --- Viewsets -----------------------------------------------------------------------------------


class ScorecardViewSet(StrictQueryParamsMixin, GenericViewSet):
    """The base of every model endpoint: visibility, permissions, strict queries, audit actor.

    Subclasses set `queryset`, `serializer_class`, `perms`, `unit_lookups` (how the model
    reaches its org unit, for lists) and mix in the list/retrieve/create/update/destroy
    mixins they offer.
    """

    permission_classes = [ScorecardPermission]
    perms: ClassVar[Mapping[str, str]] = {}
    unit_lookups: ClassVar[Sequence[str]] = ()

    def get_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset()
        return visible(queryset, self.request.user, *self.unit_lookups)

    def perm_object(self, obj: Model, kind: str) -> Model | None:
        """The object the `kind` permission is asked about; the object itself by default."""
        return obj

    def allows(self, user: User | AnonymousUser, kind: str, obj: Model) -> bool:
        perm = self.perms.get(kind) or self.perms["change"]
        return bool(user.has_perm(perm, self.perm_object(obj, kind)))

    def refusal(self, kind: str, obj: Model) -> str | None:
        """Why `kind` is refused, when the object says more than "not allowed" (else None)."""
        return None

    def require(self, kind: str, obj: Model) -> None:
        """403 unless the person may do `kind` ("add", "change"...) to the object as it will be."""
        if not self.allows(self.request.user, kind, obj):
            raise exceptions.PermissionDenied(self.refusal(kind, obj))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttling
        # Token clients are authenticated here, after the audit middleware ran: name them as
        # the actor of whatever this request changes, as the middleware does for sessions.
        self._actor = ExitStack()
        self._actor.enter_context(record_with_actor(request.user))
        self._actor.enter_context(recording_channel(Channel.API))
        if self.action is not None:  # None: a method the endpoint lacks, answered 405
            self.refuse_unknown_query_params(request)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        actor: ExitStack | None = getattr(self, "_actor", None)
        if actor is not None:
            actor.close()
        finalized: Response = super().finalize_response(request, response, *args, **kwargs)
        return finalized


class ReadWriteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScorecardViewSet,
):
    """Read, create and change."""


class ReadWriteDeleteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScorecardViewSet,
):
    """Read, create, change and delete."""


# --- Serializers --------------------------------------------------------------------------------


class CleanModelSerializer(ModelSerializer):
    """Writes a model that has no services: the person's permission on the result, then
    `full_clean()` and `save()` in one transaction, so the model's own rules answer 400 with
    field messages.
    """

    def create(self, validated_data: dict[str, Any]) -> Model:
        many = self._pop_many(validated_data)
        instance: Model = self.Meta.model(**validated_data)
        return self._save(instance, many, kind="add")

    def update(self, instance: Model, validated_data: dict[str, Any]) -> Model:
        many = self._pop_many(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._save(instance, many, kind="change")

    def _pop_many(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        names = {field.name for field in self.Meta.model._meta.many_to_many}
        return {name: validated_data.pop(name) for name in list(validated_data) if name in names}

    def _save(self, instance: Model, many: dict[str, Any], *, kind: str) -> Model:
        view = self.context.get("view")
        if isinstance(view, ScorecardViewSet):
            view.require(kind, instance)
        with transaction.atomic():
            instance.full_clean()
            instance.save()
            for name, values in many.items():
                getattr(instance, name).set(values)
        return instance
