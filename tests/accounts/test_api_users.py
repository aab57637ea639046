"""users/: members read the people of the units they see; admins create and change people."""

import pytest

from accounts.models import Membership, Role, User
from tests.api_org import client_for, ids

URL = "/api/v1/users/"

pytestmark = pytest.mark.django_db


def detail(user: User) -> str:
    return f"{URL}{user.pk}/"


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_a_viewer_reads_people_but_never_passwords(org):
    response = client_for(org.viewer).get(detail(org.manager))
    assert response.status_code == 200
    assert response.json()["username"] == "manager"
    assert "password" not in response.json()


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_sees_only_the_people_of_their_units(org):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == {org.outsider.pk}
    assert outsider.get(detail(org.manager)).status_code == 404


def test_an_admin_creates_a_person_with_a_first_role(org):
    response = client_for(org.admin).post(
        URL,
        {
            "username": "sam",
            "email": "sam@example.com",
            "first_name": "Sam",
            "org_unit": org.sales.pk,
            "role": Role.CONTRIBUTOR,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    sam = User.objects.get(username="sam")
    assert Membership.objects.filter(user=sam, org_unit=org.sales, role=Role.CONTRIBUTOR).exists()
    assert not sam.has_usable_password()


def test_creating_a_person_needs_a_unit_and_role_and_a_unique_email(org):
    response = client_for(org.admin).post(URL, {"username": "sam"})
    assert response.status_code == 400
    assert set(response.json()) == {"org_unit", "role"}
    response = client_for(org.admin).post(
        URL,
        {
            "username": "sam",
            "email": "MANAGER@example.com",
            "org_unit": org.sales.pk,
            "role": Role.VIEWER,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "email" in response.json()


def test_a_manager_or_viewer_cannot_create_people(org):
    for person in (org.manager, org.viewer):
        response = client_for(person).post(
            URL, {"username": "sam", "org_unit": org.sales.pk, "role": Role.VIEWER}
        )
        assert response.status_code == 403
    assert not User.objects.filter(username="sam").exists()


def test_an_admin_renames_and_deactivates_a_person(org):
    admin = client_for(org.admin)
    response = admin.patch(detail(org.viewer), {"last_name": "Lee", "is_active": False})
    assert response.status_code == 200, response.content
    org.viewer.refresh_from_db()
    assert (org.viewer.last_name, org.viewer.is_active) == ("Lee", False)
    assert admin.patch(detail(org.viewer), {"is_active": True}).status_code == 200


def test_a_viewer_cannot_change_people_and_an_outsider_cannot_find_them(org, settings):
    assert client_for(org.viewer).patch(detail(org.manager), {"last_name": "X"}).status_code == 403
    settings.SCORECARD_TRANSPARENCY = False
    assert (
        client_for(org.outsider).patch(detail(org.manager), {"last_name": "X"}).status_code == 404
    )
    org.manager.refresh_from_db()
    assert org.manager.last_name == ""


def test_people_are_deactivated_not_deleted(org):
    assert client_for(org.admin).delete(detail(org.viewer)).status_code == 405


def test_a_username_cannot_change(org):
    response = client_for(org.admin).patch(detail(org.viewer), {"username": "other"})
    assert response.status_code == 400


def test_a_username_cannot_change_and_the_refusal_names_it(org):
    response = client_for(org.admin).patch(detail(org.viewer), {"username": "other"})
    assert response.json() == {"username": ["A username cannot change."]}
    org.viewer.refresh_from_db()
    assert org.viewer.username == "viewer"


def test_changing_to_an_e_mail_address_another_person_has_is_refused_and_changes_nothing(org):
    response = client_for(org.admin).patch(
        detail(org.viewer), {"first_name": "Vera", "email": "MANAGER@example.com"}
    )
    assert response.status_code == 400
    assert response.json() == {"email": ["A person with this e-mail address already exists."]}
    org.viewer.refresh_from_db()
    assert (org.viewer.first_name, org.viewer.email) == ("Viewer", "viewer@example.com")
    # One's own address, in other letters, is no duplicate.
    response = client_for(org.admin).patch(detail(org.viewer), {"email": "Viewer@example.com"})
    assert response.status_code == 200, response.content


def test_a_viewer_cannot_learn_which_e_mail_addresses_exist_by_creating_people(org):
    response = client_for(org.viewer).post(
        URL,
        {
            "username": "sam",
            "email": "manager@example.com",
            "org_unit": org.sales.pk,
            "role": "viewer",
        },
        format="json",
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sam").exists()


def test_wrong_types_unknown_units_and_unknown_roles_are_named_and_nothing_is_written(org):
    admin = client_for(org.admin)
    response = admin.post(
        URL,
        {"username": ["sam"], "org_unit": "sales", "role": "overlord", "is_active": "maybe"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"username", "org_unit", "role", "is_active"}
    assert "overlord" in response.json()["role"][0]
    response = admin.post(
        URL, {"username": "sam", "org_unit": 999_999, "role": Role.VIEWER}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"org_unit"}
    assert not User.objects.filter(username="sam").exists()
    response = admin.patch(detail(org.viewer), {"is_active": "maybe"}, format="json")
    assert response.status_code == 400
    org.viewer.refresh_from_db()
    assert org.viewer.is_active
