"""The OpenAPI description: valid OpenAPI 3, clean under drf-spectacular's own checks, complete,
and its interactive docs served from the package, with no CDN."""

import json
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


# --- What generated clients need ----------------------------------------------------------------


def test_the_format_parameter_chooses_json_or_yaml(client):
    as_json = client.get("/api/schema/", {"format": "json"})
    as_yaml = client.get("/api/schema/", {"format": "yaml"})
    by_default = client.get("/api/schema/")

    assert as_json["Content-Type"] == OPENAPI_JSON
    assert as_json.json()["openapi"].startswith("3.")
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi;")
    assert as_yaml.content.startswith(b"openapi: 3.")
    assert by_default.content == as_yaml.content


def test_the_token_endpoint_declares_one_json_body(schema):
    body = schema["paths"]["/api/v1/auth/token/"]["post"]["requestBody"]

    assert list(body["content"]) == ["application/json"]


def test_no_operation_declares_two_bodies_of_the_same_shape(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            shapes = [json.dumps(media["schema"], sort_keys=True) for media in content.values()]
            assert len(shapes) == len(set(shapes)), (method, path)


def test_every_field_of_an_answer_is_required_and_requests_stay_optional(schema):
    components = schema["components"]["schemas"]

    assert {"version", "analysis", "corrective_action", "entered_by"} <= set(
        components["Actual"]["required"]
    )
    assert set(components["Kpi"]["required"]) == set(components["Kpi"]["properties"])
    assert set(components["PaginatedKpiList"]["required"]) == {
        "count",
        "next",
        "previous",
        "results",
    }
    assert "version" not in components["ActualRequest"]["required"]
    assert "required" not in components["PatchedActualRequest"]


def test_a_stale_edit_declares_its_409_with_the_current_object(schema):
    paths = schema["paths"]
    conflicts = {
        ("/api/v1/actuals/", "post"): "ActualConflict",
        ("/api/v1/actuals/{id}/", "put"): "ActualConflict",
        ("/api/v1/actuals/{id}/", "patch"): "ActualConflict",
        ("/api/v1/approvals/{id}/review/", "post"): "ActualConflict",
        ("/api/v1/action-plans/{id}/", "patch"): "ActionPlanConflict",
        ("/api/v1/tasks/{id}/", "patch"): "TaskConflict",
    }
    for (path, method), name in conflicts.items():
        answer = paths[path][method]["responses"]["409"]["content"]["application/json"]
        assert answer["schema"] == {"$ref": f"#/components/schemas/{name}"}, (method, path)
    actual_conflict = schema["components"]["schemas"]["ActualConflict"]
    assert actual_conflict["properties"]["current"]["allOf"] == [
        {"$ref": "#/components/schemas/Actual"}
    ]
    assert actual_conflict["required"] == ["detail"]
    assert "201" in paths["/api/v1/actuals/"]["post"]["responses"]
    assert "200" in paths["/api/v1/actuals/{id}/"]["patch"]["responses"]


def test_the_bulk_call_declares_its_refused_rows_by_index(schema):
    responses = schema["paths"]["/api/v1/actuals/bulk/"]["post"]["responses"]
    refusal = schema["components"]["schemas"]["BulkRefusal"]["properties"]

    assert responses["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BulkRefusal"
    }
    assert refusal["rows"]["additionalProperties"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def test_the_kpi_filters_for_updating_are_described(schema):
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/kpis/"]["get"]["parameters"]
    }

    assert parameters["may_update"]["schema"] == {"type": "boolean"}
    assert "My updates" in parameters["may_update"]["description"]
    assert "may_update" in parameters["updater"]["description"]
    assert parameters["updater"]["schema"]["minimum"] == 1


def test_the_scorecard_declares_its_depth_and_its_pages_of_kpi_lines(schema):
    operation = schema["paths"]["/api/v1/scorecard/"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["depth"]["enum"] == ["plan", "perspective", "objective", "kpi"]
    assert (parameters["page"]["minimum"], parameters["page_size"]["maximum"]) == (1, 500)
    scorecard = schema["components"]["schemas"]["Scorecard"]
    assert {"kpi_lines", "perspectives"} <= set(scorecard["properties"])
    assert not {"kpi_lines", "perspectives"} & set(scorecard["required"])
    assert "kpis" not in schema["components"]["schemas"]["ObjectiveNode"]["required"]
