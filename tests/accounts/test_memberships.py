"""Memberships (person, unit and role) in the People section, and the last-admin rule."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import Membership, Role
from accounts.permissions import holds_role
from tests.accounts.org import CONFIRMED, HTMX, Org, build_org, client_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return build_org()


def roles_of(user) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user=user).values_list("org_unit__code", "role"))


# --- services ------------------------------------------------------------------------------------


def test_a_role_given_in_a_unit_applies_at_once_to_its_subtree(org):
    assert not holds_role(org.viewer, org.north.pk, Role.MANAGER)
    services.membership_add(user=org.viewer, org_unit=org.sales, role=Role.MANAGER)
    # The same user object: its cached access was dropped by the service.
    assert holds_role(org.viewer, org.north.pk, Role.MANAGER)


def test_an_unknown_role_is_refused_with_a_clear_message_and_nothing_is_written(org):
    before = Membership.objects.count()
    with pytest.raises(ValidationError) as error:
        services.membership_add(user=org.viewer, org_unit=org.sales, role="overlord")
    assert error.value.message_dict == {"role": ["Value 'overlord' is not a valid choice."]}
    assert Membership.objects.count() == before


def test_the_same_role_twice_in_one_unit_is_refused(org):
    with pytest.raises(ValidationError) as error:
        services.membership_add(user=org.manager, org_unit=org.sales, role=Role.MANAGER)
    assert error.value.messages == ["This person already holds this role in this unit."]


def test_no_role_is_given_in_an_archived_unit_nor_to_a_deactivated_person(org):
    services.org_unit_archive(unit=org.north)
    with pytest.raises(ValidationError) as error:
        services.membership_add(user=org.viewer, org_unit=org.north, role=Role.VIEWER)
    assert "archived" in error.value.message_dict["org_unit"][0]
    services.user_deactivate(user=org.outsider, by=org.root_admin)
    with pytest.raises(ValidationError) as error:
        services.membership_add(user=org.outsider, org_unit=org.sales, role=Role.VIEWER)
    assert "deactivated" in error.value.message_dict["user"][0]


def test_changing_a_role_to_an_unknown_one_is_refused_and_changes_nothing(org):
    membership = Membership.objects.get(user=org.manager)
    with pytest.raises(ValidationError) as error:
        services.membership_change_role(membership=membership, role="overlord")
    assert "role" in error.value.message_dict
    assert membership.role == Role.MANAGER
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_changing_a_role_takes_effect_at_once(org):
    membership = Membership.objects.get(user=org.manager)
    services.membership_change_role(membership=membership, role=Role.EXECUTIVE)
    assert roles_of(org.manager) == {("sales", Role.EXECUTIVE)}
    assert not holds_role(membership.user, org.sales.pk, Role.MANAGER)


def test_removing_a_role_keeps_the_person(org):
    services.membership_remove(membership=Membership.objects.get(user=org.manager))
    org.manager.refresh_from_db()
    assert org.manager.is_active
    assert roles_of(org.manager) == set()


def test_the_last_admin_cannot_remove_their_own_admin_role(org):
    membership = Membership.objects.get(user=org.root_admin)
    with pytest.raises(ValidationError) as error:
        services.membership_remove(membership=membership)
    assert error.value.messages == [
        "Root Admin is the last admin of ACME. Give someone else the admin role first, so "
        "the organisation always has an admin."
    ]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_cannot_change_their_own_role_to_a_lesser_one(org):
    membership = Membership.objects.get(user=org.root_admin)
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=membership, role=Role.VIEWER)
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_a_deactivated_admin_does_not_count_as_another_admin(org):
    other = MembershipFactory(user=org.outsider, org_unit=org.acme, role=Role.ADMIN).user
    services.user_deactivate(user=other, by=org.root_admin)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=Membership.objects.get(user=org.root_admin))


def test_an_admin_may_step_down_once_someone_else_is_admin_of_the_organisation(org):
    services.membership_add(user=org.viewer, org_unit=org.acme, role=Role.ADMIN)
    services.membership_remove(membership=Membership.objects.get(user=org.root_admin))
    assert roles_of(org.root_admin) == set()


def test_a_subtree_admin_may_give_up_their_role_while_the_organisation_has_an_admin(org):
    services.membership_remove(membership=Membership.objects.get(user=org.sales_admin))
    assert roles_of(org.sales_admin) == set()


# --- views --------------------------------------------------------------------------------------


def test_admin_gives_a_role_with_htmx_and_gets_only_the_memberships_partial(org):
    client = client_for(org.root_admin)
    url = reverse("people:membership_add", args=[org.viewer.pk])
    response = client.post(url, {"org_unit": org.sales.pk, "role": Role.MANAGER}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="memberships"')
    assert "<html" not in html
    assert "Viewer is now Manager of the unit Sales." in html
    assert roles_of(org.viewer) == {("acme", Role.VIEWER), ("sales", Role.MANAGER)}


def test_admin_gives_a_role_without_javascript_and_is_redirected_with_a_message(org):
    client = client_for(org.root_admin)
    url = reverse("people:membership_add", args=[org.viewer.pk])
    response = client.post(url, {"org_unit": org.sales.pk, "role": Role.MANAGER}, follow=True)
    assert response.redirect_chain == [(reverse("people:person", args=[org.viewer.pk]), 302)]
    assert "Viewer is now Manager of the unit Sales." in response.content.decode()


def test_a_role_name_that_does_not_exist_is_refused_with_a_message(org):
    client = client_for(org.root_admin)
    url = reverse("people:membership_add", args=[org.viewer.pk])
    response = client.post(url, {"org_unit": org.sales.pk, "role": "overlord"}, **HTMX)
    assert response.status_code == 400
    assert "“overlord” is not a role. Choose one of: Viewer, Contributor" in (
        response.content.decode()
    )
    assert roles_of(org.viewer) == {("acme", Role.VIEWER)}
    membership = Membership.objects.get(user=org.manager)
    response = client.post(
        reverse("people:membership_role", args=[membership.pk]), {"role": "overlord"}, **HTMX
    )
    assert response.status_code == 400
    assert "“overlord” is not a role." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_a_tampered_unit_id_from_another_subtree_is_refused_and_nothing_changes(org):
    client = client_for(org.sales_admin)
    url = reverse("people:membership_add", args=[org.manager.pk])
    response = client.post(url, {"org_unit": org.operations.pk, "role": Role.ADMIN}, **HTMX)
    assert response.status_code == 400
    assert "Choose one of the active units you manage." in response.content.decode()
    assert roles_of(org.manager) == {("sales", Role.MANAGER)}


def test_subtree_admin_gets_404_for_a_membership_or_person_outside_their_subtree(org):
    client = client_for(org.sales_admin)
    outside = Membership.objects.get(user=org.operator)
    role_url = reverse("people:membership_role", args=[outside.pk])
    assert client.post(role_url, {"role": Role.ADMIN}).status_code == 404
    assert client.post(reverse("people:membership_remove", args=[outside.pk])).status_code == 404
    add_url = reverse("people:membership_add", args=[org.operator.pk])
    assert client.post(add_url, {"org_unit": org.sales.pk, "role": Role.VIEWER}).status_code == 404
    assert roles_of(org.operator) == {("operations", Role.VIEWER)}


def test_subtree_admin_changes_a_role_inside_their_subtree(org):
    client = client_for(org.sales_admin)
    membership = Membership.objects.get(user=org.manager)
    url = reverse("people:membership_role", args=[membership.pk])
    response = client.post(url, {"role": Role.CONTRIBUTOR}, **HTMX)
    assert response.status_code == 200
    assert "Manager is now Contributor of the unit Sales." in response.content.decode()


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_people_without_the_admin_role_cannot_change_memberships(org, who):
    client = client_for(getattr(org, who))
    membership = Membership.objects.get(user=org.operator)
    add_url = reverse("people:membership_add", args=[org.operator.pk])
    assert client.post(add_url, {"org_unit": org.sales.pk, "role": Role.ADMIN}).status_code == 403
    role_url = reverse("people:membership_role", args=[membership.pk])
    assert client.post(role_url, {"role": Role.ADMIN}).status_code == 403
    remove_url = reverse("people:membership_remove", args=[membership.pk])
    assert client.post(remove_url).status_code == 403
    assert roles_of(org.operator) == {("operations", Role.VIEWER)}


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_changes(client, org):
    membership = Membership.objects.get(user=org.operator)
    response = client.post(reverse("people:membership_remove", args=[membership.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_removing_their_own_role_through_the_page_is_refused(org):
    client = client_for(org.root_admin)
    membership = Membership.objects.get(user=org.root_admin)
    response = client.post(
        reverse("people:membership_remove", args=[membership.pk]), CONFIRMED, **HTMX
    )
    assert response.status_code == 400
    assert "Root Admin is the last admin of ACME." in response.content.decode()
    response = client.post(
        reverse("people:membership_role", args=[membership.pk]), {"role": Role.VIEWER}
    )
    assert response.status_code == 400
    assert "the organisation always has an admin" in response.content.decode()
    assert roles_of(org.root_admin) == {("acme", Role.ADMIN)}


def test_an_htmx_post_without_the_csrf_token_is_refused_and_changes_nothing(org):
    client = client_for(org.root_admin, enforce_csrf_checks=True)
    membership = Membership.objects.get(user=org.manager)
    url = reverse("people:membership_remove", args=[membership.pk])
    assert client.post(url, **HTMX).status_code == 403
    add_url = reverse("people:membership_add", args=[org.viewer.pk])
    response = client.post(add_url, {"org_unit": org.sales.pk, "role": Role.ADMIN}, **HTMX)
    assert response.status_code == 403
    assert roles_of(org.manager) == {("sales", Role.MANAGER)}
    assert roles_of(org.viewer) == {("acme", Role.VIEWER)}


def test_an_htmx_post_with_the_pages_csrf_token_is_accepted(org):
    client = client_for(org.root_admin, enforce_csrf_checks=True)
    page = client.get(reverse("people:person", args=[org.manager.pk]))
    token = page.context["csrf_token"]
    membership = Membership.objects.get(user=org.manager)
    url = reverse("people:membership_remove", args=[membership.pk])
    response = client.post(url, CONFIRMED, HTTP_X_CSRFTOKEN=str(token), **HTMX)
    assert response.status_code == 200
    assert roles_of(org.manager) == set()


# --- confirming a removal, and what each role means -----------------------------------------------


def test_removing_a_role_without_javascript_asks_first_and_changes_nothing(org):
    client = client_for(org.root_admin)
    membership = Membership.objects.get(user=org.manager)
    url = reverse("people:membership_remove", args=[membership.pk])
    response = client.post(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove the role Manager of the unit Sales from Manager?" in html
    assert 'name="confirmed" value="yes"' in html
    assert roles_of(org.manager) == {("sales", Role.MANAGER)}

    response = client.post(url, CONFIRMED)
    assert response.status_code == 302
    assert roles_of(org.manager) == set()


def test_the_remove_button_asks_in_the_browser_before_posting_with_htmx(org):
    html = client_for(org.root_admin).get(reverse("people:person", args=[org.manager.pk]))
    text = html.content.decode()
    assert 'hx-confirm="Remove the role Manager of the unit Sales from Manager?"' in text
    assert """hx-vals='{"confirmed": "yes"}'""" in text


@pytest.mark.parametrize("who", ["manager", "outsider", "operator"])
def test_the_confirmation_is_not_shown_to_people_who_may_not_remove_the_role(org, who):
    membership = Membership.objects.get(user=org.manager)
    response = client_for(getattr(org, who)).post(
        reverse("people:membership_remove", args=[membership.pk])
    )
    assert response.status_code == 403
    assert "Remove the role" not in response.content.decode()


def test_a_subtree_admin_is_asked_only_for_roles_in_their_subtree(org):
    client = client_for(org.sales_admin)
    inside = Membership.objects.get(user=org.manager)
    outside = Membership.objects.get(user=org.operator)
    assert client.post(reverse("people:membership_remove", args=[inside.pk])).status_code == 200
    assert client.post(reverse("people:membership_remove", args=[outside.pk])).status_code == 404


def test_each_role_is_explained_next_to_where_it_is_chosen(org):
    client = client_for(org.root_admin)
    for url in (
        reverse("people:person", args=[org.manager.pk]),
        reverse("people:person_create"),
        reverse("people:person_invite"),
    ):
        html = client.get(url).content.decode()
        assert 'aria-describedby="role-help"' in html, url
        assert '<dl class="role-help" id="role-help">' in html, url
        assert "<dt>Viewer</dt><dd>Sees the scorecard; changes nothing.</dd>" in html, url
        assert "<dt>Admin</dt>" in html, url


def test_messages_name_a_unit_called_people_as_a_unit(org):
    people_unit = services.org_unit_create(name="People", parent=org.acme)
    client = client_for(org.root_admin)
    response = client.post(
        reverse("people:membership_add", args=[org.viewer.pk]),
        {"org_unit": people_unit.pk, "role": Role.MANAGER},
        follow=True,
    )
    assert "Viewer is now Manager of the unit People." in response.content.decode()
    response = client.post(
        reverse("people:org_unit_rename", args=[people_unit.pk]), {"name": "Talent"}, follow=True
    )
    assert "The unit People was renamed to Talent." in response.content.decode()
