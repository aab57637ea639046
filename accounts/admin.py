"""People and the organisation in the Django admin.

Accounts run the People section's rules (see UserAdmin); invitations are read-only, since the
People section sends them. Org units and memberships save through their model forms'
`full_clean()`.
"""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest

from accounts import services
from accounts.models import Invitation, Membership, OrgUnit, User
from accounts.permissions import may_change_account


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    autocomplete_fields = ["org_unit"]


class AccountChangeForm(UserChangeForm[User]):
    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        try:
            services.refuse_duplicate_email(email, other_than=self.instance)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["email"]) from None
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    """People in the Django admin, under the same account rules as the People section.

    A superuser or staff account is shown read-only to everyone but superusers (its password
    form answers 403), and only superusers grant staff or superuser status or permissions. A
    new e-mail address goes through `user_update`, which announces it to the old address.
    """

    form = AccountChangeForm
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and not may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and not may_change_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change or "email" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        new_email = obj.email
        obj.email = form.initial.get("email") or ""
        super().save_model(request, obj, form, change)
        services.user_update(user=obj, by=cast(User, request.user), email=new_email)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin[OrgUnit]):
    list_display = ["name", "code", "parent", "is_archived"]
    list_filter = ["is_archived"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "org_unit", "role", "created_at"]
    list_filter = ["role", "org_unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "org_unit__name"]
    autocomplete_fields = ["user", "org_unit"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    """Read-only: invitations are sent from the People section, which e-mails the link."""

    list_display = ["user", "created_by", "created_at", "expires_at", "used_at"]
    search_fields = ["user__username", "user__email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False
