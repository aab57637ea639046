"""objective-links/: cause-effect arrows, created through the service that refuses cycles."""

import pytest

from strategy.models import ObjectiveLink
from tests.api_org import client_for, ids
from tests.factories import ObjectiveFactory

URL = "/api/v1/objective-links/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def effect(org):  # type: ignore[no-untyped-def]
    return ObjectiveFactory(perspective=org.perspective, org_unit=org.sales, code="C1")


@pytest.fixture
def link(org, effect):  # type: ignore[no-untyped-def]
    return ObjectiveLink.objects.create(cause=org.objective, effect=effect)


def detail(link: ObjectiveLink) -> str:
    return f"{URL}{link.pk}/"


def test_anonymous_requests_are_refused(org, link):
    assert client_for(None).get(detail(link)).status_code == 401


def test_a_viewer_reads_the_plans_links(org, link):
    assert ids(client_for(org.viewer).get(URL, {"plan": org.plan.pk})) == {link.pk}


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_does_not_see_them(org, link):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == set()
    assert outsider.get(detail(link)).status_code == 404
    assert outsider.delete(detail(link)).status_code == 404


def test_an_admin_links_and_unlinks_objectives(org, effect):
    admin = client_for(org.admin)
    response = admin.post(URL, {"cause": org.objective.pk, "effect": effect.pk, "note": "why"})
    assert response.status_code == 201, response.content
    link = ObjectiveLink.objects.get(pk=response.json()["id"])
    assert admin.delete(detail(link)).status_code == 204


def test_a_link_closing_a_cycle_is_refused_naming_it(org, effect, link):
    response = client_for(org.admin).post(URL, {"cause": effect.pk, "effect": org.objective.pk})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This link would close a cycle: C1 → F1 → C1."]}


def test_a_link_to_itself_is_refused(org):
    response = client_for(org.admin).post(
        URL, {"cause": org.objective.pk, "effect": org.objective.pk}
    )
    assert response.status_code == 400


def test_links_are_not_changed_in_place(org, link):
    assert client_for(org.admin).patch(detail(link), {"note": "x"}).status_code == 405


def test_a_viewer_may_not_link_or_unlink(org, effect, link):
    viewer = client_for(org.viewer)
    assert viewer.post(URL, {"cause": effect.pk, "effect": org.objective.pk}).status_code == 403
    assert viewer.delete(detail(link)).status_code == 403
    assert ObjectiveLink.objects.filter(pk=link.pk).exists()
