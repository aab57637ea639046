"""People in the People section: list, search, create, deactivate and reactivate."""

import pytest
from django.contrib.auth import get_user
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from accounts import services
from accounts.models import Membership, Role, User
from tests.accounts.org import HTMX, Org, build_org, client_for
from tests.factories import MembershipFactory, ObjectiveFactory, StrategicPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return build_org()


PASSWORD = "a-long-pass-phrase-1"


def with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


# --- services ------------------------------------------------------------------------------------


def test_a_person_is_created_with_a_first_role_and_a_validated_password(org):
    person = services.user_create(
        username="sam",
        first_name="Sam",
        last_name="Lee",
        email="sam@example.com",
        org_unit=org.sales,
        role=Role.CONTRIBUTOR,
        password="a-long-pass-phrase-1",
    )
    assert person.check_password("a-long-pass-phrase-1")
    assert set(person.memberships.values_list("org_unit__code", "role")) == {
        ("sales", Role.CONTRIBUTOR)
    }


def test_a_person_created_without_a_password_cannot_sign_in_yet(org):
    person = services.user_create(username="sam", org_unit=org.sales, role=Role.VIEWER)
    assert not person.has_usable_password()


def test_a_weak_password_or_a_taken_username_is_refused_and_nothing_is_written(org):
    before = User.objects.count()
    with pytest.raises(ValidationError) as error:
        services.user_create(
            username="viewer", org_unit=org.sales, role=Role.VIEWER, password="12345678"
        )
    assert "A user with that username already exists." in error.value.message_dict["username"]
    assert "This password is entirely numeric." in error.value.message_dict["password"]
    assert User.objects.count() == before


def test_a_person_with_an_unknown_role_is_not_created(org):
    with pytest.raises(ValidationError) as error:
        services.user_create(username="sam", org_unit=org.sales, role="overlord")
    assert "role" in error.value.message_dict
    assert not User.objects.filter(username="sam").exists()


def test_a_second_person_with_the_same_e_mail_is_refused(org):
    with pytest.raises(ValidationError) as error:
        services.user_create(
            username="sam", email="VIEWER@example.com", org_unit=org.sales, role=Role.VIEWER
        )
    assert error.value.message_dict["email"] == [
        "A person with this e-mail address already exists."
    ]


def test_a_deactivated_person_keeps_their_roles_and_what_they_own(org):
    objective = ObjectiveFactory(plan=StrategicPlanFactory(org_unit=org.sales), owner=org.manager)
    services.user_deactivate(user=org.manager, by=org.root_admin)
    org.manager.refresh_from_db()
    assert not org.manager.is_active
    assert Membership.objects.filter(user=org.manager, role=Role.MANAGER).exists()
    objective.refresh_from_db()
    assert objective.owner == org.manager
    assert objective.owner.display_name == "Manager (deactivated)"


def test_nobody_deactivates_themselves(org):
    with pytest.raises(ValidationError) as error:
        services.user_deactivate(user=org.sales_admin, by=org.sales_admin)
    assert error.value.messages == ["You cannot deactivate your own account."]


def test_the_organisations_last_admin_cannot_be_deactivated(org):
    org.outsider.is_superuser = True
    with pytest.raises(ValidationError) as error:
        services.user_deactivate(user=org.root_admin, by=org.outsider)
    assert "last admin of ACME" in error.value.messages[0]
    org.root_admin.refresh_from_db()
    assert org.root_admin.is_active


def test_a_reactivated_person_holds_their_roles_again(org):
    services.user_deactivate(user=org.manager, by=org.root_admin)
    services.user_reactivate(user=org.manager, by=org.root_admin)
    org.manager.refresh_from_db()
    assert org.manager.is_active
    assert org.manager.has_perm("strategy.add_plan", org.sales)


# --- signing in ----------------------------------------------------------------------------------


def test_a_deactivated_person_cannot_sign_in(client, org):
    with_password(org.manager)
    services.user_deactivate(user=org.manager, by=org.root_admin)
    response = client.post(
        reverse("login"), {"username": "manager", "password": "a-long-pass-phrase-1"}
    )
    assert response.status_code == 200
    assert not get_user(client).is_authenticated
    assert b"Please enter a correct username and password" in response.content


def test_a_deactivated_persons_open_session_ends(org):
    client = client_for(org.manager)
    assert client.get(reverse("home")).status_code == 200
    services.user_deactivate(user=org.manager, by=org.root_admin)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_reactivated_person_signs_in_again(client, org):
    with_password(org.manager)
    services.user_deactivate(user=org.manager, by=org.root_admin)
    services.user_reactivate(user=org.manager, by=org.root_admin)
    client.post(reverse("login"), {"username": "manager", "password": "a-long-pass-phrase-1"})
    assert get_user(client) == org.manager


