"""“Forgot your password?”: Django's own password-reset views, e-mailed and throttled.

The flow is Django's (`PasswordResetView` and the three that follow, wired in
accounts/password_urls.py): a link with a one-time token goes to the address on file of an
active account that has a usable password; whoever follows it sets a new password. The page
answers the same whether or not the address belongs to anyone, and whether or not a link
was sent, so it tells nobody which addresses exist.

Sending is throttled with the cache: each address asked for, and each account, gets at most
`RESET_LIMIT` links per `RESET_WINDOW` (the first request opens the window). Past that the
page still answers the same and nothing is sent, so nobody can flood a person's mailbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache

from accounts.models import User

RESET_LIMIT = 3
RESET_WINDOW = timedelta(hours=1)


def _count(key: str) -> int:
    """Count one more request for `key` in its window, and return the window's count."""
    window = int(RESET_WINDOW.total_seconds())
    cache.add(key, 0, timeout=window)  # opens the window unless it is already open
    try:
        return cache.incr(key)
    except ValueError:  # the window closed between the two calls
        cache.set(key, 1, timeout=window)
        return 1


def reset_allowed_for_address(email: str) -> bool:
    """Count a request for this address; False once it is over the limit."""
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    return _count(f"password-reset:address:{digest}") <= RESET_LIMIT


def reset_allowed_for_account(user: User) -> bool:
    """Count a link for this account; False once it is over the limit."""
    return _count(f"password-reset:account:{user.pk}") <= RESET_LIMIT


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending to nobody once the address or the account is over its limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail"

    def get_users(self, email: str) -> Iterator[Any]:
        if not reset_allowed_for_address(email):
            return
        for user in super().get_users(email):
            if reset_allowed_for_account(user):
                yield user
