"""What every app's API builds on and that knows nothing of the scorecard: exact numbers,
strict query parameters, serializers, id filters and the documented error answers.

The parts that decide who sees and may change what (visibility, permissions, the viewset
base) are in accounts/api_base.py, since they ask the permission predicates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from django import forms
from django.db import models
from django.db.models import Model
from django_filters import rest_framework as filters
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.request import Request

MAX_ID = 10**18 - 1  # ids are bigints; a longer number cannot name one
PAGINATION_PARAMS = frozenset({"page", "page_size"})


# --- Numbers ------------------------------------------------------------------------------------


class NumberField(serializers.DecimalField):
    """An exact decimal: written as a string in responses, read from a JSON number or a string."""


class NumberFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """Describe NumberField input as what it accepts: a JSON number or a decimal string."""

    target_class = NumberField

    def map_serializer_field(
        self, auto_schema: openapi.AutoSchema, direction: str
    ) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer_field(  # type: ignore[no-untyped-call]
            self.target, direction, bypass_extensions=True
        )
        if direction != "request":
            return schema
        return {"oneOf": [{"type": "number"}, schema]}


# --- Query parameters ---------------------------------------------------------------------------


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


# --- Serializers --------------------------------------------------------------------------------


class ModelSerializer(serializers.ModelSerializer):
    """DRF's model serializer with the API's numbers (NumberField for every decimal).

    Its create and update are meant to be overridden to call the app's services.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: NumberField,
    }


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


class _TrueOrFalseField(forms.Field):
    def __init__(self, *, parameter: str, **kwargs: Any) -> None:
        self.parameter = parameter
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError(
            f"{self.parameter} takes true or false (or 1 or 0), not “{value}”.", code="invalid"
        )


@extend_schema_field({"type": "boolean"})
class TrueOrFalseFilter(filters.Filter):
    """A yes-or-no filter: true or false (or 1 or 0, in any case); anything else answers 400
    naming the parameter and the values it takes, where django-filter's BooleanFilter would
    ignore a misspelt value and match everything. Every yes-or-no filter of the API is one
    (tests/scorecard/test_api_yes_no_filters.py checks). The parameter is the filter's name in
    its FilterSet, which is its `field_name` unless that is given: then give `parameter` too."""

    field_class = _TrueOrFalseField

    def __init__(self, *args: Any, parameter: str | None = None, **kwargs: Any) -> None:
        self.parameter = parameter
        super().__init__(*args, **kwargs)

    @property
    def field(self) -> forms.Field:
        self.extra.setdefault("parameter", self.parameter or self.field_name)
        field: forms.Field = super().field
        return field


# --- Schema -------------------------------------------------------------------------------------


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's description of each operation, with every field of a model in an
    answer declared required: a model serializer writes each field it declares (null when
    empty), so generated clients get plain attributes rather than "maybe unset" ones. What a
    request may leave out stays optional in the request's own component."""

    def _map_basic_serializer(
        self, serializer: serializers.BaseSerializer[Any], direction: str
    ) -> dict[str, Any]:
        # drf-spectacular has no type hints: its own method is an untyped call.
        schema: dict[str, Any] = super()._map_basic_serializer(  # type: ignore[no-untyped-call]
            serializer, direction
        )
        instance = force_instance(serializer)  # type: ignore[no-untyped-call]
        if direction == "response" and isinstance(instance, serializers.ModelSerializer):
            schema["required"] = list(schema.get("properties", {}))
        return schema


ViewSet = TypeVar("ViewSet", bound=Callable[..., Any])


def conflict_response(
    serializer_class: type[serializers.BaseSerializer[Any]], *, name: str
) -> OpenApiResponse:
    """The 409 of a stale edit, as `core.api_http.Conflict` answers it: the message and the
    object as it is now (`current`). Build it once per name and share it."""
    return OpenApiResponse(
        response=inline_serializer(
            name=name,
            fields={
                "detail": serializers.CharField(help_text="What conflicts, in words."),
                "current": serializer_class(
                    required=False,
                    help_text="The object as it is now, when the version sent is stale "
                    "(absent for other conflicts, such as a duplicate created at the same "
                    "moment).",
                ),
            },
        ),
        description="The change conflicts with the current data (typically: changed by "
        "someone else since the version sent); nothing was written.",
    )


def with_conflicts(
    serializer_class: type[serializers.BaseSerializer[Any]],
    conflict: OpenApiResponse,
    *,
    actions: Sequence[str] = ("update", "partial_update"),
) -> Callable[[ViewSet], ViewSet]:
    """Document a viewset's success answers and the 409 of a stale edit on `actions`."""
    success = {"create": 201}
    decorator: Callable[[ViewSet], ViewSet] = extend_schema_view(
        **{
            action: extend_schema(
                responses={success.get(action, 200): serializer_class, 409: conflict}
            )
            for action in actions
        }
    )
    return decorator


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
