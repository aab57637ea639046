"""Importing actuals and targets from CSV and XLSX: template, upload, preview and commit."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from kpis import periods
from kpis.models import Actual, ImportBatch, Kpi, Target
from kpis.services import period_close
from tests.factories import KpiFactory, ObjectiveFactory, PerspectiveFactory, StrategicPlanFactory
from tests.kpis.updates_org import Org, build_org, client_for

pytestmark = pytest.mark.django_db

URL = "/updates/import/"
HEADER = "kind,kpi_code,period,value,goal,red_flag,analysis\n"


def csv_file(text: str, name: str = "actuals.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list[object]], *, merge: str = "", formula: tuple[str, str] = ("", "")):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if formula[0]:
        sheet[formula[0]] = formula[1]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("actuals.xlsx", buffer.getvalue())


def upload(client, file, plan: object = None):  # type: ignore[no-untyped-def]
    data = {"file": file, "plan": "" if plan is None else str(plan)}
    return client.post(URL, data)


def preview(client, file, plan: object = None) -> str:  # type: ignore[no-untyped-def]
    response = upload(client, file, plan)
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"]).content.decode()


def commit(client):  # type: ignore[no-untyped-def]
    batch = ImportBatch.objects.latest("created_at")
    page = client.get(f"{URL}{batch.pk}/").content.decode()
    digest = page.split('name="digest" value="')[1].split('"')[0]
    return client.post(f"{URL}{batch.pk}/commit/", {"digest": digest})


def month(org: Org) -> str:
    return f"{org.month:%Y-%m}"


# --- The template ------------------------------------------------------------------------------


def test_the_csv_template_has_the_columns_and_a_row_for_each_kpi_the_person_updates():
    org = build_org()

    response = client_for(org.manager).get(f"{URL}template.csv")

    assert response["Content-Disposition"] == 'attachment; filename="bearing-import.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["kind", "kpi_code", "kpi_name", "period"]
    assert [row[1] for row in rows[1:]] == ["REV", "WIN"]
    assert rows[1][3] == org.month.isoformat()


def test_the_xlsx_template_opens_with_the_same_rows():
    org = build_org()

    response = client_for(org.contributor).get(f"{URL}template.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "kind"
    assert [row[1] for row in values[1:]] == ["WIN"]


def test_the_xlsx_template_opens_when_a_kpi_name_holds_control_characters():
    org = build_org()
    # Stored before names were checked: the download must still work.
    Kpi.objects.filter(code="WIN").update(name="Deals\x07 won\x0b")

    response = client_for(org.contributor).get(f"{URL}template.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[2]][:3] == ["actual", "WIN", "Deals won"]


def test_a_filled_in_template_imports():
    org = build_org()
    client = client_for(org.manager)
    rows = list(
        csv.reader(io.StringIO(client.get(f"{URL}template.csv").content.decode("utf-8-sig")))
    )
    for row in rows[1:]:
        row[4] = "101"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)

    html = preview(client, csv_file(buffer.getvalue()), org.plan.pk)
    commit(client)

    assert html.count("will create") == 3  # two rows and the count
    assert sorted(Actual.objects.values_list("value", flat=True)) == [101, 101]


# --- Preview and commit ------------------------------------------------------------------------


def test_the_preview_lists_every_row_and_the_commit_writes_the_accepted_ones():
    org = build_org()
    Actual.objects.create(kpi=org.win, period=org.month, value=Decimal(99))
    client = client_for(org.manager)
    text = HEADER + (
        f"actual,REV,{month(org)},104,,,Strong month\n"
        f"actual,WIN,{month(org)},99,,,\n"
        f"actual,NOPE,{month(org)},1,,,\n"
    )

    html = preview(client, csv_file(text), org.plan.pk)

    assert "3 rows for ACME plan: 1 will create, 0 will change, 1 unchanged, 1 refused." in html
    assert "No KPI with code NOPE in ACME plan." in html
    assert not Actual.objects.filter(kpi=org.rev).exists()

    response = commit(client)

    assert response.status_code == 302
    assert Actual.objects.get(kpi=org.rev).value == 104
    assert Actual.objects.get(kpi=org.rev).analysis == "Strong month"
    assert "1 created, 0 changed, 1 unchanged; 1 refused row left out" in (
        client.get("/updates/").content.decode()
    )


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    org = build_org()
    client = client_for(org.admin)
    text = HEADER + (
        f"actual,REV,{month(org)},104,,,Good\n"
        f"target,REV,{month(org)},,120,100,\n"
        f"target,OPS,{month(org)},,50,,\n"
    )
    preview(client, csv_file(text), org.plan.pk)
    commit(client)
    versions = list(Actual.objects.values_list("version", flat=True))

    html = preview(client, csv_file(text), org.plan.pk)

    assert "3 rows for ACME plan: 0 will create, 0 will change, 3 unchanged, 0 refused." in html
    assert "Nothing to import" in html
    assert list(Actual.objects.values_list("version", flat=True)) == versions
    assert Target.objects.get(kpi=org.rev, period=org.month).goal == 120
    assert Target.objects.get(kpi=org.ops, period=org.month).red_flag is None


def test_every_bad_row_is_refused_with_its_reason_and_nothing_of_it_is_written():
    org = build_org()
    quarterly = KpiFactory(objective=org.sales_objective, code="NPS", frequency="quarterly")
    closed_month = org.month.replace(year=org.month.year - 1)
    period_close(through=periods.period_end(closed_month, "monthly"), by=None)
    closed = f"{closed_month:%Y-%m}"
    client = client_for(org.manager)
    text = HEADER + "\n".join(
        [
            f"actual,REV,{month(org)},about 100,,,",
            f"actual,REV,{month(org)}-15,100,,,",
            "actual,REV,last month,100,,,",
            f"actual,REV,{month(org)},123456789012345678,,,",
            f"actual,NPS,{org.month.year}-02,5,,,",
            f"actual,RATE,{month(org)},5,,,",
            f"actual,OPS,{month(org)},5,,,",
            f"actual,REV,{closed},100,,,",
            f"target,REV,{month(org)},,100,90,",
            f"forecast,REV,{month(org)},1,,,",
            f"actual,REV,{month(org)},100,120,,",
        ]
    )

    html = preview(client, csv_file(text), org.plan.pk)

    assert "“about 100” is not a number" in html
    assert "Bad period" in html
    assert "its period containing it starts on" in html
    assert "Bad period “last month”" in html
    assert "Too many digits" in html
    assert "NPS is quarterly" in html
    assert "RATE is calculated from REV / WIN; enter its inputs instead." in html
    assert "You may not update the actuals of OPS." in html
    assert f"{closed_month:%b %Y} is closed; ask an admin to reopen it." in html
    assert "No permission: you may not set the targets of REV." in html
    assert "Kind must be actual or target" in html
    assert "An actual row takes value, analysis and corrective_action, not goal." in html
    assert "11 refused" in html
    assert "Nothing to import" in html
    assert quarterly.pk
    assert not Actual.objects.exists()


def test_a_contributor_cannot_import_actuals_of_a_kpi_they_are_not_an_updater_of():
    org = build_org()
    client = client_for(org.contributor)
    text = HEADER + f"actual,REV,{month(org)},100,,,\nactual,WIN,{month(org)},100,,,\n"

    html = preview(client, csv_file(text), org.plan.pk)
    commit(client)

    assert "You may not update the actuals of REV." in html
    assert list(Actual.objects.values_list("kpi__code", flat=True)) == ["WIN"]


def test_a_contributors_preview_takes_as_many_queries_for_many_kpis_as_for_one():
    org = build_org()
    client = client_for(org.contributor)

    def queries(codes: list[str]) -> tuple[int, str]:
        text = HEADER + "".join(f"actual,{code},{month(org)},100,,,\n" for code in codes)
        response = upload(client, csv_file(text), org.plan.pk)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(response["Location"]).content.decode()
        return len(captured), html

    few, _ = queries(["WIN"])
    codes = ["WIN"]
    for n in range(5):
        kpi = KpiFactory(objective=org.win.objective, code=f"K{n}")
        kpi.updaters.add(org.contributor)
        codes.append(kpi.code)
    many, html = queries(codes)

    assert many == few
    assert "6 will create" in html


def test_the_same_kpi_and_period_twice_in_one_file_is_refused_the_second_time():
    org = build_org()
    text = HEADER + f"actual,REV,{month(org)},100,,,\nactual,REV,{month(org)},101,,,\n"

    html = preview(client_for(org.manager), csv_file(text), org.plan.pk)

    assert "Row 2 already sets the actual of REV" in html


def test_a_code_used_in_several_plans_is_refused_unless_a_plan_is_chosen():
    org = build_org()
    other_plan = StrategicPlanFactory(org_unit=org.sales, name="Sales plan", parent=org.plan)
    other_objective = ObjectiveFactory(
        perspective=PerspectiveFactory(plan=other_plan), org_unit=org.sales
    )
    KpiFactory(objective=other_objective, code="REV")
    client = client_for(org.manager)
    text = HEADER + f"actual,REV,{month(org)},100,,,\n"

    across = preview(client, csv_file(text))
    chosen = preview(client, csv_file(text), org.plan.pk)

    assert "KPI code REV is used in several plans (ACME plan (id " in across
    assert "1 will create" in chosen


def test_a_commit_after_the_data_changed_writes_nothing_and_shows_the_new_preview():
    org = build_org()
    client = client_for(org.manager)
    text = HEADER + f"actual,REV,{month(org)},100,,,\nactual,WIN,{month(org)},100,,,\n"
    preview(client, csv_file(text), org.plan.pk)
    batch = ImportBatch.objects.get()
    digest = client.get(f"{URL}{batch.pk}/").content.decode().split('name="digest" value="')[1]
    period_close(through=periods.period_end(org.month, "monthly"), by=None)

    response = client.post(f"{URL}{batch.pk}/commit/", {"digest": digest.split('"')[0]})

    assert response.status_code == 409
    assert "Something changed since the preview" in response.content.decode()
    assert not Actual.objects.exists()


# --- Bad files ---------------------------------------------------------------------------------


def bad_file_message(org: Org, file) -> str:  # type: ignore[no-untyped-def]
    response = upload(client_for(org.manager), file, org.plan.pk)
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()
    return response.content.decode()


def test_an_empty_file_is_refused():
    org = build_org()

    assert "The file is empty." in bad_file_message(org, csv_file(""))
    assert "The file has a header but no rows" in bad_file_message(org, csv_file(HEADER))


def test_a_file_with_the_wrong_columns_is_refused_naming_them():
    org = build_org()

    html = bad_file_message(org, csv_file("type,code,period,amount\nactual,REV,2026-01,1\n"))

    assert "missing columns: kind, kpi_code" in html
    assert "unknown columns: type, code, amount" in html


def test_a_csv_in_windows_1252_is_read_and_says_so():
    org = build_org()
    client = client_for(org.manager)
    text = HEADER + f"actual,REV,{month(org)},100,,,Clients à Genève\n"

    html = preview(client, csv_file(text, encoding="cp1252"), org.plan.pk)
    commit(client)

    assert "read as Windows-1252" in html
    assert Actual.objects.get().analysis == "Clients à Genève"


def test_a_csv_with_semicolons_and_a_byte_order_mark_is_read():
    org = build_org()
    text = HEADER.replace(",", ";") + f"actual;REV;{month(org)};100;;;\n"

    html = preview(client_for(org.manager), csv_file(text, encoding="utf-8-sig"), org.plan.pk)

    assert "1 will create" in html


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1024
    org = build_org()
    text = HEADER + f"actual,REV,{month(org)},100,,,{'x' * 2000}\n"

    html = bad_file_message(org, csv_file(text))

    assert "the limit is" in html


def test_a_spreadsheet_with_formulas_refuses_those_rows_naming_the_cells():
    org = build_org()
    client = client_for(org.manager)
    rows = [
        ["kind", "kpi_code", "period", "value"],
        ["actual", "REV", month(org), 100],
        ["actual", "WIN", month(org), None],
    ]

    html = preview(client, xlsx_file(rows, formula=("D3", "=D2*2")), org.plan.pk)
    commit(client)

    assert "Formula in D3 (=D2*2): paste the values instead" in html
    assert list(Actual.objects.values_list("kpi__code", flat=True)) == ["REV"]


def test_a_spreadsheet_with_merged_cells_is_refused_naming_the_ranges():
    org = build_org()
    rows = [["kind", "kpi_code", "period", "value"], ["actual", "REV", month(org), 100]]

    html = bad_file_message(org, xlsx_file(rows, merge="A3:B3"))

    assert "has merged cells (A3:B3)" in html


def test_a_spreadsheet_with_dates_and_numbers_in_cells_imports():
    org = build_org()
    client = client_for(org.manager)
    rows = [["kind", "kpi_code", "period", "value"], ["actual", "REV", org.month, 99.5]]

    html = preview(client, xlsx_file(rows), org.plan.pk)
    commit(client)

    assert "1 will create" in html
    assert Actual.objects.get().value == Decimal("99.5")


def test_a_file_that_is_not_a_workbook_or_of_another_type_is_refused():
    org = build_org()

    assert "not a readable .xlsx workbook" in bad_file_message(
        org, SimpleUploadedFile("actuals.xlsx", b"not a zip at all")
    )
    assert "save it as .xlsx or as CSV" in bad_file_message(
        org, SimpleUploadedFile("actuals.xls", b"\xd0\xcf\x11\xe0")
    )
    assert "Upload a .csv or an .xlsx file." in bad_file_message(
        org, SimpleUploadedFile("actuals.pdf", b"%PDF-1.4")
    )


# --- Who may import ----------------------------------------------------------------------------


def test_members_may_import_outsiders_may_not_and_nobody_sees_anothers_upload():
    org = build_org()
    manager = client_for(org.manager)
    preview(manager, csv_file(HEADER + f"actual,REV,{month(org)},100,,,\n"), org.plan.pk)
    batch = ImportBatch.objects.get()

    assert manager.get(URL).status_code == 200
    assert client_for(org.outsider).get(URL).status_code == 403
    assert client_for(org.outsider).get(f"{URL}{batch.pk}/").status_code == 403
    assert client_for(org.contributor).get(f"{URL}{batch.pk}/").status_code == 404
    assert client_for(org.contributor).post(f"{URL}{batch.pk}/commit/").status_code == 404
    assert not Actual.objects.exists()
