"""Writes to the strategy: each validates fully and runs in one transaction.

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

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.models import OrgUnit, Role, User
from accounts.permissions import can_view_unit, holds_role
from core.validation import validate_at_fields
from strategy.models import (
    Objective,
    ObjectiveComment,
    ObjectiveLink,
    Perspective,
    Stakeholder,
    StrategicPlan,
)

STANDARD_PERSPECTIVES = (
    Perspective.Kind.FINANCIAL,
    Perspective.Kind.CUSTOMER,
    Perspective.Kind.INTERNAL,
    Perspective.Kind.LEARNING,
)
ANY_ROLE = tuple(Role.values)
COMMENT_MAX_LENGTH = 4000


def person_access_error(
    person: User | None, unit: OrgUnit, *, roles: Sequence[str] = ANY_ROLE, as_what: str
) -> str | None:
    """Why `person` cannot be `as_what` ("the owner") of something of `unit`, or None.

    They need one of `roles` in the unit or a unit above it (superusers hold every role).
    """
    if person is None:
        return None
    name = person.display_name
    if not person.is_active:
        return f"{name} is deactivated and cannot be {as_what}."
    if holds_role(person, unit.pk, *roles):
        return None
    if tuple(roles) == ANY_ROLE:
        needed = "a role"
    else:
        needed = "the " + " or ".join(str(Role(role).label).lower() for role in roles) + " role"
    # "The unit …": a unit may well be called "People", like the section that gives roles.
    return (
        f"{name} has no access to the unit {unit.name}: to be {as_what} they need {needed} "
        f"in it or a unit above it (given in the People section), or choose someone else."
    )


def _weight_error(weight: Decimal | None, what: str) -> dict[str, str]:
    if weight is not None and weight < 0:
        return {"weight": f"A weight cannot be negative: use 0 to leave {what} out of the score."}
    return {}


# --- plans ---------------------------------------------------------------------------------------


def _cascade_errors(*, org_unit: OrgUnit, parent: StrategicPlan | None) -> dict[str, str]:
    if parent is None:
        return {}
    if parent.status == StrategicPlan.Status.ARCHIVED:
        return {"parent": f"{parent.name} is archived: cascade from a draft or active plan."}
    if parent.org_unit_id not in {unit.pk for unit in org_unit.ancestors()}:
        return {
            "parent": f"{parent.name} is the plan of {parent.org_unit}, which is not above "
            f"{org_unit.name}: a plan cascades from the plan of a unit above it."
        }
    return {}


def _unit_errors(org_unit: OrgUnit) -> dict[str, str]:
    if org_unit.is_archived:
        return {"org_unit": f"{org_unit.name} is archived: choose an active unit."}
    return {}


def _matching_perspective(plan: StrategicPlan, source: Perspective) -> Perspective:
    """The plan's perspective of the same kind (or, for a custom one, name); made if missing."""
    same = plan.perspectives.filter(kind=source.kind)
    if source.kind == Perspective.Kind.CUSTOM:
        same = same.filter(name=source.name)
    found = same.order_by("order", "pk").first()
    if found is not None:
        return found
    return perspective_create(plan=plan, name=source.name, weight=source.weight)


def plan_create(
    *,
    org_unit: OrgUnit,
    name: str,
    start: date,
    end: date,
    vision: str = "",
    mission: str = "",
    values: str = "",
    parent: StrategicPlan | None = None,
    supports: Sequence[Objective] = (),
) -> StrategicPlan:
    """Start a draft plan with the four standard perspectives.

    A cascaded plan names its `parent` plan and may support some of the parent's objectives:
    each of `supports` gets an objective here, with the same code and name, in the
    perspective of the same kind, linked to it as its parent objective.
    """
    errors = {**_unit_errors(org_unit), **_cascade_errors(org_unit=org_unit, parent=parent)}
    if supports and parent is None:
        errors.setdefault("supports", "Choose the parent plan whose objectives this plan supports.")
    elif parent is not None and any(objective.plan_id != parent.pk for objective in supports):
        errors.setdefault("supports", f"Choose objectives of {parent.name}, the parent plan.")
    with transaction.atomic():
        plan = StrategicPlan(
            org_unit=org_unit,
            name=name.strip(),
            start=start,
            end=end,
            vision=vision.strip(),
            mission=mission.strip(),
            values=values.strip(),
            parent=parent,
            status=StrategicPlan.Status.DRAFT,
        )
        validate_at_fields(plan, errors)
        plan.save()
        for order, kind in enumerate(STANDARD_PERSPECTIVES):
            # Saved one by one (not bulk_create) so each creation reaches the audit trail.
            Perspective.objects.create(plan=plan, name=str(kind.label), kind=kind, order=order)
        for supported in supports:
            objective_create(
                plan=plan,
                perspective=_matching_perspective(plan, supported.perspective),
                code=supported.code,
                name=supported.name,
                description=supported.description,
                org_unit=org_unit,
                weight=supported.weight,
                parent=supported,
            )
        return plan


