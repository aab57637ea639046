"""The organisation tree and memberships."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Membership, OrgUnit, Role
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> dict[str, OrgUnit]:
    """ACME at the root; Sales and Operations below it; two teams below Sales."""
    acme = OrgUnitFactory(name="ACME", code="acme")
    sales = OrgUnitFactory(name="Sales", code="sales", parent=acme)
    operations = OrgUnitFactory(name="Operations", code="operations", parent=acme)
    north = OrgUnitFactory(name="Sales North", code="sales-north", parent=sales)
    south = OrgUnitFactory(name="Sales South", code="sales-south", parent=sales)
    return {unit.code: unit for unit in (acme, sales, operations, north, south)}


def ids(tree: dict[str, OrgUnit], *codes: str) -> set[int]:
    return {tree[code].pk for code in codes}


def test_subtree_of_the_root_is_the_whole_organisation(tree):
    assert tree["acme"].subtree_ids() == ids(
        tree, "acme", "sales", "operations", "sales-north", "sales-south"
    )


def test_subtree_of_a_department_is_itself_and_its_teams(tree):
    assert tree["sales"].subtree_ids() == ids(tree, "sales", "sales-north", "sales-south")


def test_subtree_of_a_leaf_is_only_itself(tree):
    assert tree["sales-north"].subtree_ids() == ids(tree, "sales-north")
    assert tree["operations"].subtree_ids() == ids(tree, "operations")


def test_subtree_ids_takes_one_query_per_level(tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        tree["acme"].subtree_ids()


def test_ancestors_run_from_the_direct_parent_up_to_the_root(tree):
    assert tree["sales-north"].ancestors() == [tree["sales"], tree["acme"]]
    assert tree["operations"].ancestors() == [tree["acme"]]
    assert tree["acme"].ancestors() == []


def test_database_refuses_a_unit_that_is_its_own_parent(tree):
    acme = tree["acme"]
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnit.objects.filter(pk=acme.pk).update(parent=acme)
    acme.refresh_from_db()
    assert acme.parent is None


def test_database_refuses_a_membership_with_an_unknown_role():
    user = UserFactory()
    unit = OrgUnitFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, org_unit=unit, role="overlord")
    assert Membership.objects.count() == 0


def test_full_clean_refuses_a_membership_with_an_unknown_role():
    membership = Membership(user=UserFactory(), org_unit=OrgUnitFactory(), role="overlord")
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "role" in error.value.message_dict


def test_database_refuses_the_same_role_twice_for_one_person_and_unit():
    membership = MembershipFactory(role=Role.MANAGER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=membership.user, org_unit=membership.org_unit, role=Role.MANAGER
        )
    assert Membership.objects.count() == 1


def test_full_clean_refuses_the_same_role_twice_for_one_person_and_unit():
    membership = MembershipFactory(role=Role.MANAGER)
    twin = Membership(user=membership.user, org_unit=membership.org_unit, role=Role.MANAGER)
    with pytest.raises(ValidationError, match="already holds this role"):
        twin.full_clean()


def test_one_person_may_hold_two_roles_in_a_unit_and_one_role_in_two_units():
    membership = MembershipFactory(role=Role.MANAGER)
    MembershipFactory(user=membership.user, org_unit=membership.org_unit, role=Role.ADMIN)
    MembershipFactory(user=membership.user, role=Role.MANAGER)
    assert Membership.objects.filter(user=membership.user).count() == 3
