"""Finding KPIs by code (`KpiCodes`) for a file or a bulk call of thousands of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.selectors import KpiCodes
from tests.factories import KpiFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_kpis_found_by_code_share_one_plan_object_per_plan_in_a_fixed_number_of_queries():
    objective = ObjectiveFactory()
    kpis = [KpiFactory(objective=objective, plan=objective.plan, code=f"K{n}") for n in range(4)]
    other = KpiFactory(code="ELSEWHERE")
    superuser = UserFactory(is_superuser=True)
    wanted = [(objective.plan_id, kpi.code) for kpi in kpis] + [(None, "ELSEWHERE")]
    KpiCodes(superuser, [])  # the person's access, read once and kept on them

    with CaptureQueriesContext(connection) as queries:
        codes = KpiCodes(superuser, wanted)
        found = [codes.find(kpi.code, objective.plan_id) for kpi in kpis]
        elsewhere = codes.find("ELSEWHERE", None)
        names = [(kpi.plan.name, kpi.objective.plan.name) for kpi in found]  # no query each

    assert found == kpis
    assert elsewhere == other
    assert len({id(kpi.plan) for kpi in found}) == 1
    assert all(kpi.objective.plan is kpi.plan for kpi in found)
    assert names == [(objective.plan.name, objective.plan.name)] * 4
    with CaptureQueriesContext(connection) as one:
        single = KpiCodes(superuser, wanted[:1]).find(kpis[0].code, objective.plan_id)
        assert not isinstance(single, str)
        assert single.plan.name == objective.plan.name
    assert len(queries) == len(one)