def plan_update(
    *,
    plan: StrategicPlan,
    name: str | None = None,
    vision: str | None = None,
    mission: str | None = None,
    values: str | None = None,
    start: date | None = None,
    end: date | None = None,
    status: str | None = None,
) -> StrategicPlan:
    """Change the given fields (None keeps a field) and return the saved plan.

    Refuses archiving a plan with an active child plan and activating a plan whose parent
    plan is archived. The `plan` passed in is left as it was.
    """
    with transaction.atomic():
        # Lock the plan and its parent: archiving a parent and activating a child serialise.
        locked = StrategicPlan.objects.select_for_update().get(pk=plan.pk)
        parent = (
            StrategicPlan.objects.select_for_update().get(pk=locked.parent_id)
            if locked.parent_id
            else None
        )
        for field, value in (("vision", vision), ("mission", mission), ("values", values)):
            if value is not None:
                setattr(locked, field, value.strip())
        if name is not None:
            locked.name = name.strip()
        locked.start = start or locked.start
        locked.end = end or locked.end
        errors: dict[str, str] = {}
        if status is not None and status != locked.status:
            errors.update(_status_errors(locked, status, parent))
            locked.status = status
        validate_at_fields(locked, errors)
        locked.save()
        return locked


def _status_errors(
    plan: StrategicPlan, status: str, parent: StrategicPlan | None
) -> dict[str, str]:
    if status == StrategicPlan.Status.ARCHIVED:
        active = list(
            plan.children.filter(status=StrategicPlan.Status.ACTIVE).values_list("name", flat=True)
        )
        if active:
            plural = "plans" if len(active) > 1 else "plan"
            return {
                "status": f"{plan.name} has the active child {plural} {', '.join(active)}: "
                "archive or cascade them elsewhere first."
            }
    if (
        status == StrategicPlan.Status.ACTIVE
        and parent is not None
        and parent.status == StrategicPlan.Status.ARCHIVED
    ):
        return {"status": f"{plan.name} cascades from {parent.name}, which is archived."}
    return {}


def plan_archive(*, plan: StrategicPlan) -> StrategicPlan:
    """Archive the plan; refused while a plan cascading from it is active."""
    return plan_update(plan=plan, status=StrategicPlan.Status.ARCHIVED)


def plan_copy_structure(
    *,
    source: StrategicPlan,
    org_unit: OrgUnit,
    name: str,
    start: date,
    end: date,
    parent: StrategicPlan | None = None,
) -> StrategicPlan:
    """A new draft plan with the structure of `source`: its vision, mission and values,
    perspectives, objectives and cause-effect links (KPIs are copied by `kpis.services`).

    Each objective keeps its unit when that lies within the new plan's unit (else takes the
    plan's unit), its owner when they have access there, and its parent objective only when
    that belongs to the new plan's parent plan.
    """
    errors = {**_unit_errors(org_unit), **_cascade_errors(org_unit=org_unit, parent=parent)}
    with transaction.atomic():
        plan = StrategicPlan(
            org_unit=org_unit,
            name=name.strip(),
            start=start,
            end=end,
            vision=source.vision,
            mission=source.mission,
            values=source.values,
            parent=parent,
            status=StrategicPlan.Status.DRAFT,
        )
        validate_at_fields(plan, errors)
        plan.save()
        perspectives = {
            perspective.pk: Perspective(
                plan=plan,
                name=perspective.name,
                kind=perspective.kind,
                order=perspective.order,
                weight=perspective.weight,
            )
            for perspective in source.perspectives.order_by("order", "pk")
        }
        for perspective in perspectives.values():
            perspective.save()
        subtree = org_unit.subtree_ids()
        copies: dict[int, Objective] = {}
        for objective in source.objectives.select_related("owner", "org_unit", "parent"):
            unit = objective.org_unit if objective.org_unit_id in subtree else org_unit
            owner = objective.owner
            if person_access_error(owner, unit, as_what="the owner") is not None:
                owner = None
            supported = objective.parent
            if supported is None or parent is None or supported.plan_id != parent.pk:
                supported = None
            copy = Objective(
                plan=plan,
                perspective=perspectives[objective.perspective_id],
                code=objective.code,
                name=objective.name,
                description=objective.description,
                owner=owner,
                org_unit=unit,
                weight=objective.weight,
                parent=supported,
            )
            validate_at_fields(copy)
            copy.save()
            copies[objective.pk] = copy
        for link in ObjectiveLink.objects.filter(cause__plan=source):
            ObjectiveLink.objects.create(
                cause=copies[link.cause_id], effect=copies[link.effect_id], note=link.note
            )
        return plan


# --- perspectives --------------------------------------------------------------------------------


