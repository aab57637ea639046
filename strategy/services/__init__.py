"""Writes to the strategy: each validates fully and runs in one transaction.

By topic: `plans` (plans and their perspectives), `objectives` (objectives and their
cause-effect links), `stakeholders`, `commentary` (an objective's per period), and `common`
(who may be named on something of a unit). Every public name is importable from here.

Every refusal is a ValidationError keyed by the field to fix (`code`, `weight`, `status`…),
with all of a change's problems at once, and nothing is written. The rules that are not
constraints:

- A new plan gets the four standard perspectives; a cascaded plan's parent plan belongs to a
  unit above the new plan's unit and is not archived.
- A plan with an active child plan cannot be archived, and a plan cascading from an archived
  plan cannot be activated.
- An objective's unit is the plan's unit or one below it; its owner holds a role in that unit
  or above it. The four standard perspectives stay (rename them or weight them 0); a custom
  perspective can be removed once it has no objectives.
- A cause-effect link never closes a cycle; the error names the path it would close.
- Archiving an objective takes it off the map and out of the scores and changes nothing else:
  its KPIs, actuals, links and action plans stay as they are, to be read or restored with it.
- An objective has at most one commentary per period (a month of its plan); saving it again
  replaces its text, saving it empty removes it.
"""

from strategy.services.commentary import COMMENT_MAX_LENGTH, objective_comment_save
from strategy.services.common import ANY_ROLE, person_access_error
from strategy.services.objectives import (
    objective_archive,
    objective_create,
    objective_link_create,
    objective_link_cycle_error,
    objective_link_delete,
    objective_move,
    objective_restore,
    objective_update,
)
from strategy.services.plans import (
    STANDARD_PERSPECTIVES,
    perspective_create,
    perspective_delete,
    perspective_reorder,
    perspective_update,
    plan_archive,
    plan_copy_structure,
    plan_create,
    plan_update,
)
from strategy.services.stakeholders import stakeholder_add, stakeholder_remove

__all__ = [
    "ANY_ROLE",
    "COMMENT_MAX_LENGTH",
    "STANDARD_PERSPECTIVES",
    "objective_archive",
    "objective_comment_save",
    "objective_create",
    "objective_link_create",
    "objective_link_cycle_error",
    "objective_link_delete",
    "objective_move",
    "objective_restore",
    "objective_update",
    "person_access_error",
    "perspective_create",
    "perspective_delete",
    "perspective_reorder",
    "perspective_update",
    "plan_archive",
    "plan_copy_structure",
    "plan_create",
    "plan_update",
    "stakeholder_add",
    "stakeholder_remove",
]
