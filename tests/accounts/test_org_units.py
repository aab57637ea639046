"""The org-unit tree in the People section: add, rename, move, archive, restore."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import Membership, OrgUnit, Role
from accounts.permissions import holds_role
from tests.accounts.org import HTMX, Org, build_org, client_for
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return build_org()


def names_and_parents() -> set[tuple[str, str | None]]:
    return {
        (unit.name, unit.parent.name if unit.parent else None)
        for unit in OrgUnit.objects.select_related("parent")
    }


# --- services ------------------------------------------------------------------------------------


def test_a_new_unit_goes_under_its_parent_with_a_code_from_its_name(org):
    unit = services.org_unit_create(name="Customer Care", parent=org.operations)
    assert unit.parent == org.operations
    assert unit.code == "customer-care"


def test_a_unit_is_not_added_under_an_archived_unit(org):
    services.org_unit_archive(unit=org.north)
    with pytest.raises(ValidationError) as error:
        services.org_unit_create(name="Team", parent=org.north)
    assert "Sales North is archived" in error.value.message_dict["parent"][0]
    assert not OrgUnit.objects.filter(name="Team").exists()


def test_a_second_root_unit_is_refused(org):
    with pytest.raises(ValidationError) as error:
        services.org_unit_create(name="Other Co", parent=None)
    assert "already has its root unit" in error.value.message_dict["parent"][0]


def test_a_duplicate_code_is_refused_with_the_fields_message(org):
    with pytest.raises(ValidationError) as error:
        services.org_unit_create(name="Sales", parent=org.operations)
    assert "code" in error.value.message_dict
    assert OrgUnit.objects.filter(name="Sales").count() == 1


def test_renaming_keeps_the_unit_where_it_is(org):
    services.org_unit_update(unit=org.sales, name="Sales & Marketing", parent=org.acme)
    org.sales.refresh_from_db()
    assert (org.sales.name, org.sales.parent) == ("Sales & Marketing", org.acme)


def test_a_unit_moves_under_another_unit_with_its_subtree(org):
    services.org_unit_update(unit=org.sales, name="Sales", parent=org.operations)
    org.north.refresh_from_db()
    assert org.north.ancestors() == [org.sales, org.operations, org.acme]


def test_a_unit_cannot_move_under_itself(org):
    before = names_and_parents()
    with pytest.raises(ValidationError) as error:
        services.org_unit_update(unit=org.sales, name="Sales", parent=org.sales)
    assert error.value.message_dict["parent"] == [
        "Sales cannot move under itself: that would make a loop."
    ]
    assert names_and_parents() == before


def test_a_unit_cannot_move_under_its_own_descendant(org):
    before = names_and_parents()
    with pytest.raises(ValidationError) as error:
        services.org_unit_update(unit=org.sales, name="Renamed too", parent=org.north)
    assert error.value.message_dict["parent"] == [
        "Sales cannot move under its own sub-unit Sales North: that would make a loop."
    ]
    assert names_and_parents() == before
    assert org.sales.name == "Sales"


def test_the_root_cannot_move_under_one_of_its_units(org):
    with pytest.raises(ValidationError):
        services.org_unit_update(unit=org.acme, name="ACME", parent=org.operations)
    org.acme.refresh_from_db()
    assert org.acme.parent is None


def test_a_department_cannot_become_a_second_root(org):
    with pytest.raises(ValidationError) as error:
        services.org_unit_update(unit=org.sales, name="Sales", parent=None)
    assert "only the root has none" in error.value.message_dict["parent"][0]


def test_a_unit_cannot_move_under_an_archived_unit(org):
    services.org_unit_archive(unit=org.north)
    with pytest.raises(ValidationError) as error:
        services.org_unit_update(unit=org.operations, name="Operations", parent=org.north)
    assert "archived" in error.value.message_dict["parent"][0]


def test_archiving_keeps_the_memberships_but_they_grant_nothing_any_more(org):
    membership = Membership.objects.create(user=org.operator, org_unit=org.north, role=Role.MANAGER)
    services.org_unit_archive(unit=org.north)
    org.north.refresh_from_db()
    assert org.north.is_archived
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not holds_role(org.operator, org.north.pk, Role.MANAGER)


def test_a_unit_with_active_sub_units_cannot_be_archived(org):
    with pytest.raises(ValidationError) as error:
        services.org_unit_archive(unit=org.sales)
    assert error.value.messages == [
        "Sales still has active sub-units (Sales North); archive or move them first."
    ]
    org.sales.refresh_from_db()
    assert not org.sales.is_archived


def test_the_root_unit_cannot_be_archived(org):
    with pytest.raises(ValidationError) as error:
        services.org_unit_archive(unit=org.acme)
    assert "root unit cannot be archived" in error.value.messages[0]


def test_a_restored_unit_is_active_again_unless_its_parent_is_archived(org):
    services.org_unit_archive(unit=org.north)
    services.org_unit_archive(unit=org.sales)
    with pytest.raises(ValidationError):
        services.org_unit_restore(unit=OrgUnit.objects.get(pk=org.north.pk))
    services.org_unit_restore(unit=OrgUnit.objects.get(pk=org.sales.pk))
    services.org_unit_restore(unit=OrgUnit.objects.get(pk=org.north.pk))
    assert not OrgUnit.objects.filter(is_archived=True).exists()


# --- views: who may see and change what --------------------------------------------------------


def test_root_admin_sees_the_whole_tree_with_members_and_roles(org):
    response = client_for(org.root_admin).get(reverse("people:org_units"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("ACME", "Sales", "Sales North", "Operations"):
        assert f">{name}" in html or f"{name} <small" in html
    assert "Manager" in html
    assert f'href="{reverse("people:person", args=[org.operator.pk])}"' in html


def test_subtree_admin_sees_only_their_subtree(org):
    response = client_for(org.sales_admin).get(reverse("people:org_units"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="unit-{org.sales.pk}"' in html
    assert f'id="unit-{org.north.pk}"' in html
    assert f'id="unit-{org.operations.pk}"' not in html
    assert f'id="unit-{org.acme.pk}"' not in html


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_people_without_the_admin_role_are_refused_the_tree(org, who):
    client = client_for(getattr(org, who))
    assert client.get(reverse("people:org_units")).status_code == 403
    response = client.post(reverse("people:org_unit_rename", args=[org.sales.pk]), {"name": "X"})
    assert response.status_code == 403
    assert client.post(reverse("people:org_unit_archive", args=[org.north.pk])).status_code == 403
    org.sales.refresh_from_db()
    assert org.sales.name == "Sales"


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    response = client.get(reverse("people:org_units"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_subtree_admin_gets_404_for_a_unit_outside_their_subtree(org):
    client = client_for(org.sales_admin)
    for name in ("org_unit_rename", "org_unit_move", "org_unit_archive", "org_unit_restore"):
        url = reverse(f"people:{name}", args=[org.operations.pk])
        assert client.post(url, {"name": "Taken", "parent": org.sales.pk}).status_code == 404
    org.operations.refresh_from_db()
    assert (org.operations.name, org.operations.parent, org.operations.is_archived) == (
        "Operations",
        org.acme,
        False,
    )


def test_rename_without_javascript_redirects_with_a_message(org):
    client = client_for(org.root_admin)
    url = reverse("people:org_unit_rename", args=[org.sales.pk])
    response = client.post(url, {"name": "Revenue"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("people:org_units"))
    assert "Sales was renamed to Revenue." in response.content.decode()


def test_rename_with_htmx_returns_only_that_units_partial(org):
    client = client_for(org.root_admin)
    url = reverse("people:org_unit_rename", args=[org.sales.pk])
    response = client.post(url, {"name": "Revenue"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="unit" id="unit-{org.sales.pk}"')
    assert "<html" not in html
    assert f'id="unit-{org.north.pk}"' not in html
    assert "Sales was renamed to Revenue." in html
    org.sales.refresh_from_db()
    assert org.sales.name == "Revenue"


def test_a_blank_name_is_refused_with_a_message_and_nothing_changes(org):
    client = client_for(org.root_admin)
    url = reverse("people:org_unit_rename", args=[org.sales.pk])
    response = client.post(url, {"name": "  "}, **HTMX)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    org.sales.refresh_from_db()
    assert org.sales.name == "Sales"


def test_moving_under_its_own_descendant_through_the_page_is_refused_with_the_reason(org):
    client = client_for(org.root_admin)
    url = reverse("people:org_unit_move", args=[org.sales.pk])
    response = client.post(url, {"parent": org.north.pk}, **HTMX)
    assert response.status_code == 400
    assert "Sales cannot move under its own sub-unit Sales North" in response.content.decode()
    org.sales.refresh_from_db()
    assert org.sales.parent == org.acme


def test_moving_with_htmx_returns_the_whole_tree_with_the_unit_in_its_new_place(org):
    client = client_for(org.root_admin)
    url = reverse("people:org_unit_move", args=[org.north.pk])
    response = client.post(url, {"parent": org.operations.pk}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="organisation">')
    assert "Sales North now belongs to Operations." in html
    org.north.refresh_from_db()
    assert org.north.parent == org.operations


def test_a_tampered_parent_from_another_subtree_is_refused_and_nothing_changes(org):
    client = client_for(org.sales_admin)
    url = reverse("people:org_unit_move", args=[org.north.pk])
    response = client.post(url, {"parent": org.operations.pk}, **HTMX)
    assert response.status_code == 400
    assert "Choose one of the active units you manage." in response.content.decode()
    org.north.refresh_from_db()
    assert org.north.parent == org.sales


def test_subtree_admin_adds_a_unit_only_inside_their_subtree(org):
    client = client_for(org.sales_admin)
    url = reverse("people:org_unit_add")
    response = client.post(url, {"name": "Sales South", "parent": org.sales.pk}, **HTMX)
    assert response.status_code == 200
    assert "Sales South was added under Sales." in response.content.decode()
    response = client.post(url, {"name": "Ops Team", "parent": org.operations.pk}, **HTMX)
    assert response.status_code == 400
    assert not OrgUnit.objects.filter(name="Ops Team").exists()


def test_archiving_through_the_page_shows_the_unit_as_archived(org):
    client = client_for(org.root_admin)
    response = client.post(reverse("people:org_unit_archive", args=[org.sales.pk]), **HTMX)
    assert response.status_code == 400
    assert "archive or move them first" in response.content.decode()
    org.sales.refresh_from_db()
    assert not org.sales.is_archived
    response = client.post(reverse("people:org_unit_archive", args=[org.north.pk]), **HTMX)
    assert response.status_code == 200
    assert '<span class="badge">archived</span>' in response.content.decode()
    assert f"Restore {org.north.name}" in response.content.decode()


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(org):
    client = client_for(org.root_admin, enforce_csrf_checks=True)
    url = reverse("people:org_unit_rename", args=[org.sales.pk])
    assert client.post(url, {"name": "Forged"}, **HTMX).status_code == 403
    assert client.post(url, {"name": "Forged"}).status_code == 403
    org.sales.refresh_from_db()
    assert org.sales.name == "Sales"


def test_superuser_manages_every_unit_without_a_membership(org):
    other_root = OrgUnitFactory(name="Other Co", code="other-co")
    client = client_for(org.outsider)
    org.outsider.is_superuser = True
    org.outsider.save()
    response = client.get(reverse("people:org_units"))
    assert response.status_code == 200
    assert f'id="unit-{other_root.pk}"' in response.content.decode()
