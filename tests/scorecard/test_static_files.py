"""The favicon, and static files served with caching and compression in production."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

from tests.accounts.org import build_org, client_for
from tests.scorecard.test_settings import manage

pytestmark = pytest.mark.django_db

ICON = "img/favicon.svg"


def test_every_page_links_the_favicon_and_it_is_a_static_file(client: Client):
    assert finders.find(ICON) is not None
    signed_in = client_for(build_org().viewer).get("/").content.decode()
    sign_in_page = client.get("/accounts/login/").content.decode()
    for html in (signed_in, sign_in_page):
        assert f'<link rel="icon" href="{static(ICON)}" type="image/svg+xml">' in html


def test_the_conventional_favicon_address_leads_to_the_icon(client: Client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static(ICON)


def test_static_files_are_served_with_a_cache_lifetime(settings):
    # As in production, but from the source folders: tests run without collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get(static(ICON))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age=" in response["Cache-Control"]
    assert b"<svg" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_production_stores_static_files_hashed_and_compressed_and_development_does_not(
    tmp_path: Path,
):
    production = manage(
        tmp_path,
        "diffsettings",
        "--all",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.com",
    )
    assert production.returncode == 0, production.stderr
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in production.stdout

    development = manage(tmp_path, "diffsettings", "--all")
    assert development.returncode == 0, development.stderr
    assert "CompressedManifestStaticFilesStorage" not in development.stdout
    assert "django.contrib.staticfiles.storage.StaticFilesStorage" in development.stdout
