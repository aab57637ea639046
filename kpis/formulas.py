"""Calculated KPIs: a formula over other KPIs' codes, evaluated safely, with no Django in it.

A formula such as `100 * WON / LEADS` may use KPI codes, numbers, `+ - * / **`, parentheses
and `min()`, `max()`, `abs()`; nothing else gets past `formula_codes`. It is evaluated by
simpleeval (never `eval`) with every number turned into a `Fraction`, so the arithmetic is
exact — `(1 / 3) * 3` is 1, not 0.999… — and no float is ever involved. Only the result is
rounded, to 28 significant digits, when it becomes a `Decimal`. A power with a fractional
exponent has no exact value; it is computed with `Decimal` and then carried on exactly.

A missing input, a division by zero or a power too large to compute gives None ("no data"),
not an error: those depend on the period's numbers. A formula that is wrong in itself (syntax,
unknown code, cycle) raises `FormulaError` with the reason, for the form to show.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Collection, Mapping
from decimal import Decimal, DecimalException, localcontext
from fractions import Fraction
from typing import Any

import simpleeval

FUNCTIONS: dict[str, Any] = {"min": min, "max": max, "abs": abs}
_ALLOWED_BINARY = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}
_REFUSED_BINARY = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
}
# A constant exponent above this is refused when the formula is saved.
MAX_EXPONENT = 100
# A power whose exact value would need more bits than this gives "no data" (about 3000 digits).
_MAX_POWER_BITS = 10_000
_RESULT_DIGITS = 28
_HELP = "a formula may use KPI codes, numbers, + - * / **, parentheses and min(), max(), abs()"


class FormulaError(ValueError):
    """A formula that cannot be saved, with the reason in plain words."""


class _TooLarge(ArithmeticError):
    pass


# --- parsing and checking ------------------------------------------------------------------------


# Every scorecard reads the same few formulas thousands of times: each is parsed and checked
# once (a refused formula raises each time). Nothing changes a parsed tree.
@functools.lru_cache(maxsize=4096)
def _parse(formula: str) -> ast.expr:
    text = formula.strip()
    if not text:
        raise FormulaError("The formula is empty.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        where = f" at character {exc.offset}" if exc.offset else ""
        raise FormulaError(f"The formula has a syntax error{where}: {exc.msg}.") from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaError("The formula cannot be read.") from None
    _check(tree.body, text)
    return tree.body


def _check(node: ast.expr, text: str) -> None:
    """Refuse anything but numbers, names, the five operators and the three functions."""
    shown = ast.get_source_segment(text, node) or ast.unparse(node)
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise FormulaError(f"{shown} is not a number: {_HELP}.")
        if node.value != node.value or node.value in (float("inf"), float("-inf")):
            raise FormulaError(f"{shown} is too large a number.")
    elif isinstance(node, ast.Name):
        pass
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.UAdd | ast.USub):
            raise FormulaError(f"The operator in {shown} is not allowed: {_HELP}.")
        _check(node.operand, text)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _ALLOWED_BINARY:
            symbol = _REFUSED_BINARY.get(type(node.op), type(node.op).__name__)
            raise FormulaError(f"The operator {symbol} is not allowed: {_HELP}.")
        exponent = node.right
        while isinstance(exponent, ast.UnaryOp):
            exponent = exponent.operand
        if isinstance(node.op, ast.Pow) and isinstance(exponent, ast.Constant):
            value = exponent.value
            if isinstance(value, int | float) and abs(value) > MAX_EXPONENT:
                raise FormulaError(f"The exponent in {shown} is above {MAX_EXPONENT}.")
        _check(node.left, text)
        _check(node.right, text)
    elif isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise FormulaError(
                f"{shown} is not allowed: only min(), max() and abs() can be called."
            )
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise FormulaError(f"{name}() takes plain values separated by commas, in {shown}.")
        if name == "abs" and len(node.args) != 1:
            raise FormulaError(f"abs() takes exactly one value, in {shown}.")
        if name != "abs" and len(node.args) < 2:
            raise FormulaError(f"{name}() takes two or more values, in {shown}.")
        for arg in node.args:
            _check(arg, text)
    else:
        raise FormulaError(f"{shown} is not allowed: {_HELP}.")


def _codes(tree: ast.expr) -> set[str]:
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {
        node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called
    }


def formula_codes(formula: str) -> set[str]:
    """The KPI codes a formula uses; raises FormulaError when it is not a valid formula."""
    return set(_formula_codes(formula))


@functools.lru_cache(maxsize=4096)
def _formula_codes(formula: str) -> frozenset[str]:
    # Asked for each calculated KPI of every scorecard, as `_parse` is.
    return frozenset(_codes(_parse(formula)))


def mask_codes(formula: str, codes: Collection[str], mask: str) -> str:
    """The formula as written, with every use of one of `codes` replaced by `mask`.

    Only the KPI codes the formula uses are replaced, never part of a longer code or a
    function name. A formula that cannot be read is masked whole when there is anything to mask.
    """
    text = formula.strip()
    if not codes:
        return text
    try:
        tree = _parse(text)
    except FormulaError:
        return mask
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    # The parser's offsets count UTF-8 bytes from the start of each line.
    source = text.encode()
    line_starts = [0]
    for line in source.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    spans = sorted(
        (
            line_starts[node.lineno - 1] + node.col_offset,
            line_starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0),
        )
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and id(node) not in called and node.id in codes
    )
    for start, end in reversed(spans):
        source = source[:start] + mask.encode() + source[end:]
    return source.decode()


# --- dependencies between calculated KPIs ------------------------------------------------------


def _find_path(
    start: str, goal: str, dependencies: Mapping[str, Collection[str]]
) -> list[str] | None:
    """A path of dependencies from `start` to `goal`, both included, or None."""
    seen: set[str] = set()
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    while stack:
        code, path = stack.pop()
        if code == goal:
            return path
        if code in seen:
            continue
        seen.add(code)
        for used in sorted(dependencies.get(code, ()), reverse=True):
            stack.append((used, [*path, used]))
    return None


def validate_formula(
    code: str,
    formula: str,
    known_codes: Collection[str],
    dependencies: Mapping[str, Collection[str]],
) -> set[str]:
    """The codes the formula of KPI `code` uses, or FormulaError saying why it cannot be saved.

    `known_codes` are the plan's KPI codes; `dependencies` maps each calculated KPI's code to
    the codes its formula uses (the current formula of `code`, if any, is ignored).
    """
    codes = formula_codes(formula)
    if code in codes:
        raise FormulaError(f"The formula uses its own KPI: {code} → {code}.")
    unknown = sorted(codes - set(known_codes))
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise FormulaError(f"Unknown KPI code{plural}: {', '.join(unknown)}.")
    graph = {**dependencies, code: codes}
    for used in sorted(codes):
        path = _find_path(used, code, graph)
        if path is not None:
            raise FormulaError(f"The formula would make a cycle: {' → '.join([code, *path])}.")
    return codes


def evaluation_order(dependencies: Mapping[str, Collection[str]]) -> list[str]:
    """The calculated KPIs (the keys) ordered so that every one comes after those it uses.

    Codes that are not keys are plain inputs and are left out. Ties are broken by code, so the
    order is stable. Raises FormulaError naming the cycle if there is one.
    """
    order: list[str] = []
    done: set[str] = set()
    for root in sorted(dependencies):
        if root in done:
            continue
        # Iterative depth-first search: (code, path to it, its inputs still to visit).
        stack: list[tuple[str, list[str]]] = [(root, sorted(dependencies[root], reverse=True))]
        on_path = [root]
        while stack:
            code, pending = stack[-1]
            while pending and (pending[-1] in done or pending[-1] not in dependencies):
                pending.pop()
            if not pending:
                stack.pop()
                on_path.pop()
                done.add(code)
                order.append(code)
                continue
            used = pending.pop()
            if used in on_path:
                cycle = [*on_path[on_path.index(used) :], used]
                raise FormulaError(f"The formulas make a cycle: {' → '.join(cycle)}.")
            stack.append((used, sorted(dependencies[used], reverse=True)))
            on_path.append(used)
    return order


def dependants(code: str, dependencies: Mapping[str, Collection[str]]) -> list[str]:
    """The calculated KPIs to recompute when `code` changes, in evaluation order."""
    affected = {other for other in dependencies if _find_path(other, code, dependencies)}
    affected.discard(code)
    return [other for other in evaluation_order(dependencies) if other in affected]


# --- evaluation ----------------------------------------------------------------------------------


def _to_fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def _to_decimal(value: Fraction, digits: int = _RESULT_DIGITS) -> Decimal:
    with localcontext(prec=digits):
        return Decimal(value.numerator) / Decimal(value.denominator)


def _power(base: Fraction, exponent: Fraction) -> Fraction:
    if exponent.denominator == 1:
        size = max(base.numerator.bit_length(), base.denominator.bit_length())
        if size * abs(exponent.numerator) > _MAX_POWER_BITS:
            raise _TooLarge
        return base**exponent.numerator
    if base < 0:
        raise _TooLarge  # no real value; "no data" like any other impossible number
    with localcontext(prec=_RESULT_DIGITS + 12) as context:
        result = _to_decimal(base, context.prec) ** _to_decimal(exponent, context.prec)
    return Fraction(result)


_OPERATORS: dict[type[ast.AST], Any] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: _power,
    ast.USub: lambda a: -a,
    ast.UAdd: lambda a: +a,
}


class _Evaluator(simpleeval.SimpleEval):
    """simpleeval limited to the formula grammar, computing with Fractions."""

    def __init__(self, names: dict[str, Fraction]) -> None:
        super().__init__(operators=dict(_OPERATORS), functions=dict(FUNCTIONS), names=names)
        self.nodes = {
            ast.Name: self._eval_name,
            ast.UnaryOp: self._eval_unaryop,
            ast.BinOp: self._eval_binop,
            ast.Call: self._eval_call,
            ast.Constant: self._eval_number,
        }

    @staticmethod
    def _eval_number(node: ast.Constant) -> Fraction:
        # repr gives the shortest text of a float, so 0.1 becomes exactly 1/10.
        value = node.value
        if isinstance(value, float):
            return Fraction(repr(value))
        if isinstance(value, int):
            return Fraction(value)
        raise FormulaError(f"{value!r} is not a number.")  # refused by _check already


def evaluate_formula(formula: str, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """The formula's value for the inputs, or None when an input is missing or it cannot be
    computed (division by zero, a power too large). Raises FormulaError for an invalid formula.
    """
    tree = _parse(formula)
    names: dict[str, Fraction] = {}
    for code in _codes(tree):
        value = values.get(code)
        if value is None or not value.is_finite():
            return None
        names[code] = _to_fraction(value)
    try:
        result = _Evaluator(names).eval(formula.strip(), previously_parsed=tree)
    except (ArithmeticError, DecimalException):
        return None
    return _to_decimal(Fraction(result))
