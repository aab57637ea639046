"""The API's HTTP edges named in the REST_FRAMEWORK settings: parser, errors, pages, throttle.

DRF reads these settings while it defines its view classes, so this module must not import
`rest_framework.views` (or anything importing it) at import time; the rest of the shared
API machinery is in accounts/api_base.py.

- Bodies are JSON only, at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413 above), nested at most
  MAX_JSON_DEPTH levels (400 deeper); JSON numbers are read as exact decimals.
- Django's ValidationError becomes a 400 with field-level messages, a database conflict a
  409, a value the database cannot hold a 400 (`exception_handler`).
- Token clients (integrations) are limited to settings.API_RATE_LIMIT requests per person.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, models
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

MAX_JSON_DEPTH = 32
MAX_PAGE_SIZE = 500


# --- Parsing ------------------------------------------------------------------------------------


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _check_structure(data: object) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH, or with strings that are not valid text."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[object] = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                # A lone surrogate ("\ud800") is valid JSON but no text a database can store.
                raise exceptions.ParseError(
                    "JSON parse error - a string contains an unpaired surrogate (\\ud800-\\udfff)."
                ) from None
            continue
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
            )
        stack.extend((child, depth + 1) for child in children)


class BoundedJSONParser(JSONParser):
    """JSON nested at most MAX_JSON_DEPTH levels, with numbers read as exact decimals.

    The size limit is Django's: DRF reads the body through `request.body`, which refuses more
    than DATA_UPLOAD_MAX_MEMORY_SIZE bytes (answered 413 by `exception_handler`). Python's json
    raises RecursionError, not ValueError, for very deep nesting: that is a 400 as well.
    """

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = get_encoding(parser_context or {})
        try:
            data = json.loads(
                stream.read().decode(encoding),
                parse_float=Decimal,
                parse_constant=_refuse_constant,
            )
        except RecursionError:
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
            ) from None
        except ValueError as error:  # includes UnicodeDecodeError and JSONDecodeError
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        _check_structure(data)
        return data


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


# --- Errors -------------------------------------------------------------------------------------


class Conflict(exceptions.APIException):
    """409: the change collides with the current state; `current` shows that state."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This change conflicts with the current data."
    default_code = "conflict"

    def __init__(self, detail: str | None = None, *, current: object = None) -> None:
        super().__init__(detail)
        self.current = current


def validation_error_detail(error: DjangoValidationError) -> dict[str, Any]:
    """A Django ValidationError as DRF's field-level error dictionary."""
    detail: dict[str, Any] = as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:
        messages = detail.pop(NON_FIELD_ERRORS)
        detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)
    return detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, taught the errors our services and the database raise.

    A body over DATA_UPLOAD_MAX_MEMORY_SIZE → 413; Django ValidationError → 400 with
    field-level messages; IntegrityError → 409 (the data changed in a way the request did not
    expect: a duplicate or a vanished reference); DataError → 400 (a value the database cannot
    hold); a protected deletion → 409 naming why.
    """
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            f"The request body is larger than the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} "
            "bytes; split it into several requests."
        )
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, models.ProtectedError | models.RestrictedError):
        used_by = sorted({str(obj._meta.verbose_name_plural) for obj in exc.args[1]})
        exc = Conflict(
            f"This cannot be deleted while it is still used by {', '.join(used_by)}; "
            "remove or move those first."
        )
    elif isinstance(exc, IntegrityError):
        exc = Conflict(
            "This change conflicts with the stored data (a duplicate, or a reference that no "
            "longer exists); reload and try again."
        )
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: ["A value is out of the range the database holds."]}
        )
    # Imported here: rest_framework.views reads these settings when it is first imported.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, Conflict) and exc.current is not None:
        response.data["current"] = exc.current
    return response


@csrf_exempt  # it changes nothing: a PUT to no endpoint is a 404, not a CSRF failure
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """A JSON 404 for any address under the API that matches no endpoint."""
    return JsonResponse({"detail": "Not found."}, status=404)


# --- Pagination and throttling -------------------------------------------------------------------


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Every page has all four keys (`next` and `previous` are null at the ends)."""
        described: dict[str, Any] = super().get_paginated_response_schema(schema)
        described["required"] = list(described["properties"])
        return described


class TokenClientRateThrottle(UserRateThrottle):
    """Limit requests per person for token clients (integrations); people in a browser are not.

    The rate is read from settings.API_RATE_LIMIT at each request, so tests can change it.
    """

    scope = "token"

    def get_rate(self) -> str:
        rate: str = settings.API_RATE_LIMIT
        return rate

    def get_cache_key(self, request: Request, view: object) -> str | None:
        if not isinstance(request.successful_authenticator, TokenAuthentication):
            return None
        key: str | None = super().get_cache_key(request, view)
        return key
