"""Writing actuals: one at a time (`actual_record`), many at once (`actuals_bulk_record`), and
reviewing them (`actual_review`, with the self-approval refusal; `review_refusal` says why a
queue offers no review).

An actual is refused for a closed period, a period that has not started, a KPI that takes no
actuals and a stale version; a value saved unchanged writes nothing. A value that puts its KPI
off track for the period (it was not off track before, or had no actual) is told to the
off-track webhooks once the write commits (`kpis.services.webhooks.went_off_track`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.audit_bulk import BulkEntry, record_bulk_entries
from accounts.models import User
from core import data_version
from core.many_values import many_values
from core.numbers import plain_number
from kpis import periods
from kpis.models import Actual, ActualStatus, Kpi, Target, actual_name
from kpis.rules import actuals_closed
from kpis.selectors import (
    OFF_TRACK_NEEDS_ACTION,
    closed_message,
    closed_through,
    future_message,
    needs_corrective_action,
)
from kpis.services.closing import PeriodClosed, refuse_closed
from kpis.services.common import Outcome, Source
from kpis.services.webhooks import OffTrack, kpis_off_track_record, went_off_track


class ActualVersionConflict(ValidationError):
    """The actual was changed by someone else since the version the change was based on."""

    def __init__(self, current: Actual) -> None:
        self.current = current
        who = current.entered_by or "someone else"
        super().__init__(
            f"{who} saved {plain_number(current.value)} for this period in the meantime "
            f"(version {current.version}); reload to see it before changing it.",
            code="version_conflict",
        )


def _refuse_unwritable(kpi: Kpi, period: date) -> None:
    """Refuse a KPI that takes no actuals, and a period that has not started yet."""
    refusal = actuals_closed(kpi)
    if refusal is not None:
        raise ValidationError(refusal)
    if period > timezone.localdate():
        raise ValidationError(future_message(period), code="future_period")


def _unchanged(
    *, stored: tuple[Decimal, str, str], status: str, given: tuple[Decimal, str, str]
) -> bool:
    """Whether saving the `given` (value, analysis, corrective action) over the `stored` ones
    writes nothing: an approved actual saved unchanged stays approved (nothing new for an
    approver to review). Only a returned actual saved again unchanged is written, as a new
    submission: its updater confirms the value."""
    resubmitted = settings.SCORECARD_APPROVAL and status == ActualStatus.RETURNED
    return stored == given and not resubmitted


def _new_status() -> str:
    return ActualStatus.SUBMITTED if settings.SCORECARD_APPROVAL else ActualStatus.APPROVED


def actual_record(
    *,
    kpi: Kpi,
    period: date,
    value: Decimal,
    by: User | None,
    analysis: str = "",
    corrective_action: str = "",
    expected_version: int | None = None,
    source: Source = Source.PERSON,
) -> tuple[Actual, Outcome]:
    """Create or change the KPI's actual for the period.

    `expected_version` is the version the change was based on (0 for "there was none"); a
    different current version raises ActualVersionConflict and nothing is written. A save
    that changes nothing keeps the version (`_unchanged`). A closed period raises PeriodClosed,
    a future one ValidationError. From a person (`Source`), a change that puts the KPI off
    track needs a corrective action (ValidationError on "corrective_action"). With approval
    on, a change is submitted anew.
    """
    _refuse_unwritable(kpi, period)
    with transaction.atomic():
        refuse_closed(period, kpi.frequency)
        existing = (
            # Lock the actual's row only: PostgreSQL cannot lock the nullable side of a join.
            Actual.objects.select_for_update(of=("self",))
            .select_related("entered_by")
            .filter(kpi=kpi, period=period)
            .first()
        )
        current_version = existing.version if existing else 0
        if expected_version is not None and expected_version != current_version:
            if existing is None:
                raise ValidationError("This actual was deleted in the meantime; reload the page.")
            raise ActualVersionConflict(existing)
        if existing is not None and _unchanged(
            stored=(existing.value, existing.analysis, existing.corrective_action),
            status=existing.status,
            given=(value, analysis, corrective_action),
        ):
            return existing, Outcome.UNCHANGED
        target = Target.objects.filter(kpi=kpi, period=period).first()
        if source is Source.PERSON and needs_corrective_action(
            kpi, target, value, corrective_action
        ):
            raise ValidationError({"corrective_action": OFF_TRACK_NEEDS_ACTION})
        off_track = went_off_track(
            kpi=kpi,
            target=target,
            period=period,
            before=existing.value if existing else None,
            after=value,
        )
        if existing is None:
            actual = Actual(
                kpi=kpi,
                period=period,
                value=value,
                analysis=analysis,
                corrective_action=corrective_action,
                entered_by=by,
                status=_new_status(),
            )
            outcome = Outcome.CREATED
        else:
            actual = existing
            actual.value = value
            actual.analysis = analysis
            actual.corrective_action = corrective_action
            actual.entered_by = by
            actual.version = current_version + 1
            actual.status = _new_status()
            actual.reviewed_by = None
            actual.reviewed_at = None
            outcome = Outcome.UPDATED
        actual.full_clean()
        actual.save()
        if off_track is not None:
            kpis_off_track_record(changes=[off_track])
        return actual, outcome


@dataclass(frozen=True)
class ActualRow:
    """One row of a bulk write: the KPI, its period and the value; an analysis or corrective
    action left out (None) keeps the stored one."""

    kpi: Kpi
    period: date
    value: Decimal
    analysis: str | None = None
    corrective_action: str | None = None


class ActualWritten(NamedTuple):
    """What a bulk write did with one row: the actual's id and version after it."""

    id: int
    kpi_id: int
    period: date
    version: int
    outcome: Outcome


