"""Editing a person's name and e-mail address in the People section."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.accounts.org import Org, build_org, client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return build_org()


def edit_url(person: User) -> str:
    return reverse("people:person_edit", args=[person.pk])


NEW = {"first_name": "Mia", "last_name": "Lind", "email": "mia@example.com"}


def names_of(person: User) -> tuple[str, str, str]:
    person.refresh_from_db()
    return person.first_name, person.last_name, person.email


def test_the_organisation_admin_changes_a_persons_name_and_e_mail(org):
    client = client_for(org.root_admin)
    page = client.get(edit_url(org.manager))
    assert page.status_code == 200
    assert 'value="manager@example.com"' in page.content.decode()

    response = client.post(edit_url(org.manager), NEW, follow=True)
    assert response.redirect_chain[-1][0] == reverse("people:person", args=[org.manager.pk])
    assert "The name and e-mail of Mia Lind were saved." in response.content.decode()
    assert names_of(org.manager) == ("Mia", "Lind", "mia@example.com")
    # The service's rule holds on this path too: the old address is told.
    assert [message.to for message in mail.outbox] == [["manager@example.com"]]


def test_the_person_page_links_to_the_edit_form_for_those_who_may_use_it(org):
    link = f'href="{edit_url(org.manager)}"'
    assert (
        link
        in client_for(org.root_admin)
        .get(reverse("people:person", args=[org.manager.pk]))
        .content.decode()
    )
    # The Sales admin manages the manager's only unit, but not the viewer's (ACME).
    assert (
        link
        in client_for(org.sales_admin)
        .get(reverse("people:person", args=[org.manager.pk]))
        .content.decode()
    )
    MembershipFactory(user=org.manager, org_unit=org.operations)
    assert (
        link
        not in client_for(org.sales_admin)
        .get(reverse("people:person", args=[org.manager.pk]))
        .content.decode()
    )


def test_a_sub_unit_admin_edits_people_of_their_subtree_only(org):
    client = client_for(org.sales_admin)
    assert client.post(edit_url(org.manager), NEW).status_code == 302
    assert names_of(org.manager) == ("Mia", "Lind", "mia@example.com")
    # Someone only in Operations is outside Sales: not found.
    assert client.post(edit_url(org.operator), NEW).status_code == 404
    assert names_of(org.operator)[2] == "operator@example.com"
    # Someone also holding a role outside Sales: seen, but theirs to change is not.
    MembershipFactory(user=org.manager, org_unit=org.operations)
    changed = {**NEW, "email": "other@example.com"}
    assert client.post(edit_url(org.manager), changed).status_code == 403
    assert names_of(org.manager)[2] == "mia@example.com"


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("viewer", 403), ("outsider", 403)])
def test_people_without_the_admin_role_cannot_edit_anyone(org, who, status):
    client = client_for(getattr(org, who))
    assert client.get(edit_url(org.operator)).status_code == status
    assert client.post(edit_url(org.operator), NEW).status_code == status
    assert names_of(org.operator) == ("Operator", "", "operator@example.com")


def test_a_taken_or_malformed_e_mail_is_refused_at_its_field_and_nothing_changes(org):
    client = client_for(org.root_admin)
    response = client.post(edit_url(org.manager), {**NEW, "email": "VIEWER@example.com"})
    assert response.status_code == 400
    assert "A person with this e-mail address already exists." in response.content.decode()
    response = client.post(edit_url(org.manager), {**NEW, "email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert names_of(org.manager) == ("Manager", "", "manager@example.com")
    assert mail.outbox == []


def test_only_a_superuser_edits_a_staff_account(org):
    staff = UserFactory(username="staff", email="staff@example.com", is_staff=True)
    MembershipFactory(user=staff, org_unit=org.sales)
    assert client_for(org.root_admin).post(edit_url(staff), NEW).status_code == 403
    assert names_of(staff)[2] == "staff@example.com"
    superuser = UserFactory(username="root", is_superuser=True)
    assert client_for(superuser).post(edit_url(staff), NEW).status_code == 302
    assert names_of(staff)[2] == "mia@example.com"
