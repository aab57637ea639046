"""The People section: the org-unit tree, people, memberships and invitations.

Who may do what: people without the admin role anywhere get 403 on every page here (they may
know the section exists); an admin manages the subtrees where they hold the role, so units,
people and memberships outside them answer 404; superusers manage everything. A refused
change answers 400 with the form and its messages and writes nothing; every form works as a
plain POST (redirect with a message) and, with htmx, swaps just its part of the page.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import services, two_factor
from accounts.forms import (
    InvitationAcceptForm,
    MembershipAddForm,
    MembershipRoleForm,
    OrgUnitCreateForm,
    OrgUnitMoveForm,
    OrgUnitRenameForm,
    PeopleFilterForm,
    PersonCreateForm,
    PersonEditForm,
    PersonInviteForm,
)
from accounts.models import Invitation, Membership, OrgUnit, Role, User
from accounts.permissions import forget_access, may_change_account
from accounts.selectors import (
    flatten,
    managed_unit_ids,
    managed_units,
    memberships_by_user,
    org_unit_tree,
    people_for_admin,
    people_search,
)
from core.htmx import HtmxHttpRequest, wants_fragment
from core.validation import add_service_error

PEOPLE_PER_PAGE = 50


def _admin(request: HttpRequest) -> User:
    """The signed-in admin; 403 for everyone without the admin role somewhere."""
    if not request.user.has_perm("accounts.manage_people"):
        raise PermissionDenied
    return cast(User, request.user)  # login_required ran before


def _unit_for_admin(request: HttpRequest, pk: int) -> OrgUnit:
    _admin(request)
    unit = get_object_or_404(OrgUnit.objects.select_related("parent"), pk=pk)
    if not request.user.has_perm("accounts.manage_people", unit):
        raise Http404
    return unit


def _person_for_admin(request: HttpRequest, pk: int) -> User:
    managed = managed_unit_ids(_admin(request))
    return get_object_or_404(people_for_admin(managed), pk=pk)


def _membership_for_admin(request: HttpRequest, pk: int) -> Membership:
    membership = get_object_or_404(Membership.objects.select_related("user", "org_unit"), pk=pk)
    if not _admin(request).has_perm("accounts.manage_people", membership.org_unit):
        raise Http404
    return membership


def _manages_whole_person(request: HttpRequest, person: User) -> bool:
    """Whether the admin manages every unit where the person holds a role."""
    managed = managed_unit_ids(_admin(request))
    if managed is None:
        return True
    return set(person.memberships.values_list("org_unit_id", flat=True)) <= managed


def _require_whole_person(request: HttpRequest, person: User) -> None:
    """Account-wide changes need an admin over every unit where the person holds a role."""
    if not _manages_whole_person(request, person):
        raise PermissionDenied("This person also holds roles outside the units you manage.")


def _posted(request: HttpRequest) -> QueryDict | None:
    """The posted data, or None for a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- The org-unit tree -------------------------------------------------------------------------


def _org_units_page(
    request: HtmxHttpRequest,
    *,
    partial: str = "",
    status: int = 200,
    add_form: OrgUnitCreateForm | None = None,
    changed_unit: OrgUnit | None = None,
    errors: list[str] | None = None,
    notice: str = "",
) -> HttpResponse:
    """The tree page, or with htmx one of its partials ("organisation" or "unit")."""
    managed = managed_unit_ids(_admin(request))
    roots = org_unit_tree(managed)
    nodes = flatten(roots)
    context: dict[str, Any] = {
        "roots": roots,
        "unit_options": [node for node in nodes if not node.unit.is_archived],
        "add_form": add_form or OrgUnitCreateForm(units=managed_units(managed)),
        "changed_unit_id": changed_unit.pk if changed_unit else None,
        "errors": errors or [],
        "notice": notice,
    }
    if changed_unit is not None:
        context["node"] = next((node for node in nodes if node.unit.pk == changed_unit.pk), None)
    template = "accounts/org_units.html"
    if partial and wants_fragment(request):
        template += f"#{partial}"
    return render(request, template, context, status=status)


