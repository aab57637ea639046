"""Forms of the People section: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import OrgUnit, Role
from accounts.selectors import PersonStatus

# Password managers offer to generate a new password here rather than fill in the old one.
NEW_PASSWORD = forms.PasswordInput(attrs={"autocomplete": "new-password"})


class UnitChoiceField(forms.ModelChoiceField[OrgUnit]):
    """A unit among those the admin manages: any other id is "not one of the choices"."""

    def __init__(self, queryset: QuerySet[OrgUnit], **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages", {"invalid_choice": "Choose one of the active units you manage."}
        )
        super().__init__(queryset=queryset.filter(is_archived=False).order_by("name"), **kwargs)


class RoleField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        roles = ", ".join(str(label) for label in Role.labels)
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"“%(value)s” is not a role. Choose one of: {roles}."},
        )
        # What each role may do is listed next to the choice ({% role_help %}).
        kwargs.setdefault("widget", forms.Select(attrs={"aria-describedby": "role-help"}))
        super().__init__(choices=Role.choices, **kwargs)


class OrgUnitCreateForm(forms.Form):
    name = forms.CharField(max_length=120)
    code = forms.SlugField(
        max_length=40, required=False, help_text="Short identifier; from the name if left empty."
    )
    parent = UnitChoiceField(OrgUnit.objects.none(), label="Part of")

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = UnitChoiceField(units, label="Part of")


class OrgUnitRenameForm(forms.Form):
    name = forms.CharField(max_length=120)


class OrgUnitMoveForm(forms.Form):
    parent = UnitChoiceField(OrgUnit.objects.none(), label="Move under")

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = UnitChoiceField(units, label="Move under")


class MembershipAddForm(forms.Form):
    org_unit = UnitChoiceField(OrgUnit.objects.none(), label="Unit")
    role = RoleField()

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = UnitChoiceField(units, label="Unit")


class MembershipRoleForm(forms.Form):
    role = RoleField()


class PersonCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    org_unit = UnitChoiceField(OrgUnit.objects.none(), label="Unit")
    role = RoleField(initial=Role.VIEWER)
    password = forms.CharField(
        widget=NEW_PASSWORD,
        required=False,
        strip=False,
        help_text="Leave empty to send an invitation later instead.",
    )
    password_again = forms.CharField(widget=NEW_PASSWORD, required=False, strip=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = UnitChoiceField(units, label="Unit")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password", "") != data.get("password_again", ""):
            self.add_error("password_again", "The two passwords differ.")
        return data


class PersonEditForm(forms.Form):
    """A person's name and e-mail address; the username never changes."""

    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(
        label="E-mail",
        required=False,
        help_text="A new address is announced to the old one, and open invitations stop working.",
    )


class PersonInviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    org_unit = UnitChoiceField(OrgUnit.objects.none(), label="Unit")
    role = RoleField(initial=Role.VIEWER)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = UnitChoiceField(units, label="Unit")


class InvitationAcceptForm(forms.Form):
    password = forms.CharField(label="New password", widget=NEW_PASSWORD, strip=False)
    password_again = forms.CharField(label="New password again", widget=NEW_PASSWORD, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", choices=PersonStatus.CHOICES, required=False, initial=PersonStatus.ALL
    )
