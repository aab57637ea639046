"""The strategy workspace's pages: the owner (an admin) changes the plan; a manager of another
unit or a viewer may look but gets 403 on changes; an outsider gets 404 without transparency."""

from __future__ import annotations

import datetime

import pytest

from strategy.forms import PERSON_NOT_OFFERED
from strategy.models import Objective, ObjectiveLink, Perspective, StrategicPlan
from strategy.services import objective_create, objective_link_create, plan_create, plan_update
from tests.strategy.workspace import END, HTMX, START, build_workspace, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws():  # type: ignore[no-untyped-def]
    return build_workspace()


@pytest.fixture
def opaque(settings):  # type: ignore[no-untyped-def]
    """Transparency off: people see only their own subtrees."""
    settings.SCORECARD_TRANSPARENCY = False


def objective_data(perspective_pk: int, **fields: str) -> dict[str, str]:
    """The add form as a browser posts it (the unit defaults to the perspective's plan's)."""
    prefix = f"new-{perspective_pk}"
    unit = str(Perspective.objects.get(pk=perspective_pk).plan.org_unit_id)
    data = {"code": "F1", "name": "Grow revenue", "weight": "1", "org_unit": unit, "owner": ""}
    data.update(fields)
    return {
        "perspective_id": str(perspective_pk),
        f"{prefix}-perspective": str(perspective_pk),
        **{f"{prefix}-{key}": value for key, value in data.items()},
    }


def add_objective_url(ws) -> str:  # type: ignore[no-untyped-def]
    return f"/strategy/plans/{ws.plan.pk}/objectives/add/"


# --- the plan list and page ----------------------------------------------------------------------


def test_the_plan_list_links_each_visible_plan_and_offers_a_new_plan_to_admins(ws):
    html = client_for(ws.org.root_admin).get("/strategy/").content.decode()

    assert f'href="/strategy/plans/{ws.plan.pk}/"' in html
    assert 'href="/strategy/new/"' in html


def test_a_viewer_sees_the_plans_but_no_new_plan_action(ws):
    html = client_for(ws.org.viewer).get("/strategy/").content.decode()

    assert "ACME 2026" in html
    assert "New plan" not in html


def test_without_transparency_an_outsider_sees_no_plan(ws, opaque):
    html = client_for(ws.org.outsider).get("/strategy/").content.decode()

    assert "ACME 2026" not in html


def test_the_navigation_links_to_the_strategy_workspace(ws):
    html = client_for(ws.org.viewer).get("/").content.decode()

    assert '<a href="/strategy/"' in html


