"""Writes to KPIs, targets and actuals: every page, import, API call and task goes through here.

Permission checks stay with the callers (they decide between 404 and 403); these functions
enforce everything else: validation, versions, period locks, the approval status and
all-or-nothing transactions. Every change is recorded in the audit trail, bulk writes too.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from kpis.models import Actual, ActualStatus, ImportBatch, Kpi, PeriodLock, Target
from kpis.rules import actuals_closed
from kpis.selectors import (
    OFF_TRACK_NEEDS_ACTION,
    future_message,
    lock_message,
    locked_periods,
    needs_corrective_action,
    plain_number,
)
from strategy.models import StrategicPlan


class Source(StrEnum):
    """Who sends a value, which decides whether an off-track one needs a corrective action.

    People (My updates, imports) are asked for it before the value is saved. Integrations
    (the API) cannot answer: their value is saved, and an off-track actual without a corrective
    action shows as awaiting a comment from its owner on My updates.
    """

    PERSON = "person"
    INTEGRATION = "integration"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


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


class PeriodLocked(ValidationError):
    """The period is locked: nothing in it may change until an admin unlocks it."""

    def __init__(self, period: date) -> None:
        self.period = period
        super().__init__(lock_message(period), code="period_locked")


def _refuse_locked(period: date) -> None:
    if PeriodLock.objects.filter(period=period).exists():
        raise PeriodLocked(period)


def _refuse_unwritable(kpi: Kpi, period: date) -> None:
    """Refuse a KPI that takes no actuals, and a period that has not started yet."""
    refusal = actuals_closed(kpi)
    if refusal is not None:
        raise ValidationError(refusal)
    if period > timezone.localdate():
        raise ValidationError(future_message(period), code="future_period")


def _unchanged(existing: Actual, value: Decimal, analysis: str, corrective_action: str) -> bool:
    """Whether saving these values writes nothing: an approved actual saved unchanged stays
    approved (nothing new for an approver to review). Only a returned actual saved again
    unchanged is written, as a new submission: its updater confirms the value."""
    same = (existing.value, existing.analysis, existing.corrective_action) == (
        value,
        analysis,
        corrective_action,
    )
    resubmitted = settings.SCORECARD_APPROVAL and existing.status == ActualStatus.RETURNED
    return same and not resubmitted


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
    that changes nothing keeps the version (`_unchanged`). A locked period raises PeriodLocked,
    a future one ValidationError. From a person (`Source`), a change that puts the KPI off
    track needs a corrective action (ValidationError on "corrective_action"). With approval
    on, a change is submitted anew.
    """
    _refuse_unwritable(kpi, period)
    with transaction.atomic():
        _refuse_locked(period)
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
        if existing is not None and _unchanged(existing, value, analysis, corrective_action):
            return existing, Outcome.UNCHANGED
        if source is Source.PERSON and needs_corrective_action(
            kpi, Target.objects.filter(kpi=kpi, period=period).first(), value, corrective_action
        ):
            raise ValidationError({"corrective_action": OFF_TRACK_NEEDS_ACTION})
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
            actual.full_clean()
            actual.save()
            return actual, Outcome.CREATED
        existing.value = value
        existing.analysis = analysis
        existing.corrective_action = corrective_action
        existing.entered_by = by
        existing.version = current_version + 1
        existing.status = _new_status()
        existing.reviewed_by = None
        existing.reviewed_at = None
        existing.full_clean()
        existing.save()
        return existing, Outcome.UPDATED


@dataclass(frozen=True)
class ActualRow:
    """One row of a bulk write: the KPI, its period and the value; an analysis or corrective
    action left out (None) keeps the stored one."""

    kpi: Kpi
    period: date
    value: Decimal
    analysis: str | None = None
    corrective_action: str | None = None


def _given_or_kept(given: str | None, current: Actual | None, field: str) -> str:
    """A bulk row's text, or the stored one when the row leaves it out."""
    if given is not None:
        return given
    return str(getattr(current, field)) if current is not None else ""


