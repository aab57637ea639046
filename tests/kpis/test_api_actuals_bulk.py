"""actuals/bulk/: an idempotent upsert per KPI and period, all rows or none, answered per row."""

import datetime
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import Actual, Kpi
from kpis.periods import add_months
from kpis.services import period_close
from tests.api_org import client_for
from tests.factories import KpiFactory, ObjectiveFactory, StrategicPlanFactory

URL = "/api/v1/actuals/bulk/"

pytestmark = pytest.mark.django_db


def test_anonymous_requests_are_refused(org):
    response = client_for(None).post(URL, [{"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1}])
    assert response.status_code == 401


def test_rows_by_id_and_by_code_are_answered_created_updated_or_unchanged(org):
    manager = client_for(org.manager)
    rows = [
        {"kpi": org.kpi.pk, "period": "2026-01-01", "value": "96", "analysis": "Better."},
        {"kpi_code": "REV", "period": "2026-02-01", "value": 97.25},
        {"kpi_code": "REV", "plan": org.plan.pk, "period": "2026-03-01", "value": 98},
    ]

    response = manager.post(URL, rows)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 1, 0)
    assert [(r["index"], r["outcome"], r["version"]) for r in body["results"]] == [
        (0, "updated", 2),
        (1, "created", 1),
        (2, "created", 1),
    ]
    assert Actual.objects.get(pk=org.actual.pk).analysis == "Better."
    assert Actual.objects.get(kpi=org.kpi, period="2026-02-01").value == Decimal("97.25")

    again = manager.post(URL, rows).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_a_row_without_analysis_keeps_the_stored_analysis(org):
    org.actual.analysis = "Kept."
    org.actual.save()
    client_for(org.manager).post(URL, [{"kpi": org.kpi.pk, "period": "2026-01-01", "value": 1}])
    assert Actual.objects.get(pk=org.actual.pk).analysis == "Kept."


def test_good_and_bad_rows_together_write_nothing_and_every_bad_row_is_named(org):
    other_plan = StrategicPlanFactory(org_unit=org.sales)
    KpiFactory(objective=ObjectiveFactory(perspective__plan=other_plan), code="REV")
    calculated = KpiFactory(objective=org.objective, code="RATE", formula="REV / 2")
    rows = [
        {"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1},  # good
        {"kpi": org.kpi.pk, "period": "2026-02-01", "value": "abc"},  # wrong type
        {"kpi": org.kpi.pk, "value": 1},  # missing period
        {"kpi": 999_999, "period": "2026-02-01", "value": 1},  # unknown id
        {"kpi_code": "NOPE", "plan": org.plan.pk, "period": "2026-02-01", "value": 1},
        {"kpi_code": "REV", "period": "2026-02-01", "value": 1},  # in two plans
        {"kpi": org.kpi.pk, "period": "2026-03-15", "value": 1},  # not a period start
        {"kpi": calculated.pk, "period": "2026-02-01", "value": 1},  # calculated
        {"period": "2026-02-01", "value": 1},  # no KPI
        "not a row",
        {"kpi_code": "REV", "plan": org.plan.pk, "period": "2026-02-01", "value": 2},  # again
    ]

    response = client_for(org.manager).post(URL, rows)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "10 of 11 rows are invalid; nothing was written."
    errors = body["rows"]
    assert set(errors) == {str(i) for i in range(1, 11)}
    assert errors["1"] == {"value": ["A valid number is required."]}
    assert errors["2"] == {"period": ["This field is required."]}
    assert errors["3"] == {"kpi": ["No KPI with id 999999."]}
    assert errors["4"] == {"kpi_code": [f"No KPI with code NOPE in {org.plan.name}."]}
    assert "used in several plans" in errors["5"]["kpi_code"][0]
    assert "use 2026-03-01" in str(errors["6"])
    assert errors["7"] == {"kpi": ["RATE is calculated from REV / 2; enter its inputs instead."]}
    assert errors["8"] == {"kpi": ["Give the KPI's id (kpi) or kpi_code."]}
    assert "Invalid data" in str(errors["9"])
    assert "already sets REV for 2026-02-01" in str(errors["10"])
    assert not Actual.objects.filter(period="2026-02-01").exists()


def test_a_code_used_in_several_plans_is_found_with_the_plan_parameter(org):
    other_plan = StrategicPlanFactory(org_unit=org.sales)
    KpiFactory(objective=ObjectiveFactory(perspective__plan=other_plan), code="REV")
    response = client_for(org.manager).post(
        f"{URL}?plan={org.plan.pk}", [{"kpi_code": "REV", "period": "2026-02-01", "value": 1}]
    )
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["kpi"] == org.kpi.pk


def test_a_contributor_writes_only_the_kpis_they_update(org):
    other = KpiFactory(objective=org.objective, code="COST")
    contributor = client_for(org.contributor)
    rows = [
        {"kpi_code": "REV", "period": "2026-02-01", "value": 1},
        {"kpi_code": "COST", "period": "2026-02-01", "value": 1},
    ]
    response = contributor.post(URL, rows)
    assert response.status_code == 400
    assert response.json()["rows"] == {"1": {"kpi": ["You may not update the actuals of COST."]}}
    assert not Actual.objects.filter(kpi__in=[org.kpi, other], period="2026-02-01").exists()

    assert contributor.post(URL, rows[:1]).status_code == 200


def test_a_contributors_bulk_takes_as_many_queries_for_many_kpis_as_for_one(org):
    contributor = client_for(org.contributor)

    def queries(kpis: list[Kpi]) -> int:
        rows = [{"kpi": kpi.pk, "period": "2026-03-01", "value": 1} for kpi in kpis]
        with CaptureQueriesContext(connection) as captured:
            assert contributor.post(URL, rows).status_code == 200
        return len(captured)

    few = queries([org.kpi])
    many = []
    for n in range(5):
        kpi = KpiFactory(objective=org.objective, code=f"K{n}")
        kpi.updaters.add(org.contributor)
        many.append(kpi)
    assert queries(many) == few
    assert Actual.objects.filter(kpi__in=many, period="2026-03-01").count() == 5


def test_a_viewer_writes_nothing(org):
    response = client_for(org.viewer).post(
        URL, [{"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1}]
    )
    assert response.status_code == 400
    assert response.json()["rows"] == {"0": {"kpi": ["You may not update the actuals of REV."]}}


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_cannot_name_kpis_they_cannot_see(org):
    response = client_for(org.outsider).post(
        URL,
        [
            {"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1},
            {"kpi_code": "REV", "period": "2026-02-01", "value": 1},
        ],
    )
    assert response.status_code == 400
    assert response.json()["rows"] == {
        "0": {"kpi": [f"No KPI with id {org.kpi.pk}."]},
        "1": {"kpi_code": ["No KPI with code REV in an active or draft plan."]},
    }


def test_the_body_must_be_a_list_of_at_most_ten_thousand_rows(org):
    manager = client_for(org.manager)
    assert manager.post(URL, {"kpi": org.kpi.pk}).status_code == 400
    row = {"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1}
    response = manager.post(URL, [row] * 10_001)
    assert response.status_code == 400
    assert "At most 10000 rows" in str(response.json())
    assert manager.post(URL, []).json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "results": [],
    }


def test_a_bad_plan_parameter_is_refused(org):
    response = client_for(org.manager).post(f"{URL}?plan=abc", [])
    assert response.status_code == 400
    assert "plan" in response.json()


def test_ten_thousand_rows_in_one_call_are_recorded_and_a_repeat_changes_nothing(org):
    kpis = Kpi.objects.bulk_create(
        Kpi(plan=org.plan, objective=org.objective, code=f"K{n:03}", name=f"KPI {n}")
        for n in range(500)
    )
    months = [add_months(datetime.date(2024, 1, 1), m) for m in range(20)]
    rows = [
        {
            # Half the rows name their KPI by id, half by code (looked up in ?plan=).
            **({"kpi": kpi.pk} if n % 2 else {"kpi_code": kpi.code}),
            "period": month.isoformat(),
            "value": f"{n}.{m:02}",
        }
        for n, kpi in enumerate(kpis)
        for m, month in enumerate(months)
    ]
    assert len(rows) == 10_000
    manager = client_for(org.manager)

    started = time.perf_counter()
    first = manager.post(f"{URL}?plan={org.plan.pk}", rows)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = manager.post(f"{URL}?plan={org.plan.pk}", rows)
    second_seconds = time.perf_counter() - started
    print(f"\n10,000 bulk rows: first call {first_seconds:.2f} s, repeat {second_seconds:.2f} s")

    assert first.status_code == 200, first.content[:500]
    assert (first.json()["created"], first.json()["unchanged"]) == (10_000, 0)
    assert [r["index"] for r in first.json()["results"]] == list(range(10_000))
    assert Actual.objects.filter(kpi__in=kpis).count() == 10_000
    assert Actual.objects.get(kpi=kpis[7], period=months[3]).value == Decimal("7.03")
    assert (second.json()["created"], second.json()["updated"]) == (0, 0)
    assert second.json()["unchanged"] == 10_000
    assert not Actual.objects.filter(kpi__in=kpis, version__gt=1).exists()


def test_rows_in_a_closed_period_are_named_and_nothing_is_written(org):
    period_close(through=datetime.date(2026, 1, 31), by=org.admin)
    rows = [
        {"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1},
        {"kpi": org.kpi.pk, "period": "2026-01-01", "value": 1},
    ]
    response = client_for(org.manager).post(URL, rows)
    assert response.status_code == 400
    assert list(response.json()["rows"]) == ["1"]
    assert "Jan 2026 is closed" in str(response.json()["rows"]["1"])
    assert not Actual.objects.filter(period="2026-02-01").exists()


def test_a_row_that_is_not_an_object_is_named_with_its_problem_by_field(org):
    before = list(Actual.objects.values_list("pk", "version"))
    response = client_for(org.manager).post(
        URL, [None, {"kpi": org.kpi.pk, "period": "2026-02-01", "value": 1}]
    )

    assert response.status_code == 400
    assert response.json()["rows"] == {"0": {"non_field_errors": ["This field may not be null."]}}
    assert list(Actual.objects.values_list("pk", "version")) == before
