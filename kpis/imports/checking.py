"""Checking read rows: the preview deciding for every row whether it will create, change, leave
unchanged, skip or refuse it, and why, and how each accepted row will score. Nothing here
writes: `kpis.services.import_commit` checks the rows again and writes them.

A row with no value to import (the template's rows left blank) is skipped, not refused: a
person fills in the KPIs they have numbers for and uploads the file as it is.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from core.many_values import many_values
from core.numbers import parse_number, parse_required_number, plain_number
from kpis import periods, scoring
from kpis.imports.columns import (
    ACTUAL_COLUMNS,
    BLANK_ROW,
    ERROR_KEY,
    OFF_TRACK_IN_IMPORT,
    ROW_KEY,
    TARGET_COLUMNS,
    VALUE_COLUMNS,
)
from kpis.models import Actual, Kpi, Target
from kpis.period_params import parse_period
from kpis.rules import actuals_refusal
from kpis.selectors import (
    KpiCodes,
    closed_message,
    closed_through,
    future_message,
    kpis_updatable_among,
    needs_corrective_action,
    target_result,
)
from strategy.models import StrategicPlan


class RowStatus(StrEnum):
    CREATE = "create"
    CHANGE = "change"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {
            "create": "will create",
            "change": "will change",
            "unchanged": "unchanged",
            "skipped": "skipped",
            "refused": "refused",
        }[self.value]


# A target's goal, red flag, upper goal and upper red flag.
TargetValues = tuple[Decimal, Decimal | None, Decimal | None, Decimal | None]


class Kind(StrEnum):
    ACTUAL = "actual"
    TARGET = "target"


@dataclass
class CheckedRow:
    """One row of the file and what importing it will do."""

    number: int
    cells: dict[str, str]
    status: RowStatus = RowStatus.REFUSED
    reason: str = ""
    kind: Kind | None = None
    kpi: Kpi | None = None
    period: datetime.date | None = None
    value: Decimal | None = None
    analysis: str | None = None
    corrective_action: str | None = None
    target: TargetValues | None = None
    before: str = ""
    after: str = ""
    # How the KPI will score in the row's period once the row is imported (the stored actual
    # against a target row's values); None when there is nothing to score.
    result: scoring.KpiResult | None = None

    @property
    def accepted(self) -> bool:
        return self.status in (RowStatus.CREATE, RowStatus.CHANGE, RowStatus.UNCHANGED)

    @property
    def writes(self) -> bool:
        return self.status in (RowStatus.CREATE, RowStatus.CHANGE)


class _Refused(Exception):
    pass


def _show(value: Decimal | None) -> str:
    return "—" if value is None else plain_number(value)


def _target_text(values: Sequence[Decimal | None]) -> str:
    goal, red_flag, goal_high, red_flag_high = values
    text = f"goal {_show(goal)}, red flag {_show(red_flag) if red_flag is not None else 'derived'}"
    if goal_high is not None:
        text += f", upper goal {_show(goal_high)}, upper red flag {_show(red_flag_high)}"
    return text


class _Resolver:
    """Finds KPIs by code for the person (`KpiCodes`): in the plan chosen, or else uniquely
    across the current plans they can see."""

    def __init__(self, codes: Iterable[str], *, user: User, plan: StrategicPlan | None) -> None:
        self.plan_id = plan.pk if plan is not None else None
        self.user = user
        self.codes = KpiCodes(user, ((self.plan_id, code) for code in codes))
        self._updatable: set[int] | None = None
        self._may_edit: dict[int, bool] = {}

    def kpi(self, code: str) -> Kpi:
        found = self.codes.find(code, self.plan_id)
        if isinstance(found, str):
            raise _Refused(found)
        return found

    def actuals_refusal(self, kpi: Kpi) -> str | None:
        """`kpis.update_actuals` for every KPI of the file at once, on the first question."""
        if self._updatable is None:
            found = [*self.codes.by_plan_code.values()]
            found += [kpi for kpis in self.codes.by_code.values() for kpi in kpis]
            self._updatable = kpis_updatable_among(self.user, (kpi.pk for kpi in found))
        return actuals_refusal(self.user, kpi, is_updater=kpi.pk in self._updatable)

    def may_edit(self, kpi: Kpi) -> bool:
        if kpi.pk not in self._may_edit:
            self._may_edit[kpi.pk] = self.user.has_perm("kpis.change_kpi", kpi)
        return self._may_edit[kpi.pk]


def _number(cells: dict[str, str], column: str, kpi: Kpi, *, required: bool) -> Decimal | None:
    text = cells.get(column, "")
    try:
        if required:
            return parse_required_number(text, percent=kpi.is_percentage)
        return parse_number(text, percent=kpi.is_percentage)
    except ValidationError as error:
        if error.code == "required":
            raise _Refused(f"No {column.replace('_', ' ')}.") from None
        raise _Refused(f"{column}: {error.messages[0]}") from None


class _StoredActual(NamedTuple):
    """A stored actual's values that a row is compared with."""

    value: Decimal
    analysis: str
    corrective_action: str


