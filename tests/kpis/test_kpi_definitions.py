"""KPI definitions in the strategy workspace: defined, edited, validated, retired with history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from kpis.models import Kpi
from kpis.services import kpi_create, kpi_reinstate, kpi_retire, kpi_update, target_set
from strategy.services import objective_create
from tests.factories import ActualFactory
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws():  # type: ignore[no-untyped-def]
    return build_workspace()


@pytest.fixture
def growth(ws):  # type: ignore[no-untyped-def]
    """F1, an objective of Sales in ACME's plan."""
    return objective_create(
        plan=ws.plan, perspective=ws.financial, code="F1", name="Grow", org_unit=ws.org.sales
    )


@pytest.fixture
def opaque(settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_TRANSPARENCY = False


def define(ws, growth, **fields):  # type: ignore[no-untyped-def]
    return kpi_create(
        plan=ws.plan, objective=growth, **{"code": "REV", "name": "Revenue", **fields}
    )


def edit(kpi: Kpi, **changes):  # type: ignore[no-untyped-def]
    fields = {
        "objective": kpi.objective,
        "code": kpi.code,
        "name": kpi.name,
        "description": kpi.description,
        "measure_unit": kpi.measure_unit,
        "decimals": kpi.decimals,
        "direction": kpi.direction,
        "frequency": kpi.frequency,
        "aggregation": kpi.aggregation,
        "tolerance": kpi.tolerance,
        "weight": kpi.weight,
        "owner": kpi.owner,
        "updaters": list(kpi.updaters.all()),
        "formula": kpi.formula,
        "baseline": kpi.baseline,
    }
    return kpi_update(kpi=kpi, **{**fields, **changes})


# --- services ------------------------------------------------------------------------------------


def test_a_kpi_is_defined_with_its_owner_and_updaters(ws, growth):
    kpi = define(
        ws,
        growth,
        measure_unit="EUR",
        decimals=0,
        owner=ws.org.manager,
        updaters=[ws.contributor],
        baseline=Decimal(900),
    )

    assert (kpi.plan, kpi.objective, kpi.measure_unit, kpi.owner, kpi.baseline) == (
        ws.plan,
        growth,
        "EUR",
        ws.org.manager,
        Decimal(900),
    )
    assert list(kpi.updaters.all()) == [ws.contributor]


def test_a_duplicate_code_in_the_plan_is_refused_at_the_code_even_when_retired(ws, growth):
    kpi_retire(kpi=define(ws, growth))

    with pytest.raises(ValidationError) as refused:
        define(ws, growth, name="Revenue again")

    assert refused.value.message_dict == {
        "code": ["This plan already has a KPI REV (retired): choose another code."]
    }
    assert Kpi.objects.count() == 1


def test_a_code_formulas_cannot_use_is_refused(ws, growth):
    with pytest.raises(ValidationError) as refused:
        define(ws, growth, code="REV-2")

    assert "starting with a letter" in refused.value.message_dict["code"][0]


def test_an_owner_without_access_to_the_objectives_unit_is_refused_at_the_owner(ws, growth):
    with pytest.raises(ValidationError) as refused:
        define(ws, growth, owner=ws.org.operator)

    assert refused.value.message_dict["owner"][0].startswith(
        "Operator has no access to the unit Sales"
    )
    assert not Kpi.objects.exists()


def test_an_updater_must_hold_a_role_that_enters_actuals_in_the_unit(ws, growth):
    with pytest.raises(ValidationError) as refused:
        define(ws, growth, updaters=[ws.contributor, ws.org.viewer, ws.org.outsider])

    [message] = refused.value.message_dict["updaters"]
    assert "Viewer has no access to the unit Sales" in message
    assert "the contributor or manager or admin role" in message
    assert "Outsider has no access" in message
    assert "Contributor" not in message.split(":")[0]
    assert not Kpi.objects.exists()


def test_a_formula_that_refers_to_its_own_kpi_is_refused_at_the_formula(ws, growth):
    with pytest.raises(ValidationError) as refused:
        define(ws, growth, code="MARGIN", formula="MARGIN * 2")

    assert refused.value.message_dict == {
        "formula": ["The formula uses its own KPI: MARGIN → MARGIN."]
    }


def test_a_formula_with_an_unknown_code_or_a_cycle_is_refused(ws, growth):
    define(ws, growth)
    double = define(ws, growth, code="DOUBLE", name="Twice", formula="2 * REV")

    with pytest.raises(ValidationError, match="Unknown KPI codes: LEADS, WON"):
        define(ws, growth, code="RATE", name="Rate", formula="WON / LEADS")
    with pytest.raises(ValidationError, match="would make a cycle"):
        edit(Kpi.objects.get(code="REV"), formula="DOUBLE / 2")

    assert double.formula == "2 * REV"


def test_a_negative_weight_or_tolerance_is_refused_at_its_field(ws, growth):
    with pytest.raises(ValidationError) as refused:
        define(ws, growth, weight=Decimal(-1), tolerance=Decimal("-0.1"))

    assert set(refused.value.message_dict) == {"weight", "tolerance"}


def test_editing_a_kpi_changes_its_definition_and_updaters(ws, growth):
    kpi = define(ws, growth, updaters=[ws.contributor])

    saved = edit(kpi, name="Net revenue", measure_unit="kEUR", updaters=[ws.org.manager])

    assert (saved.name, saved.measure_unit) == ("Net revenue", "kEUR")
    assert list(saved.updaters.all()) == [ws.org.manager]


def test_the_code_of_a_kpi_used_in_a_formula_cannot_change(ws, growth):
    kpi = define(ws, growth)
    define(ws, growth, code="DOUBLE", name="Twice", formula="2 * REV")

    with pytest.raises(ValidationError) as refused:
        edit(kpi, code="REVENUE")

    assert "used in the formula of DOUBLE" in refused.value.message_dict["code"][0]


def test_the_frequency_of_a_kpi_with_targets_cannot_change(ws, growth):
    kpi = define(ws, growth)
    target_set(kpi=kpi, period=datetime.date(2026, 1, 1), goal=Decimal(100))

    with pytest.raises(ValidationError) as refused:
        edit(kpi, frequency="quarterly")

    assert "already has targets or actuals" in refused.value.message_dict["frequency"][0]


def test_retiring_a_kpi_keeps_its_targets_actuals_and_history(ws, growth):
    kpi = define(ws, growth)
    target_set(kpi=kpi, period=datetime.date(2026, 1, 1), goal=Decimal(100))
    ActualFactory(kpi=kpi, period=datetime.date(2026, 1, 1), value=Decimal(90))

    retired = kpi_retire(kpi=kpi)

    assert retired.is_retired
    assert (kpi.targets.count(), kpi.actuals.count()) == (1, 1)
    assert LogEntry.objects.get_for_object(kpi).count() >= 2  # defined, then retired
    assert kpi_reinstate(kpi=kpi).is_retired is False


def test_a_kpi_used_in_an_active_formula_cannot_be_retired(ws, growth):
    kpi = define(ws, growth)
    define(ws, growth, code="DOUBLE", name="Twice", formula="2 * REV")

    with pytest.raises(ValidationError, match="used in the formula of DOUBLE"):
        kpi_retire(kpi=kpi)

    kpi.refresh_from_db()
    assert not kpi.is_retired


# --- pages ---------------------------------------------------------------------------------------


def kpi_form(growth, **changes: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "objective": growth.pk,
        "code": "REV",
        "name": "Revenue",
        "measure_unit": "EUR",
        "decimals": 0,
        "direction": "increase",
        "frequency": "monthly",
        "aggregation": "sum",
        "tolerance": "10",
        "weight": "1",
        "formula": "",
    }
    data.update(changes)
    return data


def test_the_owner_defines_a_kpi_and_goes_on_to_its_targets(ws, growth):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/plans/{ws.plan.pk}/kpis/new/", kpi_form(growth, updaters=[ws.contributor.pk])
    )

    kpi = Kpi.objects.get()
    assert response["Location"] == f"/strategy/kpis/{kpi.pk}/targets/"
    assert kpi.tolerance == Decimal("0.1")  # entered as 10 %
    assert list(kpi.updaters.all()) == [ws.contributor]


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_a_lesser_role_may_not_define_or_edit_a_kpi(ws, growth, who):
    kpi = define(ws, growth)
    client = client_for(getattr(ws.org, who))

    created = client.post(f"/strategy/plans/{ws.plan.pk}/kpis/new/", kpi_form(growth, code="X"))
    edited = client.post(f"/strategy/kpis/{kpi.pk}/edit/", kpi_form(growth, name="Changed"))
    retired = client.post(f"/strategy/kpis/{kpi.pk}/retire/")

    assert (created.status_code, edited.status_code, retired.status_code) == (403, 403, 403)
    kpi.refresh_from_db()
    assert (kpi.name, kpi.is_retired, Kpi.objects.count()) == ("Revenue", False, 1)


