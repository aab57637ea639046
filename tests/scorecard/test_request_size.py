"""Request bodies are bounded as a whole: an oversized upload is refused before it is read."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.models import ImportBatch
from tests.kpis.updates_org import build_org, client_for

pytestmark = pytest.mark.django_db

IMPORT = "/updates/import/"


def test_an_upload_over_the_request_limit_answers_413_with_the_limit(settings):
    settings.REQUEST_MAX_BYTES = 10_000
    org = build_org()
    big = SimpleUploadedFile("actuals.csv", b"kind,kpi_code,period\n" + b"x" * 20_000)

    response = client_for(org.manager).post(IMPORT, {"file": big, "plan": org.plan.pk})

    assert response.status_code == 413
    html = response.content.decode()
    assert "The upload is too large" in html
    assert "the largest accepted is 9.8\xa0KB" in html
    assert not ImportBatch.objects.exists()


def test_the_api_answers_an_oversized_body_413_in_json(settings):
    settings.REQUEST_MAX_BYTES = 10_000
    org = build_org()

    response = client_for(org.manager).post(
        "/api/v1/actuals/bulk/", "[" + "1," * 10_000 + "1]", content_type="application/json"
    )

    assert response.status_code == 413
    assert "the largest accepted is" in response.json()["detail"]


def test_an_upload_within_the_limit_reaches_the_page(settings):
    settings.REQUEST_MAX_BYTES = 10_000
    org = build_org()
    small = SimpleUploadedFile("actuals.csv", b"kind,kpi_code,period\n")

    response = client_for(org.manager).post(IMPORT, {"file": small, "plan": org.plan.pk})

    assert response.status_code == 400
    assert "The file has a header but no rows" in response.content.decode()


def test_a_request_with_more_files_than_a_form_takes_is_refused_with_a_page():
    org = build_org()
    files = [SimpleUploadedFile(f"a{n}.csv", b"kind,kpi_code,period\n") for n in range(2)]

    response = client_for(org.manager).post(IMPORT, {"file": files, "plan": org.plan.pk})

    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_request_limit_allows_the_largest_import_file_and_form():
    assert settings.REQUEST_MAX_BYTES >= settings.IMPORT_MAX_BYTES + 64 * 1024
    assert settings.REQUEST_MAX_BYTES >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == settings.IMPORT_MAX_BYTES
