"""People, the organisation tree and who holds which role where."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """A person who signs in. Deactivated people keep their history (is_active=False)."""

    class Meta:
        ordering = ["username"]
        # The app's own words, in the audit trail and the admin alike.
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        """The name to show wherever the person owns something; flagged when deactivated."""
        name = self.get_full_name() or self.username
        return name if self.is_active else f"{name} (deactivated)"


class OrgUnit(models.Model):
    """A node of the organisation: the organisation itself at the root, departments below."""

    name = models.CharField(max_length=120)
    code = models.SlugField(max_length=40, unique=True, help_text="Short identifier, e.g. 'sales'.")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "org unit"
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="orgunit_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[OrgUnit]:
        """The chain of parents from the direct parent up to the root."""
        chain: list[OrgUnit] = []
        seen = {self.pk}
        node = self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def subtree_ids(self) -> set[int]:
        """The ids of this unit and every unit below it."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(
                OrgUnit.objects.filter(parent_id__in=frontier)
                .exclude(pk__in=ids)
                .values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Role(models.TextChoices):
    # Ordered from least to most rights; see DESIGN.md section 5.
    VIEWER = "viewer", "Viewer"
    CONTRIBUTOR = "contributor", "Contributor"
    MANAGER = "manager", "Manager"
    EXECUTIVE = "executive", "Executive"
    ADMIN = "admin", "Admin"


# What each role may do, in the words shown next to wherever a role is chosen (DESIGN.md §5).
ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.VIEWER: "Sees the scorecard; changes nothing.",
    Role.CONTRIBUTOR: "Enters the actuals of the KPIs naming them as updaters, and updates "
    "the tasks assigned to them.",
    Role.MANAGER: "Enters the actuals of every KPI of the unit, runs its action plans and "
    "tasks, and approves actuals.",
    Role.EXECUTIVE: "Sees the whole subtree and approves and comments on actuals; enters nothing.",
    Role.ADMIN: "Does everything in the unit and below it, including people, roles and the "
    "strategy.",
}


class Membership(models.Model):
    """A person's role in an org unit; it applies to the unit's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["org_unit__name", "user__username"]
        # "Role" is the app's word for a person's role in a unit, everywhere people read it.
        verbose_name = "role"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org_unit", "role"],
                name="membership_unique_role_per_unit",
                violation_error_message="This person already holds this role in this unit.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="membership_role_is_known",
                violation_error_message="Unknown role.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.org_unit}"


class Invitation(models.Model):
    """A one-time link by which an invited person sets their password and signs in.

    Only a hash of the link's token is stored: whoever reads the database cannot use it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.user}"


class SecurityPolicy(models.Model):
    """Organisation-wide sign-in rules that organisation admins set in the app: a single row."""

    two_factor_required = models.BooleanField(
        "two-factor sign-in required for admins and executives", default=False
    )

    class Meta:
        verbose_name = "security policy"
        verbose_name_plural = "security policy"
        constraints = [
            # One organisation, one policy.
            models.CheckConstraint(condition=Q(pk=1), name="securitypolicy_single_row"),
        ]

    def __str__(self) -> str:
        return "Security policy"
