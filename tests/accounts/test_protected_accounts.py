"""Only a superuser changes, deactivates, reactivates or invites a superuser or staff account.

The rule lives in the services; the People pages, the API and the Django admin inherit it.
Each is tried by an admin of the root unit, an admin of the department and an admin of its
sub-unit (who all manage the person under the unit rules), an outsider and a superuser.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Role, User
from tests.accounts.org import Org, admin_user_form, build_org, client_for
from tests.api_org import client_for as api_client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE_URL = "https://bearing.example.com/"
UNIT_ADMINS = ("root_admin", "sales_admin", "north_admin")
REFUSED = (*UNIT_ADMINS, "outsider")


@dataclass
class Cast:
    org: Org
    north_admin: User
    superuser: User
    chief: User  # a superuser who holds a role in Sales North
    clerk: User  # a staff account who holds a role in Sales North

    def person(self, name: str) -> User:
        found = getattr(self, name, None)
        return found if isinstance(found, User) else getattr(self.org, name)


@pytest.fixture
def cast() -> Cast:
    org = build_org()
    north_admin = UserFactory(username="north_admin", password=None)
    MembershipFactory(user=north_admin, org_unit=org.north, role=Role.ADMIN)
    chief = UserFactory(username="chief", is_superuser=True, is_staff=True, password=None)
    clerk = UserFactory(username="clerk", is_staff=True, password=None)
    for person in (chief, clerk):
        MembershipFactory(user=person, org_unit=org.north, role=Role.VIEWER)
    return Cast(
        org=org,
        north_admin=north_admin,
        superuser=UserFactory(username="root", is_superuser=True, is_staff=True, password=None),
        chief=chief,
        clerk=clerk,
    )


def unchanged(person: User, *, email: str, active: bool = True) -> bool:
    person.refresh_from_db()
    return (person.email, person.is_active) == (email, active)


# --- services ------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["chief", "clerk"])
@pytest.mark.parametrize("actor", REFUSED)
def test_only_a_superuser_changes_a_superuser_or_staff_account_in_the_services(cast, actor, target):
    by, person = cast.person(actor), cast.person(target)
    email = person.email
    with pytest.raises(PermissionDenied):
        services.user_update(user=person, by=by, email="mallory@example.com")
    with pytest.raises(PermissionDenied):
        services.user_update(user=person, by=by, last_name="Renamed")
    with pytest.raises(PermissionDenied):
        services.user_deactivate(user=person, by=by)
    with pytest.raises(PermissionDenied):
        services.invitation_send(user=person, by=by, base_url=BASE_URL)
    assert unchanged(person, email=email)
    User.objects.filter(pk=person.pk).update(is_active=False)
    person.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.user_reactivate(user=person, by=by)
    assert unchanged(person, email=email, active=False)
    assert mail.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("target", ["chief", "clerk"])
def test_a_superuser_changes_deactivates_reactivates_and_invites_them(cast, target):
    person = cast.person(target)
    services.user_update(user=person, by=cast.superuser, email="new@example.com")
    services.user_deactivate(user=person, by=cast.superuser)
    services.user_reactivate(user=person, by=cast.superuser)
    services.invitation_send(user=person, by=cast.superuser, base_url=BASE_URL)
    assert unchanged(person, email="new@example.com")
    assert Invitation.objects.filter(user=person).count() == 1


def test_unit_admins_still_change_ordinary_people_they_manage(cast):
    for name in UNIT_ADMINS:
        services.user_update(
            user=cast.org.manager, by=cast.person(name), last_name=name.replace("_", " ")
        )
    cast.org.manager.refresh_from_db()
    assert cast.org.manager.last_name == "north admin"


# --- the People pages ----------------------------------------------------------------------------


def post(client: Client, name: str, person: User) -> int:
    return client.post(reverse(f"people:{name}", args=[person.pk])).status_code


@pytest.mark.parametrize("target", ["chief", "clerk"])
@pytest.mark.parametrize("actor", REFUSED)
def test_the_people_pages_refuse_to_change_a_superuser_or_staff_account(cast, actor, target):
    person = cast.person(target)
    client = client_for(cast.person(actor))
    assert post(client, "person_deactivate", person) == 403
    assert post(client, "person_send_invitation", person) == 403
    assert unchanged(person, email=person.email)
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert post(client, "person_reactivate", person) == 403
    assert unchanged(person, email=person.email, active=False)
    assert mail.outbox == []


@pytest.mark.parametrize("actor", UNIT_ADMINS)
def test_the_person_page_offers_unit_admins_no_action_on_a_superuser(cast, actor):
    response = client_for(cast.person(actor)).get(reverse("people:person", args=[cast.chief.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Only a superuser can change a superuser or staff account." in page
    assert reverse("people:person_deactivate", args=[cast.chief.pk]) not in page


def test_a_superuser_deactivates_and_reactivates_them_through_the_pages(cast):
    client = client_for(cast.superuser)
    for person in (cast.chief, cast.clerk):
        assert post(client, "person_deactivate", person) == 302
        assert unchanged(person, email=person.email, active=False)
        assert post(client, "person_reactivate", person) == 302
        assert unchanged(person, email=person.email)
        assert post(client, "person_send_invitation", person) == 302
    assert len(mail.outbox) == 2


# --- the API -------------------------------------------------------------------------------------


def patch(actor: User, person: User, data: dict[str, object]) -> int:
    response = api_client_for(actor).patch(f"/api/v1/users/{person.pk}/", data, format="json")
    return response.status_code


@pytest.mark.parametrize("target", ["chief", "clerk"])
@pytest.mark.parametrize("actor", UNIT_ADMINS)
def test_the_api_refuses_unit_admins_to_change_a_superuser_or_staff_account(cast, actor, target):
    by, person = cast.person(actor), cast.person(target)
    email = person.email
    assert patch(by, person, {"email": "mallory@example.com"}) == 403
    assert patch(by, person, {"is_active": False}) == 403
    assert unchanged(person, email=email)
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert patch(by, person, {"is_active": True}) == 403
    assert unchanged(person, email=email, active=False)
    assert mail.outbox == []


def test_the_api_refuses_a_member_of_another_unit_and_hides_them_from_an_outsider(cast):
    assert patch(cast.org.operator, cast.chief, {"email": "mallory@example.com"}) == 403
    assert patch(cast.org.outsider, cast.chief, {"email": "mallory@example.com"}) == 404
    assert unchanged(cast.chief, email="chief@example.com")


def test_a_superuser_changes_them_through_the_api(cast):
    assert patch(cast.superuser, cast.chief, {"email": "new@example.com"}) == 200
    assert patch(cast.superuser, cast.chief, {"is_active": False}) == 200
    assert patch(cast.superuser, cast.chief, {"is_active": True}) == 200
    assert unchanged(cast.chief, email="new@example.com")


# --- the Django admin ----------------------------------------------------------------------------


@pytest.fixture
def staff_editor(cast) -> User:
    """Staff (not a superuser) allowed by Django's permissions to view and change people."""
    editor = UserFactory(username="editor", is_staff=True, password=None)
    editor.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="accounts", codename__in=["view_user", "change_user"]
        )
    )
    return editor


