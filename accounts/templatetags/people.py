"""Template filters for showing people: `{% load people %}` then `{{ kpi.owner|person }}`."""

from __future__ import annotations

from django import template

from accounts.models import ROLE_DESCRIPTIONS, Role, User

register = template.Library()


@register.filter
def person(user: User | None) -> str:
    """The person's name, with "(deactivated)" when they can no longer sign in; "—" for nobody."""
    if user is None:
        return "—"
    return user.display_name


@register.inclusion_tag("accounts/_role_help.html")
def role_help() -> dict[str, object]:
    """What each role may do, shown next to a role's choice (the select names it with
    `aria-describedby="role-help"`)."""
    return {"roles": [(label, ROLE_DESCRIPTIONS[value]) for value, label in Role.choices]}
