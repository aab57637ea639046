"""Two-factor sign-in: enrolment, the code step after the password, backup codes, throttled
wrong codes, the organisation's requirement for admins and executives, and the API."""

from __future__ import annotations

import base64
import datetime

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import two_factor
from accounts.models import Role, SecurityPolicy, User
from tests.accounts.org import Org, build_org, client_for
from tests.accounts.two_factor_helpers import code_for, enrol
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
VERIFY = reverse("security:two_factor_verify")
SECURITY = reverse("security:security")
ENROL = reverse("security:two_factor_enrol")


@pytest.fixture
def org() -> Org:
    return build_org()


@pytest.fixture
def person(org):  # type: ignore[no-untyped-def]
    org.manager.set_password(PASSWORD)
    org.manager.save()
    return org.manager


def sign_in_with_password(client: Client, username: str, next_url: str = "") -> None:
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302, response.content


def require_two_factor() -> None:
    two_factor.security_policy_update(two_factor_required=True)


# --- Enrolment ---------------------------------------------------------------------------------


def test_a_person_enrols_by_scanning_and_confirming_a_code_and_gets_backup_codes_once(person):
    client = client_for(person)

    assert client.post(ENROL, {"start": "1"}).status_code == 302
    page = client.get(ENROL)
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    shown = page.context["secret"].replace(" ", "")
    assert shown == secret
    assert secret[:4].encode() in page.content
    assert b"<svg" in page.content
    assert b"<script>" not in page.content
    assert b"style=" not in page.content

    confirmed = client.post(ENROL, {"code": code_for(device)})

    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == 10
    assert all(code.encode() in confirmed.content for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True)) == (
        set(codes)
    )
    # The codes are not shown again.
    assert codes[0].encode() not in client.get(SECURITY).content


def test_a_wrong_code_does_not_turn_two_factor_on(person):
    client = client_for(person)
    client.post(ENROL, {"start": "1"})

    response = client.post(ENROL, {"code": "000000"})

    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert not two_factor.has_two_factor(person)


def test_enrolling_is_written_to_the_persons_history(person):
    enrol(person)

    entry = LogEntry.objects.get(object_id=person.pk, changes__has_key="Two-factor sign-in")
    assert entry.changes["Two-factor sign-in"] == ["off", "on"]
    assert entry.actor == person


def test_moving_to_a_new_authenticator_replaces_the_old_one(person):
    old, _ = enrol(person)
    new, _ = enrol(person)

    assert list(TOTPDevice.objects.filter(user=person)) == [new]
    assert old.pk != new.pk


def test_new_backup_codes_replace_the_old_ones(person):
    _, old_codes = enrol(person)
    client = client_for(person)
    client.post(VERIFY, {"code": old_codes[0]})

    response = client.post(reverse("security:backup_codes_replace"))

    new_codes = response.context["codes"]
    assert response.status_code == 200
    assert not set(old_codes) & set(new_codes)
    tokens = set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))
    assert tokens == set(new_codes)


# --- Signing in --------------------------------------------------------------------------------


def test_after_the_password_a_person_with_two_factor_must_give_a_code_before_anything_else(
    person,
):
    device, _ = enrol(person)
    client = Client()
    sign_in_with_password(client, "manager", next_url="/strategy/")

    for url in ("/", "/strategy/", reverse("people:people"), SECURITY):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200

    response = client.post(VERIFY, {"code": code_for(device), "next": "/strategy/"})

    assert response.status_code == 302
    assert response["Location"] == "/strategy/"
    assert client.get("/").status_code == 200


def test_a_backup_code_signs_in_once(person):
    _, codes = enrol(person)
    first = Client()
    sign_in_with_password(first, "manager")
    assert first.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert first.get("/").status_code == 200

    second = Client()
    sign_in_with_password(second, "manager")
    response = second.post(VERIFY, {"code": codes[0]})

    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert second.get("/").status_code == 302
    assert two_factor.backup_codes_left(person) == 9


def test_a_right_backup_code_leaves_no_wait_on_the_authenticator(person):
    """The authenticator is tried first and counts the backup code as a wrong code; the
    person gave a right code, so nothing may make them wait afterwards."""
    device, codes = enrol(person)

    assert two_factor.code_verify(user=person, code=codes[0]) != device

    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert device.verify_is_allowed()[0] is True


def test_an_authenticator_code_cannot_be_used_twice(person):
    device, _ = enrol(person)
    code = code_for(device, steps_ahead=1)
    first = Client()
    sign_in_with_password(first, "manager")
    assert first.post(VERIFY, {"code": code}).status_code == 302

    second = Client()
    sign_in_with_password(second, "manager")

    assert second.post(VERIFY, {"code": code}).status_code == 400


def test_wrong_codes_are_throttled_even_the_right_code_waits(person):
    device, _ = enrol(person)
    client = Client()
    sign_in_with_password(client, "manager")

    wrong = client.post(VERIFY, {"code": "000000"})
    assert wrong.status_code == 400
    assert b"That code is not right" in wrong.content
    right_too_soon = client.post(VERIFY, {"code": code_for(device)})

    assert right_too_soon.status_code == 400
    assert b"Too many wrong codes. Wait" in right_too_soon.content
    assert client.get("/").status_code == 302


