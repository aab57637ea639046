"""Writes to an objective's commentary: one per period (a month of its plan), replaced when
saved again, removed when saved empty."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core.validation import validate_at_fields
from strategy.models import Objective, ObjectiveComment

COMMENT_MAX_LENGTH = 4000


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
