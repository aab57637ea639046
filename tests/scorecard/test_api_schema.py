"""The OpenAPI description: valid OpenAPI 3, clean under drf-spectacular's own checks, complete,
and its interactive docs served from the package, with no CDN."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

OPENAPI_JSON = "application/vnd.oai.openapi+json"


@pytest.fixture
def schema() -> dict:  # type: ignore[type-arg]
    response = Client().get("/api/schema/", HTTP_ACCEPT=OPENAPI_JSON)
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_drf_spectacular_generates_it_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_every_endpoint_of_the_contract_is_described(schema):
    paths = set(schema["paths"])
    for name in (
        "org-units",
        "users",
        "memberships",
        "plans",
        "perspectives",
        "objectives",
        "objective-links",
        "kpis",
        "targets",
        "actuals",
        "action-plans",
        "tasks",
    ):
        assert f"/api/v1/{name}/" in paths
        assert f"/api/v1/{name}/{{id}}/" in paths
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/actuals/bulk/",
        "/api/v1/kpis/{id}/performance/",
        "/api/v1/scorecard/",
    ):
        assert path in paths
    assert set(schema["components"]["securitySchemes"]) >= {"tokenAuth", "cookieAuth"}


def test_numbers_are_accepted_as_json_numbers_or_strings_and_answered_as_strings(schema):
    schemas = schema["components"]["schemas"]
    assert schemas["TargetRequest"]["properties"]["goal"]["oneOf"][0] == {"type": "number"}
    assert schemas["Target"]["properties"]["goal"]["type"] == "string"


def test_error_answers_are_described(schema):
    responses = schema["paths"]["/api/v1/actuals/{id}/"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "429"} <= set(responses)


def test_the_interactive_docs_load_everything_from_this_site(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert addresses
    own = ("/static/drf_spectacular_sidecar/", "/api/docs/")
    assert all(address.startswith(own) for address in addresses), addresses
    assert "script-src 'self'" in page["Content-Security-Policy"]
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_scorecard_declares_its_depth_and_its_pages_of_kpi_lines(schema):
    operation = schema["paths"]["/api/v1/scorecard/"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["depth"]["enum"] == ["plan", "perspective", "objective", "kpi"]
    assert (parameters["page"]["minimum"], parameters["page_size"]["maximum"]) == (1, 500)
    scorecard = schema["components"]["schemas"]["Scorecard"]
    assert {"kpi_lines", "perspectives"} <= set(scorecard["properties"])
    assert not {"kpi_lines", "perspectives"} & set(scorecard["required"])
    assert "kpis" not in schema["components"]["schemas"]["ObjectiveNode"]["required"]
