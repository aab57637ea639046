"""Small views behind `cached_page`, for tests/core/test_page_cache.py (`pytest.mark.urls`).

Each answers how many times it has run, so a test tells a page from the cache from a page
rendered again.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token, rotate_token
from django.urls import path
from django.views.decorators.http import require_POST

from core.page_cache import cached_page

runs: Counter[str] = Counter()


def _answer(name: str, body: str = "", status: int = 200) -> HttpResponse:
    runs[name] += 1
    return HttpResponse(f"{name} run {runs[name]} {body}", status=status)


@login_required
@cached_page
def page(request: HttpRequest) -> HttpResponse:
    """A page with a form (its CSRF token), what htmx asked for, and the messages shown."""
    shown = " ".join(str(message) for message in messages.get_messages(request))
    response = _answer(
        "page",
        f"token={get_token(request)} target={request.headers.get('HX-Target', '')} "
        f"messages={shown}",
    )
    response["Vary"] = "HX-Request"
    return response


@login_required
@cached_page
def status(request: HttpRequest, code: int) -> HttpResponse:
    return _answer("status", status=code)


@login_required
@cached_page
def with_cookie(request: HttpRequest) -> HttpResponse:
    response = _answer("with_cookie")
    response.set_cookie("chosen", "yes")
    return response


@login_required
@cached_page
def with_nonce(request: HttpRequest) -> HttpResponse:
    return _answer("with_nonce", f"nonce={request.csp_nonce}")  # type: ignore[attr-defined]


@login_required
@cached_page
def with_message(request: HttpRequest) -> HttpResponse:
    """A page that adds a message and shows it at once."""
    messages.info(request, "Saved.")
    shown = " ".join(str(message) for message in messages.get_messages(request))
    return _answer("with_message", f"messages={shown}")


@login_required
@cached_page
def new_csrf_secret(request: HttpRequest) -> HttpResponse:
    rotate_token(request)
    return _answer("new_csrf_secret", f"token={get_token(request)}")


@require_POST
def leave_message(request: HttpRequest) -> HttpResponse:
    """A form's target that leaves a message for the next page, as a redirect after a save."""
    messages.success(request, "Saved.")
    return HttpResponse(status=204)


@require_POST
def accept(request: HttpRequest) -> HttpResponse:
    """A form's target: the CSRF middleware has checked the token by the time it runs."""
    return HttpResponse("accepted")


@cached_page
def anyone(request: HttpRequest) -> HttpResponse:
    return _answer("anyone")


urlpatterns = [
    path("page/", page),
    path("status/<int:code>/", status),
    path("cookie/", with_cookie),
    path("nonce/", with_nonce),
    path("message/", with_message),
    path("new-csrf-secret/", new_csrf_secret),
    path("anyone/", anyone),
    path("accept/", accept),
    path("leave-message/", leave_message),
]
