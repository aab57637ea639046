"""KPI definitions: creating, changing, retiring and reinstating a KPI, with its code, owner,
updaters, thresholds and formula checked together.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import OrgUnit, Role, User
from core.validation import validate_at_fields
from kpis import formulas
from kpis.models import Direction, Kpi
from strategy.models import Objective, StrategicPlan
from strategy.services import person_access_error

KPI_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Updaters enter actuals: contributors (of the KPIs naming them), managers and admins.
UPDATER_ROLES = (Role.CONTRIBUTOR, Role.MANAGER, Role.ADMIN)


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


def kpi_save(kpi: Kpi, *, owner: User | None, updaters: Sequence[User]) -> Kpi:
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
    measure_unit: str = "",
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
            measure_unit=measure_unit.strip(),
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
        return kpi_save(kpi, owner=owner, updaters=updaters)


def kpi_update(
    *,
    kpi: Kpi,
    objective: Objective,
    code: str,
    name: str,
    description: str,
    measure_unit: str,
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
        locked.measure_unit = measure_unit.strip()
        locked.decimals = decimals
        locked.direction = direction
        locked.frequency = frequency
        locked.aggregation = aggregation
        locked.tolerance = tolerance
        locked.weight = weight
        locked.owner = owner
        locked.formula = formula.strip()
        locked.baseline = baseline
        errors = {
            **_kpi_errors(kpi=locked, owner=owner, updaters=updaters, unit=objective.org_unit),
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
