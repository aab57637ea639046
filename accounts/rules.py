"""Permissions on people and the organisation (see DESIGN.md section 5).

Two kinds of action, decided once here and in each app's rules.py:

- unit-scoped actions check the unit of the object (a role covers its unit's subtree only);
- organisation-wide actions (the close date, the audit trail, the security policy, the
  webhooks, and later the report and reminder schedule) need `is_organisation_admin`: an
  admin of the root unit, or a superuser. An admin of one department, however high, never has them.
"""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from accounts.models import OrgUnit, Role, User
from accounts.permissions import access_for, can_view_unit, holds_role, holds_role_anywhere


@predicate
def is_organisation_admin(user: User) -> bool:
    """Whether the person may act on the whole organisation: a root-unit admin or a superuser."""
    access = access_for(user)
    return access.is_superuser or access.is_organisation_admin


@predicate
def can_manage_people(user: User, unit: OrgUnit | None) -> bool:
    """Without a unit, whether to open the People section at all (an admin of some unit); every
    page and change in it then checks the unit of the person, membership or unit concerned."""
    if unit is None:
        return holds_role_anywhere(user, Role.ADMIN)
    return holds_role(user, unit.pk, Role.ADMIN)


@predicate
def can_view_org_unit(user: User, unit: OrgUnit | None) -> bool:
    return unit is not None and can_view_unit(user, unit.pk)


add_perm("accounts.manage_people", can_manage_people)
# The trail spans the whole organisation, so only admins of the whole organisation read it.
add_perm("accounts.view_audit_trail", is_organisation_admin)
# The security policy is organisation-wide too: the same admins of the whole organisation.
add_perm("accounts.manage_security_policy", is_organisation_admin)
add_perm("accounts.view_orgunit", can_view_org_unit)
