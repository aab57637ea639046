"""The commentary of an objective for a period: written by its owner (or an admin over its
unit), shown on its page and in its summary on the dashboard, audited."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry

from strategy.models import ObjectiveComment
from tests.factories import ObjectiveFactory
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)
APR = datetime.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("scorecard.views._today", lambda: TODAY)


def sales_objective(ws):  # type: ignore[no-untyped-def]
    """An objective of ACME's plan run by Sales, owned by Sales's manager."""
    return ObjectiveFactory(
        plan=ws.plan,
        perspective=ws.customer,
        org_unit=ws.org.sales,
        owner=ws.org.manager,
        code="C1",
        name="Win the north",
    )


def post(user, objective, text="Pipeline doubled; pricing still hurts.", **extra):  # type: ignore[no-untyped-def]
    data = {"period": "2026-04", "view": "month", "text": text, **extra}
    return client_for(user).post(f"/objectives/{objective.pk}/commentary/", data, **HTMX)


def test_the_owner_writes_the_commentary_and_it_shows_on_the_page_and_the_dashboard_summary():
    ws = build_workspace()
    objective = sales_objective(ws)

    response = post(ws.org.manager, objective)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<section class="commentary" id="commentary"')
    assert "Commentary saved." in html
    comment = ObjectiveComment.objects.get()
    assert (comment.objective, comment.period, comment.written_by) == (
        objective,
        APR,
        ws.org.manager,
    )
    page = client_for(ws.org.viewer).get(f"/objectives/{objective.pk}/?period=2026-04")
    summary = client_for(ws.org.viewer).get(
        f"/objectives/{objective.pk}/?period=2026-04&view=month",
        **HTMX,
        HTTP_HX_TARGET="objective-summary",
    )
    for shown in (page, summary):
        text = shown.content.decode()
        assert "Commentary for Apr 2026" in text
        assert "Pipeline doubled; pricing still hurts." in text
        assert "Edit the commentary" not in text  # the viewer reads it only
    assert "<html" not in summary.content.decode()
    march = client_for(ws.org.viewer).get(f"/objectives/{objective.pk}/?period=2026-03")
    assert "No commentary for Mar 2026 yet." in march.content.decode()


def test_saving_again_replaces_the_text_and_saving_it_empty_removes_it():
    ws = build_workspace()
    objective = sales_objective(ws)
    post(ws.org.manager, objective, "First words")

    post(ws.org.manager, objective, "Second words")
    assert ObjectiveComment.objects.get().text == "Second words"
    post(ws.org.manager, objective, "  ")
    assert not ObjectiveComment.objects.exists()


def test_every_change_of_a_commentary_is_audited():
    ws = build_workspace()
    objective = sales_objective(ws)

    post(ws.org.manager, objective, "First words")
    post(ws.org.manager, objective, "Second words")

    entries = LogEntry.objects.filter(content_type__model="objectivecomment").order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[1].actor == ws.org.manager
    assert entries[1].changes_dict["text"] == ["First words", "Second words"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200),  # the owner
        ("root_admin", 200),  # an admin of the whole organisation
        ("sales_admin", 200),  # an admin of the objective's unit
        ("contributor", 403),  # a lesser role in the objective's unit
        ("viewer", 403),  # sees it, may not write it
        ("outsider", 404),  # may not see it
    ],
)
def test_who_may_write_the_commentary_of_an_objective_run_by_sales(settings, who, status):
    settings.SCORECARD_TRANSPARENCY = False
    ws = build_workspace()
    objective = sales_objective(ws)
    user = ws.contributor if who == "contributor" else getattr(ws.org, who)

    response = post(user, objective)

    assert response.status_code == status
    assert ObjectiveComment.objects.exists() is (status == 200)


def test_an_admin_of_a_sub_unit_may_not_write_the_commentary_of_an_objective_above_it(settings):
    settings.SCORECARD_TRANSPARENCY = True
    ws = build_workspace()
    group = ObjectiveFactory(plan=ws.plan, perspective=ws.financial, org_unit=ws.org.acme)

    refused = post(ws.org.sales_admin, group)
    page = client_for(ws.org.sales_admin).get(f"/objectives/{group.pk}/?period=2026-04")

    assert refused.status_code == 403
    assert not ObjectiveComment.objects.exists()
    assert "Write the commentary" not in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "2026-09"}, "Sep 2026 is outside the periods of ACME 2026 with results"),
        ({"period": "soon"}, "“soon” is not a month"),
        ({"period": ""}, "Choose the month the commentary is for."),
        ({"text": "x" * 4001}, "Keep the commentary to 4000 characters (it has 4001)."),
    ],
)
def test_a_commentary_for_a_period_without_results_or_too_long_is_refused(data, message):
    ws = build_workspace()
    objective = sales_objective(ws)

    response = post(ws.org.manager, objective, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ObjectiveComment.objects.exists()


def test_without_javascript_a_saved_commentary_goes_back_to_the_objectives_page():
    ws = build_workspace()
    objective = sales_objective(ws)
    client = client_for(ws.org.manager)
    url = f"/objectives/{objective.pk}/commentary/"

    saved = client.post(url, {"period": "2026-04", "view": "month", "text": "Words"})
    refused = client.post(url, {"period": "2026-04", "view": "month", "text": "x" * 4001})

    assert saved.status_code == 302
    assert saved["Location"] == f"/objectives/{objective.pk}/?period=2026-04&view=month#commentary"
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "<h1>C1 Win the north</h1>" in html
    assert "Keep the commentary to 4000 characters" in html
