"""“Forgot your password?”: a link to the address on file, the same answer for every address."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts import password_reset
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD = "the-old-pass-phrase-1"
NEW = "a-brand-new-phrase-2"


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    """The throttle counts in the cache: each test starts with no requests counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person() -> User:
    return UserFactory(username="pat", email="Pat@Example.com", password=OLD)


def ask(email: str, client: Client | None = None):  # type: ignore[no-untyped-def]
    return (client or Client()).post(reverse("password_reset"), {"email": email}, follow=True)


def answer(response) -> str:  # type: ignore[no-untyped-def]
    """The page as anyone would compare it: without its per-session CSRF token."""
    return re.sub(r'"X-CSRFToken": "\w+"', "", response.content.decode())


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/accounts/password-reset/\S+/\S+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def test_the_sign_in_page_links_to_forgot_your_password(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgot your password?</a>' in page


def test_the_link_goes_to_the_address_on_file_and_sets_a_new_password(client, person):
    response = ask("pat@example.com", client)
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    [message] = mail.outbox
    assert message.to == ["Pat@Example.com"]
    assert "pat" in message.body
    form = client.get(link_in(message), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "Your password is set" in done.content.decode()
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert client.login(username="pat", password=NEW)


def test_a_used_link_cannot_be_used_again(client, person):
    ask("pat@example.com", client)
    path = link_in(mail.outbox[0])
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    again = Client().get(path, follow=True)
    assert "This link cannot be used" in again.content.decode()


def test_a_weak_password_is_refused_with_a_message(client, person):
    ask("pat@example.com", client)
    form = client.get(link_in(mail.outbox[0]), follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(OLD)


def test_known_and_unknown_addresses_get_the_same_answer(person):
    known, unknown = ask("pat@example.com"), ask("nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert answer(known) == answer(unknown)
    assert len(mail.outbox) == 1


def test_deactivated_people_and_people_without_a_password_get_no_link(person):
    UserFactory(username="new", email="new@example.com", password=None)
    User.objects.filter(pk=person.pk).update(is_active=False)
    first, second = ask("pat@example.com"), ask("new@example.com")
    assert answer(first) == answer(second) == answer(ask("nobody@example.com"))
    assert mail.outbox == []


def test_an_address_gets_at_most_three_links_an_hour_and_the_answer_stays_the_same(person):
    responses = [ask("pat@example.com") for _ in range(password_reset.RESET_LIMIT + 2)]
    assert len(mail.outbox) == password_reset.RESET_LIMIT
    assert {answer(response) for response in responses} == {answer(ask("nobody@example.com"))}


def test_the_address_limit_counts_every_spelling_of_an_address(person, monkeypatch):
    # Lift the account's limit, so only the address's is in play.
    monkeypatch.setattr(password_reset, "reset_allowed_for_account", lambda user: True)
    for spelling in ("pat@example.com", "PAT@example.com", " Pat@Example.com", "pat@EXAMPLE.com"):
        ask(spelling)
    assert len(mail.outbox) == password_reset.RESET_LIMIT


def test_an_account_gets_at_most_three_links_an_hour_whatever_address_is_asked(person, monkeypatch):
    # Lift the address's limit, so only the account's is in play.
    monkeypatch.setattr(password_reset, "reset_allowed_for_address", lambda email: True)
    for _ in range(password_reset.RESET_LIMIT + 2):
        ask("pat@example.com")
    assert len(mail.outbox) == password_reset.RESET_LIMIT


def test_one_address_at_its_limit_leaves_another_persons_link_alone(person):
    UserFactory(username="sam", email="sam@example.com", password=OLD)
    for _ in range(password_reset.RESET_LIMIT + 1):
        ask("pat@example.com")
    ask("sam@example.com")
    assert [message.to for message in mail.outbox][-1] == ["sam@example.com"]
    assert len(mail.outbox) == password_reset.RESET_LIMIT + 1


def test_a_bad_address_is_refused_with_a_message():
    response = Client().post(reverse("password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []
