"""The navigation offers only the links a person can use, and errors are pages with it.

The main navigation is the project's frame (templates/_base.html); My updates has its own
(templates/kpis/_nav.html). A link hidden here still answers as before if typed: hiding is
about what is offered, the views keep their own checks (tests/scorecard/test_permission_matrix.py).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from tests.accounts.org import Org, build_org, client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"<a [^>]*>([^<]+)")


def links(html: str, nav: str) -> list[str]:
    """The texts of the links in the navigation labelled `nav`."""
    start = html.index(f'aria-label="{nav}"')
    return LINK.findall(html[start : html.index("</nav>", start)])


@pytest.fixture
def org() -> Org:
    built = build_org()
    for name, role in (("executive", Role.EXECUTIVE), ("contributor", Role.CONTRIBUTOR)):
        person = UserFactory(username=name, first_name=name.title(), last_name="", password=None)
        MembershipFactory(user=person, org_unit=built.sales, role=role)
    return built


def person(org: Org, name: str) -> User:
    found = getattr(org, name, None)
    return found if found is not None else User.objects.get(username=name)


def main_links(org: Org, name: str) -> list[str]:
    return links(client_for(person(org, name)).get(reverse("home")).content.decode(), "Main")


def update_links(org: Org, name: str) -> list[str]:
    html = client_for(person(org, name)).get(reverse("kpis:updates")).content.decode()
    return links(html, "My updates")


EVERYONE = ["Overview", "Strategy", "My tasks", "Action plans"]


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("root_admin", ["My updates", "People", "Audit trail"]),
        ("sales_admin", ["My updates", "People"]),
        ("manager", ["My updates"]),
        ("contributor", ["My updates"]),
        ("executive", []),
        ("viewer", []),
        ("outsider", []),
    ],
)
def test_the_main_navigation_offers_what_each_role_can_use_with_approval_off(org, name, extra):
    assert sorted(main_links(org, name)) == sorted(EVERYONE + extra)


def test_with_approval_on_approvers_are_offered_my_updates_and_the_approval_queue(org, settings):
    settings.SCORECARD_APPROVAL = True
    assert "My updates" in main_links(org, "executive")
    assert update_links(org, "executive") == ["Approvals"]
    assert update_links(org, "manager") == ["Enter actuals", "Import", "Approvals"]
    assert update_links(org, "contributor") == ["Enter actuals", "Import"]
    assert "My updates" not in main_links(org, "viewer")


def test_with_approval_off_nobody_is_offered_the_approval_queue(org):
    assert update_links(org, "manager") == ["Enter actuals", "Import"]
    assert update_links(org, "sales_admin") == ["Enter actuals", "Import"]
    assert update_links(org, "root_admin") == ["Enter actuals", "Import", "Closed periods"]
    assert update_links(org, "executive") == []


def test_a_staff_account_is_offered_the_administration(org):
    staff = UserFactory(username="staff", is_staff=True)
    MembershipFactory(user=staff, org_unit=org.acme)
    html = client_for(staff).get(reverse("home")).content.decode()
    assert "Administration" in links(html, "Main")
    assert "Administration" not in main_links(org, "root_admin")


# --- error pages --------------------------------------------------------------------------------


def test_a_page_one_may_not_use_answers_a_styled_403_with_the_navigation_and_a_way_back(org):
    response = client_for(org.manager).get(reverse("people:people"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>You may not do this</h1>" in html
    assert links(html, "Main") == ["Overview", "Strategy", "My updates", "My tasks", "Action plans"]
    assert f'<a href="{reverse("home")}">Go to the overview</a>' in html


def test_a_403_says_why_when_the_refusal_names_a_reason(org):
    MembershipFactory(user=org.manager, org_unit=org.operations)
    response = client_for(org.sales_admin).post(
        reverse("people:person_deactivate", args=[org.manager.pk])
    )
    assert response.status_code == 403
    assert "This person also holds roles outside the units you manage." in response.content.decode()


def test_an_object_one_may_not_see_answers_a_styled_404_with_the_navigation(org):
    response = client_for(org.sales_admin).get(reverse("people:person", args=[org.operator.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "People" in links(html, "Main")
    assert f'<a href="{reverse("home")}">Go to the overview</a>' in html


def test_an_unknown_address_answers_the_styled_404_to_anonymous_visitors_too(client: Client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_the_api_keeps_answering_json_for_404_and_403(org):
    client = client_for(org.manager)
    for url, status in (
        ("/api/v1/no-such-endpoint/", 404),
        (f"/api/v1/users/{org.operator.pk + 1000}/", 404),
        ("/api/v1/org-units/", 200),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert response["Content-Type"] == "application/json", url
    response = client.post(
        "/api/v1/org-units/",
        {"name": "New", "parent": org.sales.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