class _StoredTarget(NamedTuple):
    """A stored target's values (scored as a Target is)."""

    goal: Decimal
    red_flag: Decimal | None
    goal_high: Decimal | None
    red_flag_high: Decimal | None


def check_rows(
    rows: Sequence[dict[str, Any]],
    *,
    user: User,
    plan: StrategicPlan | None,
    scored: bool = True,
) -> list[CheckedRow]:
    """What importing each row would do now, for this person, with KPI codes of `plan`.

    A fixed number of queries: KPIs, the close date, existing actuals and targets (read as
    plain values), the person's access and which of the KPIs they update. With `scored`, each
    accepted row also gets the score it will give, explained (`result`), as the preview shows
    it; the commit, which shows none, leaves it out.
    """
    fy = settings.FISCAL_YEAR_START_MONTH
    today = timezone.localdate()
    checked = [
        CheckedRow(
            number=int(row.get(ROW_KEY, 0)),
            cells={k: str(v) for k, v in row.items() if not k.startswith("_")},
        )
        for row in rows
    ]
    resolver = _Resolver((row.cells.get("kpi_code", "") for row in checked), user=user, plan=plan)
    seen: dict[tuple[Kind, int, datetime.date], int] = {}
    for row, raw in zip(checked, rows, strict=True):
        try:
            if raw.get(ERROR_KEY):
                raise _Refused(str(raw[ERROR_KEY]))
            if not any(row.cells.get(column, "").strip() for column in VALUE_COLUMNS):
                row.status, row.reason = RowStatus.SKIPPED, BLANK_ROW
                continue
            kind, kpi, period = _check_row(row, resolver, fy, today)
            key = (kind, kpi.pk, period)
            if key in seen:
                raise _Refused(
                    f"Row {seen[key]} already sets the {kind} of {kpi.code} for "
                    f"{periods.label(period, kpi.frequency, fy)}."
                )
            seen[key] = row.number
            row.status = RowStatus.CREATE  # until compared with what is stored
        except _Refused as refusal:
            row.status = RowStatus.REFUSED
            row.reason = str(refusal)
    accepted = [row for row in checked if row.accepted]
    through = closed_through()
    kpi_ids = {row.kpi.pk for row in accepted if row.kpi}
    period_set = {row.period for row in accepted if row.period}
    actuals = {
        (kpi_id, period): _StoredActual(*values)
        for kpi_id, period, *values in Actual.objects.filter(
            kpi_id__in=many_values(kpi_ids), period__in=many_values(period_set)
        )
        .order_by()
        .values_list("kpi_id", "period", *_StoredActual._fields)
    }
    targets = {
        (kpi_id, period): _StoredTarget(*values)
        for kpi_id, period, *values in Target.objects.filter(
            kpi_id__in=many_values(kpi_ids), period__in=many_values(period_set)
        )
        .order_by()
        .values_list("kpi_id", "period", *_StoredTarget._fields)
    }
    for row in accepted:
        if row.kpi is None or row.period is None:
            continue
        stored = (row.kpi.pk, row.period)
        if periods.is_closed(row.period, row.kpi.frequency, through):
            row.status = RowStatus.REFUSED
            row.reason = closed_message(row.period, row.kpi.frequency)
        elif row.value is not None:
            _compare_actual(row, row.value, actuals.get(stored), targets.get(stored))
            if scored and row.accepted:
                row.result = target_result(row.kpi, targets.get(stored), row.value)
        elif row.target is not None:
            _compare_target(row, row.target, targets.get(stored))
            if scored and (actual := actuals.get(stored)) is not None:
                new = _StoredTarget(*row.target)
                row.result = target_result(row.kpi, new, actual.value)
    return checked


