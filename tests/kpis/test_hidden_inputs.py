"""With transparency off, explanations name and value only what the reader may see (DESIGN §5).

SHARE is a Sales KPI calculated as 100 * OPS / REV: REV is Sales', OPS belongs to Operations.
A Sales reader sees SHARE and its score, but not OPS: its code, name and value stay out of the
KPI page and of the API's performance, and a roll-up names an objective they cannot see as such.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Role, User
from kpis import explanations
from kpis.models import Kpi
from kpis.selectors import plan_scorecard
from tests.api_org import client_for as api_client_for
from tests.factories import (
    ActualFactory,
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
    UserFactory,
)
from tests.kpis.updates_org import Org, build_org, client_for

pytestmark = pytest.mark.django_db

# Values that appear nowhere else on the page: 100 * 8765 / 4321 = 202.846…
OPS_VALUE = "8765"
REV_VALUE = "4321"


@pytest.fixture(autouse=True)
def transparency_off(settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_TRANSPARENCY = False


@pytest.fixture
def org() -> Org:
    org = build_org()
    share = KpiFactory(
        objective=org.sales_objective, code="SHARE", name="Share", formula="100 * OPS / REV"
    )
    TargetFactory(kpi=share, period=org.month, goal=Decimal(100), red_flag=Decimal(90))
    ActualFactory(kpi=org.ops, period=org.month, value=Decimal(OPS_VALUE))
    ActualFactory(kpi=org.rev, period=org.month, value=Decimal(REV_VALUE))
    return org


def share(org: Org) -> Kpi:
    return Kpi.objects.get(code="SHARE")


def sales_admin(org: Org) -> User:
    person = UserFactory(username="salesadmin")
    MembershipFactory(user=person, org_unit=org.sales, role=Role.ADMIN)
    return person


def page(org: Org, user: User) -> str:
    response = client_for(user).get(f"/kpis/{share(org).pk}/", {"period": f"{org.month:%Y-%m}"})
    assert response.status_code == 200
    return response.content.decode()


def performance(org: Org, user: User) -> dict[str, object]:
    response = api_client_for(user).get(
        f"/api/v1/kpis/{share(org).pk}/performance/", {"period": org.month.isoformat()}
    )
    assert response.status_code == 200, response.content
    body: dict[str, object] = response.json()
    return body


def assert_ops_hidden(text: str) -> None:
    assert "OPS" not in text
    assert "Throughput" not in text
    assert OPS_VALUE not in text
    assert explanations.HIDDEN_KPI in text


def assert_ops_shown(text: str) -> None:
    assert f"OPS = {OPS_VALUE}" in text
    assert explanations.HIDDEN_KPI not in text


def test_a_reader_who_cannot_see_an_input_gets_neither_its_code_nor_its_value_on_the_page(org):
    html = page(org, org.manager)

    assert_ops_hidden(html)
    assert f"REV = {REV_VALUE}" in html
    assert "Score for" in html
    assert "10.0" in html  # 202.8 against a goal of 100: the score stays visible


def test_a_reader_who_cannot_see_an_input_gets_neither_its_code_nor_its_value_in_the_api(org):
    body = performance(org, org.manager)

    explanation = " ".join(body["explanation"])  # type: ignore[arg-type]
    assert_ops_hidden(explanation)
    assert f"REV = {REV_VALUE}" in explanation
    assert explanation.startswith(
        f"Actual calculated as 100 * [{explanations.HIDDEN_KPI}] / REV with REV = {REV_VALUE} and "
        f"{explanations.HIDDEN_KPI}."
    )
    assert body["score"] == "10.000"
    assert body["actual"] == "202.846563"


def test_an_admin_of_a_sub_unit_without_the_inputs_gets_them_hidden_too(org):
    admin = sales_admin(org)

    assert_ops_hidden(page(org, admin))
    assert_ops_hidden(" ".join(performance(org, admin)["explanation"]))  # type: ignore[arg-type]


@pytest.mark.parametrize("who", ["admin", "executive", "viewer"])
def test_readers_of_the_whole_organisation_see_every_input(org, who):
    person = getattr(org, who)

    assert_ops_shown(page(org, person))
    assert_ops_shown(" ".join(performance(org, person)["explanation"]))  # type: ignore[arg-type]
    assert "<code>100 * OPS / REV</code>" in page(org, person)


def test_with_transparency_on_every_member_sees_every_input(org, settings):
    settings.SCORECARD_TRANSPARENCY = True

    assert_ops_shown(page(org, org.manager))
    assert_ops_shown(" ".join(performance(org, org.manager)["explanation"]))  # type: ignore[arg-type]


def test_outsiders_and_readers_of_the_inputs_alone_do_not_see_the_calculated_kpi(org):
    operations_viewer = UserFactory(username="opsviewer")
    MembershipFactory(user=operations_viewer, org_unit=org.operations, role=Role.VIEWER)
    url = f"/kpis/{share(org).pk}/"
    api = f"/api/v1/kpis/{share(org).pk}/performance/"

    for person in (org.outsider, operations_viewer):
        assert client_for(person).get(url).status_code == 404
        assert api_client_for(person).get(api, {"period": org.month.isoformat()}).status_code == 404


def test_a_quarter_view_masks_the_hidden_input_in_the_formula(org):
    response = api_client_for(org.manager).get(
        f"/api/v1/kpis/{share(org).pk}/performance/",
        {"period": org.month.isoformat(), "view": "quarter"},
    )

    assert response.status_code == 200
    explanation = " ".join(response.json()["explanation"])
    assert_ops_hidden(explanation)


def test_a_roll_up_names_a_cascaded_objective_the_reader_cannot_see_without_its_code(org):
    ops_plan = StrategicPlanFactory(org_unit=org.operations, parent=org.plan, name="Ops plan")
    cascaded = ObjectiveFactory(
        perspective=PerspectiveFactory(plan=ops_plan),
        org_unit=org.operations,
        parent=org.sales_objective,
        code="SECRET1",
        name="Hidden objective",
    )
    kpi = KpiFactory(objective=cascaded, code="HID")
    TargetFactory(kpi=kpi, period=org.month, goal=Decimal(100), red_flag=Decimal(90))
    ActualFactory(kpi=kpi, period=org.month, value=Decimal(100))

    def sales_objective_words(reader: User | None) -> str:
        card = plan_scorecard(plan=org.plan, period=org.month, reader=reader)
        (objective,) = (o for o in card.objectives() if o.objective.code == "F1")
        return " ".join(objective.rollup.explanation)

    hidden = sales_objective_words(org.manager)
    shown = sales_objective_words(org.admin)

    assert "SECRET1" not in hidden
    assert f"{explanations.HIDDEN_OBJECTIVE}: score 6.7, weight 1" in hidden
    assert "Objective SECRET1: score 6.7, weight 1" in shown
    assert hidden.split("Score = ")[1] == shown.split("Score = ")[1]  # the same numbers
