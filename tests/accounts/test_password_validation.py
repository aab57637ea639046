"""Passwords chosen through Django's forms and commands go through the validators.

The demo seed sets "demo" with set_password(), which skips them on purpose.
"""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("demo", "too short"),
        ("123", "entirely numeric"),
        ("password123", "too common"),
        ("casey.morgan", "too similar"),
    ],
)
def test_a_weak_password_is_refused(password, reason):
    user = UserFactory(username="casey.morgan", first_name="Casey", last_name="Morgan")

    with pytest.raises(ValidationError) as error:
        validate_password(password, user)

    assert reason in " ".join(error.value.messages)


def test_a_long_uncommon_password_is_accepted():
    user = UserFactory(username="casey.morgan")

    validate_password("violet tractor harbour 42", user)
