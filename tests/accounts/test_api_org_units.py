"""org-units/: everyone reads the units they may see; admins add, rename, move and archive."""

import pytest

from accounts.models import OrgUnit
from tests.api_org import client_for, ids

URL = "/api/v1/org-units/"

pytestmark = pytest.mark.django_db


def detail(unit: OrgUnit) -> str:
    return f"{URL}{unit.pk}/"


def test_anonymous_requests_are_refused_with_401(org):
    response = client_for(None).get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_with_transparency_every_member_reads_every_unit(org):
    assert ids(client_for(org.viewer).get(URL)) == {org.acme.pk, org.sales.pk, org.operations.pk}
    assert client_for(org.viewer).get(detail(org.operations)).status_code == 200


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_sees_only_their_subtree_and_gets_404_elsewhere(org):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == {org.operations.pk}
    assert outsider.get(detail(org.sales)).status_code == 404
    assert client_for(org.viewer).get(detail(org.sales)).status_code == 200


def test_units_filter_by_parent(org):
    response = client_for(org.viewer).get(URL, {"parent": org.acme.pk})
    assert ids(response) == {org.sales.pk, org.operations.pk}


def test_an_admin_adds_renames_moves_and_archives_a_unit(org):
    admin = client_for(org.admin)
    created = admin.post(URL, {"name": "Sales North", "parent": org.sales.pk}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "sales-north"
    unit = OrgUnit.objects.get(pk=created.json()["id"])

    renamed = admin.patch(detail(unit), {"name": "North", "parent": org.operations.pk})
    assert renamed.status_code == 200, renamed.content
    unit.refresh_from_db()
    assert (unit.name, unit.parent) == ("North", org.operations)

    archived = admin.patch(detail(unit), {"is_archived": True}, format="json")
    assert archived.status_code == 200
    assert OrgUnit.objects.get(pk=unit.pk).is_archived


def test_a_manager_and_a_viewer_may_not_add_or_change_units(org):
    for person in (org.manager, org.viewer):
        client = client_for(person)
        assert client.post(URL, {"name": "X", "parent": org.sales.pk}).status_code == 403
        assert client.patch(detail(org.sales), {"name": "Y"}).status_code == 403
    assert OrgUnit.objects.get(pk=org.sales.pk).name == "Sales"


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_cannot_change_or_add_below_a_unit_they_cannot_see(org):
    outsider = client_for(org.outsider)
    assert outsider.patch(detail(org.sales), {"name": "Y"}).status_code == 404
    response = outsider.post(URL, {"name": "X", "parent": org.sales.pk})
    assert response.status_code == 400
    assert "parent" in response.json()


def test_archiving_a_unit_with_active_sub_units_is_refused_saying_why(org):
    response = client_for(org.admin).patch(detail(org.acme), {"is_archived": True})
    assert response.status_code == 400
    assert "root" in str(response.json())


def test_units_are_archived_not_deleted(org):
    assert client_for(org.admin).delete(detail(org.operations)).status_code == 405
    assert OrgUnit.objects.filter(pk=org.operations.pk).exists()


def test_a_unit_code_cannot_change(org):
    response = client_for(org.admin).patch(detail(org.sales), {"code": "other"})
    assert response.status_code == 400
    assert "code" in response.json()
