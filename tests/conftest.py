"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.factories import UserFactory

# The small organisation of the API tests (`org`, `transparency_off`, `client_for`), shared by
# the API tests that sit next to their app's other tests.
pytest_plugins = ["tests.api_org"]


@pytest.fixture(autouse=True)
def _sign_in_throttling_off(settings):  # type: ignore[no-untyped-def]
    """Switch django-axes off, so `client.login()` works as Django documents it.

    `client.login()` authenticates without a request, which the axes backend refuses
    (AxesBackendRequestParameterRequired). The throttling tests switch it back on and sign in
    through the sign-in page, as a browser does.
    """
    settings.AXES_ENABLED = False


@pytest.fixture
def user(db: None) -> User:
    return UserFactory(username="pat")


@pytest.fixture
def signed_in_client(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client
