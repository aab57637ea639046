"""An objective's form offers as owners only the people who may own an objective of its unit
(a role in the unit or a unit above it, as `person_access_error` requires and as the KPI form
offers owners), and the server refuses anyone else."""

from __future__ import annotations

import pytest

from strategy.forms import PERSON_NOT_OFFERED
from strategy.models import Objective, Perspective
from strategy.services import objective_create, plan_create
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db


def offered(html: str, prefix: str) -> set[str]:
    """The names the owner field of the form with `prefix` offers."""
    select = html.split(f'name="{prefix}-owner"')[1].split("</select>")[0]
    return {option.split(">")[1].split("<")[0] for option in select.split("<option")[2:]}


def sales_objective(ws) -> Objective:  # type: ignore[no-untyped-def]
    """An objective of Sales owned by its manager."""
    return objective_create(
        plan=ws.plan,
        perspective=ws.customer,
        code="C1",
        name="Sell",
        org_unit=ws.org.sales,
        owner=ws.org.manager,
    )


def add_data(perspective: Perspective, **fields: str) -> dict[str, str]:
    prefix = f"new-{perspective.pk}"
    data = {"code": "C1", "name": "Win Sales customers", "weight": "1", **fields}
    return {
        "perspective_id": str(perspective.pk),
        f"{prefix}-perspective": str(perspective.pk),
        **{f"{prefix}-{key}": value for key, value in data.items()},
    }


def test_a_new_objective_of_the_plans_unit_is_offered_the_people_of_that_unit_and_above():
    ws = build_workspace()

    html = client_for(ws.org.root_admin).get(f"/strategy/plans/{ws.plan.pk}/").content.decode()

    # Sales' admin and manager hold roles below ACME only: they may not own an ACME objective.
    assert offered(html, f"new-{ws.customer.pk}") == {"Root Admin", "Viewer"}


def test_an_objective_of_a_department_is_offered_its_people_and_those_above_it():
    ws = build_workspace()
    sales = objective_create(
        plan=ws.plan, perspective=ws.customer, code="C1", name="Sell", org_unit=ws.org.sales
    )

    response = client_for(ws.org.root_admin).get(f"/strategy/objectives/{sales.pk}/edit/", **HTMX)

    # Not Operations' viewer or the outsider.
    assert offered(response.content.decode(), f"objective-{sales.pk}") == {
        "Root Admin",
        "Sales Admin",
        "Manager",
        "Viewer",
        ws.contributor.display_name,  # a contributor of Sales
    }


def test_choosing_the_department_as_the_unit_offers_and_accepts_its_people():
    ws = build_workspace()
    client = client_for(ws.org.root_admin)
    url = f"/strategy/plans/{ws.plan.pk}/objectives/add/"

    refused = client.post(url, add_data(ws.customer, org_unit=str(ws.org.sales.pk), code=""))
    saved = client.post(
        url, add_data(ws.customer, org_unit=str(ws.org.sales.pk), owner=str(ws.org.manager.pk))
    )

    # Redrawn after its error, the form offers the people of the unit it was given.
    assert refused.status_code == 400
    assert "Manager" in offered(refused.content.decode(), f"new-{ws.customer.pk}")
    assert saved.status_code == 302
    assert Objective.objects.get().owner == ws.org.manager


@pytest.mark.parametrize("who", ["manager", "sales_admin", "operator", "outsider"])
def test_the_server_refuses_an_owner_who_may_not_own_an_objective_of_its_unit(who):
    ws = build_workspace()
    person = getattr(ws.org, who)
    data = add_data(ws.customer, org_unit=str(ws.org.acme.pk), owner=str(person.pk))

    response = client_for(ws.org.root_admin).post(
        f"/strategy/plans/{ws.plan.pk}/objectives/add/", data
    )

    assert response.status_code == 400
    assert PERSON_NOT_OFFERED in response.content.decode()
    assert not Objective.objects.exists()


def test_moving_an_objective_to_a_unit_its_owner_may_not_own_is_refused():
    ws = build_workspace()
    sales = sales_objective(ws)
    prefix = f"objective-{sales.pk}"
    data = {
        f"{prefix}-perspective": str(ws.customer.pk),
        f"{prefix}-code": "C1",
        f"{prefix}-name": "Sell",
        f"{prefix}-org_unit": str(ws.org.operations.pk),
        f"{prefix}-owner": str(ws.org.manager.pk),
        f"{prefix}-weight": "1",
    }

    response = client_for(ws.org.root_admin).post(f"/strategy/objectives/{sales.pk}/edit/", data)

    assert response.status_code == 400
    assert "Manager has no access to the unit Operations" in response.content.decode()
    sales.refresh_from_db()
    assert sales.org_unit == ws.org.sales


