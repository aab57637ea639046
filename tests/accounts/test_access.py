"""Access (who holds which role over which units) is computed once per person per request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.models import Role
from accounts.permissions import access_for, forget_access
from tests.accounts.org import Org, build_org, client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SUBTREE_QUERY = 'SELECT "accounts_orgunit"."id" AS "pk", "accounts_orgunit"."parent_id"'


@pytest.fixture
def org() -> Org:
    return build_org()


def subtree_queries(context: CaptureQueriesContext) -> int:
    return sum(query["sql"].startswith(SUBTREE_QUERY) for query in context.captured_queries)


@pytest.mark.parametrize(
    "url", [reverse("people:people"), reverse("people:org_units"), reverse("audit_trail")]
)
def test_a_page_reads_the_unit_tree_for_the_admins_access_once(org, url):
    client = client_for(org.root_admin)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    # request.user (a lazy proxy) and the User behind it, which `has_perm` hands the
    # predicates, share one cache.
    assert subtree_queries(context) == 1


def test_asking_whether_one_may_read_the_audit_trail_again_costs_no_query(org):
    assert org.root_admin.has_perm("accounts.view_audit_trail")
    assert not org.sales_admin.has_perm("accounts.view_audit_trail")
    with CaptureQueriesContext(connection) as context:
        for _ in range(3):
            assert org.root_admin.has_perm("accounts.view_audit_trail")
            assert not org.sales_admin.has_perm("accounts.view_audit_trail")
    assert context.captured_queries == []


def test_only_admins_of_the_root_unit_and_superusers_may_read_the_audit_trail(org):
    assert org.root_admin.has_perm("accounts.view_audit_trail")
    for person in (org.sales_admin, org.manager, org.viewer, org.operator, org.outsider):
        assert not person.has_perm("accounts.view_audit_trail"), person
    assert UserFactory(is_superuser=True).has_perm("accounts.view_audit_trail")


def test_forgetting_access_through_the_lazy_request_user_reaches_the_user_behind_it(org):
    lazy = SimpleLazyObject(lambda: org.outsider)  # as request.user is
    assert not access_for(org.outsider).holds(org.sales.pk, {Role.MANAGER})
    MembershipFactory(user=org.outsider, org_unit=org.sales, role=Role.MANAGER)
    forget_access(lazy)  # type: ignore[arg-type]
    assert access_for(org.outsider).holds(org.sales.pk, {Role.MANAGER})


@pytest.mark.parametrize("perm", ["accounts.view_audit_trail", "kpis.close_periods"])
def test_only_the_root_units_admins_and_superusers_act_on_the_whole_organisation(org, perm):
    north_admin = MembershipFactory(org_unit=org.north, role=Role.ADMIN).user

    assert org.root_admin.has_perm(perm)
    assert UserFactory(is_superuser=True).has_perm(perm)
    for person in (org.sales_admin, north_admin, org.manager, org.viewer, org.outsider):
        assert not person.has_perm(perm), person
