"""Service errors where people can fix them: each problem at its field, on models and forms.

Services raise Django's ValidationError keyed by field; `validate_at_fields` collects every
problem of a model at once (its fields and its constraints), and `add_service_error` puts such
an error on the form field it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP


def _first_field(condition: Q) -> str | None:
    """The field a check constraint's condition is about: the first one it names."""
    for child in condition.children:
        if isinstance(child, Q):
            found = _first_field(child)
            if found:
                return found
        elif isinstance(child, tuple):
            return str(child[0]).split(LOOKUP_SEP)[0]
    return None


def _constraint_field(constraint: models.BaseConstraint) -> str:
    # A duplicate is typed in the constraint's last field (`plan, code` → `code`).
    if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
        return str(constraint.fields[-1])
    if isinstance(constraint, models.CheckConstraint) and isinstance(constraint.condition, Q):
        return _first_field(constraint.condition) or NON_FIELD_ERRORS
    return NON_FIELD_ERRORS


def validate_at_fields(instance: models.Model, errors: Mapping[str, str] | None = None) -> None:
    """`full_clean()`, raising every problem at once, each at the field to fix.

    `errors` are the caller's own findings by field; a field with one of those keeps only it
    (so a clear message is not repeated by a generic one). A unique constraint's message goes
    to its last field and a check constraint's to the field its condition names, rather than
    to the form as a whole.
    """
    collected: dict[str, list[str]] = {
        field: [message] for field, message in (errors or {}).items()
    }
    own = set(collected)

    def add(field: str, messages: Iterable[str]) -> None:
        if field in own:
            return
        for message in messages:
            if message not in collected.setdefault(field, []):
                collected[field].append(message)

    try:
        instance.full_clean(exclude=sorted(own), validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            add(field, messages)
    for constraint in instance._meta.constraints:
        try:
            # django-stubs lacks BaseConstraint.validate (Django 4.1+).
            constraint.validate(type(instance), instance, exclude=set(collected))  # type: ignore[attr-defined]
        except ValidationError as error:
            add(_constraint_field(constraint), error.messages)
    if collected:
        raise ValidationError(collected)


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form: to its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
