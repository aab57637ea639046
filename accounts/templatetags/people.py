"""Template filters for showing people: `{% load people %}` then `{{ kpi.owner|person }}`."""

from __future__ import annotations

from django import template

from accounts.models import User

register = template.Library()


@register.filter
def person(user: User | None) -> str:
    """The person's name, with "(deactivated)" when they can no longer sign in; "—" for nobody."""
    if user is None:
        return "—"
    return user.display_name
