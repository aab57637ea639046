"""`/health/` answers whether the database, the cache and the Celery broker can be reached."""

import json
import socket

import pytest
from django.urls import reverse

from scorecard.health_probe import host_to_send, probe

pytestmark = pytest.mark.django_db

HEALTH = "/health/"


def closed_port() -> int:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unreachable_redis() -> str:
    return f"redis://127.0.0.1:{closed_port()}/0"


def test_the_address_is_health():
    assert reverse("service_health") == HEALTH


def test_everything_reachable_answers_200_naming_each_check_for_anyone(client):
    response = client.get(HEALTH)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_an_unreachable_cache_answers_503_naming_the_cache_only(
    client, settings, unreachable_redis
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": unreachable_redis,
        }
    }

    response = client.get(HEALTH)

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "unavailable", "broker": "ok"},
    }


def test_an_unreachable_broker_answers_503_naming_the_broker_only(
    client, settings, unreachable_redis
):
    settings.CELERY_BROKER_URL = unreachable_redis
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get(HEALTH)

    assert response.status_code == 503
    assert json.loads(response.content)["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "unavailable",
    }


def test_a_failure_names_no_host_port_or_error(client, settings, unreachable_redis):
    settings.CELERY_BROKER_URL = unreachable_redis
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    body = client.get(HEALTH).content.decode()

    port = unreachable_redis.rsplit(":", 1)[1].split("/")[0]
    assert "127.0.0.1" not in body
    assert port not in body
    assert "redis" not in body.lower()
    assert "error" not in body.lower()


def test_the_answer_is_never_cached_and_carries_the_security_headers(client):
    response = client.get(HEALTH)

    assert "no-cache" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_only_get_is_answered(client):
    assert client.post(HEALTH).status_code == 405


def test_production_https_redirect_leaves_health_to_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("login")).status_code == 301
    assert client.get(HEALTH).status_code == 200


# --- the container's probe -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allowed_hosts", "sent"),
    [
        ("bearing.example.com,www.example.com", "bearing.example.com"),
        (" .example.com ", "example.com"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_probe_sends_the_first_allowed_host(allowed_hosts, sent):
    assert host_to_send(allowed_hosts) == sent


@pytest.mark.django_db(transaction=True)
def test_the_probe_passes_against_a_running_server_and_fails_on_a_closed_port(live_server):
    address = (live_server.thread.host, live_server.thread.port)

    assert probe(address, "localhost") is True
    assert probe(("127.0.0.1", closed_port()), "localhost") is False