def _check_row(
    row: CheckedRow, resolver: _Resolver, fy: int, today: datetime.date
) -> tuple[Kind, Kpi, datetime.date]:
    """Fill in the row's kind, KPI, period and values, or raise _Refused saying why."""
    cells = row.cells
    kind_text = cells.get("kind", "").strip().lower()
    if kind_text not in Kind.__members__.values():
        raise _Refused(f"Kind must be actual or target, not “{cells.get('kind', '')}”.")
    kind = row.kind = Kind(kind_text)
    kpi = row.kpi = resolver.kpi(cells.get("kpi_code", "").strip())
    period_text = cells.get("period", "").strip()
    period = parse_period(period_text)
    if period is None:
        raise _Refused(f"Bad period “{period_text}”: write it as YYYY-MM or YYYY-MM-DD.")
    start = periods.period_start(period, kpi.frequency, fy)
    if start != period:
        raise _Refused(
            f"Bad period {period_text}: {kpi.code} is {kpi.frequency} and its period containing "
            f"it starts on {start.isoformat()}."
        )
    row.period = period
    if row.kind is Kind.ACTUAL:
        refusal = resolver.actuals_refusal(kpi)
        if refusal is not None:
            raise _Refused(refusal)
        stray = [column for column in TARGET_COLUMNS if cells.get(column, "").strip()]
        if stray:
            raise _Refused(
                "An actual row takes value, analysis and corrective_action, "
                f"not {', '.join(stray)}."
            )
        if period > today:
            raise _Refused(future_message(period))
        row.value = _number(cells, "value", kpi, required=True)
        # An empty analysis or corrective action keeps the stored one.
        row.analysis = cells.get("analysis", "").strip() or None
        row.corrective_action = cells.get("corrective_action", "").strip() or None
        return kind, kpi, period
    if not resolver.may_edit(kpi):
        raise _Refused(f"No permission: you may not set the targets of {kpi.code}.")
    stray = [column for column in ACTUAL_COLUMNS if cells.get(column, "").strip()]
    if stray:
        raise _Refused(
            "A target row takes goal, red_flag, goal_high and red_flag_high, "
            f"not {', '.join(stray)}."
        )
    goal = _number(cells, "goal", kpi, required=True) or Decimal(0)  # required: never None
    values = (
        goal,
        _number(cells, "red_flag", kpi, required=False),
        _number(cells, "goal_high", kpi, required=False),
        _number(cells, "red_flag_high", kpi, required=False),
    )
    errors = scoring.validate_target(kpi.direction, *values, tolerance=kpi.tolerance)
    if errors:
        raise _Refused(" ".join(errors.values()))
    row.target = values
    return kind, kpi, period


def _compare_actual(
    row: CheckedRow,
    value: Decimal,
    current: _StoredActual | None,
    target: _StoredTarget | None,
) -> None:
    row.after = plain_number(value)
    texts = (current.analysis, current.corrective_action) if current is not None else ("", "")
    analysis = texts[0] if row.analysis is None else row.analysis
    action = texts[1] if row.corrective_action is None else row.corrective_action
    if current is not None and (current.value, *texts) == (value, analysis, action):
        row.status = RowStatus.UNCHANGED
        row.before = plain_number(current.value)
    elif row.kpi is not None and needs_corrective_action(row.kpi, target, value, action):
        row.status, row.reason = RowStatus.REFUSED, OFF_TRACK_IN_IMPORT
    elif current is None:
        row.status = RowStatus.CREATE
    else:
        row.status = RowStatus.CHANGE
        row.before = plain_number(current.value)
        if current.value == value:
            row.before, row.after = "analysis", "new analysis"


def _compare_target(row: CheckedRow, target: TargetValues, current: _StoredTarget | None) -> None:
    row.after = _target_text(target)
    if current is None:
        row.status = RowStatus.CREATE
        return
    row.before = _target_text(current)
    row.status = RowStatus.UNCHANGED if tuple(current) == target else RowStatus.CHANGE


def preview_order(rows: Iterable[CheckedRow]) -> list[CheckedRow]:
    """The rows as the preview lists them: refused ones first, so the errors to fix are not
    buried; then the ones to import, in file order; skipped ones last."""
    rank = {RowStatus.REFUSED: 0, RowStatus.SKIPPED: 2}
    return sorted(rows, key=lambda row: rank.get(row.status, 1))


def outcome_digest(rows: Iterable[CheckedRow]) -> str:
    """A fingerprint of what each row will do, to tell whether a commit still matches its
    preview (a row that would now change an actual rather than create it counts)."""
    outcomes = ",".join(f"{row.number}:{row.status.value}" for row in rows)
    return hashlib.sha256(outcomes.encode()).hexdigest()
