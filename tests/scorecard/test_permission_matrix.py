"""Every URL of the app, for every role and an anonymous visitor, against its expected answer.

The URLs come from the URL configuration itself, so a URL added without an entry in MATRIX
makes `test_every_url_has_expectations` fail. Transparency is off here, so an outsider (the
manager of another department) must get 404 for the Sales unit's objects.

The plan belongs to Sales. "admin" is the admin of the root unit (the whole organisation);
"unit_admin" the admin of Sales only, and "sub_admin" and "sub_executive" hold their roles in
Sales EMEA, a unit below Sales: a role covers its unit's subtree and nothing above it, and
only the root unit's admin acts on the whole organisation (the close date, the audit trail).

Each row names the object that fills the URL's `pk` and the answer per role:
ALLOW means the person gets through (any answer but 401/403/404 and a redirect to sign in;
a POST with an empty form may well answer 400), DENY is 403, HIDDEN is 404, LOGIN is the
redirect to the sign-in page (401 or 403 for the API).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role, User
from actionplans.models import ActionPlan, Task
from kpis.models import (
    Actual,
    ImportBatch,
    Kpi,
    PeriodClose,
    Target,
    VarianceReport,
    Webhook,
    WebhookEvent,
)
from kpis.reports.services import variance_report_compute
from strategy.models import Objective, ObjectiveLink, Perspective, Stakeholder, StrategicPlan
from tests.factories import (
    ActionPlanFactory,
    ActualFactory,
    KpiFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
    TaskFactory,
)
from tests.org import people, unit_tree

ALLOW, DENY, HIDDEN, LOGIN = "allow", "deny", "hidden", "login"
ROLES = (
    "admin",
    "executive",
    "manager",
    "contributor",
    "viewer",
    "outsider",
    "unit_admin",
    "sub_admin",
    "sub_executive",
    "anonymous",
)
JAN = datetime.date(2026, 1, 1)
CLOSED_THROUGH = datetime.date(2025, 12, 31)


@dataclass
class World:
    users: dict[str, User]
    plan: StrategicPlan
    child_plan: StrategicPlan
    perspective: Perspective
    objective: Objective
    link: ObjectiveLink
    kpi: Kpi
    target: Target
    actual: Actual
    action_plan: ActionPlan
    task: Task
    import_batch: ImportBatch
    stakeholder: Stakeholder
    report: VarianceReport
    webhook: Webhook


def build_world() -> World:
    units = unit_tree(
        ("org", "Org", None),
        ("sales", "Sales", "org"),
        ("finance", "Finance", "org"),
        ("sales-emea", "Sales EMEA", "sales"),
    )
    root, sales, finance, emea = units["org"], units["sales"], units["finance"], units["sales-emea"]
    users = people(
        {
            "admin": [(root, Role.ADMIN)],
            "executive": [(root, Role.EXECUTIVE)],
            "manager": [(sales, Role.MANAGER)],
            "contributor": [(sales, Role.CONTRIBUTOR)],
            "viewer": [(sales, Role.VIEWER)],
            "outsider": [(finance, Role.MANAGER)],
            "unit_admin": [(sales, Role.ADMIN)],
            "sub_admin": [(emea, Role.ADMIN)],
            "sub_executive": [(emea, Role.EXECUTIVE)],
        }
    )

    # The plan belongs to Sales so that the Finance manager is outside it entirely.
    plan = StrategicPlanFactory(org_unit=sales, name="Sales plan")
    child_plan = StrategicPlanFactory(org_unit=sales, parent=plan, name="Sales cascade")
    perspective = PerspectiveFactory(plan=plan, name="Customer")
    objective = ObjectiveFactory(plan=plan, perspective=perspective, org_unit=sales, code="C1")
    other = ObjectiveFactory(plan=plan, perspective=perspective, org_unit=sales, code="C2")
    link = ObjectiveLink.objects.create(cause=objective, effect=other)
    kpi = KpiFactory(objective=objective, code="NPS")
    kpi.updaters.add(users["contributor"])
    target = TargetFactory(kpi=kpi, period=JAN, goal=Decimal(50), red_flag=Decimal(40))
    actual = ActualFactory(kpi=kpi, period=JAN, value=Decimal(45))
    action_plan = ActionPlanFactory(objective=objective, org_unit=sales)
    task = TaskFactory(action_plan=action_plan, owner=users["contributor"])
    import_batch = ImportBatch.objects.create(
        created_by=users["manager"], plan=plan, filename="actuals.csv", rows=[]
    )
    PeriodClose.objects.create(closed_through=CLOSED_THROUGH)
    stakeholder = Stakeholder.objects.create(
        plan=plan, user=users["viewer"], involvement=Stakeholder.Involvement.INFORMED
    )
    report = variance_report_compute(plan=plan, period=JAN)
    webhook = Webhook.objects.create(
        url="https://hooks.example.com/", event=WebhookEvent.REPORT_READY, secret="s"
    )
    return World(
        users,
        plan,
        child_plan,
        perspective,
        objective,
        link,
        kpi,
        target,
        actual,
        action_plan,
        task,
        import_batch,
        stakeholder,
        report,
        webhook,
    )


def expect(
    admin: str,
    executive: str,
    manager: str,
    contributor: str,
    viewer: str,
    outsider: str,
    anonymous: str = LOGIN,
    *,
    unit_admin: str,
    sub_admin: str,
    sub_executive: str,
) -> dict[str, str]:
    """The answers per role; the Sales admin and the Sales EMEA roles are named, never implied."""
    return {
        "admin": admin,
        "executive": executive,
        "manager": manager,
        "contributor": contributor,
        "viewer": viewer,
        "outsider": outsider,
        "unit_admin": unit_admin,
        "sub_admin": sub_admin,
        "sub_executive": sub_executive,
        "anonymous": anonymous,
    }


EVERYONE = expect(
    ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, unit_admin=ALLOW, sub_admin=ALLOW, sub_executive=ALLOW
)
PUBLIC = expect(
    ALLOW,
    ALLOW,
    ALLOW,
    ALLOW,
    ALLOW,
    ALLOW,
    ALLOW,
    unit_admin=ALLOW,
    sub_admin=ALLOW,
    sub_executive=ALLOW,
)
# What affects the whole organisation: the root unit's admin only, never a department's.
ORGANISATION_ADMINS = expect(
    ALLOW, DENY, DENY, DENY, DENY, DENY, unit_admin=DENY, sub_admin=DENY, sub_executive=DENY
)
# The People section opens for an admin of any unit; each page in it then checks the unit.
PEOPLE_SECTION = expect(
    ALLOW, DENY, DENY, DENY, DENY, DENY, unit_admin=ALLOW, sub_admin=ALLOW, sub_executive=DENY
)
# A Sales person, membership or unit in the People section: admins over Sales; an admin of the
# unit below Sales does not find it.
PEOPLE_OF_SALES = expect(
    ALLOW, DENY, DENY, DENY, DENY, DENY, unit_admin=ALLOW, sub_admin=HIDDEN, sub_executive=DENY
)
# On any Sales object, the admin of Sales answers like the root unit's admin, and the roles of
# the unit below Sales do not find it (transparency is off).
SALES_OBJECT = {"unit_admin": ALLOW, "sub_admin": HIDDEN, "sub_executive": HIDDEN}
# Seeing a Sales object: everybody in the organisation above Sales or in it, not Finance, not
# the people of a unit below Sales.
SEE_SALES = expect(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, HIDDEN, **SALES_OBJECT)
# Editing the Sales unit's strategy object (the plan is not a cascaded one): admins only.
EDIT_SALES_STRATEGY = expect(ALLOW, DENY, DENY, DENY, DENY, HIDDEN, **SALES_OBJECT)
# The unit's own cascaded plan: its manager may edit it too.
EDIT_CASCADED_PLAN = expect(ALLOW, DENY, ALLOW, DENY, DENY, HIDDEN, **SALES_OBJECT)
UPDATE_SALES_KPI = expect(ALLOW, DENY, ALLOW, ALLOW, DENY, HIDDEN, **SALES_OBJECT)
APPROVE_SALES = expect(ALLOW, ALLOW, ALLOW, DENY, DENY, HIDDEN, **SALES_OBJECT)
EDIT_SALES_ACTION_PLAN = expect(ALLOW, DENY, ALLOW, DENY, DENY, HIDDEN, **SALES_OBJECT)
EDIT_OWN_TASK = expect(ALLOW, DENY, ALLOW, ALLOW, DENY, HIDDEN, **SALES_OBJECT)
EDIT_PEOPLE_IN_SALES = expect(ALLOW, DENY, DENY, DENY, DENY, HIDDEN, **SALES_OBJECT)
# Reviewers of any unit have a queue (perhaps empty); each review then checks the unit.
APPROVAL_QUEUE = expect(
    ALLOW, ALLOW, ALLOW, DENY, DENY, ALLOW, unit_admin=ALLOW, sub_admin=ALLOW, sub_executive=ALLOW
)
# An uploaded file is its uploader's (the Sales manager's) alone.
UPLOADER_ONLY = expect(
    HIDDEN,
    HIDDEN,
    ALLOW,
    HIDDEN,
    HIDDEN,
    HIDDEN,
    unit_admin=HIDDEN,
    sub_admin=HIDDEN,
    sub_executive=HIDDEN,
)


@dataclass(frozen=True)
class Row:
    expected: dict[str, str]
    method: str = "get"
    obj: str | None = None  # the World attribute whose pk fills the URL
    kwargs: tuple[tuple[str, str], ...] = ()
    plan: str | None = None  # the World attribute whose pk goes in the address as ?plan=


def get(expected: dict[str, str], obj: str | None = None) -> Row:
    return Row(expected, "get", obj)


def post(expected: dict[str, str], obj: str | None = None) -> Row:
    return Row(expected, "post", obj)


def patch(expected: dict[str, str], obj: str | None = None) -> Row:
    return Row(expected, "patch", obj)


def delete(expected: dict[str, str], obj: str | None = None) -> Row:
    return Row(expected, "delete", obj)


MATRIX: dict[str, Row] = {
    "home": get(EVERYONE),
    "favicon": get(PUBLIC),
    "service_health": get(PUBLIC),
    # The dashboard of the Sales plan, its heat map, forecasts and export; everyone has a
    # default plan.
    "dashboard": Row(SEE_SALES, plan="plan"),
    "dashboard#default": get(EVERYONE),
    "dashboard_heat_map": Row(SEE_SALES, plan="plan"),
    "dashboard_forecasts": Row(SEE_SALES, plan="plan"),
    "dashboard_attention": Row(SEE_SALES, plan="plan"),
    "dashboard_export": Row(SEE_SALES, kwargs=(("fmt", "csv"),), plan="plan"),
    "objective": get(SEE_SALES, "objective"),
    # The objective has no owner here: admins over Sales write its commentary (its owner too,
    # see tests/scorecard/test_objective_commentary.py).
    "objective_commentary": post(EDIT_SALES_STRATEGY, "objective"),
    "login": get(PUBLIC),
    # "Forgot your password?" is open to everyone; a made-up link answers "invalid link".
    "password_reset": get(PUBLIC),
    "password_reset_done": get(PUBLIC),
    "password_reset_confirm": Row(
        PUBLIC, "get", None, (("uidb64", "MQ"), ("token", "no-such-token"))
    ),
    "password_reset_complete": get(PUBLIC),
    # Signing out ends on the sign-in page, for everyone.
    "logout": post(dict.fromkeys(ROLES, LOGIN)),
    "audit_trail": get(ORGANISATION_ADMINS),
    # People and organisation: admins of the subtree only.
    "people:people": get(PEOPLE_SECTION),
    "people:person_create": get(PEOPLE_SECTION),
    "people:person_invite": get(PEOPLE_SECTION),
    "people:person": get(PEOPLE_OF_SALES, "user:viewer"),
    "people:person_edit": get(PEOPLE_OF_SALES, "user:viewer"),
    "people:person_deactivate": post(PEOPLE_OF_SALES, "user:viewer"),
    "people:person_reactivate": post(PEOPLE_OF_SALES, "user:viewer"),
    "people:person_send_invitation": post(PEOPLE_OF_SALES, "user:viewer"),
    "people:membership_add": post(PEOPLE_OF_SALES, "user:viewer"),
    "people:membership_role": post(PEOPLE_OF_SALES, "membership:viewer"),
    "people:membership_remove": post(PEOPLE_OF_SALES, "membership:viewer"),
    "people:org_units": get(PEOPLE_SECTION),
    "people:org_unit_add": post(PEOPLE_SECTION),
    "people:org_unit_rename": post(PEOPLE_OF_SALES, "unit:sales"),
    "people:org_unit_move": post(PEOPLE_OF_SALES, "unit:sales"),
    "people:org_unit_archive": post(PEOPLE_OF_SALES, "unit:sales"),
    "people:org_unit_restore": post(PEOPLE_OF_SALES, "unit:sales"),
    # Two-factor sign-in: resetting a person's is an account action of their admins; the
    # policy is organisation-wide.
    "people:person_two_factor_reset": post(PEOPLE_OF_SALES, "user:viewer"),
    "people:security_policy": get(ORGANISATION_ADMINS),
    # Each person's own Security page and the code step of signing in.
    "security:security": get(EVERYONE),
    "security:two_factor_enrol": get(EVERYONE),
    "security:backup_codes_replace": post(EVERYONE),
    "security:two_factor_remove": post(EVERYONE),
    "security:two_factor_verify": get(EVERYONE),
    # An invitation link is public; one that does not exist is simply not found.
    "people:invitation_accept": Row(
        dict.fromkeys(ROLES, HIDDEN), "get", None, (("token", "no-such-invitation"),)
    ),
    # My updates: everyone has the page (it lists what they may update, perhaps nothing).
    "kpis:updates": get(EVERYONE),
    "kpis:update_row": post(UPDATE_SALES_KPI, "kpi"),
    "kpis:import": get(EVERYONE),
    "kpis:import_template_csv": get(EVERYONE),
    "kpis:import_template_xlsx": get(EVERYONE),
    "kpis:import_preview": get(UPLOADER_ONLY, "import_batch"),
    "kpis:import_commit": post(UPLOADER_ONLY, "import_batch"),
    # The close date freezes periods for every unit.
    "kpis:close": get(ORGANISATION_ADMINS),
    "kpis:close#post": post(ORGANISATION_ADMINS),
    "kpis:webhooks": get(ORGANISATION_ADMINS),
    "kpis:webhooks#post": post(ORGANISATION_ADMINS),
    "kpis:webhook_active": post(ORGANISATION_ADMINS, "webhook"),
    "kpis:webhook_delete": post(ORGANISATION_ADMINS, "webhook"),
    # Reviewers see the queue (the Finance manager's and Sales EMEA's are empty); others may not.
    "kpis:approvals": get(APPROVAL_QUEUE),
    "kpis:approval_review": post(APPROVE_SALES, "actual"),
    "kpis:kpi": get(SEE_SALES, "kpi"),
    "kpis:kpi_history": get(SEE_SALES, "kpi"),
    # Variance reports: read by whoever sees the plan, recomputed by its unit's admins.
    "reports:reports": get(EVERYONE),
    "reports:report": get(SEE_SALES, "report"),
    "reports:report_csv": get(SEE_SALES, "report"),
    "reports:report_xlsx": get(SEE_SALES, "report"),
    "reports:report_recompute": post(EDIT_SALES_STRATEGY, "report"),
    # The strategy workspace: everyone who sees the plan reads it; admins change it.
    # Action plans: everyone who sees the unit reads; its managers and admins write plans and
    # tasks; a contributor updates the tasks assigned to them. "New" needs its objective (404
    # without one; tests/actionplans/test_views.py covers it with one).
    "actionplans:plans": get(EVERYONE),
    "actionplans:my_tasks": get(EVERYONE),
    "actionplans:timeline": get(EVERYONE),
    "actionplans:plan_new": get({**dict.fromkeys(ROLES, HIDDEN), "anonymous": LOGIN}),
    "actionplans:plan": get(SEE_SALES, "action_plan"),
    "actionplans:plan_edit": post(EDIT_SALES_ACTION_PLAN, "action_plan"),
    "actionplans:plan_status": post(EDIT_SALES_ACTION_PLAN, "action_plan"),
    "actionplans:plan_kpi_add": post(EDIT_SALES_ACTION_PLAN, "action_plan"),
    "actionplans:milestone_add": post(EDIT_SALES_ACTION_PLAN, "action_plan"),
    "actionplans:task_add": post(EDIT_SALES_ACTION_PLAN, "action_plan"),
    "actionplans:task_update": post(EDIT_OWN_TASK, "task"),
    "strategy:plans": get(EVERYONE),
    "strategy:plan": get(SEE_SALES, "plan"),
    "strategy:plan_edit": post(EDIT_SALES_STRATEGY, "plan"),
    "strategy:plan_edit#cascaded": post(EDIT_CASCADED_PLAN, "child_plan"),
    "strategy:plan_archive": post(EDIT_SALES_STRATEGY, "plan"),
    "strategy:perspective_add": post(EDIT_SALES_STRATEGY, "plan"),
    "strategy:objective_add": post(EDIT_SALES_STRATEGY, "plan"),
    # Without the form's prefix an editor is answered 400: through, as the matrix counts it.
    "strategy:objective_owners": get(EDIT_SALES_STRATEGY, "plan"),
    "strategy:objective_add#cascaded": post(EDIT_CASCADED_PLAN, "child_plan"),
    "strategy:link_add": post(EDIT_SALES_STRATEGY, "plan"),
    "strategy:perspective_edit": post(EDIT_SALES_STRATEGY, "perspective"),
    "strategy:perspective_move": post(EDIT_SALES_STRATEGY, "perspective"),
    "strategy:perspective_delete": post(EDIT_SALES_STRATEGY, "perspective"),
    "strategy:objective_edit": post(EDIT_SALES_STRATEGY, "objective"),
    "strategy:objective_move": post(EDIT_SALES_STRATEGY, "objective"),
    "strategy:objective_archive": post(EDIT_SALES_STRATEGY, "objective"),
    "strategy:objective_restore": post(EDIT_SALES_STRATEGY, "objective"),
    "strategy:link_delete": post(EDIT_SALES_STRATEGY, "link"),
    "strategy:stakeholder_add": post(EDIT_SALES_STRATEGY, "plan"),
    "strategy:stakeholder_remove": post(EDIT_SALES_STRATEGY, "stakeholder"),
    "strategy:setup_basics": get(EDIT_SALES_STRATEGY, "plan"),
    "strategy:setup_vision": get(EDIT_SALES_STRATEGY, "plan"),
    "strategy:setup_objectives": get(EDIT_SALES_STRATEGY, "plan"),
    "strategy:setup_links": get(EDIT_SALES_STRATEGY, "plan"),
    "strategy:setup_action_plans": get(EDIT_SALES_STRATEGY, "plan"),
    "strategy:setup_activate": post(EDIT_SALES_STRATEGY, "plan"),
    # Admins and managers of any unit start plans, in the units where they hold the role.
    "kpi_definitions:plan_new": get(
        expect(
            ALLOW,
            DENY,
            ALLOW,
            DENY,
            DENY,
            ALLOW,
            unit_admin=ALLOW,
            sub_admin=ALLOW,
            sub_executive=DENY,
        )
    ),
    "kpi_definitions:kpis": get(SEE_SALES, "plan"),
    "kpi_definitions:kpi_new": get(EDIT_SALES_STRATEGY, "plan"),
    "kpi_definitions:formula_check": get(EDIT_SALES_STRATEGY, "plan"),
    "kpi_definitions:setup_kpis": get(EDIT_SALES_STRATEGY, "plan"),
    "kpi_definitions:kpi_edit": get(EDIT_SALES_STRATEGY, "kpi"),
    "kpi_definitions:kpi_retire": post(EDIT_SALES_STRATEGY, "kpi"),
    "kpi_definitions:kpi_reinstate": post(EDIT_SALES_STRATEGY, "kpi"),
    "kpi_definitions:targets": get(EDIT_SALES_STRATEGY, "kpi"),
    # The API: the same rules; anonymous callers are refused with 401/403.
    "api:token": post(PUBLIC),
    # The API's description is public, like any published API reference.
    "api:schema": get(PUBLIC),
    "api:docs": get(PUBLIC),
    "api:scorecard": get(EVERYONE),
    "api:orgunit-list": get(EVERYONE),
    "api:orgunit-detail": get(SEE_SALES, "unit:sales"),
    "api:user-list": get(EVERYONE),
    "api:user-detail": get(SEE_SALES, "user:viewer"),
    "api:membership-list": get(EVERYONE),
    "api:membership-detail": get(SEE_SALES, "membership:viewer"),
    "api:membership-detail#patch": patch(EDIT_PEOPLE_IN_SALES, "membership:viewer"),
    "api:plan-list": get(EVERYONE),
    "api:plan-detail": get(SEE_SALES, "plan"),
    "api:plan-detail#patch": patch(EDIT_SALES_STRATEGY, "plan"),
    "api:perspective-list": get(EVERYONE),
    "api:perspective-detail": get(SEE_SALES, "perspective"),
    "api:perspective-detail#patch": patch(EDIT_SALES_STRATEGY, "perspective"),
    "api:objective-list": get(EVERYONE),
    "api:objective-detail": get(SEE_SALES, "objective"),
    "api:objective-detail#patch": patch(EDIT_SALES_STRATEGY, "objective"),
    "api:objectivelink-list": get(EVERYONE),
    "api:objectivelink-detail": get(SEE_SALES, "link"),
    "api:objectivelink-detail#delete": delete(EDIT_SALES_STRATEGY, "link"),
    "api:kpi-list": get(EVERYONE),
    "api:kpi-detail": get(SEE_SALES, "kpi"),
    "api:kpi-detail#patch": patch(EDIT_SALES_STRATEGY, "kpi"),
    "api:kpi-performance": get(SEE_SALES, "kpi"),
    "api:target-list": get(EVERYONE),
    "api:target-detail": get(SEE_SALES, "target"),
    "api:target-detail#patch": patch(EDIT_SALES_STRATEGY, "target"),
    "api:actual-list": get(EVERYONE),
    "api:actual-bulk": post(EVERYONE),
    "api:actual-detail": get(SEE_SALES, "actual"),
    "api:actual-detail#patch": patch(UPDATE_SALES_KPI, "actual"),
    "api:approval-list": get(APPROVAL_QUEUE),
    "api:approval-review": post(APPROVE_SALES, "actual"),
    # The close date is organisation-wide, reading it included (as the close page).
    "api:period-close": get(ORGANISATION_ADMINS),
    "api:period-close#put": Row(ORGANISATION_ADMINS, "put"),
    # So are webhooks, reading them included (as their page).
    "api:webhook-list": get(ORGANISATION_ADMINS),
    "api:webhook-list#post": post(ORGANISATION_ADMINS),
    "api:webhook-detail": get(ORGANISATION_ADMINS, "webhook"),
    "api:webhook-detail#patch": patch(ORGANISATION_ADMINS, "webhook"),
    "api:webhook-detail#delete": delete(ORGANISATION_ADMINS, "webhook"),
    "api:variancereport-list": get(EVERYONE),
    "api:variancereport-detail": get(SEE_SALES, "report"),
    "api:actionplan-list": get(EVERYONE),
    "api:actionplan-detail": get(SEE_SALES, "action_plan"),
    "api:actionplan-detail#patch": patch(EDIT_SALES_ACTION_PLAN, "action_plan"),
    "api:task-list": get(EVERYONE),
    "api:task-detail": get(SEE_SALES, "task"),
    "api:task-detail#patch": patch(EDIT_OWN_TASK, "task"),
}


def _walk(patterns: list[URLPattern | URLResolver], namespace: str | None = None):  # type: ignore[no-untyped-def]
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # Django's own admin guards itself with is_staff.
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def url_names() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def test_every_url_has_expectations():
    missing = [name for name in url_names() if name not in MATRIX]
    assert missing == [], f"add these URLs to MATRIX with their expected answers: {missing}"


def test_the_matrix_names_only_existing_urls():
    names = set(url_names())
    assert [key for key in MATRIX if key.partition("#")[0] not in names] == []


def _pk(world: World, obj: str) -> int:
    kind, _, which = obj.partition(":")
    if kind == "user":
        return world.users[which].pk
    if kind == "membership":
        return world.users[which].memberships.get().pk
    if kind == "unit":
        from accounts.models import OrgUnit

        return OrgUnit.objects.get(code=which).pk
    return getattr(world, kind).pk


def _classify(response, role: str) -> str:  # type: ignore[no-untyped-def]
    status = response.status_code
    if status == 405:
        return "wrong method"
    if (
        role == "anonymous"
        and status in (401, 403)
        and response["Content-Type"].startswith("application/json")
    ):
        return LOGIN
    if status == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    if status == 403:
        return DENY
    if status == 404:
        return HIDDEN
    return ALLOW


def _answers(key: str, roles: tuple[str, ...] = ROLES) -> dict[str, str]:
    """How the key's URL answers each role, each starting from the same world."""
    world = build_world()
    row = MATRIX[key]
    kwargs: dict[str, object] = dict(row.kwargs)
    if row.obj is not None:
        kwargs["pk"] = _pk(world, row.obj)
    url = reverse(key.partition("#")[0], kwargs=kwargs)
    if row.plan is not None:
        url += f"?plan={_pk(world, row.plan)}"

    answers = {}
    for role in roles:
        # Each role starts from the same world: whatever an allowed POST changed is undone.
        with transaction.atomic():
            client = Client()
            if role != "anonymous":
                client.force_login(world.users[role])
            if row.method in ("patch", "put", "delete"):
                response = getattr(client, row.method)(url, {}, content_type="application/json")
            else:
                response = getattr(client, row.method)(url)
            answers[role] = _classify(response, role)
            transaction.set_rollback(True)
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_url_answers_each_role_as_expected(key, settings):
    settings.SCORECARD_TRANSPARENCY = False
    settings.AXES_ENABLED = False

    assert _answers(key) == MATRIX[key].expected


# The URLs of Sales objects that the Sales EMEA roles do not find with transparency off.
SALES_OBJECT_URLS = sorted(
    key for key, row in MATRIX.items() if row.expected["sub_admin"] == HIDDEN
)


@pytest.mark.django_db
@pytest.mark.parametrize("key", SALES_OBJECT_URLS)
def test_with_transparency_on_the_roles_of_a_unit_below_read_sales_but_change_nothing(
    key, settings
):
    """Seeing the parent unit's objects gives a role below it no power over them."""
    settings.SCORECARD_TRANSPARENCY = True
    settings.AXES_ENABLED = False

    answers = _answers(key, ("sub_admin", "sub_executive"))

    if MATRIX[key].expected is SEE_SALES:
        assert answers == {"sub_admin": ALLOW, "sub_executive": ALLOW}
    else:
        assert ALLOW not in answers.values(), answers
