"""Writes to objectives and their cause-effect links: adding, changing, moving, archiving and
restoring an objective; linking a cause to an effect, never closing a cycle."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import OrgUnit, User
from core.validation import validate_at_fields
from strategy.models import Objective, ObjectiveLink, Perspective, StrategicPlan
from strategy.services.common import person_access_error, weight_error


def _objective_errors(
    *,
    plan: StrategicPlan,
    code: str,
    owner: User | None,
    org_unit: OrgUnit,
    weight: Decimal,
    exclude_pk: int | None = None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    same_code = plan.objectives.filter(code=code)
    if exclude_pk is not None:
        same_code = same_code.exclude(pk=exclude_pk)
    if code and same_code.exists():
        errors["code"] = f"{plan.name} already has an objective {code}: choose another code."
    if org_unit.pk not in plan.org_unit.subtree_ids():
        errors["org_unit"] = f"Choose {plan.org_unit.name} or a unit below it."
    elif org_unit.is_archived:
        errors["org_unit"] = f"{org_unit.name} is archived: choose an active unit."
    else:
        problem = person_access_error(owner, org_unit, as_what="the owner of this objective")
        if problem:
            errors["owner"] = problem
    errors.update(weight_error(weight, "this objective"))
    return errors


def objective_create(
    *,
    plan: StrategicPlan,
    perspective: Perspective,
    code: str,
    name: str,
    description: str = "",
    owner: User | None = None,
    org_unit: OrgUnit | None = None,
    weight: Decimal = Decimal(1),
    parent: Objective | None = None,
) -> Objective:
    """Add an objective to the plan; its unit defaults to the plan's."""
    unit = org_unit or plan.org_unit
    code = code.strip()
    with transaction.atomic():
        StrategicPlan.objects.select_for_update().get(pk=plan.pk)
        objective = Objective(
            plan=plan,
            perspective=perspective,
            code=code,
            name=name.strip(),
            description=description.strip(),
            owner=owner,
            org_unit=unit,
            weight=weight,
            parent=parent,
        )
        validate_at_fields(
            objective,
            _objective_errors(plan=plan, code=code, owner=owner, org_unit=unit, weight=weight),
        )
        objective.save()
        return objective


def objective_update(
    *,
    objective: Objective,
    perspective: Perspective,
    code: str,
    name: str,
    description: str,
    owner: User | None,
    org_unit: OrgUnit,
    weight: Decimal,
    parent: Objective | None,
) -> Objective:
    """Change every field of the objective (moving it to `perspective` if that differs)."""
    code = code.strip()
    with transaction.atomic():
        StrategicPlan.objects.select_for_update().get(pk=objective.plan_id)
        locked = Objective.objects.select_related("plan__org_unit").get(pk=objective.pk)
        locked.perspective = perspective
        locked.code = code
        locked.name = name.strip()
        locked.description = description.strip()
        locked.owner = owner
        locked.org_unit = org_unit
        locked.weight = weight
        locked.parent = parent
        validate_at_fields(
            locked,
            _objective_errors(
                plan=locked.plan,
                code=code,
                owner=owner,
                org_unit=org_unit,
                weight=weight,
                exclude_pk=locked.pk,
            ),
        )
        locked.save()
        return locked


def objective_move(*, objective: Objective, perspective: Perspective) -> Objective:
    """Move the objective to another perspective of its plan."""
    with transaction.atomic():
        locked = Objective.objects.select_for_update().get(pk=objective.pk)
        locked.perspective = perspective
        validate_at_fields(locked)
        locked.save(update_fields=["perspective"])
        return locked


def _objective_set_archived(*, objective: Objective, archived: bool) -> Objective:
    with transaction.atomic():
        locked = Objective.objects.select_for_update().get(pk=objective.pk)
        if locked.is_archived == archived:
            state = "archived" if archived else "not archived"
            raise ValidationError({"is_archived": f"{locked.code} is {state} already."})
        locked.is_archived = archived
        validate_at_fields(locked)
        locked.save(update_fields=["is_archived"])
        return locked


def objective_archive(*, objective: Objective) -> Objective:
    """Take the objective off the strategy map and out of the scores; nothing else changes."""
    return _objective_set_archived(objective=objective, archived=True)


def objective_restore(*, objective: Objective) -> Objective:
    """Put an archived objective back on the map and in the scores, as it was."""
    return _objective_set_archived(objective=objective, archived=False)


# --- cause-effect links --------------------------------------------------------------------------


def _path(graph: dict[int, list[int]], start: int, goal: int) -> list[int] | None:
    """A path from start to goal following the graph's edges, or None (depth-first)."""
    stack: list[tuple[int, list[int]]] = [(start, [start])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        stack.extend((nxt, [*path, nxt]) for nxt in graph.get(node, []))
    return None


def objective_link_cycle_error(*, cause: Objective, effect: Objective) -> ValidationError | None:
    """The error to show if linking cause to effect would close a cycle, naming its path."""
    graph: dict[int, list[int]] = defaultdict(list)
    for cause_id, effect_id in ObjectiveLink.objects.filter(
        cause__plan_id=cause.plan_id
    ).values_list("cause_id", "effect_id"):
        graph[cause_id].append(effect_id)
    back = _path(graph, effect.pk, cause.pk)
    if back is None:
        return None
    codes = dict(Objective.objects.filter(pk__in=back).values_list("pk", "code"))
    cycle = " → ".join([cause.code, *(codes[pk] for pk in back)])
    return ValidationError(f"This link would close a cycle: {cycle}.", code="cycle")


def objective_link_create(*, cause: Objective, effect: Objective, note: str = "") -> ObjectiveLink:
    """Link cause to effect; refuses self-links, cross-plan links and links that close a cycle."""
    with transaction.atomic():
        # Serialise link changes per plan so two concurrent links cannot form a cycle together.
        StrategicPlan.objects.select_for_update().get(pk=cause.plan_id)
        link = ObjectiveLink(cause=cause, effect=effect, note=note)
        link.full_clean()
        error = objective_link_cycle_error(cause=cause, effect=effect)
        if error is not None:
            raise error
        link.save()
        return link


def objective_link_delete(*, link: ObjectiveLink) -> None:
    """Remove a cause-effect link."""
    with transaction.atomic():
        ObjectiveLink.objects.filter(pk=link.pk).delete()
