"""The API for the organisation: org units, people and memberships (admins write), and tokens.

Everyone signed in reads the units they may see and the people holding roles there; admins
write through the same services as the People section (accounts/services.py), with the same
rule: an admin manages the subtrees of the units where they hold the admin role.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from accounts import services, two_factor
from accounts.api_base import (
    ReadWriteDeleteViewSet,
    ReadWriteViewSet,
    VisibleRelatedField,
    visible,
)
from accounts.models import Membership, OrgUnit, Role, User
from accounts.selectors import (
    managed_unit_ids,
    manages_everything,
    people_for_admin,
    visible_users,
)
from core.api import IdFilter, ModelSerializer, TrueOrFalseFilter, refuse_changes
from core.api_http import BoundedJSONParser

UNIT = ("pk",)


# --- Tokens -------------------------------------------------------------------------------------


# JSON is the one body the schema declares: two bodies of the same shape (JSON and a form) make
# generated clients define the same type twice, which some generators cannot import. Form
# posts are still accepted, for scripts written against DRF's usual token view.
@extend_schema(tags=["auth"], auth=[], request={"application/json": AuthTokenSerializer})
class TokenView(ObtainAuthToken):
    """`POST auth/token/` with username and password answers `{"token": ...}`.

    Failed attempts count towards django-axes' lockout like the sign-in page's (the request
    reaches `authenticate`); a locked-out username and address answers 429.
    """

    parser_classes = [BoundedJSONParser, FormParser]
    throttle_classes: ClassVar[list[type[BaseThrottle]]] = []

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid() and getattr(request, "axes_locked_out", False):
            return Response(
                {"detail": "Too many failed sign-in attempts; try again later."}, status=429
            )
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # A password alone must not get round a second factor: tokens are for integrations,
        # which sign in with accounts of their own.
        if two_factor.has_two_factor(user) or two_factor.is_two_factor_required(user):
            return Response(
                {
                    "detail": "This account signs in with two-factor sign-in, so it cannot get "
                    "an API token with a password. Use an integration account without it."
                },
                status=403,
            )
        return super().post(request, *args, **kwargs)


# --- Org units ----------------------------------------------------------------------------------


class OrgUnitSerializer(ModelSerializer):
    parent = VisibleRelatedField(
        queryset=OrgUnit.objects.all(), unit_lookups=UNIT, allow_null=True, required=False
    )

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "code", "parent", "is_archived"]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "code": {"required": False, "allow_blank": True, "validators": []},
            "is_archived": {"required": False},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        if instance is not None and attrs.get("code", instance.code) != instance.code:
            raise serializers.ValidationError({"code": ["A unit's code cannot change."]})
        if self.instance is None and attrs.get("is_archived"):
            raise serializers.ValidationError({"is_archived": ["A new unit cannot be archived."]})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> OrgUnit:
        view: OrgUnitViewSet = self.context["view"]
        parent = validated_data.get("parent")
        view.require("add", OrgUnit(parent=parent))
        return services.org_unit_create(
            name=validated_data["name"], parent=parent, code=validated_data.get("code", "")
        )

    def update(self, instance: OrgUnit, validated_data: dict[str, Any]) -> OrgUnit:
        view: OrgUnitViewSet = self.context["view"]
        parent = validated_data.get("parent", instance.parent)
        if parent != instance.parent:
            view.require("add", OrgUnit(parent=parent))
        name = validated_data.get("name", instance.name)
        if (name, parent) != (instance.name, instance.parent):
            instance = services.org_unit_update(unit=instance, name=name, parent=parent)
        archived = validated_data.get("is_archived", instance.is_archived)
        if archived and not instance.is_archived:
            instance = services.org_unit_archive(unit=instance)
        elif not archived and instance.is_archived:
            instance = services.org_unit_restore(unit=instance)
        return instance


class OrgUnitFilter(filters.FilterSet):
    parent = IdFilter(field_name="parent_id")
    code = filters.CharFilter()
    is_archived = TrueOrFalseFilter()

    class Meta:
        model = OrgUnit
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["organisation"])
class OrgUnitViewSet(ReadWriteViewSet):
    """Org units (the organisation at the root, departments below). Admins write; a unit is
    archived (`is_archived: true`), never deleted."""

    queryset = OrgUnit.objects.all()
    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilter
    unit_lookups = UNIT
    perms: ClassVar[dict[str, str]] = {
        "view": "accounts.view_orgunit",
        "change": "accounts.manage_people",
        "add": "accounts.manage_people",
    }

    def perm_object(self, obj: Model, kind: str) -> Model | None:
        # A new unit (or a unit's new place) is the business of the parent's admins.
        org_unit = cast(OrgUnit, obj)
        return org_unit.parent if kind == "add" else org_unit


# --- People -------------------------------------------------------------------------------------


class UserSerializer(ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    org_unit = VisibleRelatedField(
        queryset=OrgUnit.objects.filter(is_archived=False),
        unit_lookups=UNIT,
        write_only=True,
        required=False,
        help_text="Creating a person: the unit of their first role.",
    )
    role = serializers.ChoiceField(
        choices=Role.choices,
        write_only=True,
        required=False,
        help_text="Creating a person: their first role.",
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        style={"input_type": "password"},
        help_text="Optional; without one the person cannot sign in until given one.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "display_name",
            "org_unit",
            "role",
            "password",
        ]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "username": {"validators": []},
            "is_active": {"required": False},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            missing = {
                name: ["Required when creating a person."]
                for name in ("org_unit", "role")
                if name not in attrs
            }
            if missing:
                raise serializers.ValidationError(missing)
        else:
            refused = {
                name: ["Only used when creating a person."]
                for name in ("org_unit", "role", "password")
                if name in attrs
            }
            if attrs.get("username", self.instance.username) != self.instance.username:
                refused["username"] = ["A username cannot change."]
            if refused:
                raise serializers.ValidationError(refused)
        return attrs

    def create(self, validated_data: dict[str, Any]) -> User:
        view: UserViewSet = self.context["view"]
        view.require_manage_unit(validated_data["org_unit"])
        user = services.user_create(
            username=validated_data["username"],
            org_unit=validated_data["org_unit"],
            role=validated_data["role"],
            email=validated_data.get("email", ""),
            first_name=validated_data.get("first_name", ""),
            last_name=validated_data.get("last_name", ""),
            password=validated_data.get("password") or None,
        )
        if validated_data.get("is_active") is False:
            user = services.user_deactivate(user=user, by=view.request.user)
        return user

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        view: UserViewSet = self.context["view"]
        active = validated_data.pop("is_active", instance.is_active)
        validated_data.pop("username", None)  # `validate` refused any other username
        instance = services.user_update(user=instance, by=view.request.user, **validated_data)
        if not active and instance.is_active:
            instance = services.user_deactivate(user=instance, by=view.request.user)
        elif active and not instance.is_active:
            instance = services.user_reactivate(user=instance, by=view.request.user)
        return instance


class UserFilter(filters.FilterSet):
    username = filters.CharFilter()
    email = filters.CharFilter(lookup_expr="iexact")
    is_active = TrueOrFalseFilter()
    org_unit = IdFilter(method="filter_org_unit")

    class Meta:
        model = User
        fields: ClassVar[list[str]] = []

    def filter_org_unit(self, queryset: QuerySet[User], name: str, value: int) -> QuerySet[User]:
        # Only a unit one may see: who holds roles elsewhere is not for this person to learn.
        units = visible(OrgUnit.objects.filter(pk=value), self.request.user, *UNIT)
        return queryset.filter(memberships__org_unit__in=units).distinct()


@extend_schema(tags=["organisation"])
class UserViewSet(ReadWriteViewSet):
    """People: those holding a role in a unit you may see. Admins create people (with a first
    role) and change them when they manage every unit where the person holds a role; people
    are deactivated (`is_active: false`), never deleted."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilter

    def get_queryset(self) -> QuerySet[User]:
        return visible_users(self.request.user).order_by("username")

    def allows(self, user: User | AnonymousUser, kind: str, obj: Model) -> bool:
        if kind == "view":
            return True  # the queryset holds exactly the people one may see
        person = cast(User, obj)
        managed = managed_unit_ids(user)
        if managed is None:
            return True
        held = set(person.memberships.values_list("org_unit_id", flat=True))
        if not held:
            # As in the People section: someone without a role (a superuser, say) belongs to
            # the organisation's admins, not to every admin of some unit.
            return manages_everything(managed)
        # Account-wide changes need an admin over every unit where the person holds a role.
        return held <= managed

    def require_manage_unit(self, unit: OrgUnit) -> None:
        if not self.request.user.has_perm("accounts.manage_people", unit):
            raise PermissionDenied("You may only give roles in units where you are an admin.")


