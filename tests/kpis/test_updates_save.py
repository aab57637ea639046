"""Saving rows of "My updates": with htmx one row, without JavaScript the whole form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.audit import history_for
from kpis.models import Actual
from kpis.services import actual_record
from tests.factories import ActualFactory
from tests.kpis.updates_org import HTMX, build_org, client_for, row_data

pytestmark = pytest.mark.django_db


def row_url(kpi) -> str:  # type: ignore[no-untyped-def]
    return f"/updates/{kpi.pk}/"


def test_saving_a_row_with_htmx_answers_the_row_with_its_new_score_and_status():
    org = build_org()

    response = client_for(org.manager).post(
        row_url(org.rev), row_data(org.rev, org.month, "105", analysis="Strong month."), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="row-{org.rev.pk}"')
    assert "<html" not in html
    assert "status-on_track" in html
    assert "Saved." in html
    actual = Actual.objects.get(kpi=org.rev, period=org.month)
    assert (actual.value, actual.analysis, actual.version) == (Decimal(105), "Strong month.", 1)
    assert actual.entered_by == org.manager
    assert f'name="version-{org.rev.pk}" value="1"' in html


def test_text_in_the_number_field_is_refused_next_to_the_field_and_nothing_is_written():
    org = build_org()

    response = client_for(org.manager).post(
        row_url(org.rev), row_data(org.rev, org.month, "about 100"), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a number" in html
    assert f'id="value-{org.rev.pk}-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="about 100"' in html
    assert not Actual.objects.exists()


def test_too_many_digits_are_refused_and_nothing_is_written():
    org = build_org()

    response = client_for(org.manager).post(
        row_url(org.rev), row_data(org.rev, org.month, "123456789012345678"), **HTMX
    )

    assert response.status_code == 400
    assert "Too many digits" in response.content.decode()
    assert not Actual.objects.exists()


def test_an_off_track_value_asks_for_a_corrective_action_before_it_is_saved():
    org = build_org()
    client = client_for(org.manager)

    refused = client.post(row_url(org.rev), row_data(org.rev, org.month, "70"), **HTMX)

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Off track: say what you will do about it." in html
    assert '<details class="corrective" open>' in html
    assert f'id="corrective_action-{org.rev.pk}-error"' in html
    assert not Actual.objects.exists()

    saved = client.post(
        row_url(org.rev),
        row_data(org.rev, org.month, "70", corrective_action="Two more sales reps."),
        **HTMX,
    )

    assert saved.status_code == 200
    assert "status-off_track" in saved.content.decode()
    assert Actual.objects.get().corrective_action == "Two more sales reps."


def test_a_saved_row_is_marked_saved_for_the_page_and_a_refused_or_conflicting_one_is_not():
    org = build_org()
    client = client_for(org.manager)
    saved_row = f'<tr id="row-{org.rev.pk}" class="update-row" data-kpi="{org.rev.pk}" data-saved>'

    refused = client.post(row_url(org.rev), row_data(org.rev, org.month, "70"), **HTMX)
    saved = client.post(row_url(org.rev), row_data(org.rev, org.month, "95"), **HTMX)
    unchanged = client.post(
        row_url(org.rev), row_data(org.rev, org.month, "95", version="1"), **HTMX
    )
    conflict = client.post(row_url(org.rev), row_data(org.rev, org.month, "96"), **HTMX)

    assert refused.status_code == 400
    assert "data-saved" not in refused.content.decode()
    assert (saved.status_code, saved_row in saved.content.decode()) == (200, True)
    assert (unchanged.status_code, saved_row in unchanged.content.decode()) == (200, True)
    assert "Nothing changed." in unchanged.content.decode()
    assert conflict.status_code == 409
    assert "data-saved" not in conflict.content.decode()


def test_an_at_risk_value_needs_no_corrective_action():
    org = build_org()

    response = client_for(org.manager).post(
        row_url(org.rev), row_data(org.rev, org.month, "95"), **HTMX
    )

    assert response.status_code == 200
    assert "status-at_risk" in response.content.decode()
    saved = Actual.objects.get()
    assert (saved.value, saved.corrective_action) == (95, "")


def test_a_save_based_on_an_older_version_shows_the_other_value_and_keeps_the_typed_one():
    org = build_org()
    actual_record(kpi=org.rev, period=org.month, value=Decimal(123), by=org.admin)
    client = client_for(org.manager)

    response = client.post(
        row_url(org.rev), row_data(org.rev, org.month, "101", version="0"), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "Admin saved 123 in the meantime" in html
    assert f'name="value-{org.rev.pk}" value="101"' in html
    assert f'name="version-{org.rev.pk}" value="1"' in html
    assert Actual.objects.get().value == 123

    # Saving again, knowing theirs, replaces it.
    again = client.post(row_url(org.rev), row_data(org.rev, org.month, "101", version="1"), **HTMX)
    assert again.status_code == 200
    assert Actual.objects.get().value == 101


def test_the_owner_and_the_manager_may_save_a_row_a_contributor_only_their_kpis_an_outsider_none():
    org = build_org()

    assert (
        client_for(org.manager)
        .post(row_url(org.rev), row_data(org.rev, org.month, "100"), **HTMX)
        .status_code
        == 200
    )
    assert (
        client_for(org.contributor)
        .post(row_url(org.win), row_data(org.win, org.month, "100"), **HTMX)
        .status_code
        == 200
    )
    assert (
        client_for(org.contributor)
        .post(row_url(org.rev), row_data(org.rev, org.month, "1"), **HTMX)
        .status_code
        == 403
    )
    assert (
        client_for(org.viewer)
        .post(row_url(org.rev), row_data(org.rev, org.month, "1"), **HTMX)
        .status_code
        == 403
    )
    assert (
        client_for(org.outsider)
        .post(row_url(org.rev), row_data(org.rev, org.month, "1"), **HTMX)
        .status_code
        == 404
    )
    assert Actual.objects.get(kpi=org.rev).value == 100


def test_a_calculated_kpi_refuses_actuals_on_its_row():
    org = build_org()

    response = client_for(org.manager).post(
        row_url(org.rate), row_data(org.rate, org.month, "1"), **HTMX
    )

    assert response.status_code == 403
    assert not Actual.objects.exists()


def test_without_javascript_a_rows_save_button_saves_it_and_redirects_with_a_message():
    org = build_org()
    client = client_for(org.manager)

    response = client.post(row_url(org.rev), row_data(org.rev, org.month, "100"))

    assert response.status_code == 302
    assert response["Location"] == f"/updates/#row-{org.rev.pk}"
    assert "REV: Saved." in client.get("/updates/").content.decode()


def test_without_javascript_a_refused_row_shows_the_whole_page_with_its_message():
    org = build_org()

    response = client_for(org.manager).post(row_url(org.rev), row_data(org.rev, org.month, "x"))

    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" in html
    assert "is not a number" in html


def test_save_all_records_every_changed_row_and_redirects_back_with_a_message():
    org = build_org()
    ActualFactory(kpi=org.win, period=org.month, value=Decimal(99))
    client = client_for(org.manager)
    data = {
        "page_period": "",
        **row_data(org.rev, org.month, "104", analysis="Good."),
        **row_data(org.win, org.month, "99", version="1"),
    }

    response = client.post("/updates/", data)

    assert response.status_code == 302
    assert response["Location"] == "/updates/"
    assert "Saved 1 actual." in client.get("/updates/").content.decode()
    assert Actual.objects.get(kpi=org.rev).value == 104
    assert Actual.objects.get(kpi=org.win).version == 1


def test_save_all_keeps_the_refused_rows_and_their_messages_and_saves_the_others():
    org = build_org()
    data = {
        **row_data(org.rev, org.month, "12,5"),
        **row_data(org.win, org.month, "101"),
    }

    response = client_for(org.manager).post("/updates/", data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "1 row could not be saved" in html
    assert 'value="12,5"' in html
    assert not Actual.objects.filter(kpi=org.rev).exists()
    assert Actual.objects.get(kpi=org.win).value == 101


def test_save_all_ignores_rows_of_kpis_the_person_may_not_update():
    org = build_org()
    data = {**row_data(org.rev, org.month, "1"), **row_data(org.win, org.month, "102")}

    response = client_for(org.contributor).post("/updates/", data)

    assert response.status_code == 302
    assert not Actual.objects.filter(kpi=org.rev).exists()
    assert Actual.objects.get(kpi=org.win).value == 102


def test_a_saved_row_is_recorded_in_the_kpis_history_with_who_saved_it():
    org = build_org()
    client = client_for(org.manager)
    client.post(row_url(org.rev), row_data(org.rev, org.month, "100"), **HTMX)
    client.post(row_url(org.rev), row_data(org.rev, org.month, "96", version="1"), **HTMX)

    entries = [
        entry
        for entry in history_for(org.rev, parts=[Actual])
        if entry.content_type.model == "actual"
    ]

    assert [entry.actor for entry in entries] == [org.manager, org.manager]
    assert entries[0].changes_dict["value"] == ["100.000000", "96"]
