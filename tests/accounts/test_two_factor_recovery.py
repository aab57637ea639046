"""Recovery: an admin who manages a person resets their two-factor sign-in (a lost phone); the
reset is written to the audit trail. Superuser and staff accounts only by a superuser."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accounts import two_factor
from accounts.models import Role, User
from tests.accounts.org import Org, build_org, client_for
from tests.accounts.two_factor_helpers import code_for, enrol
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return build_org()


def verified_client(user: User):  # type: ignore[no-untyped-def]
    """A signed-in client; people with two-factor sign-in give their code first."""
    client = client_for(user)
    device = two_factor.authenticator(user)
    if device is not None:
        assert (
            client.post(
                reverse("security:two_factor_verify"), {"code": code_for(device, steps_ahead=1)}
            ).status_code
            == 302
        )
    return client


def reset(client, person: User):  # type: ignore[no-untyped-def]
    return client.post(reverse("people:person_two_factor_reset", args=[person.pk]))


def reset_entries(person: User) -> list[LogEntry]:
    return list(LogEntry.objects.filter(object_id=person.pk, changes__has_key="Two-factor sign-in"))


def test_an_admin_of_the_organisation_resets_a_persons_two_factor_and_it_is_audited(org):
    enrol(org.manager)

    response = reset(verified_client(org.root_admin), org.manager)

    assert response.status_code == 302
    assert not two_factor.has_two_factor(org.manager)
    entry = LogEntry.objects.filter(object_id=org.manager.pk).latest("pk")
    assert entry.actor == org.root_admin
    assert entry.changes["Two-factor sign-in"] == ["on", "off (reset by an admin)"]


def test_the_reset_shows_in_the_audit_trail(org):
    enrol(org.manager)
    admin = verified_client(org.root_admin)
    reset(admin, org.manager)

    page = admin.get(reverse("audit_trail"))

    assert b"Two-factor sign-in" in page.content
    assert b"off (reset by an admin)" in page.content


def test_an_admin_of_the_persons_unit_resets_it(org):
    enrol(org.manager)

    assert reset(verified_client(org.sales_admin), org.manager).status_code == 302
    assert not two_factor.has_two_factor(org.manager)


def test_after_a_reset_the_person_signs_in_with_the_password_alone(org):
    enrol(org.manager)
    client = client_for(org.manager)  # signed in before the reset: owes a code
    reset(verified_client(org.root_admin), org.manager)

    assert client.get(reverse("security:two_factor_verify")).status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("who", ["manager", "viewer", "operator", "outsider"])
def test_people_without_the_admin_role_cannot_reset(org, who):
    target = org.sales_admin if who == "manager" else org.manager
    enrol(target)

    response = reset(verified_client(getattr(org, who)), target)

    assert response.status_code == 403
    assert two_factor.has_two_factor(target)
    assert len(reset_entries(target)) == 1  # the enrolment only


def test_a_person_cannot_reset_their_own(org):
    enrol(org.root_admin)

    response = reset(verified_client(org.root_admin), org.root_admin)

    assert response.status_code == 403
    assert two_factor.has_two_factor(org.root_admin)


@pytest.mark.parametrize("target", ["viewer", "operator", "root_admin"])
def test_an_admin_of_a_sub_unit_cannot_reset_people_outside_it(org, target):
    person = getattr(org, target)
    enrol(person)

    response = reset(verified_client(org.sales_admin), person)

    assert response.status_code == 404
    assert two_factor.has_two_factor(person)


def test_a_sub_unit_admin_cannot_reset_someone_who_also_holds_a_role_outside_it(org):
    MembershipFactory(user=org.manager, org_unit=org.operations, role=Role.VIEWER)
    enrol(org.manager)

    response = reset(verified_client(org.sales_admin), org.manager)

    assert response.status_code == 403
    assert two_factor.has_two_factor(org.manager)


@pytest.mark.parametrize("flag", ["is_superuser", "is_staff"])
def test_only_a_superuser_resets_a_superuser_or_staff_account(org, flag):
    setattr(org.manager, flag, True)
    org.manager.save()
    enrol(org.manager)

    assert reset(verified_client(org.root_admin), org.manager).status_code == 403
    assert two_factor.has_two_factor(org.manager)

    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert reset(verified_client(superuser), org.manager).status_code == 302
    assert not two_factor.has_two_factor(org.manager)


def test_the_person_page_offers_the_reset_only_when_allowed(org):
    enrol(org.manager)
    url = reverse("people:person", args=[org.manager.pk])
    button = b"Reset two-factor sign-in"

    assert button in verified_client(org.root_admin).get(url).content
    org.manager.is_staff = True
    org.manager.save()
    page = verified_client(org.root_admin).get(url)
    assert button not in page.content
    assert b"Only a superuser can reset two-factor sign-in" in page.content


def test_resetting_someone_without_two_factor_says_so(org):
    response = reset(verified_client(org.root_admin), org.manager)

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert messages == ["Manager does not use two-factor sign-in."]
