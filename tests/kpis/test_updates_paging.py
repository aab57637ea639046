""" "My updates" for a person with many KPIs: pages of rows, the filters (unit, objective,
"missing only") and who may ask for what."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from kpis.models import Actual, Kpi
from kpis.views import UPDATES_PER_PAGE
from strategy.models import Objective
from tests.factories import ActualFactory, KpiFactory, TargetFactory
from tests.kpis.updates_org import build_org, client_for, row_data
from tests.org import people

pytestmark = pytest.mark.django_db

URL = "/updates/"
CODES = ["REV", "WIN", "OPS"]


def add_kpis(objective: Objective, count: int, prefix: str = "M") -> list[Kpi]:
    """`count` monthly KPIs of the objective, codes M000, M001, … (sorted as created)."""
    return Kpi.objects.bulk_create(
        KpiFactory.build(objective=objective, plan=objective.plan, code=f"{prefix}{n:03}")
        for n in range(count)
    )


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="row-(\d+)"', html)]


def shown_codes(html: str) -> list[str]:
    return [code for code in CODES if f">{code}</a>" in html]


def test_a_person_with_250_kpis_sees_the_first_page_and_a_link_to_the_next():
    org = build_org()
    add_kpis(org.sales_objective, 248)  # with REV and WIN: 250 rows

    html = client_for(org.manager).get(URL).content.decode()

    assert len(row_ids(html)) == UPDATES_PER_PAGE == 100
    assert "Page 1 of 3: rows 1 to 100 of 250" in html
    assert 'href="/updates/?page=2" rel="next">Next page' in html
    assert "0 of 250 entered for" in html  # the counter counts every page


def test_the_last_page_shows_the_rest_and_a_link_back():
    org = build_org()
    add_kpis(org.sales_objective, 248)

    html = client_for(org.manager).get(URL, {"page": "3"}).content.decode()

    assert len(row_ids(html)) == 50
    assert 'href="/updates/?page=2" rel="prev">← Previous page' in html
    assert "Next page" not in html


def test_a_page_number_that_is_not_one_shows_a_page_rather_than_an_error():
    org = build_org()
    add_kpis(org.sales_objective, 148)

    for page in ("abc", "99", "-1"):
        response = client_for(org.manager).get(URL, {"page": page})
        assert response.status_code == 200
        assert row_ids(response.content.decode())


def test_paging_links_keep_the_period_and_the_filter():
    org = build_org()
    add_kpis(org.sales_objective, 148)

    html = (
        client_for(org.manager)
        .get(URL, {"period": "2025-05", "objective": org.sales_objective.pk, "page": "2"})
        .content.decode()
    )

    query = f"period=2025-05&amp;objective={org.sales_objective.pk}"
    assert f'href="/updates/?{query}" rel="prev">' in html
    assert f'href="/updates/?period=2025-04&amp;objective={org.sales_objective.pk}"' in html
    # The save form sends the filter and the page back, so saving returns to them.
    assert f'name="objective" value="{org.sales_objective.pk}"' in html
    assert 'name="page" value="2"' in html


def test_the_page_takes_as_many_queries_for_250_kpis_as_for_a_few():
    org = build_org()
    client = client_for(org.manager)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for kpi in add_kpis(org.sales_objective, 248):
        TargetFactory(kpi=kpi, period=org.month)
    ActualFactory(kpi=org.rev, period=org.month)

    with CaptureQueriesContext(connection) as many:
        html = client.get(URL).content.decode()

    assert "Next page" in html
    assert len(many) == len(few)


def test_the_counter_counts_every_row_of_the_filter_on_every_page():
    org = build_org()
    extra = add_kpis(org.sales_objective, 148)
    for kpi in (extra[0], extra[120], org.rev):
        ActualFactory(kpi=kpi, period=org.month)
    ActualFactory(kpi=org.ops, period=org.month)

    manager_page_2 = client_for(org.manager).get(URL, {"page": "2"}).content.decode()
    admin_sales = client_for(org.admin).get(URL, {"unit": org.sales.pk}).content.decode()

    assert "3 of 150 entered for" in manager_page_2
    assert "3 of 150 entered for" in admin_sales


def test_filtering_by_unit_shows_that_units_kpis():
    org = build_org()

    html = client_for(org.admin).get(URL, {"unit": org.operations.pk}).content.decode()

    assert shown_codes(html) == ["OPS"]
    assert "0 of 1 entered" in html
    assert f'<option value="{org.operations.pk}" selected>Operations</option>' in html


def test_filtering_by_objective_shows_its_kpis():
    org = build_org()

    html = client_for(org.admin).get(URL, {"objective": org.sales_objective.pk}).content.decode()

    assert shown_codes(html) == ["REV", "WIN"]


def test_missing_only_shows_the_rows_without_an_actual_and_the_counter_of_all():
    org = build_org()
    ActualFactory(kpi=org.rev, period=org.month)

    html = client_for(org.manager).get(URL, {"missing": "1"}).content.decode()

    assert shown_codes(html) == ["WIN"]
    assert "1 of 2 entered for" in html
    assert 'id="filter-missing" name="missing" value="1" checked' in html


def test_missing_only_looks_at_the_period_shown():
    org = build_org()
    ActualFactory(kpi=org.rev, period=org.month)

    html = client_for(org.manager).get(URL, {"missing": "1", "period": "2025-01"}).content.decode()

    assert shown_codes(html) == ["REV", "WIN"]


def test_a_filter_that_keeps_nothing_says_so():
    org = build_org()
    for kpi in (org.rev, org.win):
        ActualFactory(kpi=kpi, period=org.month)

    html = client_for(org.manager).get(URL, {"missing": "1"}).content.decode()

    assert "No rows match this filter." in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"unit": "sales"}, "There is no unit “sales” among your KPIs; showing every unit."),
        ({"unit": "999999"}, "There is no unit “999999” among your KPIs"),
        ({"objective": "F1"}, "There is no objective “F1” among your KPIs"),
        ({"missing": "maybe"}, "“Missing only” is on or off, not “maybe”; showing every row."),
    ],
)
def test_a_filter_value_that_is_unknown_answers_a_message_and_every_row(params, message):
    org = build_org()

    response = client_for(org.manager).get(URL, params)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert shown_codes(html) == ["REV", "WIN"]


def test_the_owner_may_not_filter_to_a_unit_they_do_not_update():
    org = build_org()

    html = client_for(org.manager).get(URL, {"unit": org.operations.pk}).content.decode()

    assert "There is no unit" in html
    assert shown_codes(html) == ["REV", "WIN"]
    assert f'<option value="{org.operations.pk}"' not in html


def test_a_contributor_filtering_by_the_objective_sees_only_the_kpis_naming_them():
    org = build_org()

    html = (
        client_for(org.contributor)
        .get(URL, {"objective": org.sales_objective.pk, "unit": org.sales.pk})
        .content.decode()
    )

    assert shown_codes(html) == ["WIN"]
    assert "0 of 1 entered" in html


def test_an_outsider_filtering_sees_nothing_and_no_choices():
    org = build_org()

    html = client_for(org.outsider).get(URL, {"unit": org.sales.pk}).content.decode()

    assert shown_codes(html) == []
    assert "There is no unit" in html
    assert 'id="filter-unit"' not in html


def test_an_admin_of_a_sub_unit_filters_only_among_its_kpis():
    org = build_org()
    sales_admin = people({"sales_admin": [(org.sales, Role.ADMIN)]})["sales_admin"]
    client = client_for(sales_admin)

    own = client.get(URL, {"unit": org.sales.pk}).content.decode()
    other = client.get(URL, {"unit": org.operations.pk}).content.decode()
    other_objective = client.get(URL, {"objective": org.ops_objective.pk}).content.decode()

    assert shown_codes(own) == ["REV", "WIN"]
    assert "There is no unit" in other
    assert shown_codes(other) == ["REV", "WIN"]
    assert "There is no objective" in other_objective
    assert shown_codes(other_objective) == ["REV", "WIN"]


def test_save_all_saves_the_rows_of_the_page_and_returns_to_the_filter_and_page():
    org = build_org()
    extra = add_kpis(org.sales_objective, 148)
    data = {"page_period": "", "objective": str(org.sales_objective.pk), "page": "2"}
    for kpi in extra[-3:]:
        data |= row_data(kpi, org.month, "100")

    response = client_for(org.manager).post(URL, data)

    assert response.status_code == 302
    assert response["Location"] == f"/updates/?objective={org.sales_objective.pk}&page=2"
    assert Actual.objects.filter(kpi__in=extra[-3:], period=org.month).count() == 3


def test_save_all_ignores_a_row_the_person_may_not_update():
    org = build_org()
    data = {"page_period": ""} | row_data(org.win, org.month, "100")
    data |= row_data(org.ops, org.month, "100")

    client_for(org.contributor).post(URL, data)

    assert list(Actual.objects.values_list("kpi__code", flat=True)) == ["WIN"]


def test_saving_a_row_refreshes_the_counter_of_the_filter():
    org = build_org()
    data = row_data(org.ops, org.month, "100") | {"unit": str(org.operations.pk)}

    html = (
        client_for(org.admin)
        .post(f"/updates/{org.ops.pk}/", data, HTTP_HX_REQUEST="true")
        .content.decode()
    )

    assert "1 of 1 entered for" in html
