"""Starting a plan from a copy of another, with its active KPIs and, optionally, its targets."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import OrgUnit
from kpis import formulas, periods
from kpis.models import Kpi
from kpis.services.definitions import UPDATER_ROLES, kpi_save
from kpis.services.targets import horizon_periods, target_values, targets_apply
from strategy.models import StrategicPlan
from strategy.services import person_access_error, plan_copy_structure


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
                measure_unit=kpi.measure_unit,
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
                kpi_save(copy_, owner=owner, updaters=updaters)
            except ValidationError as error:
                raise ValidationError(f"KPI {kpi.code}: {' '.join(error.messages)}") from None
            if not include_targets:
                continue
            horizon = set(horizon_periods(copy_))
            targets_apply(
                copy_,
                {
                    moved: target_values(target)
                    for target in kpi.targets.all()
                    if (moved := periods.add_months(target.period, 12 * years)) in horizon
                },
            )
        return plan
