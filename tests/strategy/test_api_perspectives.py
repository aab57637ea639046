"""perspectives/: read with the plan; written by whoever may change the plan."""

import pytest

from strategy.models import Perspective
from tests.api_org import client_for, ids

URL = "/api/v1/perspectives/"

pytestmark = pytest.mark.django_db


def detail(perspective: Perspective) -> str:
    return f"{URL}{perspective.pk}/"


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_a_viewer_reads_the_plans_perspectives(org):
    response = client_for(org.viewer).get(URL, {"plan": org.plan.pk})
    assert ids(response) == {org.perspective.pk}
    assert response.json()["results"][0]["weight"] == "1.000"


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_does_not_see_them(org):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == set()
    assert outsider.get(detail(org.perspective)).status_code == 404
    assert outsider.patch(detail(org.perspective), {"name": "X"}).status_code == 404


def test_an_admin_adds_reweights_reorders_and_removes_a_custom_perspective(org):
    admin = client_for(org.admin)
    response = admin.post(URL, {"plan": org.plan.pk, "name": "Sustainability"})
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "custom"
    assert response.json()["order"] > org.perspective.order  # added after the others
    perspective = Perspective.objects.get(pk=response.json()["id"])

    assert admin.patch(detail(perspective), {"weight": 2.5, "order": 0}).status_code == 200
    perspective.refresh_from_db()
    org.perspective.refresh_from_db()
    assert (str(perspective.weight), perspective.order, org.perspective.order) == ("2.500", 0, 1)

    assert admin.delete(detail(perspective)).status_code == 204


def test_a_negative_weight_and_a_duplicate_name_are_refused_by_field(org):
    admin = client_for(org.admin)
    response = admin.patch(detail(org.perspective), {"weight": "-1"})
    assert response.status_code == 400
    assert "weight" in response.json()
    response = admin.post(URL, {"plan": org.plan.pk, "name": "Financial"})
    assert response.status_code == 400
    assert "already has a perspective with this name" in str(response.json())


def test_a_perspective_with_objectives_cannot_be_deleted(org):
    org.perspective.kind = Perspective.Kind.CUSTOM
    org.perspective.save()
    response = client_for(org.admin).delete(detail(org.perspective))
    assert response.status_code == 400
    assert "still has the objectives F1" in str(response.json())


def test_a_viewer_and_a_manager_may_not_change_the_top_plans_perspectives(org):
    for person in (org.viewer, org.manager):
        client = client_for(person)
        assert client.patch(detail(org.perspective), {"name": "X"}).status_code == 403
        assert client.post(URL, {"plan": org.plan.pk, "name": "Customer"}).status_code == 403
