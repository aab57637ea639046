"""Two-factor sign-in with authenticator apps (TOTP) and one-time backup codes (django-otp).

Anyone may enrol; an organisation admin can require it for admins and executives
(`SecurityPolicy`). Signing in stays Django's: after the password the person is signed in, but
`TwoFactorMiddleware` keeps them on the code page (or, when they must enrol and have not, on
enrolment) until the session is verified (`user.is_verified()`, django-otp's OTPMiddleware).
Which of the two a session owes is decided once, when the person signs in, and kept in the
session. Session calls to the API from such a session answer 403; API tokens are for
integrations and are not asked for a code.

Wrong codes are throttled per device by django-otp: each failure doubles the wait before the
next code is checked. Every enrolment, removal and reset is written to the audit trail as a
change of the person.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable
from typing import Any

import segno
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import current_channel
from accounts.models import Role, SecurityPolicy, User
from accounts.permissions import holds_role_anywhere
from accounts.selectors import managed_unit_ids, manages_everything

# What a signed-in session still owes, kept in the session from sign-in on.
PENDING_SESSION_KEY = "two_factor_pending"
OWES_CODE = "code"
OWES_ENROLMENT = "enrolment"

AUDIT_FIELD = "Two-factor sign-in"
WRONG_CODE = "That code is not right. Check the time on your phone, or use a backup code."
REQUIRED_ROLES = (Role.ADMIN, Role.EXECUTIVE)


# --- Reads ------------------------------------------------------------------------------------


def security_policy() -> SecurityPolicy:
    """The organisation's policy (created with its defaults the first time it is read)."""
    policy, _ = SecurityPolicy.objects.get_or_create(pk=1)
    return policy


def is_two_factor_required(user: User | AnonymousUser) -> bool:
    """True when the policy requires two-factor sign-in and the person is an admin or executive."""
    if not user.is_authenticated:
        return False
    return holds_role_anywhere(user, *REQUIRED_ROLES) and security_policy().two_factor_required


def authenticator(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def backup_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The device's key as authenticator apps take it typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no style, no script)."""
    code = segno.make(device.config_url, error="m")
    svg: str = code.svg_inline(
        scale=4, title="QR code for your authenticator app", svgclass="qr-code", lineclass=None
    )
    return svg


# --- Writes -----------------------------------------------------------------------------------


def _audit(*, person: User, old: str, new: str, by: User) -> None:
    """Record the change on the person's history and in the audit trail."""
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(person.pk),
        object_id=person.pk,
        object_repr=str(person)[:200],
        action=LogEntry.Action.UPDATE,
        changes={AUDIT_FIELD: [old, new]},
        actor=by,
        timestamp=timezone.now(),
        cid=current_channel(),
    )


