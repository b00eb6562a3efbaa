"""The Excel ledger (台账) of the filtered case list: masked personal data, a Chinese header row,
the same filters and scope as the list, logged; too many rows are refused with a clear message."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from hotline.accounts.models import AccessEvent, AccessLog
from hotline.cases import export, services

from .conftest import id_number

EXPORT = "/cases/export.xlsx"


def workbook_rows(response) -> list[list[object]]:
    assert response["Content-Type"] == export.CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def two_cases(accepted_case, flow, staff, tree):
    chengdong = flow.at_county(
        accepted_case(worker_name="张建国", phone="13897112345", id_number=id_number())
    )
    golmud = services.dispatch(
        accepted_case(worker_name="李四", phone="13997100000", kind="help"),
        actor=staff.agent,
        to=tree.golmud,
    )
    return chengdong, golmud


def test_the_ledger_has_a_chinese_header_and_masks_personal_data(client, two_cases, staff):
    chengdong, _golmud = two_cases
    client.force_login(staff.province_supervisor)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert ".xlsx" in response["Content-Disposition"]
    rows = workbook_rows(response)
    header = rows[0]
    assert header[:4] == ["工单编号", "登记时间", "渠道", "诉求类型"]
    assert "电话" in header and "诉求人" in header
    row = next(row for row in rows if row[0] == chengdong.number)
    cells = [str(cell) for cell in row if cell is not None]
    assert "138****2345" in cells
    assert "张**" in cells
    flat = " ".join(str(cell) for r in rows for cell in r if cell is not None)
    assert "13897112345" not in flat
    assert "张建国" not in flat
    assert id_number() not in flat
    assert "城东区总工会" in cells


def test_the_ledger_freezes_the_header_and_sets_column_widths(client, two_cases, staff):
    client.force_login(staff.province_supervisor)
    sheet = load_workbook(io.BytesIO(client.get(EXPORT).content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == export.COLUMNS[0].width


def test_the_ledger_takes_the_lists_filters_and_scope(client, two_cases, staff):
    chengdong, golmud = two_cases
    client.force_login(staff.province_supervisor)
    rows = workbook_rows(client.get(EXPORT, {"kind": "help"}))
    assert [row[0] for row in rows[1:]] == [golmud.number]
    client.force_login(staff.xining_dispatcher)
    rows = workbook_rows(client.get(EXPORT))
    assert [row[0] for row in rows[1:]] == [chengdong.number]


def test_each_export_is_logged_with_its_filters(client, two_cases, staff):
    client.force_login(staff.province_supervisor)
    client.get(EXPORT, {"kind": "help", "q": "工资"})
    log = AccessLog.objects.get(event=AccessEvent.EXPORT)
    assert log.user == staff.province_supervisor
    assert "rows=1" in log.detail
    assert "kind=help&q=工资" in log.detail


def test_too_many_rows_are_refused_with_a_message_to_narrow_the_filters(
    client, two_cases, staff, monkeypatch
):
    monkeypatch.setattr(export, "MAX_ROWS", 1)
    client.force_login(staff.province_supervisor)
    response = client.get(EXPORT, {"kind": ""})
    assert response.status_code == 302
    assert response["Location"].startswith("/cases/?")
    page = client.get(response["Location"]).content.decode()
    assert "请缩小筛选范围" in page
    assert not AccessLog.objects.filter(event=AccessEvent.EXPORT).exists()
    # Narrowed to one case, it goes through.
    assert client.get(EXPORT, {"kind": "help"}).status_code == 200


def test_an_administrator_without_a_case_role_cannot_export(client, two_cases, tree):
    from hotline.accounts.models import Role
    from hotline.testing import factories as f

    client.force_login(f.user(tree.province, Role.ADMIN))
    assert client.get(EXPORT).status_code == 403
    assert not AccessLog.objects.filter(event=AccessEvent.EXPORT).exists()


def test_the_export_link_on_the_list_carries_the_filters(client, two_cases, staff):
    client.force_login(staff.province_supervisor)
    page = client.get("/cases/", {"kind": "help", "page": "1"}).content.decode()
    assert 'href="/cases/export.xlsx?kind=help"' in page


def test_the_ledger_costs_the_same_queries_for_2_and_for_30_cases(
    client, two_cases, accepted_case, staff, django_assert_max_num_queries
):
    client.force_login(staff.province_supervisor)
    client.get(EXPORT)
    with django_assert_max_num_queries(15) as few:
        assert len(workbook_rows(client.get(EXPORT))) == 3
    for index in range(28):
        accepted_case(phone=f"139971{index:05d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(workbook_rows(client.get(EXPORT))) == 31


def test_the_ledger_keeps_control_characters_from_breaking_the_workbook(
    client, accepted_case, staff
):
    case = accepted_case(employer_name="青海\x0b某公司\x1f", title="  前后有空格  ")
    client.force_login(staff.province_supervisor)
    rows = workbook_rows(client.get(EXPORT))
    row = next(row for row in rows if row[0] == case.number)
    assert "青海某公司" in row
