"""What follows a new password, whichever way it was set.

Django calls `password_changed()` on every configured password validator once a user whose
password was set with `set_password()` is saved: the invitation, "Forgot your password?", the
Django admin, `manage.py changepassword` and any change form all pass through there. Hooking in
at that one place, instead of in each path, means no path (present or future) forgets it.
"""

from __future__ import annotations

from typing import Any

from accounts import services


class RevokeApiTokensOnChange:
    """Not a check on the password: on a change, revoke the person's API tokens."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            services.api_tokens_revoke(user=user)

    def get_help_text(self) -> str:
        return "A new password also revokes your API tokens."