def perspective_create(
    *, plan: StrategicPlan, name: str, weight: Decimal = Decimal(1)
) -> Perspective:
    """Add a custom perspective after the plan's others."""
    with transaction.atomic():
        StrategicPlan.objects.select_for_update().get(pk=plan.pk)
        last = plan.perspectives.aggregate(last=Max("order"))["last"]
        perspective = Perspective(
            plan=plan,
            name=name.strip(),
            kind=Perspective.Kind.CUSTOM,
            order=0 if last is None else last + 1,
            weight=weight,
        )
        validate_at_fields(perspective, _weight_error(weight, "this perspective"))
        perspective.save()
        return perspective


def perspective_update(*, perspective: Perspective, name: str, weight: Decimal) -> Perspective:
    """Rename and weight a perspective."""
    with transaction.atomic():
        locked = Perspective.objects.select_for_update().get(pk=perspective.pk)
        locked.name = name.strip()
        locked.weight = weight
        validate_at_fields(locked, _weight_error(weight, "this perspective"))
        locked.save()
        return locked


def perspective_reorder(*, perspective: Perspective, position: int) -> list[Perspective]:
    """Move the perspective to `position` (0 is the top row of the map, clamped to the ends)
    and number the plan's perspectives 0, 1, 2…; returns them in their new order."""
    with transaction.atomic():
        StrategicPlan.objects.select_for_update().get(pk=perspective.plan_id)
        ordered = list(
            Perspective.objects.filter(plan_id=perspective.plan_id).order_by("order", "pk")
        )
        moving = next(p for p in ordered if p.pk == perspective.pk)
        ordered.remove(moving)
        ordered.insert(max(0, min(position, len(ordered))), moving)
        for order, item in enumerate(ordered):
            if item.order != order:
                item.order = order
                item.save(update_fields=["order"])
        return ordered


def perspective_delete(*, perspective: Perspective) -> None:
    """Remove a custom perspective that has no objectives."""
    with transaction.atomic():
        locked = Perspective.objects.select_for_update().get(pk=perspective.pk)
        if locked.kind != Perspective.Kind.CUSTOM:
            raise ValidationError(
                f"{locked.name} is one of the four standard perspectives: rename it, or give it "
                "the weight 0 to leave it out of the score."
            )
        codes = list(locked.objectives.values_list("code", flat=True))
        if codes:
            raise ValidationError(
                f"{locked.name} still has the objectives {', '.join(codes)}: "
                "move them to another perspective first."
            )
        locked.delete()


# --- objectives ----------------------------------------------------------------------------------


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
    errors.update(_weight_error(weight, "this objective"))
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


# --- stakeholders ------------------------------------------------------------------------------


def stakeholder_add(
    *,
    user: User,
    involvement: str,
    plan: StrategicPlan | None = None,
    objective: Objective | None = None,
) -> Stakeholder:
    """Name a person consulted on, or kept informed of, the plan or one of its objectives.

    They must be able to see it (a role in its unit, above or below, or transparency).
    """
    subject = plan or objective
    if subject is None or (plan is not None and objective is not None):
        raise ValidationError("Choose the plan or one of its objectives.")
    unit = plan.org_unit if plan is not None else objective.plan.org_unit  # type: ignore[union-attr]
    with transaction.atomic():
        stakeholder = Stakeholder(
            plan=plan, objective=objective, user=user, involvement=involvement
        )
        stakeholder.full_clean()
        if not user.is_active:
            raise ValidationError({"user": f"{user.display_name} is deactivated."})
        if not can_view_unit(user, unit.pk):
            message = f"{user.display_name} cannot see {unit.name}'s plan: give them a role first."
            raise ValidationError({"user": message})
        stakeholder.save()
        return stakeholder


def stakeholder_remove(*, stakeholder: Stakeholder) -> None:
    stakeholder.delete()


# --- commentary ----------------------------------------------------------------------------------


def objective_comment_save(
    *, objective: Objective, period: date, text: str, by: User
) -> ObjectiveComment | None:
    """Write the objective's commentary for the period (the first day of a month within its
    plan): a new one, a new text for the existing one, or none when `text` is empty."""
    text = text.strip()
    with transaction.atomic():
        # Locking the objective serialises two first commentaries of the same period.
        Objective.objects.select_for_update().get(pk=objective.pk)
        plan = objective.plan
        if not (plan.start.replace(day=1) <= period <= plan.end):
            raise ValidationError(
                {"period": f"{period:%b %Y} is outside {plan.name} ({plan.start} to {plan.end})."}
            )
        existing = ObjectiveComment.objects.filter(objective=objective, period=period).first()
        if not text:
            if existing is not None:
                existing.delete()
            return None
        comment = existing or ObjectiveComment(objective=objective, period=period)
        comment.text = text
        comment.written_by = by
        errors = {}
        if len(text) > COMMENT_MAX_LENGTH:
            errors["text"] = (
                f"Keep the commentary to {COMMENT_MAX_LENGTH} characters (it has {len(text)})."
            )
        validate_at_fields(comment, errors)
        comment.save()
        return comment