class _Stored(NamedTuple):
    """An actual as stored before a bulk write, read as plain values."""

    id: int
    value: Decimal
    analysis: str
    corrective_action: str
    entered_by_id: int | None
    version: int
    status: str
    review_comment: str
    reviewed_by_id: int | None
    reviewed_at: datetime | None


class _Thresholds(NamedTuple):
    """A target's values, read as plain values (scored as a Target is)."""

    goal: Decimal
    red_flag: Decimal | None
    goal_high: Decimal | None
    red_flag_high: Decimal | None


class _PeriodCheck(NamedTuple):
    """What a period of a frequency allows, decided once for every row of that period."""

    future: bool
    closed: bool
    starts_period: bool


def _period_check(period: date, frequency: str, through: date | None) -> _PeriodCheck:
    return _PeriodCheck(
        future=period > timezone.localdate(),
        closed=periods.is_closed(period, frequency, through),
        starts_period=periods.is_period_start(period, frequency, settings.FISCAL_YEAR_START_MONTH),
    )


def _row_refusals(rows: Sequence[ActualRow], through: date | None) -> dict[str, ValidationError]:
    """Every row a bulk write refuses before reading what is stored, by row index, with the
    messages `actual_record` gives: a KPI that takes no actuals, a future period, the same
    (KPI, period) twice, a closed period, a value the field does not hold, a day that does not
    start its period. Decided on plain values, once per KPI and once per (frequency, period).
    """
    value_field = Actual._meta.get_field("value")
    kpi_refusals: dict[int, str | None] = {}
    period_checks: dict[tuple[str, date], _PeriodCheck] = {}
    seen: dict[tuple[int, date], int] = {}
    errors: dict[str, ValidationError] = {}
    for index, row in enumerate(rows):
        kpi = row.kpi
        key = (kpi.pk, row.period)
        if kpi.pk not in kpi_refusals:
            kpi_refusals[kpi.pk] = actuals_closed(kpi)
        check = period_checks.get((kpi.frequency, row.period))
        if check is None:
            check = _period_check(row.period, kpi.frequency, through)
            period_checks[(kpi.frequency, row.period)] = check
        try:
            if (refusal := kpi_refusals[kpi.pk]) is not None:
                raise ValidationError(refusal)
            if check.future:
                raise ValidationError(future_message(row.period), code="future_period")
            if key in seen:
                raise ValidationError(f"Row {seen[key]} already sets {kpi.code} for {row.period}.")
            if check.closed:
                raise PeriodClosed(row.period, kpi.frequency)
            try:
                value_field.clean(row.value, None)
            except ValidationError as error:
                raise ValidationError({"value": error.error_list}) from None
            if not check.starts_period:
                Actual(kpi=kpi, period=row.period, value=row.value).clean()  # says why
        except ValidationError as error:
            errors[str(index)] = error
        seen.setdefault(key, index)
    return errors