# --- choosing another unit redraws the owners offered -----------------------------------------


def owners_url(ws, prefix: str, **fields: str) -> str:  # type: ignore[no-untyped-def]
    query = "&".join([f"prefix={prefix}", *(f"{prefix}-{k}={v}" for k, v in fields.items())])
    return f"/strategy/plans/{ws.plan.pk}/objectives/owners/?{query}"


def chosen(html: str) -> list[str]:
    return [
        part.split(">")[1].split("<")[0]
        for part in html.split("<option")[1:]
        if " selected" in part.split(">")[0]
    ]


def test_the_unit_field_asks_for_the_owners_of_the_unit_chosen():
    ws = build_workspace()
    prefix = f"new-{ws.customer.pk}"

    html = client_for(ws.org.root_admin).get(f"/strategy/plans/{ws.plan.pk}/").content.decode()

    unit_field = html.split(f'name="{prefix}-org_unit"')[1].split(">")[0]
    assert f'hx-get="/strategy/plans/{ws.plan.pk}/objectives/owners/"' in unit_field
    assert f'hx-target="#id_{prefix}-owner"' in unit_field
    assert f'hx-include="#id_{prefix}-owner"' in unit_field


def test_choosing_another_unit_offers_its_people_and_keeps_an_owner_who_still_qualifies():
    ws = build_workspace()
    client = client_for(ws.org.root_admin)
    prefix = f"new-{ws.customer.pk}"

    sales = client.get(
        owners_url(ws, prefix, org_unit=str(ws.org.sales.pk), owner=str(ws.org.root_admin.pk))
    )
    back = client.get(
        owners_url(ws, prefix, org_unit=str(ws.org.acme.pk), owner=str(ws.org.manager.pk))
    )

    assert sales.status_code == 200
    assert offered(sales.content.decode(), prefix) == {
        "Root Admin",
        "Sales Admin",
        "Manager",
        "Viewer",
        ws.contributor.display_name,
    }
    assert chosen(sales.content.decode()) == ["Root Admin"]
    assert sales.content.decode().startswith(f'<select name="{prefix}-owner"')
    # Back at ACME, the manager of Sales no longer qualifies: not offered, so not chosen.
    assert offered(back.content.decode(), prefix) == {"Root Admin", "Viewer"}
    assert chosen(back.content.decode()) == []
    assert "aria-invalid" not in back.content.decode()


def test_an_objective_being_edited_keeps_its_owner_offered():
    ws = build_workspace()
    sales = sales_objective(ws)
    prefix = f"objective-{sales.pk}"

    response = client_for(ws.org.root_admin).get(
        owners_url(ws, prefix, org_unit=str(ws.org.operations.pk), owner=str(ws.org.manager.pk))
    )

    # As the edit form does: the current owner stays offered, and the save refuses them.
    assert "Manager" in offered(response.content.decode(), prefix)
    assert "Sales Admin" not in offered(response.content.decode(), prefix)


def test_a_form_not_of_this_plan_is_refused():
    ws = build_workspace()
    sales_plan = plan_create(
        org_unit=ws.org.sales, name="Sales 2026", start=ws.plan.start, end=ws.plan.end
    )
    elsewhere = objective_create(
        plan=sales_plan,
        perspective=sales_plan.perspectives.first(),
        code="S1",
        name="Sell",
    )
    client = client_for(ws.org.root_admin)

    assert client.get(owners_url(ws, "stakeholder")).status_code == 400
    assert client.get(owners_url(ws, "new-1<script>")).status_code == 400
    assert client.get(owners_url(ws, f"objective-{elsewhere.pk}")).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("root_admin", 200),
        ("viewer", 403),
        ("sales_admin", 403),
        ("manager", 403),
        ("outsider", 404),
    ],
)
def test_only_who_may_change_the_plan_is_answered(who, status):
    ws = build_workspace()
    prefix = f"new-{ws.customer.pk}"
    url = owners_url(ws, prefix, org_unit=str(ws.org.sales.pk))

    response = client_for(getattr(ws.org, who)).get(url)

    assert response.status_code == status
    assert (f'name="{prefix}-owner"' in response.content.decode()) == (status == 200)