def actuals_bulk_record(
    *, rows: Sequence[ActualRow], by: User | None, source: Source = Source.PERSON
) -> list[tuple[Actual, Outcome]]:
    """Upsert many actuals at once, all or nothing, answering per row (set-based).

    Each row is validated like `actual_record` (locked and future periods, and from a person
    the corrective action of an off-track value, included); unchanged rows are decided as
    there (`_unchanged`). The same (KPI, period) twice in one call is refused. Raises
    ValidationError with `error_dict` keyed by row index ("0", "1", ...) listing every bad row.
    """
    errors: dict[str, list[ValidationError]] = {}
    seen: dict[tuple[int, date], int] = {}
    locked = locked_periods(row.period for row in rows)
    for index, row in enumerate(rows):
        key = (row.kpi.pk, row.period)
        try:
            _refuse_unwritable(row.kpi, row.period)
            if key in seen:
                raise ValidationError(
                    f"Row {seen[key]} already sets {row.kpi.code} for {row.period}."
                )
            if row.period in locked:
                raise PeriodLocked(row.period)
            candidate = Actual(kpi=row.kpi, period=row.period, value=row.value)
            candidate.clean_fields(exclude=["kpi", "entered_by", "reviewed_by"])
            candidate.clean()
        except ValidationError as error:
            errors[str(index)] = [error]
        seen.setdefault(key, index)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        kpi_ids = {row.kpi.pk for row in rows}
        period_list = {row.period for row in rows}
        # Again inside the transaction: a lock taken since the check above wins.
        still_locked = locked_periods(period_list)
        if still_locked:
            raise PeriodLocked(min(still_locked))
        existing = {
            (a.kpi_id, a.period): a
            for a in Actual.objects.select_for_update().filter(
                kpi_id__in=kpi_ids, period__in=period_list
            )
        }
        targets = (
            {
                (t.kpi_id, t.period): t
                for t in Target.objects.filter(kpi_id__in=kpi_ids, period__in=period_list)
            }
            if source is Source.PERSON
            else {}
        )
        status = _new_status()
        results: list[tuple[Actual, Outcome]] = []
        to_create: list[Actual] = []
        to_update: list[tuple[Actual, Actual]] = []
        for index, row in enumerate(rows):
            current = existing.get((row.kpi.pk, row.period))
            analysis = _given_or_kept(row.analysis, current, "analysis")
            action = _given_or_kept(row.corrective_action, current, "corrective_action")
            if current is not None and _unchanged(current, row.value, analysis, action):
                results.append((current, Outcome.UNCHANGED))
                continue
            if source is Source.PERSON and needs_corrective_action(
                row.kpi, targets.get((row.kpi.pk, row.period)), row.value, action
            ):
                errors[str(index)] = [ValidationError(OFF_TRACK_NEEDS_ACTION)]
                continue
            if current is None:
                actual = Actual(
                    kpi=row.kpi,
                    period=row.period,
                    value=row.value,
                    analysis=analysis,
                    corrective_action=action,
                    entered_by=by,
                    status=status,
                )
                to_create.append(actual)
                results.append((actual, Outcome.CREATED))
                continue
            current.kpi = row.kpi  # named in the audit trail without a query per row
            before = copy.copy(current)
            current.value = row.value
            current.analysis = analysis
            current.corrective_action = action
            current.entered_by = by
            current.version += 1
            current.status = status
            current.reviewed_by = None
            current.reviewed_at = None
            to_update.append((before, current))
            results.append((current, Outcome.UPDATED))
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        for _, actual in to_update:
            actual.entered_at = now  # auto_now does not apply to bulk_update
        Actual.objects.bulk_create(to_create, batch_size=1000)
        Actual.objects.bulk_update(
            [actual for _, actual in to_update],
            [
                "value",
                "analysis",
                "corrective_action",
                "entered_by",
                "version",
                "entered_at",
                "status",
                "reviewed_by",
                "reviewed_at",
            ],
            batch_size=1000,
        )
        created: list[tuple[Actual | None, Actual]] = [(None, actual) for actual in to_create]
        _log_bulk([*created, *to_update], by=by)
        return results


def _log_bulk(changes: Sequence[tuple[Actual | None, Actual]], *, by: User | None) -> None:
    """Record bulk-written actuals in the audit trail, as single saves would be (one query).

    bulk_create and bulk_update send no signals, so django-auditlog would not see them.
    """
    if not changes or auditlog_disabled.get():
        return
    context: dict[str, Any] = auditlog_value.get(None) or {}
    actor = by if by is not None else context.get("actor")
    if not isinstance(actor, User):
        actor = None
    content_type = ContentType.objects.get_for_model(Actual)
    cid = get_cid()
    entries = []
    for old, new in changes:
        diff = model_instance_diff(
            old, new, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if not diff:
            continue
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(new.pk),
                object_id=new.pk,
                object_repr=str(new),
                action=LogEntry.Action.CREATE if old is None else LogEntry.Action.UPDATE,
                changes=diff,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                remote_addr=context.get("remote_addr"),
                additional_data=new.get_additional_data(),
                cid=cid,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=1000)


