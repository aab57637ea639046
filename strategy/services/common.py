"""What the strategy's writes share: who may be named on something of a unit (its owner, an
updater), and the rule for weights."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from accounts.models import OrgUnit, Role, User
from accounts.permissions import holds_role

ANY_ROLE = tuple(Role.values)


def person_access_error(
    person: User | None, unit: OrgUnit, *, roles: Sequence[str] = ANY_ROLE, as_what: str
) -> str | None:
    """Why `person` cannot be `as_what` ("the owner") of something of `unit`, or None.

    They need one of `roles` in the unit or a unit above it (superusers hold every role).
    """
    if person is None:
        return None
    name = person.display_name
    if not person.is_active:
        return f"{name} is deactivated and cannot be {as_what}."
    if holds_role(person, unit.pk, *roles):
        return None
    if tuple(roles) == ANY_ROLE:
        needed = "a role"
    else:
        needed = "the " + " or ".join(str(Role(role).label).lower() for role in roles) + " role"
    # "The unit …": a unit may well be called "People", like the section that gives roles.
    return (
        f"{name} has no access to the unit {unit.name}: to be {as_what} they need {needed} "
        f"in it or a unit above it (given in the People section), or choose someone else."
    )


def weight_error(weight: Decimal | None, what: str) -> dict[str, str]:
    """The refusal of a negative weight, at the weight field ({} for any other weight)."""
    if weight is not None and weight < 0:
        return {"weight": f"A weight cannot be negative: use 0 to leave {what} out of the score."}
    return {}