# Rows per INSERT of a bulk write on SQLite, which allows at most 32,766 parameters in one
# statement.
BULK_BATCH = 2000
# What a bulk write sets on an actual that already exists (`bulk_create`'s update_fields).
UPSERTED_FIELDS = [
    "value",
    "analysis",
    "corrective_action",
    "entered_by",
    "entered_at",
    "version",
    "status",
    "reviewed_by",
    "reviewed_at",
]
# The same, as the columns set from the new row in SQL (the review's are set to NULL).
UPSERTED_FIELDS_SQL = [
    "value",
    "analysis",
    "corrective_action",
    "entered_by_id",
    "entered_at",
    "version",
    "status",
]


# The recorded fields of an actual, as the audit trail names them, and what a bulk write
# sets on one; the rest (the KPI, the period) is its identity, and a review is cleared
# because the changed value is a new submission.
_WRITTEN_COLUMNS = [
    "kpi_id",
    "period",
    "value",
    "analysis",
    "corrective_action",
    "entered_by_id",
    "version",
    "status",
    "review_comment",
]


def _upsert(rows: list[tuple[Any, ...]], *, plans: set[int]) -> dict[tuple[int, date], int]:
    """Write the rows (in `_WRITTEN_COLUMNS`' order) with one INSERT … ON CONFLICT (kpi_id,
    period) DO UPDATE, and answer each actual's id by (KPI id, period). `plans` are the
    written KPIs' plans, whose kept scores the write ends (`core.data_version`).

    On PostgreSQL the rows go through COPY into a temporary table and are inserted from it:
    psycopg would otherwise quote every value of a statement's parameters in Python. SQLite
    has no COPY: `bulk_create` writes the same statement there, in batches.
    """
    entered_at = timezone.now()
    if connection.vendor != "postgresql":
        written = [
            Actual(**dict(zip(_WRITTEN_COLUMNS, row, strict=True)), entered_at=entered_at)
            for row in rows
        ]
        Actual.objects.bulk_create(
            written,
            batch_size=BULK_BATCH,
            update_conflicts=True,
            unique_fields=["kpi", "period"],
            update_fields=UPSERTED_FIELDS,
        )
        data_version.bump(plans=plans)  # a bulk insert sends no signals
        return {(actual.kpi_id, actual.period): actual.pk for actual in written}
    columns = ", ".join(_WRITTEN_COLUMNS)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in UPSERTED_FIELDS_SQL)
    with connection.cursor() as cursor:
        # Dropped at commit; dropped first too, for a second bulk write in one transaction.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.actuals_written")
        cursor.execute(
            # The names in these statements are this module's own, never a caller's.
            f"CREATE TEMPORARY TABLE actuals_written ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM kpis_actual WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY actuals_written ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO kpis_actual ({columns}, entered_at) "  # noqa: S608
            f"SELECT {columns}, %s FROM actuals_written "
            f"ON CONFLICT (kpi_id, period) DO UPDATE SET {updates}, "
            "reviewed_by_id = NULL, reviewed_at = NULL "
            "RETURNING kpi_id, period, id",
            [entered_at],
        )
        ids = {(kpi_id, period): pk for kpi_id, period, pk in cursor.fetchall()}
    data_version.bump(plans=plans)  # a bulk insert sends no signals
    return ids


