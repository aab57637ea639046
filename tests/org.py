"""How a test builds an organisation: units in a tree, and people holding roles in them.

Each area's builder (tests/accounts/org.py, tests/kpis/updates_org.py, tests/api_org.py and
the permission matrix's world) states its organisation with these two functions, so units and
people are made one way everywhere and only the shape differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from accounts.models import OrgUnit, Role, User
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory


def unit_tree(*units: tuple[str, str, str | None]) -> dict[str, OrgUnit]:
    """Units given as (code, name, parent's code), parents first; returned by code."""
    made: dict[str, OrgUnit] = {}
    for code, name, parent in units:
        made[code] = OrgUnitFactory(code=code, name=name, parent=made[parent] if parent else None)
    return made


def people(roles: Mapping[str, Iterable[tuple[OrgUnit, Role]]]) -> dict[str, User]:
    """People named by their usernames, each with the roles listed (none: no role anywhere).

    Their first name is the username in words ("root_admin" is "Root Admin"), the last name
    empty, and they have no password, which spares the slow hashing; a test that signs in with
    a password sets one.
    """
    made: dict[str, User] = {}
    for username, held in roles.items():
        made[username] = person = UserFactory(
            username=username,
            first_name=username.replace("_", " ").title(),
            last_name="",
            password=None,
        )
        for unit, role in held:
            MembershipFactory(user=person, org_unit=unit, role=role)
    return made
