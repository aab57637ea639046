"""One parser for typed numbers (core.numbers), used by every channel that reads them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.numbers import DECIMAL_PLACES, MAX_DIGITS, parse_number, parse_required_number


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1250.5", "1250.5"),
        ("1 250,5", "1250.5"),
        ("1\u00a0250,5", "1250.5"),
        ("1,250.5", "1250.5"),
        ("1.250,5", "1250.5"),
        ("1'250.5", "1250.5"),
        ("1,250,000", "1250000"),
        ("1.250.000", "1250000"),
        ("12,5", "12.5"),
        ("0,250", "0.250"),
        ("1.250", "1.250"),
        ("-3", "-3"),
        ("\u22123", "-3"),
        ("+4", "4"),
        (".5", "0.5"),
        ("  7 ", "7"),
    ],
)
def test_what_people_type_is_read_as_they_mean_it(typed, value):
    assert parse_number(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["a lot", "1e3", "NaN", "Infinity", "1 2", "1,2,3", "1.2.3,4,5"])
def test_what_is_not_a_number_is_refused_saying_how_to_write_it(typed):
    with pytest.raises(ValidationError, match="is not a number: write it like 1250") as caught:
        parse_number(typed)
    assert caught.value.code == "invalid"


def test_a_lone_comma_before_three_digits_is_ambiguous_and_refused():
    with pytest.raises(ValidationError, match=r"could be 1250 or 1\.250") as caught:
        parse_number("1,250")
    assert caught.value.code == "ambiguous"


def test_a_percent_sign_is_accepted_only_for_percentages():
    assert parse_number("12 %", percent=True) == Decimal(12)
    assert parse_number("12,5%", percent=True) == Decimal("12.5")
    with pytest.raises(ValidationError, match="not a percentage") as caught:
        parse_number("12 %")
    assert caught.value.code == "percent"


def test_the_stored_precision_is_the_limit_everywhere():
    whole = MAX_DIGITS - DECIMAL_PLACES
    assert parse_number("9" * whole + "." + "9" * DECIMAL_PLACES) is not None
    for typed in ("9" * (whole + 1), "1." + "1" * (DECIMAL_PLACES + 1)):
        with pytest.raises(ValidationError, match="Too many digits") as caught:
            parse_number(typed)
        assert caught.value.code == "max_digits"


def test_empty_is_none_or_required():
    assert parse_number("  ") is None
    assert parse_number(None) is None
    with pytest.raises(ValidationError, match=r"Enter a value\.") as caught:
        parse_required_number("")
    assert caught.value.code == "required"


values = st.decimals(
    min_value=Decimal(-(10**8)), max_value=Decimal(10**8), places=3, allow_nan=False
)


@given(values)
def test_a_plain_number_reads_back_as_itself(value):
    assert parse_number(format(value, "f")) == value


@given(
    st.decimals(min_value=Decimal(-(10**8)), max_value=Decimal(10**8), places=2, allow_nan=False),
    st.sampled_from([(" ", ","), (",", "."), (".", ","), ("'", ".")]),
)
def test_a_grouped_number_reads_back_as_itself(value, separators):
    # Two decimals: a lone comma before three digits is ambiguous by design (tested above).
    group, point = separators
    grouped = f"{value:,.2f}".replace(",", "\0").replace(".", point).replace("\0", group)
    assert parse_number(grouped) == value
