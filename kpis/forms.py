"""Parsing what people type on the KPI pages and in imported files: values and periods.

Values keep the precision a stored value has (see VALUE_FIELD_OPTIONS) and are refused with a
message saying why; periods are typed as YYYY-MM or YYYY-MM-DD.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from kpis.models import VALUE_FIELD_OPTIONS

_DIGITS = VALUE_FIELD_OPTIONS["max_digits"]
_PLACES = VALUE_FIELD_OPTIONS["decimal_places"]
_MONTH = re.compile(r"(\d{4})-(\d{1,2})\Z")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z")


def parse_optional_value(text: str) -> Decimal | None:
    """A typed value as a Decimal, None for an empty one; ValidationError when it is not a
    number or has more digits than a value can store."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(
            f"“{cleaned}” is not a number: write it like 1250 or 12.5.", code="invalid"
        ) from None
    if not value.is_finite():
        raise ValidationError(
            f"“{cleaned}” is not a number: write it like 1250 or 12.5.", code="invalid"
        )
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # noqa: S101 - finite, checked above
    places = max(0, -exponent)
    whole = max(0, len(digits) + exponent)
    if places > _PLACES or whole > _DIGITS - _PLACES:
        raise ValidationError(
            f"Too many digits: at most {_DIGITS - _PLACES} before the decimal point and "
            f"{_PLACES} after it.",
            code="max_digits",
        )
    return value


def parse_value(text: str) -> Decimal:
    """Like `parse_optional_value`, but an empty value is refused (code "required")."""
    value = parse_optional_value(text)
    if value is None:
        raise ValidationError("Enter a value.", code="required")
    return value


def parse_month(text: str) -> date | None:
    """The first day of the month typed as YYYY-MM (or a day of it, YYYY-MM-DD); None if not."""
    day = parse_period(text)
    return None if day is None else day.replace(day=1)


def parse_period(text: str) -> date | None:
    """A period typed as YYYY-MM (its first day) or YYYY-MM-DD (that day); None if neither."""
    cleaned = (text or "").strip()
    try:
        if match := _MONTH.match(cleaned):
            return date(int(match[1]), int(match[2]), 1)
        if match := _DAY.match(cleaned):
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None
