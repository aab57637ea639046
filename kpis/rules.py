"""Permissions on KPIs, targets and actuals (see DESIGN.md section 5)."""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from accounts.models import Role, User
from accounts.permissions import holds_role, holds_role_anywhere
from accounts.rules import is_organisation_admin
from kpis.models import Kpi
from strategy.rules import can_edit_plan, can_view_objective


@predicate
def can_view_kpi(user: User, kpi: Kpi | None) -> bool:
    return kpi is not None and can_view_objective(user, kpi.objective)


@predicate
def can_update_actuals(user: User, kpi: Kpi | None) -> bool:
    """Managers update every KPI of their unit; contributors the KPIs they are updaters of."""
    if kpi is None or kpi.is_retired or kpi.is_calculated:
        return False
    unit_id = kpi.objective.org_unit_id
    if holds_role(user, unit_id, Role.ADMIN, Role.MANAGER):
        return True
    return holds_role(user, unit_id, Role.CONTRIBUTOR) and kpi.updaters.filter(pk=user.pk).exists()


@predicate
def can_edit_kpi(user: User, kpi: Kpi | None) -> bool:
    """Definitions and targets belong to the strategy."""
    return kpi is not None and can_edit_plan(user, kpi.plan)


@predicate
def can_approve_actuals(user: User, kpi: Kpi | None) -> bool:
    return kpi is not None and holds_role(
        user, kpi.objective.org_unit_id, Role.ADMIN, Role.MANAGER, Role.EXECUTIVE
    )


@predicate
def approves_somewhere(user: User) -> bool:
    """Whether the person has an approval queue at all; each review then checks the unit."""
    return holds_role_anywhere(user, Role.ADMIN, Role.MANAGER, Role.EXECUTIVE)


add_perm("kpis.view_kpi", can_view_kpi)
add_perm("kpis.update_actuals", can_update_actuals)
add_perm("kpis.change_kpi", can_edit_kpi)
add_perm("kpis.approve_actuals", can_approve_actuals)
add_perm("kpis.view_approvals", approves_somewhere)
# A lock freezes the period on every unit's KPIs: an organisation-wide action (DESIGN.md §5).
add_perm("kpis.lock_period", is_organisation_admin)
