"""A new password revokes the person's API tokens, whichever way it was set."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import Role, User
from tests.accounts.org import client_for
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD = "the-old-pass-phrase-1"
NEW = "a-brand-new-phrase-2"


@pytest.fixture
def person() -> User:
    return UserFactory(username="pat", password=OLD)


@pytest.fixture
def token(person: User) -> Token:
    return Token.objects.create(user=person)


def api_answers(token: Token) -> int:
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client.get("/api/v1/users/").status_code


def test_a_token_works_until_the_password_changes(person, token):
    assert api_answers(token) == 200
    form = PasswordChangeForm(
        person, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW}
    )
    assert form.is_valid(), form.errors
    form.save()
    assert not Token.objects.filter(user=person).exists()
    assert api_answers(token) == 401


def test_other_peoples_tokens_stay(person, token):
    other = Token.objects.create(user=UserFactory(username="sam", password=None))
    person.set_password(NEW)
    person.save()
    assert list(Token.objects.all()) == [other]


def test_a_save_without_a_new_password_keeps_the_token(person, token):
    person.first_name = "Patricia"
    person.save()
    assert Token.objects.filter(user=person).exists()


def test_a_password_set_in_the_django_admin_revokes_the_tokens(person, token):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True, password=None)
    response = client_for(superuser).post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": NEW, "password2": NEW},
    )
    assert response.status_code == 302
    assert api_answers(token) == 401


def test_a_password_reset_revokes_the_tokens(person, token):
    form = SetPasswordForm(person, {"new_password1": NEW, "new_password2": NEW})
    assert form.is_valid(), form.errors
    form.save()
    assert api_answers(token) == 401


def test_a_password_reset_through_the_pages_revokes_the_tokens(client, person, token):
    client.post(reverse("password_reset"), {"email": person.email})
    [message] = mail.outbox
    link = re.search(r"http://testserver(/\S+)", message.body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert api_answers(token) == 401


def test_accepting_an_invitation_revokes_the_tokens():
    unit = OrgUnitFactory(code="acme")
    invitation = services.user_invite(
        email="sam@example.com",
        org_unit=unit,
        role=Role.VIEWER,
        by=None,
        base_url="https://x.example",
    )
    token = Token.objects.create(user=invitation.user)
    link = re.search(r"/people/invitations/(\S+)/", mail.outbox[0].body)
    assert link is not None
    services.invitation_accept(token=link.group(1), password=NEW)
    assert api_answers(token) == 401
