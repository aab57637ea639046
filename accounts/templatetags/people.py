"""Template filters for showing people: `{% load people %}` then `{{ kpi.owner|person }}`; and
the links other apps add to the People section's menu (`{% people_section_links as links %}`)."""

from __future__ import annotations

from django import template

from accounts.extensions import Link, links_for_people_section
from accounts.models import ROLE_DESCRIPTIONS, Role, User

register = template.Library()


@register.filter
def person(user: User | None) -> str:
    """The person's name, with "(deactivated)" when they can no longer sign in; "—" for nobody."""
    if user is None:
        return "—"
    return user.display_name


@register.simple_tag(takes_context=True)
def people_section_links(context: template.Context) -> list[Link]:
    """The links other apps registered for the People section's menu, for the signed-in person."""
    return links_for_people_section(context["request"].user)


@register.inclusion_tag("accounts/_role_help.html")
def role_help() -> dict[str, object]:
    """What each role may do, shown next to a role's choice (the select names it with
    `aria-describedby="role-help"`)."""
    return {"roles": [(label, ROLE_DESCRIPTIONS[value]) for value, label in Role.choices]}