# --- Memberships --------------------------------------------------------------------------------


class MembershipSerializer(ModelSerializer):
    user = VisibleRelatedField(queryset=User.objects.all())
    org_unit = VisibleRelatedField(queryset=OrgUnit.objects.all(), unit_lookups=UNIT)

    class Meta:
        model = Membership
        fields = ["id", "user", "org_unit", "role", "created_at"]
        read_only_fields = ["created_at"]
        # The service refuses duplicates with the model's own message.
        validators: ClassVar[list[Any]] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_changes(self.instance, attrs, ("user", "org_unit"), what="A membership")
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Membership:
        view: MembershipViewSet = self.context["view"]
        view.require("add", Membership(org_unit=validated_data["org_unit"]))
        view.require_managed_person(validated_data["user"])
        return services.membership_add(
            user=validated_data["user"],
            org_unit=validated_data["org_unit"],
            role=validated_data["role"],
        )

    def update(self, instance: Membership, validated_data: dict[str, Any]) -> Membership:
        return services.membership_change_role(
            membership=instance, role=validated_data.get("role", instance.role)
        )


class MembershipFilter(filters.FilterSet):
    user = IdFilter(field_name="user_id")
    org_unit = IdFilter(field_name="org_unit_id")
    role = filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["organisation"])
class MembershipViewSet(ReadWriteDeleteViewSet):
    """Who holds which role where (a role applies to the unit's whole subtree). Admins of the
    unit write; the organisation's last admin cannot lose the role."""

    queryset = Membership.objects.select_related("user", "org_unit")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    unit_lookups = ("org_unit_id",)
    perms: ClassVar[dict[str, str]] = {
        "view": "accounts.view_orgunit",
        "change": "accounts.manage_people",
    }

    def perm_object(self, obj: Model, kind: str) -> Model | None:
        membership = cast(Membership, obj)
        return membership.org_unit

    def require_managed_person(self, person: User) -> None:
        """403 unless the person is one the admin manages, as in the People section: else a
        unit admin could adopt anyone (a superuser, say) and then change their account."""
        managed = people_for_admin(managed_unit_ids(self.request.user))
        if not managed.filter(pk=person.pk).exists():
            raise PermissionDenied(
                "You may only give roles to people who hold a role in the units you manage."
            )

    def perform_destroy(self, instance: Model) -> None:
        services.membership_remove(membership=cast(Membership, instance))
