"""auth/token/: a token for username and password, through django-axes; token clients are
rate limited."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

URL = "/api/v1/auth/token/"
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sign_in_throttling_on(_sign_in_throttling_off, settings):  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True


@pytest.fixture
def person(org):  # type: ignore[no-untyped-def]
    org.manager.set_password(PASSWORD)
    org.manager.save()
    return org.manager


def test_a_token_for_username_and_password_signs_in_api_requests(person):
    client = APIClient()
    response = client.post(URL, {"username": "manager", "password": PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert client.post(URL, {"username": "manager", "password": PASSWORD}).json()["token"] == token

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/kpis/").status_code == 200


def test_a_form_encoded_request_works_too(person):
    response = APIClient().post(
        URL,
        f"username=manager&password={PASSWORD.replace(' ', '+')}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200


def test_a_wrong_password_or_a_deactivated_person_gets_no_token(person):
    client = APIClient()
    response = client.post(URL, {"username": "manager", "password": "wrong"})
    assert response.status_code == 400
    assert "Unable to log in" in str(response.json())
    person.is_active = False
    person.save()
    assert client.post(URL, {"username": "manager", "password": PASSWORD}).status_code == 400


def test_missing_fields_are_named(person):
    response = APIClient().post(URL, {})
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_repeated_failures_lock_the_username_out_even_with_the_right_password(person, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(URL, {"username": "manager", "password": "wrong"})
    response = client.post(URL, {"username": "manager", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["detail"]


def test_an_unknown_or_malformed_token_is_refused_with_401(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert client.get("/api/v1/kpis/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token")
    assert client.get("/api/v1/kpis/").status_code == 401


def test_token_clients_are_rate_limited_and_told_when_to_retry(org, settings):
    settings.API_RATE_LIMIT = "3/minute"
    person = UserFactory(username="integration", password=None)
    key = Token.objects.create(user=person).key
    cache.delete(f"throttle_token_{person.pk}")  # a clean slate in a cache the suite shares
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    answers = [client.get("/api/v1/kpis/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert int(client.get("/api/v1/kpis/")["Retry-After"]) > 0


def test_people_signed_in_with_a_session_are_not_rate_limited(org, settings):
    settings.API_RATE_LIMIT = "1/minute"
    client = APIClient()
    client.force_login(org.viewer)
    assert [client.get("/api/v1/kpis/").status_code for _ in range(3)] == [200, 200, 200]
