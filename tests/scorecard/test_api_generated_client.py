"""A client generated from /api/schema/ by openapi-python-client, as API users generate one:
every module of it imports, and it reads real answers (a page of KPIs, a stale edit's 409, a
refused bulk call) as typed objects, not as loose dictionaries."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.api_org import JAN, Org

PACKAGE = "bearing_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def generated(
    tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any
) -> Iterator[ModuleType]:
    """The generated package, imported from a temporary folder."""
    folder = tmp_path_factory.mktemp("client")
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = folder / "schema.json"
    schema.write_bytes(response.content)
    # The generator formats its output with ruff, found on PATH beside it.
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Warning" not in output, output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def module(package: ModuleType, name: str) -> Any:
    """A module of the generated package, e.g. "api.kpis.kpis_list" or "models"."""
    return importlib.import_module(f"{package.__name__}.{name}")


def through_django(request: httpx.Request) -> httpx.Response:
    """Send the generated client's request to the app through Django's test client, which
    keeps the test's database connection open between requests."""
    headers = {
        name: value
        for name, value in request.headers.items()
        if name not in ("host", "content-length", "content-type")
    }
    answer = Client().generic(
        request.method,
        request.url.raw_path.decode("ascii"),
        data=request.content,
        content_type=request.headers.get("content-type", ""),
        headers=headers,
    )
    return httpx.Response(answer.status_code, headers=answer.items(), content=answer.content)


@pytest.fixture
def api(generated: ModuleType, org: Org) -> Any:
    """The generated client signed in as the Sales manager, talking to the app in-process."""
    token = Token.objects.create(user=org.manager)
    transport = httpx.MockTransport(through_django)
    return generated.AuthenticatedClient(
        base_url="http://testserver",
        token=token.key,
        prefix="Token",  # as the schema's tokenAuth says
        httpx_args={"transport": transport},
    )


def test_every_module_of_the_generated_client_imports(generated):
    names = [found.name for found in pkgutil.walk_packages(generated.__path__, f"{PACKAGE}.")]

    imported = [importlib.import_module(name) for name in names]

    assert len(imported) > 100
    assert hasattr(module(generated, "api.auth.auth_token_create"), "sync")


def test_the_generated_client_lists_the_kpis_a_manager_may_update_as_typed_objects(
    generated, api, org
):
    kpis_list = module(generated, "api.kpis.kpis_list")
    models = module(generated, "models")

    named = kpis_list.sync(client=api, updater=org.manager.pk)
    page = kpis_list.sync(client=api, may_update=True)

    assert named.count == 0  # the manager is not named as an updater...
    assert isinstance(page, models.PaginatedKpiList)
    assert [(kpi.code, kpi.plan) for kpi in page.results] == [("REV", org.plan.pk)]
    assert page.next_ is None  # ...but updates every KPI of Sales


def test_the_generated_client_reads_a_stale_edits_conflict_with_the_current_actual(
    generated, api, org
):
    actuals_partial_update = module(generated, "api.kpis.actuals_partial_update")
    models = module(generated, "models")
    body = models.PatchedActualRequest(
        value="96", corrective_action="Call them.", version=org.actual.version + 5
    )

    answer = actuals_partial_update.sync(client=api, id=org.actual.pk, body=body)

    assert isinstance(answer, models.ActualConflict)
    assert isinstance(answer.current, models.Actual)
    assert (answer.current.version, Decimal(answer.current.value)) == (1, Decimal(95))
    assert answer.current.analysis == ""


def test_the_generated_client_reads_the_rows_a_bulk_call_refused(generated, api, org):
    actuals_bulk_create = module(generated, "api.kpis.actuals_bulk_create")
    models = module(generated, "models")
    rows = [
        models.BulkRowRequest(kpi=org.kpi.pk, period=JAN, value="97"),
        models.BulkRowRequest(kpi_code="NOPE", period=JAN, value="1"),
    ]

    answer = actuals_bulk_create.sync(client=api, body=rows)

    assert isinstance(answer, models.BulkRefusal)
    assert answer.detail == "1 of 2 rows are invalid; nothing was written."
    assert list(answer.rows.additional_properties) == ["1"]
    assert answer.rows["1"].additional_properties["kpi_code"][0].startswith("No KPI with code")
