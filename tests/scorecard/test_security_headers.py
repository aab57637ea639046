"""Every page carries the browser-side protections: CSP, no framing, no sniffing."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign_in_page(client):  # type: ignore[no-untyped-def]
    return client.get(reverse("login"))


def directives(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    policy = response["Content-Security-Policy"]
    return {
        name: value.strip()
        for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
    }


def test_the_content_security_policy_allows_only_the_sites_own_scripts(sign_in_page):
    policy = directives(sign_in_page)
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" not in sign_in_page["Content-Security-Policy"]
    assert "'unsafe-eval'" not in sign_in_page["Content-Security-Policy"]


def test_the_content_security_policy_covers_styles_framing_forms_and_plugins(sign_in_page):
    policy = directives(sign_in_page)
    assert policy["default-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"
    assert policy["object-src"] == "'none'"


def test_pages_may_not_be_framed(sign_in_page):
    assert sign_in_page["X-Frame-Options"] == "DENY"


def test_browsers_may_not_guess_content_types(sign_in_page):
    assert sign_in_page["X-Content-Type-Options"] == "nosniff"


def test_links_to_other_sites_carry_no_referrer(sign_in_page):
    assert sign_in_page["Referrer-Policy"] == "same-origin"


def test_the_window_is_isolated_from_other_origins(sign_in_page):
    assert sign_in_page["Cross-Origin-Opener-Policy"] == "same-origin"


def test_signed_in_pages_carry_the_policy_too(signed_in_client):
    response = signed_in_client.get(reverse("home"))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


# A <script> without src, a <style> element, a style="" attribute, an onclick="" handler, or
# htmx's hx-on (which needs eval).
INLINE_CODE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=|\s(?:data-)?hx-on", re.I
)


def test_no_template_has_inline_code_the_policy_would_block(settings):
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for template in directory.rglob("*.html"):
            found = INLINE_CODE.findall(template.read_text())
            assert not found, f"{template}: {found}"


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        "<style>p {}</style>",
        '<p style="color: red">',
        '<button onclick="x()">',
        '<div hx-on:click="x()">',
    ],
)
def test_the_inline_code_check_catches(snippet):
    assert INLINE_CODE.search(snippet)


def test_the_inline_code_check_lets_an_external_script_through():
    assert not INLINE_CODE.search('<script src="/static/x.js" defer></script>')