def target_set(
    *,
    kpi: Kpi,
    period: date,
    goal: Decimal,
    red_flag: Decimal | None = None,
    goal_high: Decimal | None = None,
    red_flag_high: Decimal | None = None,
) -> tuple[Target, Outcome]:
    """Create or change the KPI's target for the period, validated by the scoring rules.

    A locked period raises PeriodLocked.
    """
    with transaction.atomic():
        _refuse_locked(period)
        target = Target.objects.select_for_update().filter(kpi=kpi, period=period).first()
        outcome = Outcome.UPDATED
        if target is None:
            target = Target(kpi=kpi, period=period)
            outcome = Outcome.CREATED
        new = (goal, red_flag, goal_high, red_flag_high)
        if outcome is Outcome.UPDATED and new == (
            target.goal,
            target.red_flag,
            target.goal_high,
            target.red_flag_high,
        ):
            return target, Outcome.UNCHANGED
        target.goal, target.red_flag, target.goal_high, target.red_flag_high = new
        target.full_clean()
        target.save()
        return target, outcome


# --- Approval ----------------------------------------------------------------------------------

SELF_APPROVAL = "You entered this value; another approver must approve it."


def approval_refusal(*, actual: Actual, by: User) -> str | None:
    """Why the person may not approve the actual whatever their role, or None.

    The person who recorded its current version never approves it (four eyes).
    """
    if actual.entered_by_id is not None and actual.entered_by_id == by.pk:
        return SELF_APPROVAL
    return None


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
    not change the version. A locked period refuses reviews too, and nobody approves a value
    they entered themselves (`approval_refusal`).
    """
    with transaction.atomic():
        _refuse_locked(actual.period)
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


# --- Period locks ------------------------------------------------------------------------------


def period_lock(*, period: date, by: User | None) -> tuple[PeriodLock, Outcome]:
    """Lock the period that starts on `period` (idempotent)."""
    if period.day != 1:
        raise ValidationError({"period": "A period is identified by its first day."})
    with transaction.atomic():
        lock = PeriodLock.objects.filter(period=period).first()
        if lock is not None:
            return lock, Outcome.UNCHANGED
        lock = PeriodLock(period=period, locked_by=by)
        lock.full_clean()
        lock.save()
        return lock, Outcome.CREATED


def period_unlock(*, period: date) -> bool:
    """Unlock the period; False when it was not locked."""
    with transaction.atomic():
        lock = PeriodLock.objects.filter(period=period).first()
        if lock is None:
            return False
        lock.delete()  # through the model, so the audit trail records who unlocked it
        return True


# --- Import ------------------------------------------------------------------------------------


class ImportChanged(ValidationError):
    """The data changed since the preview: the rows would now do something else."""


@dataclass(frozen=True)
class ImportSummary:
    created: int
    changed: int
    unchanged: int
    refused: int


def import_commit(*, batch: ImportBatch, by: User, expected: str | None = None) -> ImportSummary:
    """Write the batch's accepted rows, all in one transaction or none of them.

    The rows are checked again first, against the data as it is now; `expected` is the
    preview's digest (`imports.outcome_digest`): when the rows would now do something else,
    ImportChanged is raised and nothing is written, so people commit what they saw.
    """
    from kpis import imports  # imports reads through selectors; services stay its only writer

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.committed_at is not None:
            raise ValidationError("This file was imported already.")
        rows = imports.check_rows(batch.rows, user=by, plan=batch.plan)
        if expected is not None and imports.outcome_digest(rows) != expected:
            raise ImportChanged(
                "Something changed since the preview: check the rows again before importing."
            )
        actual_rows = [
            ActualRow(
                kpi=row.kpi,
                period=row.period,
                value=row.value,
                analysis=row.analysis,
                corrective_action=row.corrective_action,
            )
            for row in rows
            if row.writes and row.kpi and row.period and row.value is not None
        ]
        if actual_rows:
            actuals_bulk_record(rows=actual_rows, by=by)
        for row in rows:
            if row.writes and row.kpi and row.period and row.target:
                goal, red_flag, goal_high, red_flag_high = row.target
                target_set(
                    kpi=row.kpi,
                    period=row.period,
                    goal=goal,
                    red_flag=red_flag,
                    goal_high=goal_high,
                    red_flag_high=red_flag_high,
                )
        batch.committed_at = timezone.now()
        batch.save(update_fields=["committed_at"])
        statuses = [row.status for row in rows]
        return ImportSummary(
            created=statuses.count(imports.RowStatus.CREATE),
            changed=statuses.count(imports.RowStatus.CHANGE),
            unchanged=statuses.count(imports.RowStatus.UNCHANGED),
            refused=statuses.count(imports.RowStatus.REFUSED),
        )


def import_batch_create(
    *,
    user: User,
    plan: StrategicPlan | None,
    filename: str,
    rows: list[dict[str, Any]],
    notes: list[str],
) -> ImportBatch:
    """Keep a read file until its preview is committed; the person's stale batches go."""
    with transaction.atomic():
        ImportBatch.objects.filter(
            created_by=user, created_at__lt=timezone.now() - timedelta(days=1)
        ).delete()
        batch = ImportBatch(
            created_by=user, plan=plan, filename=filename[:255], rows=rows, notes=notes
        )
        batch.full_clean()
        batch.save()
        return batch


