"""What "My updates" says about its rows: how many are entered, last period's analysis as last
period's, rows that were refused as not saved, and a summary of the refused rows of "Save all"."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpis import periods
from kpis.selectors import kpis_for_updates, update_rows, updates_progress
from kpis.services import period_close
from tests.factories import ActualFactory, KpiFactory, TargetFactory
from tests.kpis.updates_org import HTMX, build_org, client_for, row_data

pytestmark = pytest.mark.django_db

URL = "/updates/"


def counter(html: str) -> str:
    found = re.search(r'<p class="updates-progress" id="updates-progress"[^>]*>([^<]*)</p>', html)
    assert found is not None, "no counter on the page"
    return found.group(1)


def test_the_counter_says_how_many_rows_have_an_actual_for_the_month():
    org = build_org()
    client = client_for(org.manager)

    before = client.get(URL).content.decode()
    ActualFactory(kpi=org.rev, period=org.month)
    # Last month's actual is not this month's.
    ActualFactory(kpi=org.win, period=periods.shift(org.month, "monthly", -1))
    after = client.get(URL).content.decode()

    assert counter(before) == f"0 of 2 entered for {org.month:%b %Y}"
    assert counter(after) == f"1 of 2 entered for {org.month:%b %Y}"


def test_the_counter_counts_each_kpi_in_its_own_period_on_the_page():
    org = build_org()
    today = timezone.localdate()
    quarterly = KpiFactory(objective=org.sales_objective, code="NPS", frequency="quarterly")
    ActualFactory(kpi=quarterly, period=periods.last_closed_period(today, "quarterly"))
    ActualFactory(kpi=org.rev, period=date(2025, 5, 1))
    ActualFactory(kpi=quarterly, period=date(2025, 4, 1))
    client = client_for(org.manager)

    due_now = client.get(URL).content.decode()
    may = client.get(URL, {"period": "2025-05"}).content.decode()

    assert counter(due_now) == f"1 of 3 entered for {org.month:%b %Y}"
    assert counter(may) == "2 of 3 entered for May 2025"


def test_the_counter_agrees_with_the_rows_the_page_shows_closed_rows_included():
    org = build_org()
    today = timezone.localdate()
    quarterly = KpiFactory(objective=org.sales_objective, code="NPS", frequency="quarterly")
    yearly = KpiFactory(objective=org.ops_objective, code="CO2", frequency="yearly")
    ActualFactory(kpi=org.rev, period=org.month)
    ActualFactory(kpi=yearly, period=periods.last_closed_period(today, "yearly"))
    ActualFactory(kpi=quarterly, period=periods.shift(org.month, "monthly", -12))
    period_close(through=periods.period_end(org.month, "monthly"), by=org.admin)

    for day in (None, org.month, periods.shift(org.month, "monthly", -12)):
        kpis = kpis_for_updates(org.admin)
        rows = [row for group in update_rows(kpis, day=day, today=today) for row in group.rows]
        progress = updates_progress(kpis, day=day, today=today)
        entered = sum(row.actual is not None for row in rows)
        assert (progress.entered, progress.total) == (entered, len(rows)), day


def test_saving_a_row_refreshes_the_counter_beside_it_and_a_refused_row_does_not():
    org = build_org()
    client = client_for(org.manager)

    saved = client.post(
        f"/updates/{org.rev.pk}/",
        {**row_data(org.rev, org.month, "100"), "page_period": ""},
        **HTMX,
    ).content.decode()
    refused = client.post(
        f"/updates/{org.win.pk}/",
        {**row_data(org.win, org.month, "70"), "page_period": ""},
        **HTMX,
    ).content.decode()
    chosen = client.post(
        f"/updates/{org.win.pk}/",
        {**row_data(org.win, date(2025, 5, 1), "100"), "page_period": "2025-05"},
        **HTMX,
    ).content.decode()

    assert saved.lstrip().startswith(f'<tr id="row-{org.rev.pk}"')
    assert re.search(
        r'<template>\s*<p class="updates-progress" id="updates-progress" hx-swap-oob="true">',
        saved,
    )
    assert counter(saved) == f"1 of 2 entered for {org.month:%b %Y}"
    assert "updates-progress" not in refused
    assert counter(chosen) == "1 of 2 entered for May 2025"


def test_saving_a_row_costs_as_many_queries_for_many_kpis_as_for_a_few():
    org = build_org()
    client = client_for(org.manager)

    def save(value: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/updates/{org.rev.pk}/",
                {**row_data(org.rev, org.month, value, version=str(version)), "page_period": ""},
                **HTMX,
            )
        assert response.status_code == 200
        return len(queries)

    version = 0
    save("100")
    version = 1
    few = save("101")
    for n in range(10):
        kpi = KpiFactory(objective=org.sales_objective, code=f"X{n}")
        TargetFactory(kpi=kpi, period=org.month)
        ActualFactory(kpi=kpi, period=org.month)
    version = 2
    many = save("102")

    assert many == few


def test_last_periods_analysis_is_shown_as_last_periods_and_not_in_this_periods_field():
    org = build_org()
    last_month = periods.shift(org.month, "monthly", -1)
    ActualFactory(kpi=org.rev, period=last_month, analysis="Two big deals slipped.")

    html = client_for(org.manager).get(URL).content.decode()

    pk = org.rev.pk
    assert (
        f'<p class="help previous-analysis" id="analysis-{pk}-previous">'
        f"Last period ({last_month:%b %Y}): Two big deals slipped.</p>"
    ) in html
    assert f'aria-describedby="analysis-{pk}-previous"></textarea>' in html
    # WIN has no analysis last period: nothing is said about it.
    assert f"analysis-{org.win.pk}-previous" not in html


def test_this_periods_own_analysis_stays_in_its_field():
    org = build_org()
    ActualFactory(kpi=org.rev, period=org.month, analysis="Record month.")

    html = client_for(org.manager).get(URL).content.decode()

    assert f'name="analysis-{org.rev.pk}">Record month.</textarea>' in html
    assert "Last period" not in html


def test_a_refused_off_track_value_says_not_saved_instead_of_a_status():
    org = build_org()

    refused = client_for(org.manager).post(
        f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "70"), **HTMX
    )

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "data-unsaved" in html
    assert (
        '<p class="row-unsaved"><span class="badge status-unsaved">Not saved</span>'
        " — add a corrective action</p>"
    ) in html
    assert "status-off_track" not in html


def test_a_refused_number_and_a_saved_row_say_what_they_are():
    org = build_org()
    client = client_for(org.manager)

    refused = client.post(f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "x"), **HTMX)
    saved = client.post(f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "95"), **HTMX)

    assert "Not saved</span> — check the actual" in refused.content.decode()
    assert "Not saved" not in saved.content.decode()
    assert "data-unsaved" not in saved.content.decode()
    assert "status-at_risk" in saved.content.decode()


def test_save_all_with_refused_rows_leads_with_a_summary_linking_to_each_field_to_fix():
    org = build_org()
    data = {
        "page_period": "",
        **row_data(org.rev, org.month, "70"),
        **row_data(org.win, org.month, "lots"),
        **row_data(org.ops, org.month, "100"),
    }

    response = client_for(org.admin).post(URL, data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: My updates" in html
    start = html.index('<div class="error-summary"')
    summary = html[start : html.index("</div>", start)]
    assert '<h2 id="error-summary-title">There is a problem</h2>' in summary
    assert "<p>2 rows could not be saved; 1 other saved.</p>" in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [target for target, _ in links] == [
        f"corrective_action-{org.rev.pk}",
        f"value-{org.win.pk}",
    ]
    assert links[0][1] == "REV Revenue: Off track: say what you will do about it."
    assert links[1][1].startswith("WIN Deals won: ")
    # Each link leads to a field on the page.
    assert f'id="corrective_action-{org.rev.pk}"' in html
    assert f'id="value-{org.win.pk}"' in html
    assert 'class="messages"' not in html


def test_a_page_with_nothing_refused_has_no_summary():
    org = build_org()

    html = client_for(org.manager).get(URL).content.decode()

    assert "error-summary" not in html
    assert "<title>My updates" in html


def test_without_javascript_a_refused_row_leads_the_page_with_the_summary():
    org = build_org()

    response = client_for(org.manager).post(
        f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "70")
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "<p>REV could not be saved.</p>" in html
    assert f'<a href="#corrective_action-{org.rev.pk}">' in html
