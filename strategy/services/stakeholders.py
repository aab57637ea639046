"""Writes to a plan's stakeholders: the people consulted on it or kept informed of it, or of
one of its objectives."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.permissions import can_view_unit
from strategy.models import Objective, Stakeholder, StrategicPlan


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
