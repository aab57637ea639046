"""Reading the numbers people type: one parser for every page, import and helper.

What is accepted (leading and trailing spaces never matter):

- a plain number: ``1250``, ``-3``, ``12.5``, ``0,5``, ``.5``;
- thousands grouped by spaces (also no-break and thin spaces) or apostrophes: ``1 250,5``,
  ``1'250.5``; by commas with a point for decimals: ``1,250.5``, ``1,250,000``; by points with
  a comma for decimals: ``1.250,5``. Groups after the first have three digits.
- When a number holds both a point and a comma, the last one is the decimal separator. A
  point alone is the decimal separator (``1.250`` is 1.25); a comma alone is one too
  (``12,5``), except that a single comma followed by exactly three digits (``1,250``) could be
  either and is refused, asking for ``1250`` or ``1.25``.
- A trailing ``%`` only where the value is a percentage (a KPI whose unit is ``%``, a growth
  rate): ``12 %`` is then 12, never 0.12. Elsewhere the sign is refused, so nobody saves 12
  EUR believing they typed a rate.

Every value holds at most `MAX_DIGITS` digits, `DECIMAL_PLACES` of them after the decimal
point (the precision the database stores); more is refused, never rounded. Exponents
(``1e3``), ``NaN`` and infinities are not numbers here.

And writing them back, the same way on every page (the `plain` and `percent` template
filters of `core/templatetags/numbers.py`): ``1.5`` rather than the stored ``1.500``, and a
fraction as a percentage, ``10 %`` rather than ``0.1000``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError

MAX_DIGITS = 20
DECIMAL_PLACES = 6

_GROUP_SPACES = " '\u00a0\u202f\u2009\u2019"
_SHAPE = re.compile(r"[0-9.,\s'\u2019]*[0-9][0-9.,\s'\u2019]*\Z")
_MINUS = "-\u2212"


def _refuse_shape(text: str) -> ValidationError:
    return ValidationError(
        f"“{text}” is not a number: write it like 1250, 1 250,5 or 12.5.", code="invalid"
    )


def _split_groups(whole: str, separators: str, text: str) -> str:
    """The integer part's digits, checking that separators mark groups of three."""
    groups = re.split(f"[{re.escape(separators)}]", whole) if separators else [whole]
    if len(groups) > 1 and not (
        1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
    ):
        raise _refuse_shape(text)
    digits = "".join(groups)
    if not digits.isdigit() and digits:
        raise _refuse_shape(text)
    return digits


def _digits_of(body: str, text: str) -> tuple[str, str]:
    """The integer and the fraction digits of an unsigned number as typed."""
    spaced = any(char in _GROUP_SPACES or char.isspace() for char in body)
    body = "".join(" " if char.isspace() else char for char in body)
    points, commas = body.count("."), body.count(",")
    if points and commas:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
    elif commas == 1 and not spaced:
        whole, fraction = body.split(",")
        if len(fraction) == 3 and whole.lstrip("0"):
            raise ValidationError(
                f"“{text}” could be {whole}{fraction} or {whole}.{fraction}: write it without "
                "the comma, or with a point for the decimals.",
                code="ambiguous",
            )
        decimal = ","
    elif points == 1 or commas == 1:
        decimal = "." if points else ","
    else:
        decimal = ""  # none, or several of one kind: thousands separators
    if decimal and body.count(decimal) > 1:
        raise _refuse_shape(text)
    whole, _, fraction = body.partition(decimal) if decimal else (body, "", "")
    grouping = _GROUP_SPACES + ("," if decimal != "," else "") + ("." if decimal != "." else "")
    if not fraction.isdigit() and fraction:
        raise _refuse_shape(text)
    return _split_groups(whole, grouping, text), fraction


def parse_number(text: str | None, *, percent: bool = False) -> Decimal | None:
    """The number typed, None for an empty text; ValidationError saying why otherwise.

    `percent` accepts a trailing % sign (the value is a percentage). Codes: "invalid",
    "ambiguous", "percent", "max_digits".
    """
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    body = cleaned
    if body.endswith("%"):
        if not percent:
            raise ValidationError(
                f"“{cleaned}”: this value is not a percentage; type the number without %.",
                code="percent",
            )
        body = body[:-1].rstrip()
    negative = body[:1] in _MINUS
    if body[:1] in _MINUS or body[:1] == "+":
        body = body[1:]
    if not _SHAPE.match(body) or body[:1].isspace():
        raise _refuse_shape(cleaned)
    whole, fraction = _digits_of(body, cleaned)
    value = Decimal(f"{'-' if negative else ''}{whole or '0'}{'.' if fraction else ''}{fraction}")
    whole_digits = len(whole.lstrip("0"))
    if len(fraction) > DECIMAL_PLACES or whole_digits > MAX_DIGITS - DECIMAL_PLACES:
        raise ValidationError(
            f"Too many digits: at most {MAX_DIGITS - DECIMAL_PLACES} before the decimal point "
            f"and {DECIMAL_PLACES} after it.",
            code="max_digits",
        )
    return value


def parse_required_number(text: str | None, *, percent: bool = False) -> Decimal:
    """Like `parse_number`, but an empty text is refused (code "required")."""
    value = parse_number(text, percent=percent)
    if value is None:
        raise ValidationError("Enter a value.", code="required")
    return value


def plain_number(value: Decimal) -> str:
    """A stored value as people typed it: 123 rather than 123.000000."""
    return format(value.normalize(), "f") if value.is_finite() else str(value)


def percent_text(fraction: Decimal) -> str:
    """A fraction as people read a percentage: 0.1000 is "10 %", 0.025 is "2.5 %"."""
    return f"{plain_number(fraction * 100)} %"
