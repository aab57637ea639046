"""Permissions on action plans and tasks (see DESIGN.md section 5)."""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from accounts.models import Role, User
from accounts.permissions import can_view_unit, holds_role
from actionplans.models import ActionPlan, Task
from strategy.models import Objective


@predicate
def can_view_action_plan(user: User, action_plan: ActionPlan | None) -> bool:
    return action_plan is not None and can_view_unit(user, action_plan.org_unit_id)


@predicate
def can_edit_action_plan(user: User, action_plan: ActionPlan | None) -> bool:
    return action_plan is not None and holds_role(
        user, action_plan.org_unit_id, Role.ADMIN, Role.MANAGER
    )


@predicate
def can_add_action_plan(user: User, objective: Objective | None) -> bool:
    return objective is not None and holds_role(
        user, objective.org_unit_id, Role.ADMIN, Role.MANAGER
    )


@predicate
def can_edit_task(user: User, task: Task | None) -> bool:
    """Managers edit every task of their unit; contributors the tasks assigned to them."""
    if task is None:
        return False
    unit_id = task.action_plan.org_unit_id
    if holds_role(user, unit_id, Role.ADMIN, Role.MANAGER):
        return True
    return task.owner_id == user.pk and holds_role(user, unit_id, Role.CONTRIBUTOR)


add_perm("actionplans.view_actionplan", can_view_action_plan)
add_perm("actionplans.change_actionplan", can_edit_action_plan)
add_perm("actionplans.add_actionplan", can_add_action_plan)
add_perm("actionplans.change_task", can_edit_task)