# --- showing people ----------------------------------------------------------------------------


def test_the_person_filter_marks_deactivated_people(org):
    template = Template("{% load people %}{{ a|person }} / {{ b|person }} / {{ c|person }}")
    org.manager.is_active = False
    rendered = template.render(Context({"a": org.viewer, "b": org.manager, "c": None}))
    assert rendered == "Viewer / Manager (deactivated) / —"


def test_the_people_link_is_shown_only_to_admins(org):
    link = f'href="{reverse("people:people")}"'
    assert link in client_for(org.sales_admin).get(reverse("home")).content.decode()
    assert link not in client_for(org.manager).get(reverse("home")).content.decode()


# --- the people list -----------------------------------------------------------------------------


def test_root_admin_lists_everyone_with_deactivated_people_marked(org):
    services.user_deactivate(user=org.manager, by=org.root_admin)
    response = client_for(org.root_admin).get(reverse("people:people"))
    assert response.status_code == 200
    people = [person for person, _ in response.context["rows"]]
    assert set(people) == set(User.objects.all())
    assert '<span class="badge">deactivated</span>' in response.content.decode()


def test_subtree_admin_lists_only_the_people_of_their_subtree(org):
    response = client_for(org.sales_admin).get(reverse("people:people"))
    people = {person.username for person, _ in response.context["rows"]}
    assert people == {"sales_admin", "manager"}


def test_people_are_found_by_name_and_filtered_by_status(org):
    services.user_deactivate(user=org.manager, by=org.root_admin)
    client = client_for(org.root_admin)

    def found(**query: str) -> set[str]:
        response = client.get(reverse("people:people"), query)
        return {person.username for person, _ in response.context["rows"]}

    assert found(q="admin") == {"root_admin", "sales_admin"}
    assert found(q="sales admin") == {"sales_admin"}
    assert found(status="deactivated") == {"manager"}
    assert "manager" not in found(status="active")