def test_without_transparency_an_outsider_gets_404_for_a_kpi(ws, growth, opaque):
    kpi = define(ws, growth)
    client = client_for(ws.org.outsider)

    assert client.get(f"/strategy/kpis/{kpi.pk}/edit/").status_code == 404
    assert client.post(f"/strategy/kpis/{kpi.pk}/retire/").status_code == 404
    assert client.get(f"/strategy/plans/{ws.plan.pk}/kpis/").status_code == 404


def test_a_self_referring_formula_is_shown_at_the_formula_field_and_nothing_is_saved(ws, growth):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/plans/{ws.plan.pk}/kpis/new/",
        kpi_form(growth, code="MARGIN", formula="MARGIN + 1"),
        **HTMX,
    )

    assert response.status_code == 400
    assert "The formula uses its own KPI: MARGIN → MARGIN." in response.content.decode()
    assert not Kpi.objects.exists()


def test_the_formula_is_checked_live_as_it_is_typed(ws, growth):
    define(ws, growth)
    client = client_for(ws.org.root_admin)
    url = f"/strategy/plans/{ws.plan.pk}/kpis/formula-check/"

    own = client.get(url, {"code": "MARGIN", "formula": "MARGIN / REV"}, **HTMX)
    fine = client.get(url, {"code": "MARGIN", "formula": "REV / 2"}, **HTMX)
    broken = client.get(url, {"code": "MARGIN", "formula": "REV +"}, **HTMX)

    assert "The formula uses its own KPI: MARGIN → MARGIN." in own.content.decode()
    assert "The formula is valid." in fine.content.decode()
    assert "syntax error" in broken.content.decode()
    assert not Kpi.objects.filter(code="MARGIN").exists()


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_a_lesser_role_may_not_use_the_formula_check(ws, who):
    url = f"/strategy/plans/{ws.plan.pk}/kpis/formula-check/"

    assert client_for(getattr(ws.org, who)).get(url, {"formula": "1"}).status_code == 403