def _unit_changed(
    request: HtmxHttpRequest, unit: OrgUnit, notice: str, *, partial: str = "unit"
) -> HttpResponse:
    # A new or moved unit changes the subtrees the admin manages.
    forget_access(_admin(request))
    if wants_fragment(request):
        return _org_units_page(request, partial=partial, changed_unit=unit, notice=notice)
    messages.success(request, notice)
    return redirect(reverse("people:org_units") + f"#unit-{unit.pk}")


def _unit_refused(
    request: HtmxHttpRequest, unit: OrgUnit, error: ValidationError, *, partial: str = "unit"
) -> HttpResponse:
    return _org_units_page(
        request, partial=partial, status=400, changed_unit=unit, errors=error.messages
    )


@require_GET
@login_required
@vary_on_headers("HX-Request")
def org_units(request: HtmxHttpRequest) -> HttpResponse:
    return _org_units_page(request)


@require_POST
@login_required
def org_unit_add(request: HtmxHttpRequest) -> HttpResponse:
    managed = managed_unit_ids(_admin(request))
    form = OrgUnitCreateForm(request.POST, units=managed_units(managed))
    if form.is_valid():
        try:
            unit = services.org_unit_create(
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                parent=form.cleaned_data["parent"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _unit_changed(
                request,
                unit,
                f"The unit {unit.name} was added under {unit.parent}.",
                partial="organisation",
            )
    return _org_units_page(request, partial="organisation", status=400, add_form=form)


@require_POST
@login_required
def org_unit_rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for_admin(request, pk)
    form = OrgUnitRenameForm(request.POST)
    if not form.is_valid():
        return _unit_refused(request, unit, ValidationError(_form_messages(form)))
    previous = unit.name
    try:
        services.org_unit_update(unit=unit, name=form.cleaned_data["name"], parent=unit.parent)
    except ValidationError as error:
        return _unit_refused(request, unit, error)
    return _unit_changed(request, unit, f"The unit {previous} was renamed to {unit.name}.")


@require_POST
@login_required
def org_unit_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for_admin(request, pk)
    managed = managed_unit_ids(_admin(request))
    form = OrgUnitMoveForm(request.POST, units=managed_units(managed))
    if not form.is_valid():
        return _unit_refused(
            request, unit, ValidationError(_form_messages(form)), partial="organisation"
        )
    try:
        services.org_unit_update(unit=unit, name=unit.name, parent=form.cleaned_data["parent"])
    except ValidationError as error:
        return _unit_refused(request, unit, error, partial="organisation")
    return _unit_changed(
        request, unit, f"The unit {unit.name} now belongs to {unit.parent}.", partial="organisation"
    )


@require_POST
@login_required
def org_unit_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for_admin(request, pk)
    try:
        services.org_unit_archive(unit=unit)
    except ValidationError as error:
        return _unit_refused(request, unit, error)
    return _unit_changed(request, unit, f"The unit {unit.name} was archived; its members are kept.")


@require_POST
@login_required
def org_unit_restore(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for_admin(request, pk)
    try:
        services.org_unit_restore(unit=unit)
    except ValidationError as error:
        return _unit_refused(request, unit, error)
    return _unit_changed(request, unit, f"The unit {unit.name} is active again.")


def _form_messages(form: Any) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


# --- People --------------------------------------------------------------------------------------


@require_GET
@login_required
@vary_on_headers("HX-Request")
def people(request: HtmxHttpRequest) -> HttpResponse:
    managed = managed_unit_ids(_admin(request))
    filters = PeopleFilterForm(request.GET)
    query = status = ""
    if filters.is_valid():
        query, status = filters.cleaned_data["q"], filters.cleaned_data["status"]
    found = people_search(people_for_admin(managed), query=query, status=status)
    page = Paginator(found, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    roles = memberships_by_user(list(page), managed)
    context = {
        "filters": filters,
        "page": page,
        "rows": [(person, roles.get(person.pk, [])) for person in page],
        "query_string": urlencode({"q": query, "status": status}),
    }
    template = "accounts/people.html#results" if wants_fragment(request) else "accounts/people.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def person_create(request: HtmxHttpRequest) -> HttpResponse:
    managed = managed_unit_ids(_admin(request))
    form = PersonCreateForm(_posted(request), units=managed_units(managed))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.user_create(
                    username=data["username"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    org_unit=data["org_unit"],
                    role=data["role"],
                    password=data["password"] or None,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{person} was added.")
                return redirect("people:person", pk=person.pk)
        return render(request, "accounts/person_form.html", {"form": form}, status=400)
    return render(request, "accounts/person_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def person_invite(request: HtmxHttpRequest) -> HttpResponse:
    admin = _admin(request)
    managed = managed_unit_ids(admin)
    form = PersonInviteForm(_posted(request), units=managed_units(managed))
    context = {"form": form, "invite": True}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation = services.user_invite(
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    org_unit=data["org_unit"],
                    role=data["role"],
                    by=admin,
                    base_url=_base_url(request),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"An invitation was sent to {invitation.user.email}.")
                return redirect("people:person", pk=invitation.user_id)
        return render(request, "accounts/person_form.html", context, status=400)
    return render(request, "accounts/person_form.html", context)


def _person_page(
    request: HtmxHttpRequest,
    person: User,
    *,
    partial: str = "",
    status: int = 200,
    add_form: MembershipAddForm | None = None,
    errors: list[str] | None = None,
    account_errors: list[str] | None = None,
    notice: str = "",
) -> HttpResponse:
    """The person page, or with htmx its "memberships" partial."""
    admin = _admin(request)
    managed = managed_unit_ids(admin)
    memberships = person.memberships.select_related("org_unit").order_by("org_unit__name", "role")
    shown = memberships if managed is None else memberships.filter(org_unit_id__in=managed)
    context: dict[str, Any] = {
        "person": person,
        "memberships": list(shown),
        "hidden_count": memberships.count() - shown.count(),
        "roles": Role.choices,
        "add_form": add_form or MembershipAddForm(units=managed_units(managed)),
        "errors": errors or [],
        "account_errors": account_errors or [],
        "notice": notice,
        "invitation": Invitation.objects.filter(user=person).first(),
        "is_self": person.pk == admin.pk,
        "may_change_account": may_change_account(admin, person),
        "may_edit": may_change_account(admin, person) and _manages_whole_person(request, person),
        "two_factor_on": two_factor.has_two_factor(person),
        "two_factor_reset_refusal": two_factor.reset_refusal(person=person, by=admin),
    }
    template = "accounts/person.html"
    if partial and wants_fragment(request):
        template += f"#{partial}"
    return render(request, template, context, status=status)


@require_GET
@login_required
def person(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, _person_for_admin(request, pk))


def _account_action(request: HtmxHttpRequest, pk: int) -> User:
    person = _person_for_admin(request, pk)
    _require_whole_person(request, person)
    return person


@require_http_methods(["GET", "POST"])
@login_required
def person_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Change a person's name and e-mail address; the same rules as every account change."""
    person = _account_action(request, pk)
    initial = {name: getattr(person, name) for name in ("first_name", "last_name", "email")}
    form = PersonEditForm(_posted(request), initial=initial)
    context = {"form": form, "person": person}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_update(user=person, by=_admin(request), **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"The name and e-mail of {person} were saved.")
                return redirect("people:person", pk=person.pk)
        return render(request, "accounts/person_edit.html", context, status=400)
    return render(request, "accounts/person_edit.html", context)


@require_POST
@login_required
def person_deactivate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = _account_action(request, pk)
    try:
        services.user_deactivate(user=person, by=_admin(request))
    except ValidationError as error:
        person.refresh_from_db()
        return _person_page(request, person, status=400, account_errors=error.messages)
    messages.success(request, f"{person} was deactivated and can no longer sign in.")
    return redirect("people:person", pk=person.pk)


@require_POST
@login_required
def person_reactivate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = _account_action(request, pk)
    services.user_reactivate(user=person, by=_admin(request))
    messages.success(request, f"{person} was reactivated and can sign in again.")
    return redirect("people:person", pk=person.pk)


@require_POST
@login_required
def person_send_invitation(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = _account_action(request, pk)
    try:
        services.invitation_send(user=person, by=_admin(request), base_url=_base_url(request))
    except ValidationError as error:
        return _person_page(request, person, status=400, account_errors=error.messages)
    messages.success(request, f"A new invitation was sent to {person.email}.")
    return redirect("people:person", pk=person.pk)


# --- Memberships ---------------------------------------------------------------------------------


def _membership_changed(request: HtmxHttpRequest, person: User, notice: str) -> HttpResponse:
    if wants_fragment(request):
        return _person_page(request, person, partial="memberships", notice=notice)
    messages.success(request, notice)
    return redirect("people:person", pk=person.pk)


@require_POST
@login_required
def membership_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = _person_for_admin(request, pk)
    managed = managed_unit_ids(_admin(request))
    form = MembershipAddForm(request.POST, units=managed_units(managed))
    if form.is_valid():
        try:
            membership = services.membership_add(
                user=person, org_unit=form.cleaned_data["org_unit"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _membership_changed(
                request,
                person,
                f"{person} is now {membership.get_role_display()} of the unit "
                f"{membership.org_unit}.",
            )
    return _person_page(request, person, partial="memberships", status=400, add_form=form)


@require_POST
@login_required
def membership_change_role(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    membership = _membership_for_admin(request, pk)
    form = MembershipRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_form_messages(form))
        services.membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except ValidationError as error:
        return _person_page(
            request, membership.user, partial="memberships", status=400, errors=error.messages
        )
    return _membership_changed(
        request,
        membership.user,
        f"{membership.user} is now {membership.get_role_display()} of the unit "
        f"{membership.org_unit}.",
    )


@require_POST
@login_required
def membership_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Take a role away once confirmed: a post without `confirmed` (the button without
    JavaScript) answers the question first; with htmx the browser asked it (hx-confirm)."""
    membership = _membership_for_admin(request, pk)
    if request.POST.get("confirmed") != "yes":
        return render(request, "accounts/membership_remove.html", {"membership": membership})
    try:
        services.membership_remove(membership=membership)
    except ValidationError as error:
        return _person_page(
            request, membership.user, partial="memberships", status=400, errors=error.messages
        )
    return _membership_changed(
        request,
        membership.user,
        f"{membership.user} is no longer {membership.get_role_display()} of the unit "
        f"{membership.org_unit}.",
    )


# --- Invitations (public) ----------------------------------------------------------------------

# An unknown link is "not found"; a used or expired one is "gone" for good.
_INVITATION_STATUS = {
    "invalid": 404,
    "used": 410,
    "expired": 410,
    "deactivated": 410,
    "has_password": 410,
}


@require_http_methods(["GET", "POST"])
@never_cache
def invitation_accept(request: HtmxHttpRequest, token: str) -> HttpResponse:
    template = "accounts/invitation.html"
    try:
        invitation = services.invitation_check(token=token)
    except ValidationError as error:
        status = _INVITATION_STATUS.get(error.code or "", 404)
        return render(request, template, {"problem": error.messages[0]}, status=status)
    form = InvitationAcceptForm(_posted(request))
    context = {"form": form, "person": invitation.user}
    if request.method == "POST":
        if form.is_valid():
            try:
                person = services.invitation_accept(
                    token=token, password=form.cleaned_data["password"]
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    status = _INVITATION_STATUS.get(error.code or "", 404)
                    return render(request, template, {"problem": error.messages[0]}, status=status)
                add_service_error(form, error)
            else:
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome to Bearing, {person}. Your password is set.")
                # Where signing in leads, as the project configures it.
                return redirect(settings.LOGIN_REDIRECT_URL)
        return render(request, template, context, status=400)
    return render(request, template, context)