def test_the_search_with_htmx_returns_only_the_results(org):
    response = client_for(org.root_admin).get(reverse("people:people"), {"q": "oper"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="people-results">')
    assert ">Operator</a>" in html
    assert ">Viewer</a>" not in html
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_people_without_the_admin_role_get_403_on_every_people_page(org, who):
    client = client_for(getattr(org, who))
    membership = Membership.objects.get(user=org.operator)
    for url in (
        reverse("people:people"),
        reverse("people:person", args=[org.operator.pk]),
        reverse("people:person_create"),
        reverse("people:person_invite"),
        reverse("people:org_units"),
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("people:person_create"),
        reverse("people:person_invite"),
        reverse("people:person_deactivate", args=[org.operator.pk]),
        reverse("people:person_reactivate", args=[org.operator.pk]),
        reverse("people:person_send_invitation", args=[org.operator.pk]),
        reverse("people:membership_add", args=[org.operator.pk]),
        reverse("people:membership_role", args=[membership.pk]),
        reverse("people:membership_remove", args=[membership.pk]),
        reverse("people:org_unit_add"),
        reverse("people:org_unit_rename", args=[org.sales.pk]),
        reverse("people:org_unit_move", args=[org.sales.pk]),
        reverse("people:org_unit_archive", args=[org.sales.pk]),
        reverse("people:org_unit_restore", args=[org.sales.pk]),
    ):
        assert client.post(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in_from_every_people_page(client, org):
    for url in (
        reverse("people:people"),
        reverse("people:person", args=[org.operator.pk]),
        reverse("people:person_invite"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- the person page ----------------------------------------------------------------------------


def test_subtree_admin_gets_404_for_a_person_outside_their_subtree(org):
    client = client_for(org.sales_admin)
    assert client.get(reverse("people:person", args=[org.operator.pk])).status_code == 404
    assert client.get(reverse("people:person", args=[org.root_admin.pk])).status_code == 404
    assert client.get(reverse("people:person", args=[org.manager.pk])).status_code == 200
    url = reverse("people:person_deactivate", args=[org.operator.pk])
    assert client.post(url).status_code == 404
    org.operator.refresh_from_db()
    assert org.operator.is_active


def test_the_person_page_shows_only_the_roles_inside_the_admins_subtree(org):
    MembershipFactory(user=org.manager, org_unit=org.operations, role=Role.VIEWER)
    response = client_for(org.sales_admin).get(reverse("people:person", args=[org.manager.pk]))
    assert [m.org_unit for m in response.context["memberships"]] == [org.sales]
    assert "also holds 1 role outside the units you manage" in response.content.decode()


def test_admin_deactivates_and_reactivates_a_person_without_javascript(org):
    client = client_for(org.root_admin)
    response = client.post(reverse("people:person_deactivate", args=[org.manager.pk]), follow=True)
    assert "Manager was deactivated and can no longer sign in." in response.content.decode()
    org.manager.refresh_from_db()
    assert not org.manager.is_active
    client.post(reverse("people:person_reactivate", args=[org.manager.pk]))
    org.manager.refresh_from_db()
    assert org.manager.is_active


def test_subtree_admin_cannot_deactivate_someone_who_also_has_roles_elsewhere(org):
    MembershipFactory(user=org.manager, org_unit=org.operations, role=Role.VIEWER)
    client = client_for(org.sales_admin)
    response = client.post(reverse("people:person_deactivate", args=[org.manager.pk]))
    assert response.status_code == 403
    org.manager.refresh_from_db()
    assert org.manager.is_active


def test_deactivating_oneself_through_the_page_is_refused_with_a_message(org):
    MembershipFactory(user=org.viewer, org_unit=org.acme, role=Role.ADMIN)
    client = client_for(org.root_admin)
    response = client.post(reverse("people:person_deactivate", args=[org.root_admin.pk]))
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.content.decode()


def test_a_deactivation_without_the_csrf_token_is_refused(org):
    client = client_for(org.root_admin, enforce_csrf_checks=True)
    response = client.post(reverse("people:person_deactivate", args=[org.manager.pk]))
    assert response.status_code == 403
    org.manager.refresh_from_db()
    assert org.manager.is_active


def test_admin_adds_a_person_through_the_form(org):
    client = client_for(org.sales_admin)
    response = client.post(
        reverse("people:person_create"),
        {
            "username": "sam",
            "first_name": "Sam",
            "last_name": "Lee",
            "email": "sam@example.com",
            "org_unit": org.north.pk,
            "role": Role.CONTRIBUTOR,
            "password": "a-long-pass-phrase-1",
            "password_again": "a-long-pass-phrase-1",
        },
    )
    sam = User.objects.get(username="sam")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person", args=[sam.pk])
    assert sam.check_password("a-long-pass-phrase-1")


def test_the_add_person_form_refuses_bad_input_with_messages_and_writes_nothing(org):
    client = client_for(org.sales_admin)
    data = {
        "username": "sam",
        "org_unit": org.operations.pk,
        "role": "overlord",
        "password": "a-long-pass-phrase-1",
        "password_again": "another-pass-phrase",
    }
    response = client.post(reverse("people:person_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of the active units you manage." in html
    assert "“overlord” is not a role." in html
    assert "The two passwords differ." in html
    assert not User.objects.filter(username="sam").exists()


# --- changing a person (the API's writes go through the same service) ----------------------------


def test_a_persons_names_and_e_mail_change_and_the_rest_stays(org):
    services.user_update(
        user=org.viewer, by=org.root_admin, first_name=" Vera ", email="vera@example.com"
    )
    org.viewer.refresh_from_db()
    assert (org.viewer.first_name, org.viewer.last_name, org.viewer.email) == (
        "Vera",
        "",
        "vera@example.com",
    )
    assert org.viewer.username == "viewer"


def test_an_e_mail_address_another_person_has_is_refused_and_nothing_changes(org):
    services.user_update(user=org.manager, by=org.root_admin, email="shared@example.com")
    with pytest.raises(ValidationError) as refused:
        services.user_update(
            user=org.viewer, by=org.root_admin, first_name="Vera", email="SHARED@example.com"
        )
    assert refused.value.message_dict == {
        "email": ["A person with this e-mail address already exists."]
    }
    org.viewer.refresh_from_db()
    assert (org.viewer.first_name, org.viewer.email) == ("Viewer", "viewer@example.com")
    # Keeping one's own address is no duplicate.
    services.user_update(
        user=org.manager, by=org.root_admin, email="shared@example.com", last_name="Lee"
    )


def test_an_invalid_e_mail_address_is_refused_and_the_person_is_left_as_stored(org):
    with pytest.raises(ValidationError) as refused:
        services.user_update(user=org.viewer, by=org.root_admin, email="not an address")
    assert "email" in refused.value.message_dict
    assert org.viewer.email == "viewer@example.com"
    org.viewer.refresh_from_db()
    assert org.viewer.email == "viewer@example.com"
