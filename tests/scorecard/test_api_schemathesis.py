"""Schemathesis feeds the OpenAPI description back to the app: for every operation, generated
requests (as an admin, against seeded data) must answer no server error and no response that
breaks the description.

Runs in-process against the WSGI application; each operation is its own test, with a bounded
number of examples so the whole run stays around a minute on two cores.
"""

import datetime
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kpis.models import Actual, Target
from scorecard.wsgi import application
from strategy.models import ObjectiveLink
from tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def _connection_kept_open():  # type: ignore[no-untyped-def]
    """Keep the test's database connection (and transaction) across requests to the raw WSGI
    app, as Django's test client does: its end-of-request handler would close it."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(org, _connection_kept_open):  # type: ignore[no-untyped-def]
    """The live schema, with a little more data than `org` so that ids hit real objects."""
    effect = ObjectiveFactory(perspective=org.perspective, org_unit=org.sales, code="C1")
    ObjectiveLink.objects.create(cause=org.objective, effect=effect)
    for month in range(2, 7):
        period = datetime.date(2026, month, 1)
        Target.objects.create(kpi=org.kpi, period=period, goal=Decimal(100), red_flag=Decimal(80))
        Actual.objects.create(kpi=org.kpi, period=period, value=Decimal(90 + month))
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def admin_headers(org):  # type: ignore[no-untyped-def]
    token, _ = Token.objects.get_or_create(user=org.admin)
    return {"Authorization": f"Token {token.key}"}


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(case, admin_headers):
    case.call_and_validate(
        headers=admin_headers, checks=[not_a_server_error, response_schema_conformance]
    )