def test_the_owner_sees_the_plan_with_its_map_health_and_edit_forms(ws):
    response = client_for(ws.org.root_admin).get(f"/strategy/plans/{ws.plan.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Strategy map" in html
    assert "Strategy health" in html
    assert "Edit the plan" in html
    assert "Add an objective to Financial" in html


def test_a_viewer_sees_the_plan_without_any_edit_form(ws):
    response = client_for(ws.org.viewer).get(f"/strategy/plans/{ws.plan.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Edit the plan" not in html
    assert "Add an objective" not in html
    assert "Strategy health" in html


def test_without_transparency_an_outsider_gets_404_for_the_plan(ws, opaque):
    assert client_for(ws.org.outsider).get(f"/strategy/plans/{ws.plan.pk}/").status_code == 404


def test_without_transparency_a_member_of_another_subtree_gets_404(ws, opaque):
    assert client_for(ws.org.operator).get(f"/strategy/plans/{ws.plan.pk}/").status_code == 404


# --- objectives ----------------------------------------------------------------------------------


def test_the_owner_adds_an_objective_and_returns_to_the_plan(ws):
    response = client_for(ws.org.root_admin).post(
        add_objective_url(ws), objective_data(ws.financial.pk)
    )

    objective = Objective.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/strategy/plans/{ws.plan.pk}/#objective-{objective.pk}"
    assert (objective.code, objective.perspective) == ("F1", ws.financial)


def test_with_htmx_only_the_perspective_is_redrawn_and_the_map_follows_out_of_band(ws):
    response = client_for(ws.org.root_admin).post(
        add_objective_url(ws), objective_data(ws.customer.pk, code="C1"), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    # The other perspectives' add forms are not in the answer, so what is typed there stays.
    assert html.lstrip().startswith(
        f'<section class="card perspective" id="perspective-{ws.customer.pk}"'
    )
    assert f'id="perspective-{ws.financial.pk}"' not in html
    assert 'id="workspace"' not in html
    assert 'id="map-card" aria-labelledby="map-heading" hx-swap-oob="true"' in html
    assert ">C1</tspan>" in html
    assert "was added to Customer" in html


def test_with_htmx_a_refused_objective_redraws_only_its_perspective_with_the_error(ws):
    response = client_for(ws.org.root_admin).post(
        add_objective_url(ws), objective_data(ws.customer.pk, code=""), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert html.lstrip().startswith(
        f'<section class="card perspective" id="perspective-{ws.customer.pk}"'
    )
    assert "hx-swap-oob" not in html
    assert "This field is required." in html


def add_form_is_open(html: str, perspective_pk: int) -> bool:
    """Whether the perspective's add form is drawn open (its <details> has `open`)."""
    section = html.split(f'id="perspective-{perspective_pk}"', 1)[1].split("</section>", 1)[0]
    details = section.split('<details class="add-objective"', 1)[1].split(">", 1)[0]
    return "open" in details


@pytest.mark.parametrize("page", ["plan", "setup"])
def test_an_add_form_is_open_until_its_perspective_has_objectives(ws, page):
    objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    url = {
        "plan": f"/strategy/plans/{ws.plan.pk}/",
        "setup": f"/strategy/plans/{ws.plan.pk}/setup/objectives/",
    }[page]

    html = client_for(ws.org.root_admin).get(url).content.decode()

    assert not add_form_is_open(html, ws.financial.pk)
    assert add_form_is_open(html, ws.customer.pk)


def test_a_refused_add_form_stays_open_although_its_perspective_has_objectives(ws):
    objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    response = client_for(ws.org.root_admin).post(
        add_objective_url(ws), objective_data(ws.financial.pk, code="F1")
    )

    assert response.status_code == 400
    assert add_form_is_open(response.content.decode(), ws.financial.pk)


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_a_lesser_role_may_not_add_an_objective(ws, who):
    response = client_for(getattr(ws.org, who)).post(
        add_objective_url(ws), objective_data(ws.financial.pk)
    )

    assert response.status_code == 403
    assert not Objective.objects.exists()


def test_without_transparency_an_outsider_gets_404_when_adding_an_objective(ws, opaque):
    response = client_for(ws.org.outsider).post(
        add_objective_url(ws), objective_data(ws.financial.pk)
    )

    assert response.status_code == 404
    assert not Objective.objects.exists()


def test_a_duplicate_code_is_refused_at_the_code_field_and_nothing_is_saved(ws):
    objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    response = client_for(ws.org.root_admin).post(
        add_objective_url(ws), objective_data(ws.customer.pk, code="F1"), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "ACME 2026 already has an objective F1: choose another code." in html
    assert Objective.objects.count() == 1


def test_an_owner_without_access_to_the_unit_is_refused_at_the_owner_field(ws):
    data = objective_data(
        ws.customer.pk, code="C1", owner=str(ws.org.operator.pk), org_unit=str(ws.org.sales.pk)
    )

    response = client_for(ws.org.root_admin).post(add_objective_url(ws), data)

    # Not offered for Sales, so the form refuses the choice before the service would.
    assert response.status_code == 400
    assert PERSON_NOT_OFFERED in response.content.decode()
    assert not Objective.objects.exists()


def test_the_edit_form_replaces_the_objective_in_place_with_htmx(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    response = client_for(ws.org.root_admin).get(f"/strategy/objectives/{growth.pk}/edit/", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="objective" id="objective-{growth.pk}">')
    assert "Edit F1 Grow" in html


def test_editing_an_objective_saves_it_and_a_lesser_role_may_not(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    prefix = f"objective-{growth.pk}"
    data = {
        f"{prefix}-perspective": str(ws.customer.pk),
        f"{prefix}-code": "C9",
        f"{prefix}-name": "Grow with customers",
        f"{prefix}-org_unit": str(ws.org.acme.pk),
        f"{prefix}-weight": "2",
    }
    url = f"/strategy/objectives/{growth.pk}/edit/"

    assert client_for(ws.org.manager).post(url, data).status_code == 403
    assert client_for(ws.org.root_admin).post(url, data).status_code == 302

    growth.refresh_from_db()
    assert (growth.code, growth.perspective) == ("C9", ws.customer)


def test_moving_an_objective_to_another_perspective(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    url = f"/strategy/objectives/{growth.pk}/move/"

    assert client_for(ws.org.viewer).post(url, {"perspective": ws.learning.pk}).status_code == 403
    response = client_for(ws.org.root_admin).post(url, {"perspective": ws.learning.pk}, **HTMX)

    growth.refresh_from_db()
    assert response.status_code == 200
    assert growth.perspective == ws.learning


# --- links ---------------------------------------------------------------------------------------


def test_linking_cause_to_effect_draws_an_arrow_on_the_map(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    delight = objective_create(plan=ws.plan, perspective=ws.customer, code="C1", name="Delight")

    response = client_for(ws.org.root_admin).post(
        f"/strategy/plans/{ws.plan.pk}/links/add/",
        {"cause": delight.pk, "effect": growth.pk},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="map-link"') == 1
    assert ObjectiveLink.objects.filter(cause=delight, effect=growth).exists()


def test_a_link_closing_a_cycle_is_refused_with_the_path_it_would_close(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    delight = objective_create(plan=ws.plan, perspective=ws.customer, code="C1", name="Delight")
    objective_link_create(cause=delight, effect=growth)

    response = client_for(ws.org.root_admin).post(
        f"/strategy/plans/{ws.plan.pk}/links/add/", {"cause": growth.pk, "effect": delight.pk}
    )

    assert response.status_code == 400
    assert "This link would close a cycle: F1 → C1 → F1." in response.content.decode()
    assert ObjectiveLink.objects.count() == 1


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_a_lesser_role_may_not_link_or_unlink(ws, who):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    delight = objective_create(plan=ws.plan, perspective=ws.customer, code="C1", name="Delight")
    link = objective_link_create(cause=delight, effect=growth)
    client = client_for(getattr(ws.org, who))

    added = client.post(
        f"/strategy/plans/{ws.plan.pk}/links/add/", {"cause": growth.pk, "effect": delight.pk}
    )
    removed = client.post(f"/strategy/links/{link.pk}/delete/")

    assert (added.status_code, removed.status_code) == (403, 403)
    assert ObjectiveLink.objects.count() == 1


def test_the_owner_removes_a_link(ws):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    delight = objective_create(plan=ws.plan, perspective=ws.customer, code="C1", name="Delight")
    link = objective_link_create(cause=delight, effect=growth)

    response = client_for(ws.org.root_admin).post(f"/strategy/links/{link.pk}/delete/")

    assert response.status_code == 302
    assert not ObjectiveLink.objects.exists()


def test_without_transparency_an_outsider_gets_404_for_a_link(ws, opaque):
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    delight = objective_create(plan=ws.plan, perspective=ws.customer, code="C1", name="Delight")
    link = objective_link_create(cause=delight, effect=growth)

    assert client_for(ws.org.outsider).post(f"/strategy/links/{link.pk}/delete/").status_code == 404


# --- perspectives --------------------------------------------------------------------------------


def test_a_negative_perspective_weight_is_refused_at_the_weight_field(ws):
    prefix = f"perspective-{ws.customer.pk}"

    response = client_for(ws.org.root_admin).post(
        f"/strategy/perspectives/{ws.customer.pk}/edit/",
        {f"{prefix}-name": "Customer", f"{prefix}-weight": "-1"},
        **HTMX,
    )

    assert response.status_code == 400
    assert "A weight cannot be negative" in response.content.decode()
    ws.customer.refresh_from_db()
    assert ws.customer.weight == 1


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_a_lesser_role_may_not_change_perspectives(ws, who):
    client = client_for(getattr(ws.org, who))

    added = client.post(
        f"/strategy/plans/{ws.plan.pk}/perspectives/add/",
        {"new-perspective-name": "Risk", "new-perspective-weight": "1"},
    )
    moved = client.post(f"/strategy/perspectives/{ws.learning.pk}/move/", {"position": 0})

    assert (added.status_code, moved.status_code) == (403, 403)


def test_the_owner_adds_and_reorders_perspectives(ws):
    client = client_for(ws.org.root_admin)

    client.post(
        f"/strategy/plans/{ws.plan.pk}/perspectives/add/",
        {"new-perspective-name": "Risk", "new-perspective-weight": "0.5"},
    )
    client.post(f"/strategy/perspectives/{ws.learning.pk}/move/", {"position": 0})

    assert list(ws.plan.perspectives.order_by("order").values_list("name", flat=True)) == [
        "Learning & growth",
        "Financial",
        "Customer",
        "Internal processes",
        "Risk",
    ]


def test_without_transparency_an_outsider_gets_404_for_a_perspective(ws, opaque):
    response = client_for(ws.org.outsider).post(
        f"/strategy/perspectives/{ws.learning.pk}/move/", {"position": 0}
    )

    assert response.status_code == 404


# --- the plan itself -----------------------------------------------------------------------------


def plan_data(plan: StrategicPlan, **changes: str) -> dict[str, str]:
    data = {
        "name": plan.name,
        "start": plan.start.isoformat(),
        "end": plan.end.isoformat(),
        "status": plan.status,
        "vision": "Lead the market.",
        "mission": "Serve our customers.",
        "values": "Honesty\nCourage",
    }
    data.update(changes)
    return {f"plan-{key}": value for key, value in data.items()}


def test_the_owner_edits_the_plan_in_place(ws):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/plans/{ws.plan.pk}/edit/", plan_data(ws.plan, status="active"), **HTMX
    )

    ws.plan.refresh_from_db()
    assert response.status_code == 200
    assert 'id="basics"' in response.content.decode()
    assert (ws.plan.status, ws.plan.vision, ws.plan.value_list()) == (
        "active",
        "Lead the market.",
        ["Honesty", "Courage"],
    )


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_a_lesser_role_may_not_edit_or_archive_the_plan(ws, who):
    client = client_for(getattr(ws.org, who))

    edited = client.post(f"/strategy/plans/{ws.plan.pk}/edit/", plan_data(ws.plan))
    archived = client.post(f"/strategy/plans/{ws.plan.pk}/archive/")

    assert (edited.status_code, archived.status_code) == (403, 403)
    ws.plan.refresh_from_db()
    assert ws.plan.status == "draft"


def test_without_transparency_an_outsider_gets_404_when_editing_the_plan(ws, opaque):
    response = client_for(ws.org.outsider).post(
        f"/strategy/plans/{ws.plan.pk}/edit/", plan_data(ws.plan)
    )

    assert response.status_code == 404


def test_archiving_a_plan_with_an_active_child_is_refused_with_the_reason(ws):
    child = plan_create(
        org_unit=ws.org.sales, name="Sales 2026", start=START, end=END, parent=ws.plan
    )
    plan_update(plan=child, status="active")

    response = client_for(ws.org.root_admin).post(f"/strategy/plans/{ws.plan.pk}/archive/", **HTMX)

    assert response.status_code == 400
    assert "has the active child plan Sales 2026" in response.content.decode()
    ws.plan.refresh_from_db()
    assert ws.plan.status == "draft"


def test_a_plan_ending_before_it_starts_is_refused_at_the_end_field(ws):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/plans/{ws.plan.pk}/edit/", plan_data(ws.plan, end="2025-01-01")
    )

    assert response.status_code == 400
    assert "The plan must end after it starts." in response.content.decode()


def test_a_manager_edits_their_units_cascaded_plan(ws):
    sales_plan = plan_create(
        org_unit=ws.org.sales, name="Sales 2026", start=START, end=END, parent=ws.plan
    )
    financial = sales_plan.perspectives.get(kind="financial")

    response = client_for(ws.org.manager).post(
        f"/strategy/plans/{sales_plan.pk}/objectives/add/", objective_data(financial.pk)
    )

    assert response.status_code == 302
    assert sales_plan.objectives.get().code == "F1"


# --- the guided setup ----------------------------------------------------------------------------


def test_the_vision_step_saves_and_leads_to_the_objectives_step(ws):
    client = client_for(ws.org.root_admin)

    page = client.get(f"/strategy/plans/{ws.plan.pk}/setup/vision/")
    response = client.post(
        f"/strategy/plans/{ws.plan.pk}/setup/vision/",
        {"vision": "Lead.", "mission": "Serve.", "values": ""},
    )

    assert page.status_code == 200
    assert 'aria-current="step"' in page.content.decode()
    assert response["Location"] == f"/strategy/plans/{ws.plan.pk}/setup/objectives/"
    ws.plan.refresh_from_db()
    assert (ws.plan.vision, ws.plan.mission) == ("Lead.", "Serve.")


def test_the_objectives_step_adds_objectives_and_stays_on_the_step(ws):
    data = {**objective_data(ws.financial.pk), "step": "objectives"}

    response = client_for(ws.org.root_admin).post(add_objective_url(ws), data)

    assert response["Location"].startswith(f"/strategy/plans/{ws.plan.pk}/setup/objectives/")


def test_every_setup_step_opens_for_the_owner(ws):
    client = client_for(ws.org.root_admin)
    steps = ["basics", "vision", "objectives", "links", "kpis", "action-plans"]

    statuses = [
        client.get(f"/strategy/plans/{ws.plan.pk}/setup/{step}/").status_code for step in steps
    ]

    assert statuses == [200] * len(steps)


def test_the_action_plans_step_links_each_objective_to_a_new_action_plan_page(ws):
    objective = Objective.objects.create(
        plan=ws.plan, perspective=ws.financial, org_unit=ws.org.acme, code="F9", name="Grow"
    )
    page = client_for(ws.org.root_admin).get(f"/strategy/plans/{ws.plan.pk}/setup/action-plans/")

    assert f'href="/action-plans/new/?objective={objective.pk}"' in page.content.decode()
    assert "/admin/" not in page.content.decode()


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_a_lesser_role_gets_403_for_the_setup(ws, who):
    response = client_for(getattr(ws.org, who)).get(f"/strategy/plans/{ws.plan.pk}/setup/vision/")

    assert response.status_code == 403


def test_without_transparency_an_outsider_gets_404_for_the_setup(ws, opaque):
    response = client_for(ws.org.outsider).get(f"/strategy/plans/{ws.plan.pk}/setup/links/")

    assert response.status_code == 404


# --- starting a plan -----------------------------------------------------------------------------


def new_plan_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "ACME 2027",
        "start": "2027-01-01",
        "end": "2027-12-31",
        "template": "empty",
    }
    data.update(changes)
    return data


def test_an_admin_starts_a_plan_and_continues_with_its_vision(ws):
    response = client_for(ws.org.root_admin).post(
        "/strategy/new/", new_plan_data(org_unit=ws.org.acme.pk)
    )

    plan = StrategicPlan.objects.get(name="ACME 2027")
    assert response["Location"] == f"/strategy/plans/{plan.pk}/setup/vision/"
    assert plan.perspectives.count() == 4


def test_starting_a_plan_as_a_copy_of_another(ws):
    objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    client_for(ws.org.root_admin).post(
        "/strategy/new/",
        new_plan_data(org_unit=ws.org.acme.pk, template="copy", source=ws.plan.pk),
    )

    plan = StrategicPlan.objects.get(name="ACME 2027")
    assert list(plan.objectives.values_list("code", flat=True)) == ["F1"]


def test_a_copy_needs_the_plan_to_copy(ws):
    response = client_for(ws.org.root_admin).post(
        "/strategy/new/", new_plan_data(org_unit=ws.org.acme.pk, template="copy")
    )

    assert response.status_code == 400
    assert "Choose the plan to copy." in response.content.decode()


def test_a_manager_starts_only_a_plan_cascading_from_a_parent_plan(ws):
    client = client_for(ws.org.manager)

    refused = client.post("/strategy/new/", new_plan_data(org_unit=ws.org.sales.pk))
    started = client.post(
        "/strategy/new/", new_plan_data(org_unit=ws.org.sales.pk, parent=ws.plan.pk)
    )

    assert refused.status_code == 400
    assert "may start only a plan that cascades" in refused.content.decode()
    assert started.status_code == 302
    assert StrategicPlan.objects.get(name="ACME 2027").parent == ws.plan


def test_a_manager_may_not_start_a_plan_for_a_unit_they_do_not_manage(ws):
    response = client_for(ws.org.manager).post(
        "/strategy/new/", new_plan_data(org_unit=ws.org.acme.pk, parent=ws.plan.pk)
    )

    assert response.status_code == 400
    assert not StrategicPlan.objects.filter(name="ACME 2027").exists()


def test_a_viewer_may_not_start_a_plan(ws):
    client = client_for(ws.org.viewer)

    assert client.get("/strategy/new/").status_code == 403
    assert client.post("/strategy/new/", new_plan_data(org_unit=ws.org.acme.pk)).status_code == 403


def test_the_new_plan_form_with_htmx_redirects_the_browser_on_success(ws):
    response = client_for(ws.org.root_admin).post(
        "/strategy/new/", new_plan_data(org_unit=ws.org.acme.pk), **HTMX
    )

    plan = StrategicPlan.objects.get(name="ACME 2027")
    assert response["HX-Redirect"] == f"/strategy/plans/{plan.pk}/setup/vision/"
    assert plan.start == datetime.date(2027, 1, 1)
