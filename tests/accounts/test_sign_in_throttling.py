"""Failed sign-ins are throttled per username and IP address (django-axes), and per username
from any address with a higher limit and a short pause (accounts/sign_in.py).

These tests sign in through the sign-in page, as a browser does, so axes sees a real request.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _sign_in_throttling_on(_sign_in_throttling_off, settings):  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True


@pytest.fixture
def limit(settings) -> int:  # type: ignore[no-untyped-def]
    return int(settings.AXES_FAILURE_LIMIT)


@pytest.fixture(autouse=True)
def people(db: None) -> None:
    UserFactory(username="ceo", password=PASSWORD)
    UserFactory(username="cfo", password=PASSWORD)


def sign_in(client, username, password, address=OFFICE):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def is_signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get(reverse("home")).status_code == 200


@pytest.fixture
def username_limit(settings) -> int:  # type: ignore[no-untyped-def]
    # Lower than the default, to keep the tests quick; still above the per-address limit.
    settings.SIGN_IN_USERNAME_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT + 3
    return int(settings.SIGN_IN_USERNAME_FAILURE_LIMIT)


def rotating_addresses(count: int) -> list[str]:
    return [
        f"192.0.2.{n % 250 + 1}" if n < 250 else f"198.18.0.{n % 250 + 1}" for n in range(count)
    ]


def time_passes(minutes: float) -> None:
    """Move every recorded failure into the past, as if `minutes` had gone by."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes)
    )


def test_failures_are_counted_per_username_and_address_together(settings):
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True


def test_wrong_passwords_below_the_limit_only_show_the_usual_error(client, limit):
    for _ in range(limit - 1):
        response = sign_in(client, "ceo", "wrong")
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content


def test_the_failure_that_reaches_the_limit_answers_with_the_locked_out_page(client, limit):
    for _ in range(limit - 1):
        sign_in(client, "ceo", "wrong")

    response = sign_in(client, "ceo", "wrong")

    assert response.status_code == 429
    assert "registration/locked_out.html" in [template.name for template in response.templates]
    assert b"Please try again later" in response.content


def test_a_locked_out_username_and_address_is_refused_even_with_the_right_password(client, limit):
    for _ in range(limit):
        sign_in(client, "ceo", "wrong")

    response = sign_in(client, "ceo", PASSWORD)

    assert response.status_code == 429
    assert b"Please try again later" in response.content
    assert not is_signed_in(client)


def test_a_colleague_at_the_same_address_can_still_sign_in(client, limit):
    for _ in range(limit):
        sign_in(client, "ceo", "wrong")

    response = sign_in(client, "cfo", PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_same_person_from_another_address_can_still_sign_in(client, limit):
    for _ in range(limit):
        sign_in(client, "ceo", "wrong")

    response = sign_in(client, "ceo", PASSWORD, address=ELSEWHERE)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_successful_sign_in_before_the_limit_starts_the_count_again(client, limit):
    for _ in range(limit - 1):
        sign_in(client, "ceo", "wrong")
    assert sign_in(client, "ceo", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    for _ in range(limit - 1):
        assert sign_in(client, "ceo", "wrong").status_code == 200
    assert sign_in(client, "ceo", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_the_lock_ends_after_the_pause(client, limit, settings):
    for _ in range(limit):
        sign_in(client, "ceo", "wrong")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    )

    response = sign_in(client, "ceo", PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_refused_sign_ins_show_in_the_audit_trail_for_admins(client, settings):
    settings.AXES_ENABLED = True
    admin = UserFactory(username="root-admin")
    MembershipFactory(user=admin, org_unit=OrgUnitFactory(), role=Role.ADMIN)
    client.post(reverse("login"), {"username": "mallory-guess", "password": "wrong"})

    client.force_login(admin)
    page = client.get(reverse("audit_trail"))

    assert page.status_code == 200
    assert b"Refused sign-ins" in page.content
    assert b"mallory-guess" in page.content


def test_the_per_username_limit_is_higher_than_the_per_address_one_and_its_pause_shorter(settings):
    assert settings.SIGN_IN_USERNAME_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    assert settings.SIGN_IN_USERNAME_COOLOFF_TIME < settings.AXES_COOLOFF_TIME


def test_guessing_one_username_from_rotating_addresses_is_refused(client, username_limit):
    addresses = rotating_addresses(username_limit + 1)
    responses = [sign_in(client, "ceo", "wrong", address=address) for address in addresses]

    assert [r.status_code for r in responses[: username_limit - 1]] == [200] * (username_limit - 1)
    assert responses[username_limit - 1].status_code == 429
    assert responses[username_limit].status_code == 429
    # Even the right password, from an address never seen before, waits for the pause to end.
    assert sign_in(client, "ceo", PASSWORD, address="203.0.113.200").status_code == 429
    assert not is_signed_in(client)


def test_rotating_addresses_against_one_username_leaves_other_people_alone(client, username_limit):
    for address in rotating_addresses(username_limit):
        sign_in(client, "ceo", "wrong", address=address)

    assert sign_in(client, "cfo", PASSWORD, address=OFFICE).status_code == 302
    assert is_signed_in(client)


def test_the_owner_signs_in_from_their_own_address_once_the_short_pause_is_over(
    client, username_limit, settings
):
    for address in rotating_addresses(username_limit):
        sign_in(client, "ceo", "wrong", address=address)
    assert sign_in(client, "ceo", PASSWORD, address=OFFICE).status_code == 429

    time_passes(settings.SIGN_IN_USERNAME_COOLOFF_TIME.total_seconds() / 60 + 1)

    assert sign_in(client, "ceo", PASSWORD, address=OFFICE).status_code == 302
    assert is_signed_in(client)


def test_a_stranger_cannot_extend_the_pause_by_trying_during_it(client, username_limit, settings):
    pause_minutes = settings.SIGN_IN_USERNAME_COOLOFF_TIME.total_seconds() / 60
    for address in rotating_addresses(username_limit):
        sign_in(client, "ceo", "wrong", address=address)

    # The stranger keeps trying through the pause, from new addresses and from old ones.
    time_passes(pause_minutes / 2)
    for address in rotating_addresses(username_limit + 5)[-10:]:
        assert sign_in(client, "ceo", "wrong", address=address).status_code == 429
    time_passes(pause_minutes / 2 + 1)

    assert sign_in(client, "ceo", PASSWORD, address=OFFICE).status_code == 302
    assert is_signed_in(client)
