"""actuals/: written through `actual_record`, honouring versions; a stale one answers 409."""

import pytest

from kpis import periods
from kpis.models import Actual
from kpis.services import period_close
from tests.api_org import FEB, client_for, ids
from tests.factories import KpiFactory

URL = "/api/v1/actuals/"

pytestmark = pytest.mark.django_db


def detail(actual: Actual) -> str:
    return f"{URL}{actual.pk}/"


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_a_viewer_reads_actuals_with_their_version(org):
    data = client_for(org.viewer).get(detail(org.actual)).json()
    assert (data["value"], data["version"], data["period"]) == ("95.000000", 1, "2026-01-01")


def test_actuals_filter_by_kpi_plan_and_period(org):
    viewer = client_for(org.viewer)
    assert ids(viewer.get(URL, {"kpi": org.kpi.pk, "period": "2026-01-01"})) == {org.actual.pk}
    assert ids(viewer.get(URL, {"plan": org.plan.pk, "period_after": "2026-02-01"})) == set()


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_does_not_see_actuals(org):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == set()
    assert outsider.get(detail(org.actual)).status_code == 404
    assert outsider.patch(detail(org.actual), {"value": 1}).status_code == 404


def test_the_manager_records_and_changes_an_actual_with_versions(org):
    manager = client_for(org.manager)
    response = manager.post(
        URL, {"kpi": org.kpi.pk, "period": "2026-02-01", "value": "97.5", "analysis": "Good."}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["version"], response.json()["entered_by"]) == (1, org.manager.pk)
    actual = Actual.objects.get(pk=response.json()["id"])

    response = manager.patch(detail(actual), {"value": 99, "version": 1})
    assert response.status_code == 200
    assert (response.json()["value"], response.json()["version"]) == ("99.000000", 2)
    assert response.json()["analysis"] == "Good."


def test_a_stale_version_answers_409_with_the_current_actual(org):
    manager, contributor = client_for(org.manager), client_for(org.contributor)
    assert contributor.patch(detail(org.actual), {"value": 96, "version": 1}).status_code == 200

    response = manager.patch(detail(org.actual), {"value": 50, "version": 1})

    assert response.status_code == 409
    body = response.json()
    assert "saved 96" in body["detail"]
    assert (body["current"]["value"], body["current"]["version"]) == ("96.000000", 2)
    assert Actual.objects.get(pk=org.actual.pk).value == 96


def test_creating_an_actual_that_exists_answers_409_with_it(org):
    response = client_for(org.manager).post(
        URL, {"kpi": org.kpi.pk, "period": "2026-01-01", "value": 1}
    )
    assert response.status_code == 409
    assert response.json()["current"]["id"] == org.actual.pk


def test_a_contributor_records_actuals_only_for_kpis_they_update(org):
    other = KpiFactory(objective=org.objective, code="COST")
    contributor = client_for(org.contributor)
    assert (
        contributor.post(URL, {"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1}).status_code
        == 201
    )
    response = contributor.post(URL, {"kpi": other.pk, "period": "2026-02-01", "value": 1})
    assert response.status_code == 403
    assert not Actual.objects.filter(kpi=other).exists()


def test_a_viewer_may_not_record_or_change_actuals(org):
    viewer = client_for(org.viewer)
    assert (
        viewer.post(URL, {"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1}).status_code == 403
    )
    assert viewer.patch(detail(org.actual), {"value": 1}).status_code == 403
    assert not Actual.objects.filter(period=FEB).exists()


def test_a_period_not_on_its_first_day_is_refused_naming_the_start(org):
    response = client_for(org.manager).post(
        URL, {"kpi": org.kpi.pk, "period": "2026-02-28", "value": 1}
    )
    assert response.status_code == 400
    assert "use 2026-02-01" in str(response.json()["period"])


def test_an_actuals_kpi_cannot_change_and_actuals_are_not_deleted(org):
    manager = client_for(org.manager)
    other = KpiFactory(objective=org.objective)
    assert manager.patch(detail(org.actual), {"kpi": other.pk}).status_code == 400
    assert manager.delete(detail(org.actual)).status_code == 405


def test_an_actual_in_a_closed_period_is_refused_saying_so(org):
    period_close(through=periods.period_end(org.actual.period, "monthly"), by=org.admin)
    response = client_for(org.manager).patch(detail(org.actual), {"value": 1, "version": 1})
    assert response.status_code == 400
    assert f"{org.actual.period:%b %Y} is closed" in str(response.json())
    assert Actual.objects.get(pk=org.actual.pk).value == 95
