"""Sign-in throttling: django-axes' count per username and address, plus one per username.

django-axes pauses a username at one address after SIGN_IN_FAILURE_LIMIT failures. On its own
that lets someone who rotates addresses guess without end, so this handler adds a second,
higher limit per username from any address, counted over a short window: a stranger can slow
an account down by guessing its password, but cannot lock its owner out for longer than that
window after the last counted failure (refused attempts during a pause are not counted).
"""

from __future__ import annotations

import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def username_failures(username: str, *, since: datetime.datetime) -> int:
    """Failed sign-ins for `username` from every address whose latest failure is after `since`."""
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return int(total or 0)


def is_username_paused(username: str | None, *, now: datetime.datetime | None = None) -> bool:
    """True while `username` has reached the per-username limit within its window."""
    if not username:
        return False
    since = (now or timezone.now()) - settings.SIGN_IN_USERNAME_COOLOFF_TIME
    return username_failures(username, since=since) >= settings.SIGN_IN_USERNAME_FAILURE_LIMIT


class SignInAttemptHandler(AxesDatabaseHandler):
    """django-axes' database handler with the per-username limit added (AXES_HANDLER)."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        return is_username_paused(username, now=getattr(request, "axes_attempt_time", None))

    def user_login_failed(
        self,
        sender: object,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        # The failure that reaches the per-username limit answers with the paused page at once,
        # as the one reaching axes' own limit does.
        username = get_client_username(request, credentials)
        if is_username_paused(username, now=request.axes_attempt_time):  # type: ignore[attr-defined]
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            user_locked_out.send(
                "axes",
                request=request,
                username=username,
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            )
