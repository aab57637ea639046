"""A session ends after SESSION_IDLE_MINUTES without a request."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_sessions_last_the_configured_idle_time_and_every_request_extends_them(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_request_moves_the_expiry_forward_by_the_idle_time(signed_in_client, settings):
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=1))

    assert signed_in_client.get(reverse("home")).status_code == 200

    expiry = Session.objects.get().expire_date
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(expiry - expected) < datetime.timedelta(seconds=30)


def test_a_session_idle_for_longer_than_the_limit_is_signed_out(signed_in_client):
    assert signed_in_client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = signed_in_client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
