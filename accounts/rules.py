"""Permissions on people and the organisation (see DESIGN.md section 5)."""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from accounts.models import OrgUnit, Role, User
from accounts.permissions import access_for, can_view_unit, holds_role, holds_role_anywhere


@predicate
def can_manage_people(user: User, unit: OrgUnit | None) -> bool:
    if unit is None:
        return holds_role_anywhere(user, Role.ADMIN)
    return holds_role(user, unit.pk, Role.ADMIN)


@predicate
def can_view_org_unit(user: User, unit: OrgUnit | None) -> bool:
    return unit is not None and can_view_unit(user, unit.pk)


@predicate
def can_view_audit_trail(user: User) -> bool:
    """The trail spans the whole organisation, so only admins of the whole organisation read it."""
    access = access_for(user)
    if access.is_superuser:
        # Superusers hold every role, over the root too once there is one.
        return OrgUnit.objects.filter(parent__isnull=True).exists()
    return access.is_organisation_admin


add_perm("accounts.manage_people", can_manage_people)
add_perm("accounts.view_audit_trail", can_view_audit_trail)
# The security policy is organisation-wide too: the same admins of the whole organisation.
add_perm("accounts.manage_security_policy", can_view_audit_trail)
add_perm("accounts.view_orgunit", can_view_org_unit)
