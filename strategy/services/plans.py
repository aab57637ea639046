"""Writes to plans and their perspectives: creating a plan (with the four standard
perspectives, and the objectives it supports when it cascades), changing and archiving it,
copying its structure, and adding, changing, reordering and removing perspectives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.models import OrgUnit
from core.validation import validate_at_fields
from strategy.models import Objective, ObjectiveLink, Perspective, StrategicPlan
from strategy.services.common import person_access_error, weight_error
from strategy.services.objectives import objective_create

STANDARD_PERSPECTIVES = (
    Perspective.Kind.FINANCIAL,
    Perspective.Kind.CUSTOMER,
    Perspective.Kind.INTERNAL,
    Perspective.Kind.LEARNING,
)


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
        validate_at_fields(perspective, weight_error(weight, "this perspective"))
        perspective.save()
        return perspective


def perspective_update(*, perspective: Perspective, name: str, weight: Decimal) -> Perspective:
    """Rename and weight a perspective."""
    with transaction.atomic():
        locked = Perspective.objects.select_for_update().get(pk=perspective.pk)
        locked.name = name.strip()
        locked.weight = weight
        validate_at_fields(locked, weight_error(weight, "this perspective"))
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
