"""Reads for the People section: what an admin manages, the org-unit tree, people lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import Membership, OrgUnit, Role, User
from accounts.permissions import access_for, visible_unit_ids


def visible_users(user: User | AnonymousUser) -> QuerySet[User]:
    """The people holding a role in a unit the person sees (and the person themselves)."""
    unit_ids = visible_unit_ids(user)
    if unit_ids is None:
        return User.objects.all()
    return User.objects.filter(
        Q(memberships__org_unit_id__in=unit_ids) | Q(pk=getattr(user, "pk", None))
    ).distinct()


def managed_unit_ids(user: User | AnonymousUser) -> frozenset[int] | None:
    """The units whose people and roles the person manages; None means every unit.

    Superusers manage everything; an admin manages the subtrees of the units where they hold
    the admin role (see accounts/rules.py: the same predicate answers `has_perm`).
    """
    access = access_for(user)
    if access.is_superuser:
        return None
    return access.units({Role.ADMIN})


def manages_everything(managed: frozenset[int] | None) -> bool:
    """True for superusers and for admins whose subtrees cover every unit (organisation admins)."""
    return managed is None or not OrgUnit.objects.exclude(pk__in=managed).exists()


def managed_units(managed: frozenset[int] | None) -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.all()
    return units if managed is None else units.filter(pk__in=managed)


@dataclass
class UnitNode:
    """One unit of the tree with its members and sub-units, ready for the template."""

    unit: OrgUnit
    depth: int = 0
    memberships: list[Membership] = field(default_factory=list)
    children: list[UnitNode] = field(default_factory=list)
    # The unit and everything below it: a unit cannot move under any of these.
    subtree_ids: set[int] = field(default_factory=set)

    @property
    def indented_name(self) -> str:
        """The name indented by depth, for the options of a unit select."""
        return "— " * self.depth + self.unit.name


def org_unit_tree(managed: frozenset[int] | None) -> list[UnitNode]:
    """The managed units as a forest (two queries): each top unit with its subtree and members."""
    units = list(managed_units(managed).order_by("name"))
    memberships = (
        Membership.objects.filter(org_unit__in=[unit.pk for unit in units])
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )
    nodes = {unit.pk: UnitNode(unit=unit) for unit in units}
    for membership in memberships:
        nodes[membership.org_unit_id].memberships.append(membership)
    roots: list[UnitNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[unit.pk])

    def finish(node: UnitNode, depth: int) -> set[int]:
        node.depth = depth
        node.subtree_ids = {node.unit.pk}
        for child in node.children:
            node.subtree_ids |= finish(child, depth + 1)
        return node.subtree_ids

    for root in roots:
        finish(root, 0)
    return roots


def flatten(roots: list[UnitNode]) -> list[UnitNode]:
    """The tree's nodes in display order (depth first), e.g. for a select's options."""
    result: list[UnitNode] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        result.append(node)
        stack.extend(reversed(node.children))
    return result


def people_for_admin(managed: frozenset[int] | None) -> QuerySet[User]:
    """The people an admin manages: everyone for organisation admins, else their units' members."""
    if managed is None or manages_everything(managed):
        return User.objects.all()
    return User.objects.filter(
        pk__in=Membership.objects.filter(org_unit_id__in=managed).values("user_id")
    )


class PersonStatus:
    ALL = "all"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    CHOICES = [(ALL, "All"), (ACTIVE, "Active"), (DEACTIVATED, "Deactivated")]


def people_search(people: QuerySet[User], *, query: str = "", status: str = "") -> QuerySet[User]:
    """People whose name, username or e-mail contains every word of the query, by status."""
    for word in query.split():
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    if status == PersonStatus.ACTIVE:
        people = people.filter(is_active=True)
    elif status == PersonStatus.DEACTIVATED:
        people = people.filter(is_active=False)
    return people.order_by("last_name", "first_name", "username")


def memberships_by_user(people: list[User], managed: frozenset[int] | None) -> dict[int, list[str]]:
    """For a page of people, "Role of Unit" labels of their managed memberships (one query)."""
    memberships = Membership.objects.filter(user__in=people).select_related("org_unit")
    if managed is not None:
        memberships = memberships.filter(org_unit_id__in=managed)
    labels: dict[int, list[str]] = defaultdict(list)
    for membership in memberships.order_by("org_unit__name", "role"):
        labels[membership.user_id].append(
            f"{membership.get_role_display()} of {membership.org_unit.name}"
        )
    return labels
