"""Helpers for the two-factor sign-in tests: enrol a person, compute their current code."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import User


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's authenticator app shows now (or `steps_ahead` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Give the person a confirmed authenticator and backup codes, as the Security page does.

    The code used to confirm is forgotten, as if its period had passed, so the tests can sign in
    with the current code.
    """
    device = two_factor.enrolment_start(user=user)
    device, codes = two_factor.enrolment_confirm(user=user, code=code_for(device))
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return device, codes
