"""Who may do what, written once: roles per org unit, each applying to the unit's subtree.

The apps above build their predicates (their own rules.py) from these helpers, so HTML views,
the API and templates all ask the same question through `user.has_perm(...)`.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TypeVar, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import Membership, OrgUnit, Role, User

ANY_ROLE = frozenset(Role.values)
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Access:
    """The units over which a person holds each role (subtrees already expanded)."""

    units_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    is_superuser: bool = False
    # Admin of a root unit, i.e. of the whole organisation (superusers aside).
    is_organisation_admin: bool = False

    def units(self, roles: frozenset[str] | set[str] = ANY_ROLE) -> frozenset[int]:
        return frozenset().union(*(self.units_by_role.get(role, frozenset()) for role in roles))

    def holds(self, unit_id: int | None, roles: frozenset[str] | set[str]) -> bool:
        """True if the person holds one of `roles` over the unit (superusers hold every role)."""
        if self.is_superuser:
            return True
        return unit_id is not None and unit_id in self.units(roles)

    @property
    def is_member(self) -> bool:
        return self.is_superuser or any(self.units_by_role.values())


def _subtrees(unit_ids: set[int]) -> dict[int, set[int]]:
    """Every unit's id mapped to the ids of its subtree, for the given roots only."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in OrgUnit.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    result: dict[int, set[int]] = {}
    for root in unit_ids:
        seen = {root}
        frontier = [root]
        while frontier:
            frontier = [child for pk in frontier for child in children[pk] if child not in seen]
            seen.update(frontier)
        result[root] = seen
    return result


_ACCESS_CACHE = "_bearing_access"


def access_for(user: User | AnonymousUser) -> Access:
    """The person's access, computed once per user object (two queries)."""
    if not user.is_authenticated or not user.is_active:
        return Access()
    # Cached on the instance, so one request (one request.user) computes it once. getattr and
    # setattr, not __dict__: request.user is a lazy proxy, and `has_perm` hands the predicates
    # the User behind it; both must find the same cache.
    cached: Access | None = getattr(user, _ACCESS_CACHE, None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user, org_unit__is_archived=False).values_list(
            "org_unit_id", "org_unit__parent_id", "role"
        )
    )
    subtrees = _subtrees({unit_id for unit_id, _, _ in memberships}) if memberships else {}
    by_role: dict[str, set[int]] = defaultdict(set)
    for unit_id, _, role in memberships:
        by_role[role].update(subtrees[unit_id])
    access = Access(
        units_by_role={role: frozenset(ids) for role, ids in by_role.items()},
        is_superuser=user.is_superuser,
        is_organisation_admin=any(
            parent_id is None and role == Role.ADMIN for _, parent_id, role in memberships
        ),
    )
    setattr(user, _ACCESS_CACHE, access)
    return access


def forget_access(user: User) -> None:
    """Drop the cached access, after the person's memberships changed."""
    with suppress(AttributeError):
        delattr(user, _ACCESS_CACHE)


def can_view_unit(user: User | AnonymousUser, unit_id: int | None) -> bool:
    """Members see their units' subtrees; with transparency on, every member sees everything."""
    access = access_for(user)
    if settings.SCORECARD_TRANSPARENCY and access.is_member:
        return True
    return access.holds(unit_id, ANY_ROLE)


def visible_unit_ids(user: User | AnonymousUser) -> frozenset[int] | None:
    """The units whose objects the person may see; None means all of them."""
    access = access_for(user)
    if access.is_superuser or (settings.SCORECARD_TRANSPARENCY and access.is_member):
        return None
    return access.units()


def holds_role(user: User | AnonymousUser, unit_id: int | None, *roles: str) -> bool:
    """True if the person holds one of `roles` over the unit, through the unit or an ancestor."""
    return access_for(user).holds(unit_id, set(roles))


def holds_role_anywhere(user: User | AnonymousUser, *roles: str) -> bool:
    """True if the person holds one of `roles` over some unit.

    Only for offering a link or opening a section whose every action then checks its unit;
    never to allow an action (see accounts/rules.py, `is_organisation_admin`).
    """
    access = access_for(user)
    return access.is_superuser or bool(access.units(set(roles)))


def get_visible_or_404(
    user: User | AnonymousUser, queryset: QuerySet[M], view_perm: str, **lookup: object
) -> M:
    """The object for the person, or 404 when it does not exist or they may not see it.

    Outsiders cannot tell an object they may not see from one that does not exist.
    """
    obj = get_object_or_404(queryset, **lookup)
    if not user.has_perm(view_perm, obj):
        raise Http404
    return obj


def require_perm(user: User | AnonymousUser, perm: str, obj: Model | None = None) -> None:
    """Raise PermissionDenied (403) when the person may see the object but not do this."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def may_change_account(by: User | AnonymousUser | None, person: User) -> bool:
    """Whether `by` may change the person's account itself (e-mail, name, password, status).

    Superuser and staff accounts reach beyond every unit, so only a superuser changes them;
    the unit-scoped rules (who manages whom) apply on top of this for everyone else.
    """
    if not (person.is_superuser or person.is_staff):
        return True
    return by is not None and by.is_active and by.is_superuser


def signed_in_user(request: HttpRequest) -> User:
    """The person making the request; only for views behind `login_required`."""
    return cast(User, request.user)
