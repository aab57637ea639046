"""What every app's `api.py` shares: visibility, permissions, viewsets, serializers, schema.

It lives in the lowest app because dependencies point one way (DESIGN.md §6): strategy, kpis
and actionplans build their endpoints on it; it imports none of them.

The rules, written once here:

- Who may do what is asked through `user.has_perm(...)` with the predicates of each app's
  rules.py, exactly as the HTML views ask. Each viewset names its permissions in `perms`
  (`view`, `change`, `add`, `delete`) and, where the rule is about a parent object, which
  object to ask about (`perm_object`). Lists are filtered to the org units the person may see
  (`visible`), so outsiders get 404 on detail; a write they may not make answers 403.
- Writes of plain models run `full_clean()` and `save()` in one transaction
  (`CleanModelSerializer`); other writes call the app's services. Their errors become
  JSON answers in accounts/api_http.py, with the parser, pagination and throttle.
- Unknown query parameters answer 400 naming them: a misspelt filter must not silently
  return (or act on) everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.db.models import Model, Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, mixins, serializers
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.audit import record_with_actor
from accounts.models import User
from accounts.permissions import visible_unit_ids
from accounts.selectors import visible_users

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema

M = TypeVar("M", bound=Model)

MAX_ID = 10**18 - 1  # ids are bigints; a longer number cannot name one
PAGINATION_PARAMS = frozenset({"page", "page_size"})


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


# --- Numbers ------------------------------------------------------------------------------------


class NumberField(serializers.DecimalField):
    """An exact decimal: written as a string in responses, read from a JSON number or a string."""


class NumberFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """Describe NumberField input as what it accepts: a JSON number or a decimal string."""

    target_class = NumberField

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer_field(  # type: ignore[no-untyped-call]
            self.target, direction, bypass_extensions=True
        )
        if direction != "request":
            return schema
        return {"oneOf": [{"type": "number"}, schema]}


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


class StrictQueryParamsMixin:
    """Answer 400 for query parameters the endpoint does not know, naming them.

    A list accepts its filters and the pagination parameters; a custom action the names in
    `action_query_params[action]`; anything else accepts none.
    """

    action_query_params: ClassVar[Mapping[str, frozenset[str]]] = {}
    filterset_class: ClassVar[type[filters.FilterSet] | None] = None
    action: str | None

    def accepted_query_params(self) -> frozenset[str]:
        accepted = set(self.action_query_params.get(self.action or "", frozenset()))
        if self.action == "list":
            accepted |= PAGINATION_PARAMS
            if self.filterset_class is not None:
                accepted |= set(self.filterset_class.base_filters)
        return frozenset(accepted)

    def refuse_unknown_query_params(self, request: Request) -> None:
        accepted = self.accepted_query_params()
        unknown = sorted(set(request.query_params) - accepted)
        if unknown:
            hint = (
                f"This endpoint accepts: {', '.join(sorted(accepted))}."
                if accepted
                else "This endpoint accepts no query parameters."
            )
            raise exceptions.ValidationError(
                {name: [f"Unknown query parameter. {hint}"] for name in unknown}
            )


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


class ModelSerializer(serializers.ModelSerializer):
    """DRF's model serializer with the API's numbers (NumberField for every decimal).

    Its create and update are meant to be overridden to call the app's services.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: NumberField,
    }


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


def refuse_changes(
    instance: Model | None, attrs: Mapping[str, Any], names: Sequence[str], *, what: str
) -> None:
    """400 when an update changes a field that identifies the object (its KPI, its plan...).

    `what` names the object, e.g. "A target": "A target's period cannot change; ...".
    """
    if instance is None:
        return
    errors = {
        name: [f"{what}'s {name.replace('_', ' ')} cannot change; create a new one instead."]
        for name in names
        if name in attrs and attrs[name] != getattr(instance, name)
    }
    if errors:
        raise serializers.ValidationError(errors)


def merged(
    instance: Model, validated_data: Mapping[str, Any], names: Sequence[str]
) -> dict[str, Any]:
    """The values of `names` after a (partial) update: the sent ones, else the stored ones."""
    return {name: validated_data.get(name, getattr(instance, name)) for name in names}


# --- Filters ------------------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A filter on an id: a whole number (unknown ids simply match nothing)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


# --- Schema -------------------------------------------------------------------------------------

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "What went wrong, in words.",
}
_VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {},
    "description": (
        "Field-level messages: each bad field (or query parameter, or bulk row index) maps to "
        'a list of messages; errors not tied to one field are under "non_field_errors", a '
        'malformed body under "detail".'
    ),
}
_ERRORS = {
    "400": ("Invalid input; nothing was written.", "ValidationErrorResponse"),
    "401": ("Not signed in: send `Authorization: Token <token>` or a session.", "ErrorResponse"),
    "403": ("Signed in, but not allowed to do this.", "ErrorResponse"),
    "404": ("No such object, or one you may not see.", "ErrorResponse"),
    "409": ("The change conflicts with the current data.", "ErrorResponse"),
    "413": ("The request body is too large.", "ErrorResponse"),
    "415": ("Send JSON (Content-Type: application/json).", "ErrorResponse"),
    "429": ("Too many requests; retry after the time in Retry-After.", "ErrorResponse"),
}
# Answers that only requests which write (or send a body) can get.
_NOT_FOR = {
    "409": {"get", "head"},
    "413": {"get", "head", "delete"},
    "415": {"get", "head", "delete"},
}


def add_error_responses(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook: document the error answers every operation gives."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.setdefault("ErrorResponse", _ERROR_SCHEMA)
    schemas.setdefault("ValidationErrorResponse", _VALIDATION_ERROR_SCHEMA)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in _ERRORS.items():
                if method in _NOT_FOR.get(code, set()):
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result