# =================================================================================================
# Strategy workspace: KPI definitions, target grids and their helpers, copying a plan with KPIs.
# (Imports for this section stay here so the section can be appended without touching the top
# of a file several people edit.) Every target is written through `target_set`, so the scoring
# rules, period locks and the audit trail apply to the helpers as to one cell.
# =================================================================================================

import keyword  # noqa: E402
import re  # noqa: E402
from collections.abc import Mapping  # noqa: E402
from decimal import ROUND_HALF_UP  # noqa: E402

from accounts.models import OrgUnit, Role  # noqa: E402
from core.validation import validate_at_fields  # noqa: E402
from kpis import formulas, periods  # noqa: E402
from kpis.models import VALUE_FIELD_OPTIONS, Direction  # noqa: E402
from kpis.scoring import derive_red_flag, derive_red_flag_high  # noqa: E402
from strategy.models import Objective  # noqa: E402
from strategy.services import person_access_error, plan_copy_structure  # noqa: E402

KPI_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Updaters enter actuals: contributors (of the KPIs naming them), managers and admins.
UPDATER_ROLES = (Role.CONTRIBUTOR, Role.MANAGER, Role.ADMIN)
TARGET_FIELDS = ("goal", "red_flag", "goal_high", "red_flag_high")
# A target's values in that order: goal, red flag, upper goal, upper red flag.
TargetValues = tuple[Decimal, Decimal | None, Decimal | None, Decimal | None]


