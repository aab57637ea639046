"""memberships/: who holds which role where; admins of the unit write them."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership, Role
from tests.api_org import client_for, ids

URL = "/api/v1/memberships/"

pytestmark = pytest.mark.django_db


def detail(membership: Membership) -> str:
    return f"{URL}{membership.pk}/"


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_members_filter_memberships_by_unit(org):
    response = client_for(org.viewer).get(URL, {"org_unit": org.sales.pk})
    assert ids(response) == set(
        Membership.objects.filter(org_unit=org.sales).values_list("pk", flat=True)
    )


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_sees_only_memberships_of_their_units(org):
    outsider = client_for(org.outsider)
    mine = Membership.objects.get(user=org.outsider)
    assert ids(outsider.get(URL)) == {mine.pk}
    assert outsider.get(detail(Membership.objects.get(user=org.viewer))).status_code == 404


def test_an_admin_gives_changes_and_takes_away_a_role(org):
    admin = client_for(org.admin)
    response = admin.post(
        URL, {"user": org.viewer.pk, "org_unit": org.operations.pk, "role": Role.MANAGER}
    )
    assert response.status_code == 201, response.content
    membership = Membership.objects.get(pk=response.json()["id"])

    response = admin.patch(detail(membership), {"role": Role.EXECUTIVE})
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.EXECUTIVE

    assert admin.delete(detail(membership)).status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_duplicate_role_is_refused_with_the_models_message(org):
    response = client_for(org.admin).post(
        URL, {"user": org.viewer.pk, "org_unit": org.sales.pk, "role": Role.VIEWER}
    )
    assert response.status_code == 400
    assert "already holds this role" in str(response.json())


def test_a_manager_or_viewer_cannot_give_or_take_roles(org):
    membership = Membership.objects.get(user=org.viewer)
    for person in (org.manager, org.viewer):
        client = client_for(person)
        response = client.post(
            URL, {"user": org.viewer.pk, "org_unit": org.sales.pk, "role": Role.MANAGER}
        )
        assert response.status_code == 403
        assert client.delete(detail(membership)).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_cannot_remove_a_role_they_cannot_see(org):
    membership = Membership.objects.get(user=org.viewer)
    assert client_for(org.outsider).delete(detail(membership)).status_code == 404


def test_the_organisations_last_admin_keeps_the_role(org):
    membership = Membership.objects.get(user=org.admin)
    response = client_for(org.admin).delete(detail(membership))
    assert response.status_code == 400
    assert "last admin" in str(response.json())


def test_a_membership_cannot_move_to_another_person(org):
    membership = Membership.objects.get(user=org.viewer)
    response = client_for(org.admin).patch(detail(membership), {"user": org.manager.pk})
    assert response.status_code == 400


def test_a_role_name_that_does_not_exist_is_refused_naming_it_and_nothing_changes(org):
    admin = client_for(org.admin)
    response = admin.post(
        URL, {"user": org.viewer.pk, "org_unit": org.operations.pk, "role": "overlord"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"role"}
    assert "overlord" in response.json()["role"][0]
    assert not Membership.objects.filter(user=org.viewer, org_unit=org.operations).exists()
    membership = Membership.objects.get(user=org.manager)
    response = admin.patch(detail(membership), {"role": "overlord"})
    assert response.status_code == 400
    assert set(response.json()) == {"role"}
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_unknown_people_and_units_are_refused_by_field(org):
    before = Membership.objects.count()
    response = client_for(org.admin).post(
        URL, {"user": 999_999, "org_unit": "sales", "role": Role.VIEWER}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"user", "org_unit"}
    assert Membership.objects.count() == before


def test_a_session_write_without_the_csrf_token_is_refused_and_changes_nothing(org):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(org.admin)
    response = client.post(
        URL, {"user": org.viewer.pk, "org_unit": org.operations.pk, "role": Role.MANAGER}
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Membership.objects.filter(user=org.viewer, org_unit=org.operations).exists()
    membership = Membership.objects.get(user=org.manager)
    assert client.delete(detail(membership)).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
