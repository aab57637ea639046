"""A small organisation for the People section's tests, and helpers to act in it."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from accounts.models import OrgUnit, Role, User
from tests.org import people, unit_tree


@dataclass
class Org:
    """ACME at the root with Sales (and Sales North below it) and Operations.

    root_admin: admin of ACME (the whole organisation); sales_admin: admin of Sales only;
    manager: manager of Sales (a lesser role); viewer: viewer of ACME; operator: viewer of
    Operations (outside the Sales subtree); outsider: no role anywhere.
    """

    acme: OrgUnit
    sales: OrgUnit
    north: OrgUnit
    operations: OrgUnit
    root_admin: User
    sales_admin: User
    manager: User
    viewer: User
    operator: User
    outsider: User


def build_org() -> Org:
    units = unit_tree(
        ("acme", "ACME", None),
        ("sales", "Sales", "acme"),
        ("sales-north", "Sales North", "sales"),
        ("operations", "Operations", "acme"),
    )
    acme, sales, operations = units["acme"], units["sales"], units["operations"]
    staff = people(
        {
            "root_admin": [(acme, Role.ADMIN)],
            "sales_admin": [(sales, Role.ADMIN)],
            "manager": [(sales, Role.MANAGER)],
            "viewer": [(acme, Role.VIEWER)],
            "operator": [(operations, Role.VIEWER)],
            "outsider": [],
        }
    )
    return Org(acme=acme, sales=sales, north=units["sales-north"], operations=operations, **staff)


def client_for(user: User, **kwargs: object) -> Client:
    client = Client(**kwargs)  # type: ignore[arg-type]
    client.force_login(user)
    return client


HTMX = {"HTTP_HX_REQUEST": "true"}
# What the remove button posts once the removal is confirmed (see membership_remove).
CONFIRMED = {"confirmed": "yes"}


def admin_user_form(person: User, **changes: object) -> dict[str, object]:
    """The Django admin's change form for a person as posted unchanged, with `changes` on top."""
    data: dict[str, object] = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data
