"""What every app's HTML views share: the htmx request type, fragment or page, the signed-in person.

It lives in the lowest app because dependencies point one way: strategy and kpis build their
pages on it; it imports none of them.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest) -> bool:
    """True when htmx asks for a part of the page (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def signed_in_user(request: HttpRequest) -> User:
    """The person making the request; only for views behind `login_required`."""
    return cast(User, request.user)
