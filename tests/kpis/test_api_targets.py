"""targets/: one per KPI and period, written through `target_set` by whoever changes the KPI."""

import pytest

from accounts.audit import history_for
from kpis.models import Target
from tests.api_org import client_for, ids

URL = "/api/v1/targets/"

pytestmark = pytest.mark.django_db


def detail(target: Target) -> str:
    return f"{URL}{target.pk}/"


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_a_viewer_reads_targets_as_decimal_strings(org):
    data = client_for(org.viewer).get(detail(org.target)).json()
    assert data == {
        "id": org.target.pk,
        "kpi": org.kpi.pk,
        "period": "2026-01-01",
        "goal": "100.000000",
        "red_flag": "90.000000",
        "goal_high": None,
        "red_flag_high": None,
    }


def test_targets_filter_by_kpi_and_period_range(org):
    viewer = client_for(org.viewer)
    assert ids(viewer.get(URL, {"kpi": org.kpi.pk, "period_after": "2026-01-01"})) == {
        org.target.pk
    }
    assert ids(viewer.get(URL, {"period_before": "2025-12-01"})) == set()


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_does_not_see_targets(org):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == set()
    assert outsider.get(detail(org.target)).status_code == 404
    assert outsider.patch(detail(org.target), {"goal": 1}).status_code == 404
    response = outsider.post(URL, {"kpi": org.kpi.pk, "period": "2026-02-01", "goal": 1})
    assert response.status_code == 400
    assert "kpi" in response.json()


def test_an_admin_sets_a_target_from_a_number_and_changes_it_from_a_string(org):
    admin = client_for(org.admin)
    response = admin.post(URL, {"kpi": org.kpi.pk, "period": "2026-02-01", "goal": 110.5})
    assert response.status_code == 201, response.content
    assert response.json()["goal"] == "110.500000"
    target = Target.objects.get(pk=response.json()["id"])

    response = admin.patch(detail(target), {"goal": "120", "red_flag": "100.25"})
    assert response.status_code == 200
    target.refresh_from_db()
    assert (str(target.goal), str(target.red_flag)) == ("120.000000", "100.250000")


def test_a_period_not_on_its_first_day_is_refused_naming_the_start(org):
    response = client_for(org.admin).post(
        URL, {"kpi": org.kpi.pk, "period": "2026-02-14", "goal": 1}
    )
    assert response.status_code == 400
    assert response.json() == {
        "period": [
            "A monthly period starts on its first day: use 2026-02-01 for the period "
            "containing 2026-02-14."
        ]
    }


def test_a_zero_goal_without_a_red_flag_is_refused(org):
    response = client_for(org.admin).post(
        URL, {"kpi": org.kpi.pk, "period": "2026-02-01", "goal": 0}
    )
    assert response.status_code == 400
    assert "red_flag" in response.json()


def test_a_second_target_for_the_same_period_is_refused(org):
    response = client_for(org.admin).post(
        URL, {"kpi": org.kpi.pk, "period": "2026-01-01", "goal": 1}
    )
    assert response.status_code == 400
    assert "already has a target for this period" in str(response.json())


def test_a_targets_kpi_and_period_cannot_change(org):
    response = client_for(org.admin).patch(detail(org.target), {"period": "2026-03-01"})
    assert response.status_code == 400
    assert "period" in response.json()


def test_a_manager_and_a_viewer_may_not_set_targets(org):
    for person in (org.manager, org.viewer):
        client = client_for(person)
        assert client.patch(detail(org.target), {"goal": 1}).status_code == 403
        response = client.post(URL, {"kpi": org.kpi.pk, "period": "2026-02-01", "goal": 1})
        assert response.status_code == 403
        assert client.delete(detail(org.target)).status_code == 403
    assert Target.objects.count() == 1


def test_a_change_by_a_token_client_names_them_in_the_audit_trail(org):
    assert client_for(org.admin).patch(detail(org.target), {"goal": 120}).status_code == 200
    entry = history_for(org.kpi, parts=[Target]).first()
    assert entry is not None
    assert entry.actor == org.admin
