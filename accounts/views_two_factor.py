"""Two-factor sign-in pages: the person's Security page (enrol, backup codes, remove), the code
step of signing in, the organisation's policy, and an admin's reset of a person's enrolment.

The rules live in accounts/two_factor.py; these views parse input and show the outcome.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import two_factor
from accounts.models import User
from accounts.permissions import require_perm, signed_in_user
from accounts.selectors import managed_unit_ids, people_for_admin


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        error_messages={"required": "Enter the code from your authenticator app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class SecurityPolicyForm(forms.Form):
    two_factor_required = forms.BooleanField(
        label="Require two-factor sign-in for admins and executives", required=False
    )


def _next_url(request: HttpRequest) -> str:
    """Where to go after the code step: the page asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


# --- The person's own Security page -----------------------------------------------------------


def _security_page(
    request: HttpRequest, *, status: int = 200, remove_form: CodeForm | None = None
) -> HttpResponse:
    user = signed_in_user(request)
    context: dict[str, Any] = {
        "enrolled": two_factor.has_two_factor(user),
        "required": two_factor.is_two_factor_required(user),
        "owes_enrolment": two_factor.owes(request) == two_factor.OWES_ENROLMENT,
        "backup_codes_left": two_factor.backup_codes_left(user),
        "remove_form": remove_form or CodeForm(),
    }
    return render(request, "accounts/security.html", context, status=status)


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """GET shows the pending authenticator; POST `start` creates one, POST `code` confirms it."""
    user = signed_in_user(request)
    if request.method == "POST" and "start" in request.POST:
        two_factor.enrolment_start(user=user)
        return redirect("security:two_factor_enrol")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            device, codes = two_factor.enrolment_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "new": True})
    if form.is_bound:
        status = 400
    device = two_factor.pending_enrolment(user)
    context: dict[str, Any] = {"form": form, "device": device}
    if device is not None:
        context["qr_code"] = two_factor.qr_code_svg(device)
        context["secret"] = two_factor.secret_for_manual_entry(device)
    return render(request, "accounts/two_factor_enrol.html", context, status=status)


@never_cache
@require_POST
@login_required
def backup_codes_replace(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not two_factor.has_two_factor(user):
        messages.error(request, "Set up two-factor sign-in first; backup codes come with it.")
        return redirect("security:security")
    codes = two_factor.backup_codes_replace(user=user)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "new": False})


@require_POST
@login_required
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.two_factor_remove(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("security:security")
    return _security_page(request, status=400, remove_form=form)


# --- The code step of signing in ----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password, a person with two-factor sign-in gives a code or a backup code."""
    user = signed_in_user(request)
    next_url = _next_url(request)
    if two_factor.owes(request) != two_factor.OWES_CODE:
        return redirect(next_url)
    if not two_factor.has_two_factor(user):
        # An admin reset it since this session signed in: decide again what it owes.
        two_factor.note_sign_in(sender=None, request=request, user=user)
        return redirect(next_url)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            device = two_factor.code_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, device)
            return redirect(next_url)
    status = 400 if form.is_bound else 200
    context = {"form": form, "next": next_url}
    return render(request, "accounts/two_factor_verify.html", context, status=status)


# --- The organisation's policy and an admin's reset ---------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def security_policy(request: HttpRequest) -> HttpResponse:
    """Admins of the whole organisation decide whether admins and executives must use 2FA."""
    require_perm(request.user, "accounts.manage_security_policy")
    policy = two_factor.security_policy()
    if request.method == "POST":
        form = SecurityPolicyForm(request.POST)
        if form.is_valid():
            required = form.cleaned_data["two_factor_required"]
            two_factor.security_policy_update(two_factor_required=required)
            messages.success(
                request,
                "Admins and executives must now use two-factor sign-in; those who have not set "
                "it up are asked to when they next sign in."
                if required
                else "Two-factor sign-in is now optional for everyone.",
            )
            return redirect("people:security_policy")
    else:
        form = SecurityPolicyForm(initial={"two_factor_required": policy.two_factor_required})
    return render(request, "accounts/security_policy.html", {"form": form, "policy": policy})


@require_POST
@login_required
def person_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin turns off a person's two-factor sign-in (a lost phone); written to the trail."""
    admin = signed_in_user(request)
    require_perm(admin, "accounts.manage_people")
    person: User = get_object_or_404(people_for_admin(managed_unit_ids(admin)), pk=pk)
    try:
        two_factor.two_factor_reset(person=person, by=admin)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("people:person", pk=person.pk)
    messages.success(
        request, f"Two-factor sign-in of {person} is off; they can set it up again when signed in."
    )
    return redirect("people:person", pk=person.pk)
