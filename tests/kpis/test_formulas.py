"""Calculated KPIs: what a formula may contain, how it is checked, and how it is evaluated."""

from decimal import Decimal
from graphlib import CycleError, TopologicalSorter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis.formulas import (
    FormulaError,
    dependants,
    evaluate_formula,
    evaluation_order,
    formula_codes,
    mask_codes,
    validate_formula,
)

D = Decimal
numbers = st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False)


# --- formula_codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "codes"),
    [
        ("100 * WON / LEADS", {"WON", "LEADS"}),
        ("  REV - COST  ", {"REV", "COST"}),
        ("(A + B) ** 2", {"A", "B"}),
        ("max(A, B, 0) - min(C, 1) + abs(-D1)", {"A", "B", "C", "D1"}),
        ("42", set()),
    ],
)
def test_formula_codes_finds_the_kpi_codes_but_not_the_functions(formula, codes):
    assert formula_codes(formula) == codes


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("", "The formula is empty."),
        ("A +", "syntax error"),
        ("(A + B", "syntax error"),
        ("A = 1", "syntax error"),
        ("A; B", "syntax error"),
        ("A < B", "A < B is not allowed"),
        ("A if B else C", "is not allowed"),
        ("A.real", "A.real is not allowed"),
        ("A[0]", "A[0] is not allowed"),
        ("A // 2", "The operator // is not allowed"),
        ("A % 2", "The operator % is not allowed"),
        ("-A and B", "is not allowed"),
        ("'text'", "'text' is not a number"),
        ("True + A", "True is not a number"),
        ("open('x')", "only min(), max() and abs() can be called"),
        ("__import__('os').system('ls')", "is not allowed"),
        ("(lambda: 1)()", "only min(), max() and abs() can be called"),
        ("min(A)", "min() takes two or more values"),
        ("abs(A, B)", "abs() takes exactly one value"),
        ("max(*A)", "max() takes plain values"),
        ("A ** 1000", "The exponent in A ** 1000 is above 100."),
        ("A ** -1000", "is above 100"),
        ("1e999", "too large"),
        ("[A, B]", "is not allowed"),
    ],
)
def test_a_formula_that_is_not_arithmetic_over_codes_is_refused_with_the_reason(formula, reason):
    with pytest.raises(FormulaError) as caught:
        formula_codes(formula)
    assert reason in str(caught.value)


# --- validate_formula ----------------------------------------------------------------------------

KNOWN = {"WON", "LEADS", "A", "B", "C", "D", "E"}
DEPENDENCIES = {"C": {"A", "B"}, "D": {"C"}, "E": {"D", "A"}}


def test_a_sound_formula_returns_the_codes_it_uses():
    assert validate_formula("F", "100 * WON / LEADS", KNOWN, DEPENDENCIES) == {"WON", "LEADS"}


def test_a_formula_may_use_another_calculated_kpi():
    assert validate_formula("F", "E / C", KNOWN, DEPENDENCIES) == {"E", "C"}


def test_a_formula_with_an_unknown_code_is_refused_naming_it():
    with pytest.raises(FormulaError, match=r"^Unknown KPI codes: X, Y\.$"):
        validate_formula("F", "A + X + Y", KNOWN, DEPENDENCIES)
    with pytest.raises(FormulaError, match=r"^Unknown KPI code: X\.$"):
        validate_formula("F", "A + X", KNOWN, DEPENDENCIES)


def test_a_formula_that_uses_its_own_kpi_is_refused():
    with pytest.raises(FormulaError, match="uses its own KPI: C → C"):
        validate_formula("C", "C * 2", KNOWN, DEPENDENCIES)


def test_a_formula_that_would_make_a_cycle_is_refused_naming_the_path():
    with pytest.raises(FormulaError, match=r"would make a cycle: A → E → A\.$"):
        validate_formula("A", "E + 1", KNOWN, DEPENDENCIES)
    with pytest.raises(FormulaError, match=r"would make a cycle: B → E → D → C → B\.$"):
        validate_formula("B", "E", KNOWN, DEPENDENCIES)


def test_a_formula_replacing_the_kpis_own_old_formula_is_checked_afresh():
    # C used A and B; its new formula uses D, which depends on C: a cycle.
    with pytest.raises(FormulaError, match="C → D → C"):
        validate_formula("C", "D / 2", KNOWN, DEPENDENCIES)
    # ...while dropping A from E's formula breaks nothing.
    assert validate_formula("E", "D", KNOWN, DEPENDENCIES) == {"D"}


def test_a_syntax_error_is_reported_by_validate_formula_too():
    with pytest.raises(FormulaError, match="syntax error"):
        validate_formula("F", "A +* B", KNOWN, DEPENDENCIES)


# --- evaluation order and dependants -------------------------------------------------------------