def test_the_wait_doubles_with_each_wrong_code_and_ends(person):
    device, _ = enrol(person)
    client = Client()
    sign_in_with_password(client, "manager")
    for failures in range(1, 5):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
        StaticDevice.objects.filter(user=person).update(throttling_failure_timestamp=None)
        client.post(VERIFY, {"code": "000000"})
        device.refresh_from_db()
        assert device.throttling_failure_count == failures
    response = client.post(VERIFY, {"code": code_for(device)})
    assert b"Wait 8 seconds" in response.content

    past = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=past)
    StaticDevice.objects.filter(user=person).update(throttling_failure_timestamp=past)

    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_without_two_factor_signing_in_needs_only_the_password(person):
    client = Client()
    sign_in_with_password(client, "manager")

    assert client.get("/").status_code == 200


def test_the_code_page_sends_away_a_session_that_owes_no_code(person):
    client = client_for(person)

    response = client.get(VERIFY)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_code_page_only_returns_to_pages_of_this_site(person):
    device, _ = enrol(person)
    client = Client()
    sign_in_with_password(client, "manager")

    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})

    assert response["Location"] == "/"


# --- Turning it off ------------------------------------------------------------------------------


def test_a_person_turns_two_factor_off_with_a_code(person):
    device, _ = enrol(person)
    client = client_for(person)
    client.post(VERIFY, {"code": code_for(device)})

    refused = client.post(reverse("security:two_factor_remove"), {"code": "000000"})
    assert refused.status_code == 400
    assert two_factor.has_two_factor(person)
    TOTPDevice.objects.update(throttling_failure_timestamp=None)
    StaticDevice.objects.update(throttling_failure_timestamp=None)

    response = client.post(
        reverse("security:two_factor_remove"), {"code": code_for(device, steps_ahead=1)}
    )

    assert response.status_code == 302
    assert not two_factor.has_two_factor(person)
    assert not StaticDevice.objects.filter(user=person).exists()
    entry = LogEntry.objects.filter(object_id=person.pk).order_by("-pk").first()
    assert entry is not None
    assert entry.changes["Two-factor sign-in"] == ["on", "off"]


# --- The organisation's requirement --------------------------------------------------------------


def signed_in_under_the_requirement(org: Org, role: str) -> tuple[Client, User]:
    """A person with `role` in Sales North, signed in with their password, 2FA required."""
    person = UserFactory(username="person", password=PASSWORD)
    MembershipFactory(user=person, org_unit=org.north, role=role)
    require_two_factor()
    client = Client()
    sign_in_with_password(client, "person")
    return client, person


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EXECUTIVE])
def test_when_required_an_admin_or_executive_must_enrol_before_anything_else(org, role):
    client, person = signed_in_under_the_requirement(org, role)

    for url in ("/", "/strategy/", reverse("people:people")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(SECURITY)
    assert client.get("/api/v1/kpis/").status_code == 403
    page = client.get(SECURITY)
    assert page.status_code == 200
    assert b"Your organisation requires two-factor sign-in" in page.content

    client.post(ENROL, {"start": "1"})
    device = TOTPDevice.objects.get(user=person)
    assert client.post(ENROL, {"code": code_for(device)}).status_code == 200

    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.MANAGER])
def test_the_requirement_does_not_apply_to_other_roles(org, role):
    client, _ = signed_in_under_the_requirement(org, role)

    assert client.get("/").status_code == 200


def test_without_the_requirement_admins_sign_in_with_the_password_alone(org):
    client = client_for(org.root_admin)

    assert client.get("/").status_code == 200


def test_a_required_person_cannot_turn_two_factor_off(org):
    device, _ = enrol(org.root_admin)
    require_two_factor()
    client = client_for(org.root_admin)
    client.post(VERIFY, {"code": code_for(device)})

    response = client.post(
        reverse("security:two_factor_remove"), {"code": code_for(device, steps_ahead=1)}
    )

    assert response.status_code == 400
    assert b"requires two-factor sign-in for your role" in response.content
    assert two_factor.has_two_factor(org.root_admin)


POLICY = reverse("people:security_policy")


def test_an_admin_of_the_organisation_switches_the_requirement(org):
    client = client_for(org.root_admin)
    assert client.get(POLICY).status_code == 200

    response = client.post(POLICY, {"two_factor_required": "on"})

    assert response.status_code == 302
    assert SecurityPolicy.objects.get().two_factor_required
    entry = LogEntry.objects.filter(content_type__model="securitypolicy").latest("pk")
    assert entry.actor == org.root_admin
    assert entry.changes_dict["two_factor_required"] == [False, True]
    client.post(POLICY, {})
    assert not SecurityPolicy.objects.get().two_factor_required


@pytest.mark.parametrize("who", ["sales_admin", "manager", "viewer", "outsider"])
def test_only_admins_of_the_whole_organisation_switch_the_requirement(org, who):
    client = client_for(getattr(org, who))

    assert client.get(POLICY).status_code == 403
    assert client.post(POLICY, {"two_factor_required": "on"}).status_code == 403
    assert not two_factor.security_policy().two_factor_required


# --- The API -----------------------------------------------------------------------------------


def test_session_api_calls_are_refused_until_the_code_is_given(person):
    device, _ = enrol(person)
    client = Client()
    sign_in_with_password(client, "manager")

    refused = client.get("/api/v1/kpis/")
    assert refused.status_code == 403
    assert "two-factor" in refused.json()["detail"]

    client.post(VERIFY, {"code": code_for(device)})
    assert client.get("/api/v1/kpis/").status_code == 200


def test_api_tokens_keep_working_for_integrations(person):
    enrol(person)
    token = Token.objects.create(user=person)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get("/api/v1/kpis/").status_code == 200


def test_a_password_alone_does_not_get_an_api_token_for_a_person_with_two_factor(person, settings):
    enrol(person)
    settings.AXES_ENABLED = True

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "manager", "password": PASSWORD}
    )

    assert response.status_code == 403
    assert not Token.objects.filter(user=person).exists()