@transaction.atomic
def enrolment_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the person; any earlier unconfirmed one is dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def pending_enrolment(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def enrolment_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code from it; answer it and new backup codes.

    A confirmed authenticator replaces the one the person had (a new phone).
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise ValidationError("Start the set-up again: there is no authenticator to confirm.")
        if not _allowed(device):
            raise ValidationError(_wait_message(device))
        verified = device.verify_token(_normalised(code))
    if not verified:
        # Outside the transaction, so the failure counted above stays counted.
        raise ValidationError(WRONG_CODE)
    with transaction.atomic():
        was_on = has_two_factor(user)
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = backup_codes_replace(user=user)
        _audit(person=user, old="on" if was_on else "off", new="on", by=user)
    return device, codes


@transaction.atomic
def backup_codes_replace(*, user: User) -> list[str]:
    """New one-time backup codes for the person; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def code_verify(*, user: User, code: str) -> Device:
    """The device that accepts `code` (an authenticator code or an unused backup code).

    A backup code works once. Raises ValidationError for a wrong code, and while wrong codes
    are being throttled, without checking the code.
    """
    token = _normalised(code)
    with transaction.atomic():
        devices: list[Device] = [
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        if not devices:
            raise ValidationError("Two-factor sign-in is not set up for this account.")
        throttled = next((device for device in devices if not _allowed(device)), None)
        if throttled is not None:
            raise ValidationError(_wait_message(throttled))
        accepted = next((device for device in devices if device.verify_token(token)), None)
        if accepted is not None:
            # The devices tried before the one that took the code counted a failure: the
            # person gave a right code, so none of them owes a wait.
            for device in devices:
                if device is not accepted:
                    device.throttle_reset()
    if accepted is None:
        # Outside the transaction, so the failures counted above stay counted.
        raise ValidationError(WRONG_CODE)
    return accepted


def two_factor_remove(*, user: User, code: str) -> None:
    """The person turns two-factor sign-in off, proving it with a current code."""
    if is_two_factor_required(user):
        raise ValidationError(
            "Your organisation requires two-factor sign-in for your role, so it cannot be "
            "turned off. To move to a new phone, set up the authenticator again."
        )
    code_verify(user=user, code=code)
    _remove_devices(person=user, by=user, new="off")


def two_factor_reset(*, person: User, by: User) -> None:
    """An admin turns a person's two-factor sign-in off, e.g. after a lost phone.

    The admin must manage every unit where the person holds a role; only a superuser resets a
    superuser or staff account; nobody resets their own (they remove it with a code instead).
    """
    refusal = reset_refusal(person=person, by=by)
    if refusal:
        raise PermissionDenied(refusal)
    if not has_two_factor(person):
        raise ValidationError(f"{person} does not use two-factor sign-in.")
    _remove_devices(person=person, by=by, new="off (reset by an admin)")


def reset_refusal(*, person: User, by: User) -> str:
    """Why `by` may not reset the person's two-factor sign-in, or "" when they may."""
    if person.pk == by.pk:
        return "You cannot reset your own two-factor sign-in; ask another admin."
    if (person.is_superuser or person.is_staff) and not by.is_superuser:
        return "Only a superuser can reset two-factor sign-in of a superuser or staff account."
    managed = managed_unit_ids(by)
    if managed is None:
        return ""
    held = set(person.memberships.values_list("org_unit_id", flat=True))
    if held <= managed and (held or manages_everything(managed)):
        return ""
    return "Only an admin of every unit where this person holds a role can reset it."


@transaction.atomic
def _remove_devices(*, person: User, by: User, new: str) -> None:
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    _audit(person=person, old="on", new=new, by=by)


@transaction.atomic
def security_policy_update(*, two_factor_required: bool) -> SecurityPolicy:
    policy = SecurityPolicy.objects.select_for_update().get(pk=security_policy().pk)
    policy.two_factor_required = two_factor_required
    policy.full_clean()
    policy.save()
    return policy


def _normalised(code: str) -> str:
    """Codes as people type them: spaces and dashes ignored, any case."""
    return "".join(code.split()).replace("-", "").lower()


def _allowed(device: Device) -> bool:
    allowed, _ = device.verify_is_allowed()
    return bool(allowed)


def _wait_message(device: Device) -> str:
    """The refusal while wrong codes are throttled, naming the wait."""
    _, details = device.verify_is_allowed()
    locked_until: datetime.datetime | None = (details or {}).get("locked_until")
    seconds = 1
    if locked_until is not None:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many wrong codes. Wait {seconds} {unit} and try again."


# --- Signing in -------------------------------------------------------------------------------


def note_sign_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """On sign-in (user_logged_in), note whether the session owes a code or an enrolment."""
    if request is None or not hasattr(request, "session"):
        return
    if has_two_factor(user):
        request.session[PENDING_SESSION_KEY] = OWES_CODE
    elif is_two_factor_required(user):
        request.session[PENDING_SESSION_KEY] = OWES_ENROLMENT
    else:
        request.session.pop(PENDING_SESSION_KEY, None)


def owes(request: HttpRequest) -> str | None:
    """What the signed-in session still owes (OWES_CODE, OWES_ENROLMENT), or None."""
    user = request.user
    if not user.is_authenticated:
        return None
    pending: str | None = request.session.get(PENDING_SESSION_KEY)
    # OTPMiddleware gives request.user is_verified(), true once a code was given in this session.
    if pending is None or user.is_verified():  # type: ignore[attr-defined]
        return None
    return pending


# Pages a session that owes something may still open, by what it owes.
_OPEN_WHILE_OWING = {
    OWES_CODE: {"security:two_factor_verify", "logout"},
    OWES_ENROLMENT: {"security:security", "security:two_factor_enrol", "logout"},
}
# Requests under this path are API calls: they are answered in JSON, never redirected.
API_PATH = "/api/"


class TwoFactorMiddleware:
    """Keep a session that owes a code or an enrolment on those pages, and off the API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pending = owes(request)
        if pending is None:
            return self.get_response(request)
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            view_name = ""
        if view_name in _OPEN_WHILE_OWING[pending]:
            return self.get_response(request)
        if request.path.startswith(API_PATH):
            return JsonResponse(
                {"detail": "Finish two-factor sign-in in the browser first."}, status=403
            )
        target = "security:two_factor_verify" if pending == OWES_CODE else "security:security"
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