def test_the_owner_edits_and_retires_a_kpi_from_its_pages(ws, growth):
    kpi = define(ws, growth)
    client = client_for(ws.org.root_admin)

    form = client.get(f"/strategy/kpis/{kpi.pk}/edit/")
    client.post(f"/strategy/kpis/{kpi.pk}/edit/", kpi_form(growth, name="Net revenue"))
    listed = client.post(f"/strategy/kpis/{kpi.pk}/retire/", **HTMX)

    kpi.refresh_from_db()
    assert form.status_code == 200
    assert 'value="10"' in form.content.decode()
    assert (kpi.name, kpi.is_retired) == ("Net revenue", True)
    assert "was retired: its history stays" in listed.content.decode()


def test_the_kpi_list_shows_every_objective_with_its_kpis_to_anyone_who_sees_the_plan(ws, growth):
    define(ws, growth)

    html = client_for(ws.org.viewer).get(f"/strategy/plans/{ws.plan.pk}/kpis/").content.decode()

    assert "REV Revenue" in html
    assert "New KPI for F1" not in html  # no edit rights


def test_a_kpi_name_with_control_characters_is_refused_at_the_name(ws, growth):
    for name in ("Revenue\x07", "Reve\x0bnue", "Revenue\nper month"):
        with pytest.raises(ValidationError) as refused:
            define(ws, growth, name=name)

        assert "Remove the control characters" in refused.value.message_dict["name"][0]
    assert not Kpi.objects.exists()


def test_a_kpi_name_with_a_control_character_is_shown_at_the_name_field(ws, growth):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/plans/{ws.plan.pk}/kpis/new/", kpi_form(growth, name="Rev\x0benue"), **HTMX
    )

    assert response.status_code == 400
    assert "Remove the control characters (U+000B)" in response.content.decode()
    assert not Kpi.objects.exists()