def _kpi_errors(
    *, kpi: Kpi, owner: User | None, updaters: Sequence[User], unit: OrgUnit | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    code = kpi.code
    if code and (not KPI_CODE.match(code) or keyword.iskeyword(code)):
        errors["code"] = (
            "Use letters, digits and _ , starting with a letter (REV, NPS_2): "
            "formulas refer to KPIs by their code."
        )
    elif code:
        same = Kpi.objects.filter(plan_id=kpi.plan_id, code=code)
        if kpi.pk is not None:
            same = same.exclude(pk=kpi.pk)
        existing = same.first()
        if existing is not None:
            retired = " (retired)" if existing.is_retired else ""
            errors["code"] = f"This plan already has a KPI {code}{retired}: choose another code."
    if unit is not None:
        problem = person_access_error(owner, unit, as_what="the owner of this KPI")
        if problem:
            errors["owner"] = problem
        problems = [
            problem
            for person in updaters
            if (
                problem := person_access_error(
                    person, unit, roles=UPDATER_ROLES, as_what="an updater of this KPI"
                )
            )
        ]
        if problems:
            errors["updaters"] = " ".join(problems)
    if kpi.weight is not None and kpi.weight < 0:
        errors["weight"] = "A weight cannot be negative: use 0 to leave the KPI out of the score."
    if kpi.tolerance is not None and kpi.tolerance < 0:
        errors["tolerance"] = "The tolerance cannot be negative."
    return errors


def _kpi_save(kpi: Kpi, *, owner: User | None, updaters: Sequence[User]) -> Kpi:
    unit = kpi.objective.org_unit if kpi.objective_id else None
    validate_at_fields(kpi, _kpi_errors(kpi=kpi, owner=owner, updaters=updaters, unit=unit))
    kpi.save()
    kpi.updaters.set(updaters)
    return kpi


def kpi_create(
    *,
    plan: StrategicPlan,
    objective: Objective,
    code: str,
    name: str,
    description: str = "",
    unit: str = "",
    decimals: int = 1,
    direction: str = Direction.INCREASE,
    frequency: str = "monthly",
    aggregation: str = "sum",
    tolerance: Decimal = Decimal("0.1"),
    weight: Decimal = Decimal(1),
    owner: User | None = None,
    updaters: Sequence[User] = (),
    formula: str = "",
    baseline: Decimal | None = None,
) -> Kpi:
    """Define a KPI of the objective.

    Refuses a code used in the plan already or unusable in formulas, an owner or updater
    without access to the objective's unit (updaters need a role that enters actuals), and a
    formula that is invalid, uses an unknown code or itself, or closes a cycle.
    """
    with transaction.atomic():
        # Serialise KPI definitions per plan: two formulas saved at once cannot form a cycle.
        StrategicPlan.objects.select_for_update().get(pk=plan.pk)
        kpi = Kpi(
            plan=plan,
            objective=objective,
            code=code.strip(),
            name=name.strip(),
            description=description.strip(),
            unit=unit.strip(),
            decimals=decimals,
            direction=direction,
            frequency=frequency,
            aggregation=aggregation,
            tolerance=tolerance,
            weight=weight,
            owner=owner,
            formula=formula.strip(),
            baseline=baseline,
        )
        return _kpi_save(kpi, owner=owner, updaters=updaters)


def kpi_update(
    *,
    kpi: Kpi,
    objective: Objective,
    code: str,
    name: str,
    description: str,
    unit: str,
    decimals: int,
    direction: str,
    frequency: str,
    aggregation: str,
    tolerance: Decimal,
    weight: Decimal,
    owner: User | None,
    updaters: Sequence[User],
    formula: str,
    baseline: Decimal | None,
) -> Kpi:
    """Change the KPI's definition, with the checks of `kpi_create`; returns the saved KPI.

    A KPI used in another KPI's formula keeps its code (the formula would break), and one with
    targets or actuals keeps its frequency (their periods would no longer be periods of it).
    """
    with transaction.atomic():
        StrategicPlan.objects.select_for_update().get(pk=kpi.plan_id)
        locked = Kpi.objects.select_related("plan").get(pk=kpi.pk)
        errors: dict[str, str] = {}
        new_code = code.strip()
        if new_code != locked.code:
            users = _formula_users(locked)
            if users:
                errors["code"] = (
                    f"{locked.code} is used in the formula of {', '.join(users)}: "
                    "change that formula first, then the code."
                )
        if frequency != locked.frequency and (locked.targets.exists() or locked.actuals.exists()):
            errors["frequency"] = (
                f"{locked.code} already has targets or actuals per "
                f"{locked.get_frequency_display().lower()} period: define a new KPI for another "
                "frequency."
            )
        locked.objective = objective
        locked.code = new_code
        locked.name = name.strip()
        locked.description = description.strip()
        locked.unit = unit.strip()
        locked.decimals = decimals
        locked.direction = direction
        locked.frequency = frequency
        locked.aggregation = aggregation
        locked.tolerance = tolerance
        locked.weight = weight
        locked.owner = owner
        locked.formula = formula.strip()
        locked.baseline = baseline
        unit_ = objective.org_unit
        errors = {
            **_kpi_errors(kpi=locked, owner=owner, updaters=updaters, unit=unit_),
            **errors,
        }
        validate_at_fields(locked, errors)
        locked.save()
        locked.updaters.set(updaters)
        return locked


def _formula_users(kpi: Kpi) -> list[str]:
    """The codes of the plan's other active KPIs whose formula uses this KPI's code."""
    users = []
    others = Kpi.objects.filter(plan_id=kpi.plan_id, is_retired=False).exclude(pk=kpi.pk)
    for code, formula in others.exclude(formula="").values_list("code", "formula"):
        try:
            if kpi.code in formulas.formula_codes(formula):
                users.append(code)
        except formulas.FormulaError:
            continue
    return sorted(users)


def kpi_retire(*, kpi: Kpi) -> Kpi:
    """Retire the KPI: it leaves the scorecard and takes no more actuals; its targets, actuals
    and history stay. Refused while an active KPI's formula uses it."""
    with transaction.atomic():
        StrategicPlan.objects.select_for_update().get(pk=kpi.plan_id)
        locked = Kpi.objects.get(pk=kpi.pk)
        users = _formula_users(locked)
        if users:
            raise ValidationError(
                f"{locked.code} is used in the formula of {', '.join(users)}: "
                "change or retire that KPI first."
            )
        if not locked.is_retired:
            locked.is_retired = True
            locked.save(update_fields=["is_retired"])
        return locked


def kpi_reinstate(*, kpi: Kpi) -> Kpi:
    """Bring a retired KPI back onto the scorecard."""
    with transaction.atomic():
        locked = Kpi.objects.select_for_update().get(pk=kpi.pk)
        if locked.is_retired:
            locked.is_retired = False
            locked.save(update_fields=["is_retired"])
        return locked


# --- target grids --------------------------------------------------------------------------------


def horizon_periods(kpi: Kpi) -> list[date]:
    """The KPI's periods across its plan's horizon: the rows of its target grid."""
    return periods.periods_between(
        kpi.plan.start, kpi.plan.end, kpi.frequency, settings.FISCAL_YEAR_START_MONTH
    )


def period_label(kpi: Kpi, period: date) -> str:
    return periods.label(period, kpi.frequency, settings.FISCAL_YEAR_START_MONTH)


def cell_name(field: str, period: date) -> str:
    """The grid's name for one cell, e.g. "goal-2026-01-01"; also the key of its errors."""
    return f"{field}-{period.isoformat()}"


@dataclass(frozen=True)
class TargetRow:
    """One row of a target grid; a row without any value clears the period's target."""

    period: date
    goal: Decimal | None
    red_flag: Decimal | None = None
    goal_high: Decimal | None = None
    red_flag_high: Decimal | None = None

    @property
    def is_blank(self) -> bool:
        return all(value is None for value in (self.goal, self.red_flag, self.goal_high))


def target_clear(*, kpi: Kpi, period: date) -> bool:
    """Remove the KPI's target for the period (recorded in the history); False if none."""
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(kpi=kpi, period=period).first()
        if target is None:
            return False
        _refuse_locked(period)
        target.delete()
        return True


def _cell_errors(error: ValidationError, period: date) -> dict[str, list[str]]:
    cells: dict[str, list[str]] = {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            where = field if field in TARGET_FIELDS else "goal"
            cells.setdefault(cell_name(where, period), []).extend(messages)
    else:
        cells[cell_name("goal", period)] = list(error.messages)
    return cells


def targets_save(*, kpi: Kpi, rows: Sequence[TargetRow]) -> int:
    """Save a target grid all or nothing; returns how many periods changed.

    A row with a goal is set with `target_set`; a blank row clears the period's target. On any
    problem nothing is saved and ValidationError is raised keyed by cell (`cell_name`), every
    bad cell at once.
    """
    horizon = set(horizon_periods(kpi))
    errors: dict[str, list[str]] = {}
    changed = 0
    with transaction.atomic():
        stored = _stored(kpi, [row.period for row in rows])
        for row in rows:
            if row.period not in horizon:
                errors[cell_name("goal", row.period)] = ["Not a period of the plan's horizon."]
                continue
            current = stored.get(row.period)
            values = (row.goal, row.red_flag, row.goal_high, row.red_flag_high)
            if (current is None and row.is_blank) or (current and _values(current) == values):
                continue  # untouched: a locked period's row may stay as it is
            try:
                if row.is_blank:
                    changed += target_clear(kpi=kpi, period=row.period)
                    continue
                if row.goal is None:
                    raise ValidationError({"goal": "Enter the goal too, or clear the row."})
                _, outcome = target_set(
                    kpi=kpi,
                    period=row.period,
                    goal=row.goal,
                    red_flag=row.red_flag,
                    goal_high=row.goal_high,
                    red_flag_high=row.red_flag_high,
                )
                changed += outcome is not Outcome.UNCHANGED
            except ValidationError as error:
                for cell, messages in _cell_errors(error, row.period).items():
                    errors.setdefault(cell, []).extend(messages)
        if errors:
            raise ValidationError(errors)  # inside the transaction: nothing stays written
        return changed


def _apply(kpi: Kpi, values: Mapping[date, TargetValues]) -> int:
    """Set each period's (goal, red flag, upper goal, upper red flag); all or nothing."""
    problems: list[str] = []
    changed = 0
    with transaction.atomic():
        for period, (goal, red_flag, goal_high, red_flag_high) in sorted(values.items()):
            try:
                _, outcome = target_set(
                    kpi=kpi,
                    period=period,
                    goal=goal,
                    red_flag=red_flag,
                    goal_high=goal_high,
                    red_flag_high=red_flag_high,
                )
                changed += outcome is not Outcome.UNCHANGED
            except ValidationError as error:
                problems.append(f"{period_label(kpi, period)}: {' '.join(error.messages)}")
        if problems:
            raise ValidationError(problems)
        return changed


def _stored(kpi: Kpi, wanted: Sequence[date]) -> dict[date, Target]:
    return {t.period: t for t in Target.objects.filter(kpi=kpi, period__in=list(wanted))}


def _values(target: Target) -> TargetValues:
    return (target.goal, target.red_flag, target.goal_high, target.red_flag_high)


def targets_fill_forward(*, kpi: Kpi) -> int:
    """Give every empty period of the horizon the target of the nearest period before it that
    has one; returns how many periods were filled."""
    horizon = horizon_periods(kpi)
    stored = _stored(kpi, horizon)
    if not stored:
        raise ValidationError(
            "Enter a target first: filling forward copies it into the empty periods after it."
        )
    filled: dict[date, TargetValues] = {}
    last: Target | None = None
    for period in horizon:
        if period in stored:
            last = stored[period]
        elif last is not None:
            filled[period] = _values(last)
    return _apply(kpi, filled)


def _round(value: Decimal | None, scale: Decimal, decimals: int) -> Decimal | None:
    if value is None:
        return None
    return (value * scale).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def targets_grow(*, kpi: Kpi, start: date, percent: Decimal) -> int:
    """From the target of the period `start`, set every later period of the horizon to grow
    by `percent` per period, compounded from that target and rounded to the KPI's decimals;
    stated red flags grow alike. Returns how many periods changed."""
    horizon = horizon_periods(kpi)
    if start not in horizon:
        raise ValidationError({"start": "Choose a period of the plan's horizon."})
    if percent <= -100:
        raise ValidationError({"percent": "A decline of 100 % or more leaves nothing to aim for."})
    source = _stored(kpi, [start]).get(start)
    if source is None:
        raise ValidationError(
            {"start": f"{period_label(kpi, start)} has no target yet to grow from: enter it first."}
        )
    factor = 1 + percent / 100
    grown: dict[date, TargetValues] = {}
    for steps, period in enumerate((p for p in horizon if p > start), start=1):
        scale = factor**steps
        goal = source.goal * scale
        grown[period] = (
            goal.quantize(Decimal(1).scaleb(-kpi.decimals), rounding=ROUND_HALF_UP),
            _round(source.red_flag, scale, kpi.decimals),
            _round(source.goal_high, scale, kpi.decimals),
            _round(source.red_flag_high, scale, kpi.decimals),
        )
    return _apply(kpi, grown)


def targets_copy_last_year(*, kpi: Kpi, year: date) -> int:
    """Give each period of the fiscal year starting on `year` (within the horizon) the target
    of the same period a year before; periods without one a year before keep theirs."""
    fy = settings.FISCAL_YEAR_START_MONTH
    in_year = [
        p
        for p in horizon_periods(kpi)
        if periods.period_start(p, periods.Frequency.YEARLY, fy) == year
    ]
    if not in_year:
        raise ValidationError({"year": "Choose a fiscal year of the plan's horizon."})
    before = {periods.add_months(p, -12): p for p in in_year}
    previous = _stored(kpi, list(before))
    if not previous:
        last_year = periods.fiscal_year(periods.add_months(year, -12), fy)
        raise ValidationError({"year": f"{kpi.code} has no targets in FY{last_year} to copy."})
    return _apply(kpi, {before[period]: _values(t) for period, t in previous.items()})


def _stored_precision(value: Decimal) -> Decimal:
    """The value as a target field stores it (its decimal places), so it passes validation."""
    places = VALUE_FIELD_OPTIONS["decimal_places"]
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def targets_red_flags_from_tolerance(*, kpi: Kpi) -> int:
    """State the red flag of every target in the horizon as the KPI's tolerance implies (both
    red flags for a range KPI); refused, naming the period, where a goal is 0."""
    stored = _stored(kpi, horizon_periods(kpi))
    if not stored:
        raise ValidationError("There are no targets yet to set red flags for.")
    problems = []
    values: dict[date, TargetValues] = {}
    for period, target in stored.items():
        red_flag = derive_red_flag(target.goal, kpi.direction, kpi.tolerance)
        red_flag_high = target.red_flag_high
        if kpi.direction == Direction.RANGE and target.goal_high is not None:
            red_flag_high = derive_red_flag_high(target.goal_high, kpi.tolerance)
        if red_flag is None:
            problems.append(
                f"{period_label(kpi, period)}: a goal of 0 (or a tolerance of 0) implies no red "
                "flag; state it in the grid."
            )
            continue
        values[period] = (
            target.goal,
            _stored_precision(red_flag),
            target.goal_high,
            None if red_flag_high is None else _stored_precision(red_flag_high),
        )
    if problems:
        raise ValidationError(problems)
    return _apply(kpi, values)


# --- starting a plan from a copy -----------------------------------------------------------------


def plan_copy(
    *,
    source: StrategicPlan,
    org_unit: OrgUnit,
    name: str,
    start: date,
    end: date,
    parent: StrategicPlan | None = None,
    include_targets: bool = False,
) -> StrategicPlan:
    """A new draft plan with `source`'s structure (`plan_copy_structure`) and its active KPIs;
    never its actuals.

    With `include_targets`, targets are copied too, moved by whole fiscal years so the new
    plan's first year gets the source's first year's targets; those falling outside the new
    horizon are left out. Owners and updaters without access to their unit are left out.
    """
    fy = settings.FISCAL_YEAR_START_MONTH
    with transaction.atomic():
        plan = plan_copy_structure(
            source=source, org_unit=org_unit, name=name, start=start, end=end, parent=parent
        )
        objectives = {o.code: o for o in plan.objectives.select_related("org_unit")}
        kpis = list(
            source.kpis.filter(is_retired=False)
            .select_related("objective", "owner")
            .prefetch_related("updaters", "targets")
        )
        dependencies = {k.code: formulas.formula_codes(k.formula) for k in kpis if k.is_calculated}
        order = {code: n for n, code in enumerate(formulas.evaluation_order(dependencies))}
        # Plain KPIs first, then calculated ones after the KPIs their formulas use.
        kpis.sort(key=lambda k: (k.is_calculated, order.get(k.code, 0), k.code))
        years = periods.fiscal_year(start, fy) - periods.fiscal_year(source.start, fy)
        for kpi in kpis:
            objective = objectives[kpi.objective.code]
            unit = objective.org_unit
            owner = kpi.owner
            if person_access_error(owner, unit, as_what="the owner") is not None:
                owner = None
            updaters = [
                person
                for person in kpi.updaters.all()
                if person_access_error(person, unit, roles=UPDATER_ROLES, as_what="an updater")
                is None
            ]
            copy_ = Kpi(
                plan=plan,
                objective=objective,
                code=kpi.code,
                name=kpi.name,
                description=kpi.description,
                unit=kpi.unit,
                decimals=kpi.decimals,
                direction=kpi.direction,
                frequency=kpi.frequency,
                aggregation=kpi.aggregation,
                tolerance=kpi.tolerance,
                weight=kpi.weight,
                owner=owner,
                formula=kpi.formula,
                baseline=kpi.baseline,
            )
            try:
                _kpi_save(copy_, owner=owner, updaters=updaters)
            except ValidationError as error:
                raise ValidationError(f"KPI {kpi.code}: {' '.join(error.messages)}") from None
            if not include_targets:
                continue
            horizon = set(horizon_periods(copy_))
            _apply(
                copy_,
                {
                    moved: _values(target)
                    for target in kpi.targets.all()
                    if (moved := periods.add_months(target.period, 12 * years)) in horizon
                },
            )
        return plan