def test_evaluation_order_puts_every_kpi_after_the_ones_it_uses():
    assert evaluation_order(DEPENDENCIES) == ["C", "D", "E"]
    assert evaluation_order({"Z": {"Y"}, "Y": {"X"}, "W": set()}) == ["W", "Y", "Z"]


def test_evaluation_order_refuses_a_cycle_naming_it():
    with pytest.raises(FormulaError, match=r"cycle: A → B → C → A\.$"):
        evaluation_order({"A": {"B"}, "B": {"C"}, "C": {"A"}})


def test_dependants_are_what_to_recompute_after_an_input_changes():
    assert dependants("A", DEPENDENCIES) == ["C", "D", "E"]
    assert dependants("C", DEPENDENCIES) == ["D", "E"]
    assert dependants("E", DEPENDENCIES) == []
    assert dependants("WON", DEPENDENCIES) == []


@given(
    st.dictionaries(
        st.sampled_from("ABCDEFGHIJ"),
        st.sets(st.sampled_from("ABCDEFGHIJKLMN"), max_size=4),
        max_size=10,
    )
)
def test_evaluation_order_either_orders_everything_or_finds_a_cycle(dependencies):
    try:
        list(TopologicalSorter(dependencies).static_order())
    except CycleError:
        with pytest.raises(FormulaError, match="make a cycle"):
            evaluation_order(dependencies)
        return
    order = evaluation_order(dependencies)
    assert sorted(order) == sorted(dependencies)
    position = {code: n for n, code in enumerate(order)}
    for code, used in dependencies.items():
        for input_code in used & set(dependencies):
            assert position[input_code] < position[code]


# --- evaluate_formula ----------------------------------------------------------------------------


def test_a_formula_is_evaluated_with_exact_decimals():
    assert evaluate_formula("100 * WON / LEADS", {"WON": D(12), "LEADS": D(40)}) == D(30)
    assert evaluate_formula("0.1 + 0.2", {}) == D("0.3")
    assert evaluate_formula("A / 3 * 3", {"A": D(1)}) == D(1)
    assert evaluate_formula("A * B", {"A": D("1.000001"), "B": D("1.000001")}) == D(
        "1.000002000001"
    )


def test_an_inexact_result_keeps_twenty_eight_significant_digits():
    assert evaluate_formula("A / 3", {"A": D(100)}) == D("33.33333333333333333333333333")


def test_functions_and_powers():
    values = {"A": D(-4), "B": D(9)}
    assert evaluate_formula("max(A, B) - min(A, B)", values) == D(13)
    assert evaluate_formula("abs(A) ** 2", values) == D(16)
    assert evaluate_formula("B ** 0.5", values) == D(3)
    assert evaluate_formula("2 ** -2", values) == D("0.25")


@pytest.mark.parametrize(
    ("formula", "values"),
    [
        ("100 * WON / LEADS", {"WON": D(3), "LEADS": None}),
        ("100 * WON / LEADS", {"WON": D(3)}),
        ("100 * WON / LEADS", {"WON": D(3), "LEADS": D(0)}),
        ("A / (B - B)", {"A": D(1), "B": D(7)}),
        ("A ** -1", {"A": D(0)}),
        ("A ** 0.5", {"A": D(-4)}),
        ("(A ** 100) ** 100", {"A": D(3)}),
        ("A + 1", {"A": D("NaN")}),
    ],
)
def test_a_missing_input_or_an_impossible_number_gives_no_data(formula, values):
    assert evaluate_formula(formula, values) is None


def test_an_invalid_formula_is_an_error_even_at_evaluation():
    with pytest.raises(FormulaError):
        evaluate_formula("A < B", {"A": D(1), "B": D(2)})


@given(numbers, numbers)
def test_arithmetic_matches_exact_decimal_arithmetic(a, b):
    values = {"A": a, "B": b}
    assert evaluate_formula("A + B", values) == a + b
    assert evaluate_formula("A - B", values) == a - b
    assert evaluate_formula("A * B", values) == a * b
    if b != 0:
        assert evaluate_formula("A / B * B", values) == a
    else:
        assert evaluate_formula("A / B", values) is None


# --- masking codes --------------------------------------------------------------------------------


def test_mask_codes_replaces_only_the_given_codes_where_the_formula_uses_them():
    assert mask_codes(" 100 * OPS / REV ", {"OPS"}, "[x]") == "100 * [x] / REV"
    assert mask_codes("max(OPS, OPS2) + OPS", {"OPS", "max"}, "[x]") == "max([x], OPS2) + [x]"
    assert mask_codes("ÉTÉ + REV * ÉTÉ", {"ÉTÉ"}, "[x]") == "[x] + REV * [x]"


def test_mask_codes_leaves_a_formula_alone_when_nothing_is_hidden():
    assert mask_codes("100 * OPS / REV", set(), "[x]") == "100 * OPS / REV"


def test_mask_codes_masks_a_formula_it_cannot_read_whole():
    assert mask_codes("100 * (OPS", {"OPS"}, "[x]") == "[x]"
