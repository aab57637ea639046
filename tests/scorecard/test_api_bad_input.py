"""Bad input of every kind answers a 4xx JSON with a clear message, never a 500."""

import json

import pytest

from kpis.models import Target
from tests.api_org import client_for

pytestmark = pytest.mark.django_db

TARGETS = "/api/v1/targets/"


def post_raw(client, url, body: str | bytes, content_type="application/json"):  # type: ignore[no-untyped-def]
    return client.generic("POST", url, body, content_type=content_type)


def test_wrong_types_are_named_by_field(org):
    response = client_for(org.admin).post(
        TARGETS, {"kpi": "abc", "period": "2026-13-01", "goal": [1], "red_flag": True}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"kpi", "period", "goal", "red_flag"}


def test_missing_fields_are_named(org):
    response = client_for(org.admin).post(TARGETS, {})
    assert response.status_code == 400
    assert response.json() == {
        "kpi": ["This field is required."],
        "period": ["This field is required."],
        "goal": ["This field is required."],
    }


def test_unknown_ids_in_the_body_and_the_path(org):
    admin = client_for(org.admin)
    response = admin.post(TARGETS, {"kpi": 999_999, "period": "2026-02-01", "goal": 1})
    assert response.status_code == 400
    assert response.json() == {"kpi": ['Invalid pk "999999" - object does not exist.']}
    for path in ("999999", "1" * 30, "-1", "abc", "1.5"):
        response = admin.get(f"{TARGETS}{path}/")
        assert response.status_code == 404, path
        assert response.json()["detail"]


def test_numbers_too_large_or_not_finite_are_refused(org):
    admin = client_for(org.admin)
    for goal in ("1e400", "123456789012345678901", "NaN"):
        response = admin.post(TARGETS, {"kpi": org.kpi.pk, "period": "2026-02-01", "goal": goal})
        assert response.status_code == 400, goal
        assert "goal" in response.json()
    body = f'{{"kpi": {org.kpi.pk}, "period": "2026-02-01", "goal": 1e400}}'
    assert post_raw(admin, TARGETS, body).status_code == 400
    body = f'{{"kpi": {org.kpi.pk}, "period": "2026-02-01", "goal": Infinity}}'
    assert post_raw(admin, TARGETS, body).status_code == 400


def test_json_numbers_are_read_exactly(org):
    body = f'{{"kpi": {org.kpi.pk}, "period": "2026-02-01", "goal": 12345678901234.123456}}'
    response = post_raw(client_for(org.admin), TARGETS, body)
    assert response.status_code == 201, response.content
    assert response.json()["goal"] == "12345678901234.123456"


def test_malformed_json_and_other_media_types_are_refused(org):
    admin = client_for(org.admin)
    response = post_raw(admin, TARGETS, '{"kpi": ')
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert post_raw(admin, TARGETS, b"\xff\xfe", content_type="application/json").status_code == 400
    response = post_raw(admin, TARGETS, "kpi=1", content_type="text/plain")
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


def test_deeply_nested_json_is_refused(org):
    admin = client_for(org.admin)
    for depth in (40, 100_000):
        response = post_raw(admin, TARGETS, "[" * depth + "]" * depth)
        assert response.status_code == 400, depth
        assert "nested deeper than 32 levels" in response.json()["detail"]
    bulk = [{"kpi": org.kpi.pk, "period": "2026-02-01", "value": {"a": [[[[1]]]]}}]
    assert admin.post("/api/v1/actuals/bulk/", bulk).status_code == 400


def test_text_that_is_not_valid_unicode_is_refused(org):
    body = f'{{"kpi": {org.kpi.pk}, "period": "2026-02-01", "value": 1, "analysis": "\\ud800"}}'
    response = post_raw(client_for(org.manager), "/api/v1/actuals/", body)
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]
    row = {"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1, "analysis": "\x00"}
    response = client_for(org.manager).post("/api/v1/actuals/", row)
    assert response.status_code == 400


def test_a_body_over_the_limit_answers_413(org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_raw(client_for(org.admin), TARGETS, json.dumps({"goal": "1" * 2000}))
    assert response.status_code == 413
    assert "larger than the limit of 1000 bytes" in response.json()["detail"]
    assert not Target.objects.exclude(pk=org.target.pk).exists()


def test_the_limit_takes_ten_thousand_bulk_rows(settings):
    row = {
        "kpi_code": "REVENUE_NORTH",
        "plan": 12345,
        "period": "2026-01-01",
        "value": "12345678.123456",
        "analysis": "Above plan: two large orders came in early; pipeline for next month is thin.",
    }
    size = len(json.dumps([row] * 10_000).encode())
    assert size < settings.DATA_UPLOAD_MAX_MEMORY_SIZE, size


def test_unknown_query_parameters_are_refused_naming_them(org):
    admin = client_for(org.admin)
    response = admin.get(TARGETS, {"kpi": org.kpi.pk, "kpi_code": "REV", "sort": "goal"})
    assert response.status_code == 400
    assert set(response.json()) == {"kpi_code", "sort"}
    assert "This endpoint accepts: kpi, page, page_size" in response.json()["sort"][0]
    response = admin.get(f"{TARGETS}{org.target.pk}/", {"kpi": org.kpi.pk})
    assert response.status_code == 400
    assert response.json() == {
        "kpi": ["Unknown query parameter. This endpoint accepts no query parameters."]
    }


def test_bad_filter_values_are_refused(org):
    admin = client_for(org.admin)
    for query in ({"kpi": "abc"}, {"kpi": "1" * 30}, {"kpi": "0"}, {"period": "2026-02-30"}):
        response = admin.get(TARGETS, query)
        assert response.status_code == 400, query
        assert set(response.json()) == set(query)


def test_pages_are_checked_and_page_sizes_capped(org):
    admin = client_for(org.admin)
    assert admin.get(TARGETS, {"page": "abc"}).status_code == 404
    assert admin.get(TARGETS, {"page": 99}).json() == {"detail": "Invalid page."}
    body = admin.get(TARGETS, {"page_size": 100_000}).json()
    assert body["count"] == 1
    assert admin.get(TARGETS, {"page_size": "-1"}).status_code == 200


def test_the_wrong_method_answers_405_json(org):
    response = client_for(org.admin).put("/api/v1/objective-links/1/", {})
    assert response.status_code == 405
    assert response.json()["detail"]
