"""Whole pages kept in the cache for the read-heavy GET views (`cached_page`).

An entry is keyed on everything that may change the answer:
- the session: nobody is answered another person's page, since a session is one person's
  (signing in always gives a new session key, and signing out ends the session), and a new
  sign-in starts with nothing cached;
- the CSRF secret the request carries: the page's forms hold a token masked from it, valid
  exactly as long as the browser keeps that secret;
- the full path with its query string, and the htmx headers (HX-Request, HX-Target, …): one
  address answers the whole page or one of its fragments;
- today's date: pages choose the last closed month and judge schedules by it;
- the data version (`core.data_version`), read once per request: every committed write moves
  it, so a change shows at once;
- the settings named in PAGE_CACHE_KEY_SETTINGS (transparency, approval, fiscal year).
The key is a hash of these, so no session key is stored in clear.

Never stored: an answer other than 200 or one whose view set a cookie; the page of a request
that had flash messages pending or added some (each is shown once); a page rendered with a CSP
nonce (a later answer's header would allow another nonce, or none); a page whose rendering
made a new CSRF secret (its cookie goes out with that answer only); nothing for a person who is
not signed in. A hit answers the stored body with the headers the view set (Content-Type, and
any Vary or other header of its own); the middleware then adds the session, CSP and security
headers as it does to every answer. PAGE_CACHE_SECONDS bounds an entry's life (0: no caching).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core import data_version

_View = TypeVar("_View", bound=Callable[..., HttpResponse])

# What is stored: the body and the headers the view set.
_Entry = tuple[bytes, list[tuple[str, str]]]


def _pending_messages(request: HttpRequest) -> int:
    # The length counts the messages queued and those stored for this request without
    # marking them read, so they are still shown by the page that renders them.
    return len(messages.get_messages(request))


def _key(request: HttpRequest) -> str | None:
    """The entry's key, or None when this request's page must not be cached."""
    user = request.user
    session_key = request.session.session_key
    csrf_secret = request.META.get("CSRF_COOKIE")
    if (
        not user.is_authenticated
        or not session_key
        or not csrf_secret
        or _pending_messages(request)
    ):
        return None
    htmx = sorted((name.lower(), value) for name, value in request.headers.items())
    parts = [
        session_key,
        csrf_secret,
        request.get_full_path(),
        repr([(name, value) for name, value in htmx if name.startswith("hx-")]),
        timezone.localdate().isoformat(),
        data_version.current(),
        repr([getattr(settings, name) for name in settings.PAGE_CACHE_KEY_SETTINGS]),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"page:{digest}"


def _storable(request: HttpRequest, response: HttpResponse, csrf_secret: Any) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not _pending_messages(request)
        and not getattr(request, "csp_nonce", None)  # true once the page asked for a nonce
        and request.META.get("CSRF_COOKIE") == csrf_secret
    )


def cached_page(view: _View) -> _View:
    """Answer the view's page from the cache when it was rendered for the same key (above).

    Put it inside `login_required` and `require_GET`, so those run on every request.
    """

    @functools.wraps(view)
    def cached(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _key(request) if settings.PAGE_CACHE_SECONDS else None
        if key is None:
            return view(request, *args, **kwargs)
        entry: _Entry | None = cache.get(key)
        if entry is not None:
            body, headers = entry
            return HttpResponse(body, headers=dict(headers))
        csrf_secret = request.META.get("CSRF_COOKIE")
        response = view(request, *args, **kwargs)
        if _storable(request, response, csrf_secret):
            stored: _Entry = (response.content, list(response.items()))
            cache.set(key, stored, timeout=settings.PAGE_CACHE_SECONDS)
        return response

    return cast(_View, cached)
