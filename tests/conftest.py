"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def user(db: None) -> User:
    return UserFactory(username="pat")


@pytest.fixture
def signed_in_client(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client