def test_the_django_admin_refuses_staff_to_change_a_superuser_or_staff_account(cast, staff_editor):
    client = client_for(staff_editor)
    for person in (cast.chief, cast.clerk):
        change = reverse("admin:accounts_user_change", args=[person.pk])
        response = client.post(change, admin_user_form(person, email="mallory@example.com"))
        assert response.status_code == 403
        password = reverse("admin:auth_user_password_change", args=[person.pk])
        assert client.get(password).status_code == 403
        assert unchanged(person, email=f"{person.username}@example.com")
    assert mail.outbox == []


def test_staff_cannot_make_anyone_a_superuser_in_the_django_admin(cast, staff_editor):
    person = cast.org.viewer
    change = reverse("admin:accounts_user_change", args=[person.pk])
    response = client_for(staff_editor).post(
        change, admin_user_form(person, is_superuser="on", is_staff="on")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_superuser
    assert not person.is_staff


def test_a_superuser_changes_them_in_the_django_admin(cast):
    change = reverse("admin:accounts_user_change", args=[cast.clerk.pk])
    response = client_for(cast.superuser).post(
        change, admin_user_form(cast.clerk, last_name="Clerk")
    )
    assert response.status_code == 302
    cast.clerk.refresh_from_db()
    assert cast.clerk.last_name == "Clerk"
