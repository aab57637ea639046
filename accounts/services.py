"""Writes to people, the organisation tree and memberships.

Each validates fully (`full_clean()` plus the rules below) and runs in one transaction, so a
refused change writes nothing. The rules that are not constraints:

- The organisation's root unit cannot be archived, nor moved, and no second root is created.
- A unit is archived only when it has no active sub-units (archive or move them first), so
  an active unit never hangs below an archived one; its memberships stay as history.
- A unit cannot move under itself or one of its own sub-units, nor under an archived unit.
- The last active admin of a root unit cannot lose that role (removed, changed, deactivated):
  an organisation is never left without an admin. Superusers do not count; they are a
  recovery path outside the app.
- People are deactivated, never deleted, and nobody deactivates themselves.
- Only a superuser changes, deactivates, reactivates or invites a superuser or a staff account
  (`may_change_account`): these accounts reach beyond any unit, so no unit admin, not even the
  root unit's, may take them over. Refused with PermissionDenied (403).
- An invitation sets a first password only: a person who has a usable password chooses a new
  one through "Forgot your password?" on the sign-in page, which e-mails the address on file.
- A new e-mail address is announced to the old one, and the person's open invitations stop
  working. A new password, on any path, revokes the person's API tokens (see
  `accounts/passwords.py`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.authtoken.models import Token

from accounts.models import Invitation, Membership, OrgUnit, Role, User
from accounts.permissions import forget_access, may_change_account

INVITATION_LIFETIME = timedelta(days=7)


# --- Org units -----------------------------------------------------------------------------


def _lock_roots(*units: OrgUnit) -> None:
    """Serialise changes to the trees these units belong to (in id order: no deadlocks)."""
    root_ids = sorted({(unit.ancestors() or [unit])[-1].pk for unit in units})
    list(OrgUnit.objects.select_for_update().filter(pk__in=root_ids).order_by("pk"))


def org_unit_create(*, name: str, parent: OrgUnit | None, code: str = "") -> OrgUnit:
    """Add a unit below `parent`; the code defaults to the name as a slug."""
    with transaction.atomic():
        if parent is None:
            if OrgUnit.objects.filter(parent=None).exists():
                raise ValidationError(
                    {"parent": "The organisation already has its root unit; choose a parent unit."}
                )
        else:
            parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
            if parent.is_archived:
                raise ValidationError(
                    {"parent": f"{parent.name} is archived; choose an active parent unit."}
                )
        unit = OrgUnit(name=name.strip(), code=code.strip() or slugify(name)[:40], parent=parent)
        unit.full_clean()
        unit.save()
        return unit


def org_unit_update(*, unit: OrgUnit, name: str, parent: OrgUnit | None) -> OrgUnit:
    """Rename and/or move a unit; refuses a move under itself or one of its own sub-units."""
    with transaction.atomic():
        if parent is None:
            if unit.parent_id is not None:
                raise ValidationError(
                    {"parent": "Choose the unit this one belongs to: only the root has none."}
                )
        elif parent.pk != unit.parent_id:
            _lock_roots(unit, parent)
            if parent.pk in unit.subtree_ids():
                where = "itself" if parent.pk == unit.pk else f"its own sub-unit {parent.name}"
                raise ValidationError(
                    {"parent": f"{unit.name} cannot move under {where}: that would make a loop."}
                )
            if OrgUnit.objects.filter(pk=parent.pk, is_archived=True).exists():
                raise ValidationError(
                    {"parent": f"{parent.name} is archived; choose an active parent unit."}
                )
        previous_name, previous_parent = unit.name, unit.parent
        unit.name = name.strip()
        unit.parent = parent
        try:
            unit.full_clean()
        except ValidationError:
            unit.name, unit.parent = previous_name, previous_parent
            raise
        unit.save(update_fields=["name", "parent"])
        return unit


def org_unit_archive(*, unit: OrgUnit) -> OrgUnit:
    """Archive a unit: its memberships stay as history but grant nothing any more."""
    with transaction.atomic():
        if unit.parent_id is None:
            raise ValidationError("The organisation's root unit cannot be archived.")
        OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
        active_children = list(
            unit.children.filter(is_archived=False).order_by("name").values_list("name", flat=True)
        )
        if active_children:
            raise ValidationError(
                f"{unit.name} still has active sub-units ({', '.join(active_children)}); "
                "archive or move them first."
            )
        unit.is_archived = True
        unit.full_clean()
        unit.save(update_fields=["is_archived"])
        return unit


def org_unit_restore(*, unit: OrgUnit) -> OrgUnit:
    """Bring an archived unit back; refused while its parent is archived."""
    with transaction.atomic():
        if unit.parent is not None and unit.parent.is_archived:
            raise ValidationError(
                f"{unit.parent.name} is archived; restore it first or move {unit.name} elsewhere."
            )
        unit.is_archived = False
        unit.full_clean()
        unit.save(update_fields=["is_archived"])
        return unit


# --- Memberships -----------------------------------------------------------------------------


def _refuse_removing_last_admin(*, user: User, unit: OrgUnit) -> None:
    """Raise if `user` is the last active admin of a root unit (the whole organisation)."""
    if unit.parent_id is not None or unit.is_archived:
        return
    # Lock the root, so two admins removing each other at the same moment are serialised.
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    others = Membership.objects.filter(org_unit=unit, role=Role.ADMIN, user__is_active=True)
    if not others.exclude(user=user).exists():
        raise ValidationError(
            f"{user} is the last admin of {unit.name}. Give someone else the admin role "
            "first, so the organisation always has an admin.",
            code="last_admin",
        )


def membership_add(*, user: User, org_unit: OrgUnit, role: str) -> Membership:
    """Give a person a role in a unit (and so in its whole subtree)."""
    with transaction.atomic():
        if org_unit.is_archived:
            raise ValidationError({"org_unit": f"{org_unit.name} is archived; choose another."})
        if not user.is_active:
            raise ValidationError(
                {"user": f"{user} is deactivated; reactivate them before giving them a role."}
            )
        membership = Membership(user=user, org_unit=org_unit, role=role)
        membership.full_clean()
        membership.save()
    forget_access(user)
    return membership


def membership_change_role(*, membership: Membership, role: str) -> Membership:
    """Change the role a person holds in a unit."""
    previous = membership.role
    if role == previous:
        return membership
    with transaction.atomic():
        membership.role = role
        try:
            membership.full_clean()
            if previous == Role.ADMIN:
                _refuse_removing_last_admin(user=membership.user, unit=membership.org_unit)
        except ValidationError:
            membership.role = previous
            raise
        membership.save(update_fields=["role"])
    forget_access(membership.user)
    return membership


def membership_remove(*, membership: Membership) -> None:
    """Take a role away; the person and everything they did stay."""
    with transaction.atomic():
        if membership.role == Role.ADMIN:
            _refuse_removing_last_admin(user=membership.user, unit=membership.org_unit)
        membership.delete()
    forget_access(membership.user)


# --- People ----------------------------------------------------------------------------------


def _refuse_protected_account(*, user: User, by: User | None) -> None:
    if not may_change_account(by, user):
        raise PermissionDenied("Only a superuser can change a superuser or staff account.")


def _expire_open_invitations(user: User) -> None:
    now = timezone.now()
    user.invitations.filter(used_at=None, expires_at__gt=now).update(expires_at=now)


def refuse_duplicate_email(email: str, *, other_than: User | None = None) -> None:
    """Raise if another person already has this e-mail address (in any letter case)."""
    others = User.objects.filter(email__iexact=email)
    if other_than is not None:
        others = others.exclude(pk=other_than.pk)
    if email and others.exists():
        raise ValidationError({"email": "A person with this e-mail address already exists."})


def user_create(
    *,
    username: str,
    org_unit: OrgUnit,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> User:
    """Create a person with a first role; without a password they sign in after an invitation."""
    with transaction.atomic():
        email = email.strip()
        refuse_duplicate_email(email)
        user = User(
            username=username.strip(),
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        errors: dict[str, list[str]] = {}
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            errors.update(error.message_dict)
        if password:
            try:
                validate_password(password, user)
            except ValidationError as error:
                errors["password"] = error.messages
            user.set_password(password)
        else:
            user.set_unusable_password()
        if errors:
            raise ValidationError(errors)
        user.save()
        membership_add(user=user, org_unit=org_unit, role=role)
        return user


def user_update(
    *,
    user: User,
    by: User | None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """Change a person's name and e-mail (None leaves a field as it is); the username stays.

    A new e-mail address is announced to the old one (inside the transaction: if the notice
    cannot be sent, nothing changes), and the person's open invitations stop working.
    """
    changes = {
        name: value.strip()
        for name, value in (("email", email), ("first_name", first_name), ("last_name", last_name))
        if value is not None
    }
    if not changes:
        return user
    _refuse_protected_account(user=user, by=by)
    with transaction.atomic():
        if "email" in changes:
            refuse_duplicate_email(changes["email"], other_than=user)
        previous = {name: getattr(user, name) for name in changes}
        for name, value in changes.items():
            setattr(user, name, value)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError:
            for name, value in previous.items():
                setattr(user, name, value)
            raise
        user.save(update_fields=list(changes))
        if "email" in changes and changes["email"].lower() != previous["email"].lower():
            _expire_open_invitations(user)
            if previous["email"]:
                _notify_email_changed(user=user, previous=previous["email"])
        return user


def _notify_email_changed(*, user: User, previous: str) -> None:
    new = user.email or "no address"
    send_mail(
        subject="The e-mail address of your Bearing account was changed",
        message=(
            f"Hello {user.get_short_name() or user.username},\n\n"
            f"The e-mail address of your Bearing account {user.username} was changed from "
            f"{previous} to {new}. Messages, including password resets, now go there.\n\n"
            "If you did not expect this change, tell your organisation's Bearing "
            "administrator at once.\n"
        ),
        from_email=None,
        recipient_list=[previous],
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_send(*, user: User, by: User | None, base_url: str) -> Invitation:
    """E-mail the person a one-time link to set their password; earlier unused links stop working.

    The e-mail is sent inside the transaction: if sending fails, no invitation is left behind.
    `base_url` is the site's scheme and host, e.g. "https://bearing.example.com". Only for a
    person who has never had a usable password: the others reset theirs themselves.
    """
    _refuse_protected_account(user=user, by=by)
    if not user.is_active:
        raise ValidationError(f"{user} is deactivated; reactivate them before inviting them.")
    if user.has_usable_password():
        raise ValidationError(
            f"{user} already has a password. An invitation only sets a first password; they "
            "can choose a new one with “Forgot your password?” on the sign-in page.",
            code="has_password",
        )
    if not user.email:
        raise ValidationError({"email": f"{user} has no e-mail address to send the link to."})
    now = timezone.now()
    with transaction.atomic():
        _expire_open_invitations(user)
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            user=user,
            token_hash=_token_hash(token),
            created_by=by,
            expires_at=now + INVITATION_LIFETIME,
        )
        invitation.full_clean()
        invitation.save()
        link = base_url.rstrip("/") + reverse("people:invitation_accept", kwargs={"token": token})
        inviter = f"{by} has invited you" if by is not None else "You are invited"
        send_mail(
            subject="Your invitation to Bearing",
            message=(
                f"Hello {user.get_short_name() or user.username},\n\n"
                f"{inviter} to Bearing, the organisation's balanced scorecard.\n"
                f"Choose your password here (the link works once, until "
                f"{timezone.localtime(invitation.expires_at):%d %B %Y %H:%M}):\n\n"
                f"{link}\n\nYour username is {user.username}.\n"
            ),
            from_email=None,
            recipient_list=[user.email],
        )
        return invitation


def user_invite(
    *,
    email: str,
    org_unit: OrgUnit,
    role: str,
    by: User | None,
    base_url: str,
    first_name: str = "",
    last_name: str = "",
) -> Invitation:
    """Create a person without a password (username = e-mail) and e-mail them a one-time link."""
    email = email.strip()
    with transaction.atomic():
        try:
            user = user_create(
                username=email.lower(),
                email=email,
                first_name=first_name,
                last_name=last_name,
                org_unit=org_unit,
                role=role,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "username" in error.error_dict:
                # The username is derived from the e-mail address: report it there.
                messages = error.message_dict
                messages.setdefault("email", []).extend(messages.pop("username"))
                raise ValidationError(messages) from None
            raise
        return invitation_send(user=user, by=by, base_url=base_url)


def invitation_check(*, token: str) -> Invitation:
    """The invitation the link's token belongs to, if it can still be used; else ValidationError.

    The error's code says why: "invalid" (no such link), "used", "expired", "deactivated" or
    "has_password" (the account has a password by now: an invitation only sets a first one).
    """
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None:
        raise ValidationError("This invitation link is not valid.", code="invalid")
    if invitation.used_at is not None:
        raise ValidationError(
            "This invitation link has already been used. Sign in with your password, or ask "
            "an admin for a new link.",
            code="used",
        )
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            "This invitation link has expired. Ask an admin to send you a new one.",
            code="expired",
        )
    if not invitation.user.is_active:
        raise ValidationError("This account has been deactivated.", code="deactivated")
    if invitation.user.has_usable_password():
        raise ValidationError(
            "This account already has a password. Sign in, or choose a new password with "
            "“Forgot your password?” on the sign-in page.",
            code="has_password",
        )
    return invitation


def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited person's password (Django's validators apply) and use up the link."""
    with transaction.atomic():
        invitation = invitation_check(token=token)
        user = invitation.user
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        # Claim the link with one conditional UPDATE, so two requests cannot both use it.
        claimed = Invitation.objects.filter(pk=invitation.pk, used_at=None).update(
            used_at=timezone.now()
        )
        if claimed != 1:
            raise ValidationError("This invitation link has already been used.", code="used")
        user.set_password(password)
        user.full_clean()
        user.save()
        return user


def user_deactivate(*, user: User, by: User) -> User:
    """Stop a person from signing in; their memberships, ownerships and history stay."""
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    _refuse_protected_account(user=user, by=by)
    with transaction.atomic():
        for membership in user.memberships.filter(
            role=Role.ADMIN, org_unit__parent=None, org_unit__is_archived=False
        ).select_related("org_unit"):
            _refuse_removing_last_admin(user=user, unit=membership.org_unit)
        user.is_active = False
        user.full_clean()
        user.save(update_fields=["is_active"])
        # An open invitation would otherwise still let them set a password.
        _expire_open_invitations(user)
    forget_access(user)
    return user


def user_reactivate(*, user: User, by: User | None) -> User:
    """Let a deactivated person sign in again, with the roles they held."""
    _refuse_protected_account(user=user, by=by)
    with transaction.atomic():
        user.is_active = True
        user.full_clean()
        user.save(update_fields=["is_active"])
    forget_access(user)
    return user


def api_tokens_revoke(*, user: User) -> None:
    """Revoke the person's API tokens: clients sign in again (with the new password)."""
    Token.objects.filter(user=user).delete()
