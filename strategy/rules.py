"""Permissions on plans, perspectives and objectives (see DESIGN.md section 5)."""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from accounts.models import OrgUnit, Role, User
from accounts.permissions import can_view_unit, holds_role, holds_role_anywhere
from strategy.models import Objective, StrategicPlan


@predicate
def can_view_plan(user: User, plan: StrategicPlan | None) -> bool:
    return plan is not None and can_view_unit(user, plan.org_unit_id)


@predicate
def can_edit_plan(user: User, plan: StrategicPlan | None) -> bool:
    """Admins edit every plan of their subtree; managers only their unit's own cascaded plan."""
    if plan is None:
        return False
    if holds_role(user, plan.org_unit_id, Role.ADMIN):
        return True
    return plan.parent_id is not None and holds_role(user, plan.org_unit_id, Role.MANAGER)


@predicate
def can_add_plan(user: User, unit: OrgUnit | None) -> bool:
    """Admins start plans; a manager may start the cascaded plan of their own unit.

    Without a unit: whether to offer "New plan" at all (an admin or manager somewhere); the
    plan is started only in a unit the person was checked for (see `plan_new`).
    """
    if unit is None:
        return holds_role_anywhere(user, Role.ADMIN, Role.MANAGER)
    return holds_role(user, unit.pk, Role.ADMIN, Role.MANAGER)


@predicate
def can_view_objective(user: User, objective: Objective | None) -> bool:
    return objective is not None and (
        can_view_unit(user, objective.plan.org_unit_id)
        or can_view_unit(user, objective.org_unit_id)
    )


@predicate
def can_edit_objective(user: User, objective: Objective | None) -> bool:
    return objective is not None and can_edit_plan(user, objective.plan)


@predicate
def can_comment_objective(user: User, objective: Objective | None) -> bool:
    """The objective's owner writes its commentary, as does an admin over its unit."""
    if objective is None or not can_view_objective(user, objective):
        return False
    return (objective.owner_id is not None and objective.owner_id == user.pk) or holds_role(
        user, objective.org_unit_id, Role.ADMIN
    )


add_perm("strategy.view_plan", can_view_plan)
add_perm("strategy.change_plan", can_edit_plan)
add_perm("strategy.add_plan", can_add_plan)
add_perm("strategy.view_objective", can_view_objective)
add_perm("strategy.change_objective", can_edit_objective)
add_perm("strategy.comment_objective", can_comment_objective)