def _audit_values(kpi_id: int, period: date, stored: _Stored | None) -> dict[str, Any]:
    """An actual's recorded fields before a bulk write, as the audit trail names them."""
    if stored is None:
        return {}
    return {
        "kpi": kpi_id,
        "period": period,
        "value": stored.value,
        "analysis": stored.analysis,
        "corrective_action": stored.corrective_action,
        "entered_by": stored.entered_by_id,
        "status": stored.status,
        "review_comment": stored.review_comment,
        "reviewed_by": stored.reviewed_by_id,
        "reviewed_at": stored.reviewed_at,
    }


def actuals_bulk_record(
    *, rows: Sequence[ActualRow], by: User | None, source: Source = Source.PERSON
) -> list[ActualWritten]:
    """Upsert many actuals at once, all or nothing, answering per row (set-based).

    Each row is validated like `actual_record` (closed and future periods, and from a person
    the corrective action of an off-track value, included); unchanged rows are decided as
    there (`_unchanged`) and not written. The same (KPI, period) twice in one call is refused.
    Raises ValidationError with `error_dict` keyed by row index ("0", "1", ...) listing every
    bad row. A fixed number of queries whatever the number of rows.
    """
    through = closed_through()
    refusals = _row_refusals(rows, through)
    if refusals:
        raise ValidationError({index: [error] for index, error in refusals.items()})

    with transaction.atomic():
        kpi_ids = {row.kpi.pk for row in rows}
        period_list = {row.period for row in rows}
        # Again inside the transaction: a close made since the check above wins.
        if (now_through := closed_through()) != through:
            for row in rows:
                if periods.is_closed(row.period, row.kpi.frequency, now_through):
                    raise PeriodClosed(row.period, row.kpi.frequency)
        stored = {
            (kpi_id, period): _Stored(*values)
            for kpi_id, period, *values in Actual.objects.select_for_update()
            .filter(kpi_id__in=many_values(kpi_ids), period__in=many_values(period_list))
            .order_by()
            .values_list("kpi_id", "period", *_Stored._fields)
        }
        targets = {
            (kpi_id, period): _Thresholds(*values)
            for kpi_id, period, *values in Target.objects.filter(
                kpi_id__in=many_values(kpi_ids), period__in=many_values(period_list)
            )
            .order_by()
            .values_list("kpi_id", "period", *_Thresholds._fields)
        }
        status = _new_status()
        by_id = by.pk if by is not None else None
        errors: dict[str, list[ValidationError]] = {}
        off_track: list[OffTrack] = []
        written_plans: set[int] = set()
        # Per row: its answer when unchanged, else the stored actual (None: new) and the
        # columns to write.
        decided: list[ActualWritten | tuple[_Stored | None, tuple[Any, ...]]] = []
        for index, row in enumerate(rows):
            kpi = row.kpi
            current = stored.get((kpi.pk, row.period))
            target = targets.get((kpi.pk, row.period))
            if current is None:
                analysis = row.analysis or ""
                action = row.corrective_action or ""
            else:
                analysis = current.analysis if row.analysis is None else row.analysis
                action = (
                    current.corrective_action
                    if row.corrective_action is None
                    else row.corrective_action
                )
                if _unchanged(
                    stored=(current.value, current.analysis, current.corrective_action),
                    status=current.status,
                    given=(row.value, analysis, action),
                ):
                    decided.append(
                        ActualWritten(
                            current.id, kpi.pk, row.period, current.version, Outcome.UNCHANGED
                        )
                    )
                    continue
            if source is Source.PERSON and needs_corrective_action(kpi, target, row.value, action):
                errors[str(index)] = [ValidationError(OFF_TRACK_NEEDS_ACTION)]
                continue
            went = went_off_track(
                kpi=kpi,
                target=target,
                period=row.period,
                before=current.value if current is not None else None,
                after=row.value,
            )
            if went is not None:
                off_track.append(went)
            written_plans.add(kpi.plan_id)
            decided.append(
                (
                    current,
                    (
                        kpi.pk,
                        row.period,
                        row.value,
                        analysis,
                        action,
                        by_id,
                        # The row is locked above, so its next version is decided here.
                        current.version + 1 if current is not None else 1,
                        status,
                        current.review_comment if current is not None else "",
                    ),
                )
            )
        if errors:
            raise ValidationError(errors)
        ids = _upsert(
            [d[1] for d in decided if not isinstance(d, ActualWritten)], plans=written_plans
        )
        results: list[ActualWritten] = []
        entries: list[BulkEntry] = []
        for row, decision in zip(rows, decided, strict=True):
            if isinstance(decision, ActualWritten):
                results.append(decision)
                continue
            current, columns = decision
            pk = ids[(row.kpi.pk, row.period)]
            after = dict(zip(_WRITTEN_COLUMNS, columns, strict=True))
            entries.append(
                BulkEntry(
                    object_id=pk,
                    object_repr=actual_name(row.kpi.code, row.period, row.value),
                    before=_audit_values(row.kpi.pk, row.period, current) or None,
                    after={
                        "kpi": row.kpi.pk,
                        "period": row.period,
                        "value": row.value,
                        "analysis": after["analysis"],
                        "corrective_action": after["corrective_action"],
                        "entered_by": by_id,
                        "status": status,
                        "review_comment": after["review_comment"],
                        "reviewed_by": None,
                        "reviewed_at": None,
                    },
                    additional_data={"kpi_id": row.kpi.pk},
                )
            )
            outcome = Outcome.CREATED if current is None else Outcome.UPDATED
            results.append(ActualWritten(pk, row.kpi.pk, row.period, after["version"], outcome))
        record_bulk_entries(Actual, entries, by=by)
        kpis_off_track_record(changes=off_track)
        return results


