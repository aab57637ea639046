"""A calculated KPI's formula is checked when the KPI is saved through full_clean()."""

import pytest
from django.core.exceptions import ValidationError

from kpis.models import Kpi
from tests.factories import KpiFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def formula_error(kpi: Kpi) -> str:
    with pytest.raises(ValidationError) as error:
        kpi.full_clean()
    return " ".join(error.value.message_dict["formula"])


@pytest.fixture
def objective():
    objective = ObjectiveFactory()
    KpiFactory(objective=objective, code="WON")
    KpiFactory(objective=objective, code="LEADS")
    return objective


def test_a_formula_over_known_codes_is_accepted(objective):
    kpi = KpiFactory.build(objective=objective, code="RATE", formula="100 * WON / LEADS")
    kpi.full_clean()


def test_a_formula_with_a_syntax_error_is_refused(objective):
    kpi = KpiFactory.build(objective=objective, code="RATE", formula="100 * (WON / LEADS")
    assert "syntax" in formula_error(kpi).lower()


def test_a_formula_with_an_unknown_code_is_refused_naming_it(objective):
    kpi = KpiFactory.build(objective=objective, code="RATE", formula="WON / VISITS")
    assert "VISITS" in formula_error(kpi)


def test_a_formula_referring_to_its_own_kpi_is_refused(objective):
    kpi = KpiFactory.build(objective=objective, code="RATE", formula="RATE + WON")
    assert "own KPI" in formula_error(kpi)


def test_a_formula_closing_a_cycle_is_refused_with_the_path(objective):
    KpiFactory(objective=objective, code="A", formula="WON + 1")
    KpiFactory(objective=objective, code="B", formula="A * 2")
    won = Kpi.objects.get(code="WON")
    won.formula = "B - 1"
    assert "WON → B → A → WON" in formula_error(won)


def test_codes_of_another_plan_are_unknown(objective):
    other = KpiFactory(code="ELSEWHERE")
    assert other.plan != objective.plan
    kpi = KpiFactory.build(objective=objective, code="RATE", formula="ELSEWHERE * 2")
    assert "ELSEWHERE" in formula_error(kpi)
