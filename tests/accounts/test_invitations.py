"""Inviting people by e-mail with a one-time link, and accepting the invitation."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Role, User
from tests.accounts.org import Org, build_org, client_for

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase-1"


@pytest.fixture
def org() -> Org:
    return build_org()


def invite(org: Org, email: str = "sam@example.com") -> Invitation:
    return services.user_invite(
        email=email,
        first_name="Sam",
        last_name="Lee",
        org_unit=org.sales,
        role=Role.CONTRIBUTOR,
        by=org.root_admin,
        base_url="https://bearing.example.com/",
    )


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https://bearing\.example\.com(/people/invitations/[\w-]+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


# --- services ------------------------------------------------------------------------------------


def test_an_invitation_creates_a_person_without_a_password_and_mails_a_one_time_link(org):
    invitation = invite(org)
    sam = invitation.user
    assert (sam.username, sam.email, sam.get_full_name()) == (
        "sam@example.com",
        "sam@example.com",
        "Sam Lee",
    )
    assert not sam.has_usable_password()
    assert set(sam.memberships.values_list("org_unit__code", "role")) == {
        ("sales", Role.CONTRIBUTOR)
    }
    assert invitation.created_by == org.root_admin
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - timedelta(days=7)) < timedelta(seconds=5)
    [message] = mail.outbox
    assert message.to == ["sam@example.com"]
    assert "Root Admin has invited you" in message.body
    token = token_of(link_in(message))
    # Only the token's hash is stored.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_accepting_sets_the_password_and_uses_up_the_link(org):
    invitation = invite(org)
    token = token_of(link_in(mail.outbox[0]))
    sam = services.invitation_accept(token=token, password=PASSWORD)
    assert sam.check_password(PASSWORD)
    invitation.refresh_from_db()
    assert invitation.used_at is not None


def test_an_invitation_used_twice_is_refused_and_changes_nothing(org):
    invite(org)
    token = token_of(link_in(mail.outbox[0]))
    services.invitation_accept(token=token, password=PASSWORD)
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password="another-pass-phrase-2")
    assert error.value.code == "used"
    assert "already been used" in error.value.messages[0]
    assert User.objects.get(username="sam@example.com").check_password(PASSWORD)


def test_an_expired_invitation_is_refused_and_changes_nothing(org):
    invitation = invite(org)
    token = token_of(link_in(mail.outbox[0]))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password=PASSWORD)
    assert error.value.code == "expired"
    assert error.value.messages == [
        "This invitation link has expired. Ask an admin to send you a new one."
    ]
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_a_weak_password_is_refused_and_the_link_stays_usable(org):
    invitation = invite(org)
    token = token_of(link_in(mail.outbox[0]))
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password="password")
    assert "This password is too common." in error.value.message_dict["password"]
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_a_new_invitation_makes_the_earlier_link_stop_working(org):
    first = invite(org)
    first_token = token_of(link_in(mail.outbox[0]))
    services.invitation_send(
        user=first.user, by=org.root_admin, base_url="https://bearing.example.com"
    )
    second_token = token_of(link_in(mail.outbox[1]))
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=first_token, password=PASSWORD)
    assert error.value.code == "expired"
    services.invitation_accept(token=second_token, password=PASSWORD)


def test_a_deactivated_persons_link_is_refused(org):
    invitation = invite(org)
    token = token_of(link_in(mail.outbox[0]))
    services.user_deactivate(user=invitation.user, by=org.root_admin)
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, password=PASSWORD)
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()


def test_inviting_an_e_mail_address_that_is_already_known_is_refused(org):
    with pytest.raises(ValidationError) as error:
        invite(org, email="viewer@example.com")
    assert error.value.message_dict == {
        "email": ["A person with this e-mail address already exists."]
    }
    assert mail.outbox == []
    assert Invitation.objects.count() == 0


def test_an_invitation_with_an_unknown_role_writes_nothing_and_sends_nothing(org):
    with pytest.raises(ValidationError):
        services.user_invite(
            email="sam@example.com",
            org_unit=org.sales,
            role="overlord",
            by=org.root_admin,
            base_url="https://bearing.example.com",
        )
    assert not User.objects.filter(email="sam@example.com").exists()
    assert mail.outbox == []


# --- views ---------------------------------------------------------------------------------------


def test_admin_invites_a_person_through_the_form(org):
    client = client_for(org.sales_admin)
    response = client.post(
        reverse("people:person_invite"),
        {"email": "sam@example.com", "org_unit": org.north.pk, "role": Role.VIEWER},
        follow=True,
    )
    sam = User.objects.get(email="sam@example.com")
    assert response.redirect_chain == [(reverse("people:person", args=[sam.pk]), 302)]
    assert "An invitation was sent to sam@example.com." in response.content.decode()
    # The link in the e-mail points at this site.
    assert "http://testserver/people/invitations/" in mail.outbox[0].body


def test_subtree_admin_cannot_invite_into_another_subtree(org):
    client = client_for(org.sales_admin)
    response = client.post(
        reverse("people:person_invite"),
        {"email": "sam@example.com", "org_unit": org.operations.pk, "role": Role.VIEWER},
    )
    assert response.status_code == 400
    assert "Choose one of the active units you manage." in response.content.decode()
    assert not User.objects.filter(email="sam@example.com").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_people_without_the_admin_role_cannot_invite(org, who):
    client = client_for(getattr(org, who))
    response = client.post(
        reverse("people:person_invite"),
        {"email": "sam@example.com", "org_unit": org.sales.pk, "role": Role.ADMIN},
    )
    assert response.status_code == 403
    assert mail.outbox == []


def test_the_invited_person_sets_a_password_and_is_signed_in(client, org):
    invite(org)
    path = link_in(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert "sam@example.com" in page.content.decode()
    response = client.post(path, {"password": PASSWORD, "password_again": PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert get_user(client).username == "sam@example.com"
    assert "Your password is set." in response.content.decode()


def test_a_used_link_answers_410_with_a_clear_message_and_changes_nothing(client, org):
    invite(org)
    path = link_in(mail.outbox[0])
    client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    client.logout()
    response = client.post(path, {"password": "x-other-pass-9", "password_again": "x-other-pass-9"})
    assert response.status_code == 410
    assert "This invitation link has already been used." in response.content.decode()
    assert not get_user(client).is_authenticated
    assert User.objects.get(username="sam@example.com").check_password(PASSWORD)
    assert client.get(path).status_code == 410


def test_an_expired_link_answers_410(client, org):
    invitation = invite(org)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(link_in(mail.outbox[0]))
    assert response.status_code == 410
    assert "This invitation link has expired." in response.content.decode()


def test_an_unknown_link_answers_404(client, org):
    response = client.get(reverse("people:invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()


def test_differing_or_weak_passwords_answer_400_and_keep_the_link_usable(client, org):
    invitation = invite(org)
    path = link_in(mail.outbox[0])
    response = client.post(path, {"password": PASSWORD, "password_again": "different-1"})
    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode()
    response = client.post(path, {"password": "password", "password_again": "password"})
    assert response.status_code == 400
    assert "This password is too common." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert not get_user(client).is_authenticated


def test_accepting_without_the_csrf_token_is_refused(org):
    invite(org)
    path = link_in(mail.outbox[0])
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 403
    assert Invitation.objects.get().used_at is None


def test_admin_sends_a_new_invitation_from_the_person_page(org):
    invitation = invite(org)
    client = client_for(org.root_admin)
    response = client.post(reverse("people:person_send_invitation", args=[invitation.user_id]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert Invitation.objects.filter(user=invitation.user).count() == 2


# --- an invitation sets a first password only ----------------------------------------------------


def test_a_person_who_has_a_password_gets_no_invitation(org):
    org.manager.set_password(PASSWORD)
    org.manager.save()
    with pytest.raises(ValidationError) as error:
        services.invitation_send(user=org.manager, by=org.root_admin, base_url="https://x.example")
    assert "already has a password" in error.value.messages[0]
    assert "Forgot your password?" in error.value.messages[0]
    assert mail.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["root_admin", "sales_admin"])
def test_the_person_page_refuses_to_invite_someone_who_has_a_password(org, who):
    org.manager.set_password(PASSWORD)
    org.manager.save()
    response = client_for(getattr(org, who)).post(
        reverse("people:person_send_invitation", args=[org.manager.pk])
    )
    assert response.status_code == 400
    assert "already has a password" in response.content.decode()
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_an_open_link_stops_working_once_the_person_has_a_password(client, org):
    invitation = invite(org)
    path = link_in(mail.outbox[0])
    invitation.user.set_password(PASSWORD)
    invitation.user.save()
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token_of(path), password="another-long-phrase-2")
    assert error.value.code == "has_password"
    response = client.post(
        path, {"password": "another-long-phrase-2", "password_again": "another-long-phrase-2"}
    )
    assert response.status_code == 410
    assert "already has a password" in response.content.decode()
    invitation.user.refresh_from_db()
    assert invitation.user.check_password(PASSWORD)
