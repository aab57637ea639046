"""A new e-mail address is announced to the old one, and the person's open invitations stop."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Role
from tests.accounts.org import Org, admin_user_form, build_org, client_for
from tests.api_org import client_for as api_client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return build_org()


def invite_sam(org: Org) -> Invitation:
    return services.user_invite(
        email="sam@example.com",
        org_unit=org.sales,
        role=Role.VIEWER,
        by=org.root_admin,
        base_url="https://bearing.example.com/",
    )


def the_notice() -> mail.EmailMessage:
    [notice] = [message for message in mail.outbox if "address" in message.subject]
    return notice


def link_works(path: str) -> bool:
    return Client().get(path).status_code == 200


def invitation_path(message: mail.EmailMessage) -> str:
    start = message.body.index("/people/invitations/")
    return message.body[start:].split()[0]


def test_the_old_address_is_told_of_the_new_one(org):
    services.user_update(user=org.manager, by=org.sales_admin, email="mallory@example.com")
    notice = the_notice()
    assert notice.to == ["manager@example.com"]
    assert "manager@example.com to mallory@example.com" in notice.body
    assert "If you did not expect this change" in notice.body
    org.manager.refresh_from_db()
    assert org.manager.email == "mallory@example.com"


def test_a_change_of_letter_case_or_of_the_name_only_sends_nothing(org):
    services.user_update(user=org.manager, by=org.root_admin, email="Manager@example.com")
    services.user_update(user=org.manager, by=org.root_admin, first_name="Max")
    assert mail.outbox == []


def test_a_refused_change_sends_nothing(org):
    with pytest.raises(ValidationError):
        services.user_update(user=org.manager, by=org.root_admin, email="viewer@example.com")
    assert mail.outbox == []


def test_open_invitations_stop_working_when_the_address_changes(org):
    invitation = invite_sam(org)
    path = invitation_path(mail.outbox[0])
    assert link_works(path)
    services.user_update(user=invitation.user, by=org.root_admin, email="other@example.com")
    assert the_notice().to == ["sam@example.com"]
    assert Client().get(path).status_code == 410
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=path.rstrip("/").rsplit("/")[-1], password="a-long-pass-1")
    assert error.value.code == "expired"


def test_an_e_mail_change_through_the_api_notifies_and_stops_invitations(org):
    invitation = invite_sam(org)
    path = invitation_path(mail.outbox[0])
    response = api_client_for(org.sales_admin).patch(
        f"/api/v1/users/{invitation.user_id}/", {"email": "other@example.com"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert the_notice().to == ["sam@example.com"]
    assert Client().get(path).status_code == 410


def post_in_the_django_admin(org: Org, email: str):  # type: ignore[no-untyped-def]
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True, password=None)
    return client_for(superuser).post(
        reverse("admin:accounts_user_change", args=[org.manager.pk]),
        admin_user_form(org.manager, email=email),
    )


def test_an_e_mail_change_in_the_django_admin_notifies_the_old_address(org):
    response = post_in_the_django_admin(org, "new@example.com")
    assert response.status_code == 302
    assert the_notice().to == ["manager@example.com"]
    org.manager.refresh_from_db()
    assert org.manager.email == "new@example.com"


def test_the_django_admin_refuses_an_address_someone_else_has(org):
    response = post_in_the_django_admin(org, "VIEWER@example.com")
    assert response.status_code == 200
    assert "A person with this e-mail address already exists." in response.content.decode()
    assert mail.outbox == []