# --- Approval ----------------------------------------------------------------------------------

SELF_APPROVAL = "You entered this value; another approver must approve it."


def approval_refusal(*, actual: Actual, by: User) -> str | None:
    """Why the person may not approve the actual whatever their role, or None.

    The person who recorded its current version never approves it (four eyes).
    """
    if actual.entered_by_id is not None and actual.entered_by_id == by.pk:
        return SELF_APPROVAL
    return None


def review_refusal(*, actual: Actual, by: User, closed_through: date | None) -> str | None:
    """Why the person is offered no review of the actual, or None: its period is closed
    (`actual_review` would refuse approving and returning alike; `closed_through` is the close
    date, read once for a whole queue) or they entered it themselves (`approval_refusal`)."""
    kpi = actual.kpi
    if periods.is_closed(actual.period, kpi.frequency, closed_through):
        return closed_message(actual.period, kpi.frequency)
    return approval_refusal(actual=actual, by=by)


def actual_review(
    *,
    actual: Actual,
    by: User,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> Actual:
    """Approve the actual, or return it to its updater with a comment saying why.

    `expected_version` is the version the reviewer saw: a value changed since then is refused
    (ActualVersionConflict), so nobody approves a number they have not seen. Reviewing does
    not change the version. A closed period refuses reviews too, and nobody approves a value
    they entered themselves (`approval_refusal`).
    """
    with transaction.atomic():
        refuse_closed(actual.period, actual.kpi.frequency)
        current = (
            Actual.objects.select_for_update(of=("self",))
            .select_related("entered_by", "kpi")
            .get(pk=actual.pk)
        )
        if expected_version is not None and expected_version != current.version:
            raise ActualVersionConflict(current)
        if not approve and not comment.strip():
            raise ValidationError({"review_comment": "Say why you return it."})
        refusal = approval_refusal(actual=current, by=by) if approve else None
        if refusal is not None:
            raise ValidationError(refusal, code="self_approval")
        current.status = ActualStatus.APPROVED if approve else ActualStatus.RETURNED
        current.review_comment = comment.strip()
        current.reviewed_by = by
        current.reviewed_at = timezone.now()
        current.full_clean()
        current.save()
        return current
