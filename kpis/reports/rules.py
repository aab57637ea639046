"""Permissions on variance reports: reading one follows its plan; recomputing is an admin's."""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from accounts.models import Role, User
from accounts.permissions import holds_role
from kpis.models import VarianceReport
from strategy.rules import can_view_plan


@predicate
def can_view_report(user: User, report: VarianceReport | None) -> bool:
    return report is not None and can_view_plan(user, report.plan)


@predicate
def can_recompute_report(user: User, report: VarianceReport | None) -> bool:
    """The admins of the plan's unit (subtree roles included) recompute its reports."""
    return report is not None and holds_role(user, report.plan.org_unit_id, Role.ADMIN)


# Registered when the app's `ready` imports this module (rules finds only <app>/rules.py).
add_perm("kpis.view_variancereport", can_view_report)
add_perm("kpis.recompute_variancereport", can_recompute_report)
