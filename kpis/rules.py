"""Permissions on KPIs, targets and actuals (see DESIGN.md section 5)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rules.permissions import add_perm
from rules.predicates import predicate

from accounts.models import Role, User
from accounts.permissions import holds_role, holds_role_anywhere
from accounts.rules import is_organisation_admin
from kpis.models import Kpi
from strategy.rules import can_edit_plan, can_view_objective


@predicate
def can_view_kpi(user: User, kpi: Kpi | None) -> bool:
    return kpi is not None and can_view_objective(user, kpi.objective)


def actuals_closed(kpi: Kpi) -> str | None:
    """Why the KPI takes actuals from nobody, superusers included (retired, or calculated);
    None when it takes them."""
    if kpi.is_retired:
        return f"{kpi.code} is retired; its actuals can no longer change."
    if kpi.is_calculated:
        return f"{kpi.code} is calculated from {kpi.formula}; enter its inputs instead."
    return None


def actuals_refusal(
    user: User | AnonymousUser, kpi: Kpi, *, is_updater: bool | None = None
) -> str | None:
    """Why the person may not record the KPI's actuals, or None: the one decision behind
    `kpis.update_actuals`, in the one wording every page, import and API answer uses.

    Admins and managers update every KPI of their units (subtrees included); contributors the
    KPIs naming them as updaters. `is_updater` is that role check when the caller already
    made it for many KPIs at once (`kpis.selectors.kpis_updatable_among`).
    """
    closed = actuals_closed(kpi)
    if closed is not None:
        return closed
    if is_updater is None:
        unit_id = kpi.objective.org_unit_id
        is_updater = holds_role(user, unit_id, Role.ADMIN, Role.MANAGER) or (
            holds_role(user, unit_id, Role.CONTRIBUTOR)
            and kpi.updaters.filter(pk=user.pk or 0).exists()
        )
    return None if is_updater else f"You may not update the actuals of {kpi.code}."


@predicate
def can_update_actuals(user: User, kpi: Kpi | None) -> bool:
    return kpi is not None and actuals_refusal(user, kpi) is None


@predicate
def can_edit_kpi(user: User, kpi: Kpi | None) -> bool:
    """Definitions and targets belong to the strategy."""
    return kpi is not None and can_edit_plan(user, kpi.plan)


@predicate
def can_approve_actuals(user: User, kpi: Kpi | None) -> bool:
    return kpi is not None and holds_role(
        user, kpi.objective.org_unit_id, Role.ADMIN, Role.MANAGER, Role.EXECUTIVE
    )


@predicate
def approves_somewhere(user: User) -> bool:
    """Whether the person has an approval queue at all; each review then checks the unit."""
    return holds_role_anywhere(user, Role.ADMIN, Role.MANAGER, Role.EXECUTIVE)


@predicate
def reviews_actuals(user: User) -> bool:
    """Whether to offer the approval queue: approval is on and the person approves somewhere."""
    return bool(settings.SCORECARD_APPROVAL) and approves_somewhere(user)


@predicate
def updates_somewhere(user: User) -> bool:
    """Whether to offer entering actuals at all (a role that updates some unit's KPIs); each
    KPI is then checked with `kpis.update_actuals`."""
    return holds_role_anywhere(user, Role.ADMIN, Role.MANAGER, Role.CONTRIBUTOR)


add_perm("kpis.view_kpi", can_view_kpi)
add_perm("kpis.update_actuals", can_update_actuals)
add_perm("kpis.change_kpi", can_edit_kpi)
add_perm("kpis.approve_actuals", can_approve_actuals)
add_perm("kpis.view_approvals", approves_somewhere)
# Only for offering links (the navigation); never to allow an action.
add_perm("kpis.offer_approvals", reviews_actuals)
add_perm("kpis.offer_updates", updates_somewhere)
# The close date freezes periods on every unit's KPIs: an organisation-wide action (DESIGN.md §5).
add_perm("kpis.close_periods", is_organisation_admin)
# Webhooks call out on events of every unit's KPIs and reports: organisation-wide (DESIGN.md §5).
add_perm("kpis.manage_webhooks", is_organisation_admin)
