"""Shared fixtures for the whole suite."""

from __future__ import annotations

import importlib

import pytest
from auditlog.context import auditlog_value
from django.apps import apps
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from accounts.audit import no_actor
from accounts.models import User
from core import data_version
from tests.factories import UserFactory

# Property tests check values, never time: with both cores busy, hypothesis' default deadline
# of 200 ms per example made them fail at random.
hypothesis_settings.register_profile("bearing", deadline=None)
hypothesis_settings.load_profile("bearing")

# The small organisation of the API tests (`org`, `transparency_off`, `client_for`), shared by
# the API tests that sit next to their app's other tests; the webhook tests' loopback receiver.
pytest_plugins = ["tests.api_org", "tests.kpis.webhook_receiver"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(  # type: ignore[no-untyped-def]
    django_db_modify_db_settings_parallel_suffix, tmp_path_factory
):
    """Keep an SQLite test database in a file of the test run's own, not in memory.

    A Celery worker started by a test, in another process, then reads and writes the same
    database as the test. Each run (and each xdist worker) gets a new file.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)
        # A test database need not survive a power cut: no waiting for the disk on commit.
        database.setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF"


@pytest.fixture(autouse=True)
def _sign_in_throttling_off(settings):  # type: ignore[no-untyped-def]
    """Switch django-axes off, so `client.login()` works as Django documents it.

    `client.login()` authenticates without a request, which the axes backend refuses
    (AxesBackendRequestParameterRequired). The throttling tests switch it back on and sign in
    through the sign-in page, as a browser does.
    """
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _no_audit_actor_after_the_test():
    """django-auditlog's `set_actor`, which some tests use directly, leaves its actor behind
    when it ends; the next test's changes would be recorded as made by a person who no longer
    exists. Each test starts and ends with the actor it found."""
    before = auditlog_value.set(no_actor())
    yield
    auditlog_value.reset(before)


@pytest.fixture(autouse=True)
def _no_scores_kept_from_another_test():
    """Scores kept per plan (kpis.selectors.cascade) are keyed on the plans' versions, which
    only committed writes move, and a test's plans may reuse an earlier test's ids (SQLite
    takes ids back on rollback; a new test database starts them again). Each test starts with
    new versions of every plan, in the cache of its own test process."""
    data_version.replace_all()


@pytest.fixture
def user(db: None) -> User:
    return UserFactory(username="pat")


@pytest.fixture
def signed_in_client(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


@pytest.fixture
def beat_schedule() -> None:
    """The daily tasks that the kpis data migrations put on the beat schedule.

    A browser or worker test that ran earlier in the same process may have flushed the
    database, and the migrations' rows with it; seeding again runs the migrations' own code
    and leaves rows that are there as they are.
    """
    for migration in ("0005_variance_report_schedule", "0007_reminder_schedule"):
        importlib.import_module(f"kpis.migrations.{migration}").seed_schedule(apps, None)
