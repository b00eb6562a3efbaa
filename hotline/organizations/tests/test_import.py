"""Importing grassroots unions from CSV and Excel: all rows good, or nothing imported."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.accounts.models import Role
from hotline.core.errors import DomainError
from hotline.organizations import imports, services
from hotline.organizations.demo import load_demo
from hotline.organizations.imports import import_organizations
from hotline.organizations.models import Formation, Level, Organization
from hotline.organizations.validators import (
    credit_code_check_char,
    is_valid_credit_code,
    is_valid_phone,
)
from hotline.testing import factories as f

from .conftest import credit_code, csv_bytes

GOOD_ROWS = [
    [
        "青海东川建材有限公司工会",
        credit_code(1),
        "630102",
        "城东区总工会",
        "单独",
        "马明",
        "13909710001",
    ],
    ["城东区快递行业联合工会", "", "630102", "城东区总工会", "联合", "", "0971-8123456"],
    [
        "格尔木昆仑锂业有限公司工会",
        credit_code(2, "632801"),
        "632801",
        "格尔木市总工会",
        "single",
        "",
        "",
    ],
]


def grassroots_count() -> int:
    return Organization.objects.filter(level=Level.GRASSROOTS).count()


def lines(report) -> dict[int, list[str]]:
    return {error.line: error.codes for error in report.errors}


# The check character (GB 32100-2015)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T", "91110000802100433B"])
def test_published_credit_codes_have_the_right_check_character(code):
    assert credit_code_check_char(code[:17]) == code[17]
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y44", "91350100M000100Y4", "91350100M000100I43", "91350100m000100y43", ""],
)
def test_a_wrong_check_character_length_or_letter_is_not_a_valid_credit_code(code):
    assert not is_valid_credit_code(code)


def test_check_character_needs_17_characters_of_the_alphabet():
    with pytest.raises(ValueError):
        credit_code_check_char("9135010")
    with pytest.raises(ValueError):
        credit_code_check_char("91350100M000100IO")


@pytest.mark.parametrize("phone", ["13909710001", "+8613909710001", "0971-8123456", "09798123456"])
def test_mobile_and_landline_numbers_are_valid_phones(phone):
    assert is_valid_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "1390971000", "8123456", "电话"])
def test_short_or_arealess_numbers_are_not_valid_phones(phone):
    assert not is_valid_phone(phone)


# Good files


def test_a_good_csv_imports_every_union_under_its_parent(tree):
    before = grassroots_count()
    report = import_organizations(csv_bytes(GOOD_ROWS), dry_run=False)

    assert report.ok and (report.rows, report.created) == (3, 3)
    assert grassroots_count() == before + 3
    union = Organization.objects.get(name="青海东川建材有限公司工会")
    assert union.parent == tree.chengdong
    assert union.path.startswith(tree.chengdong.path) and union.depth == tree.chengdong.depth + 1
    assert (union.level, union.formation, union.credit_code) == (
        Level.GRASSROOTS,
        Formation.SINGLE,
        credit_code(1),
    )
    assert (union.contact_name, union.contact_phone) == ("马明", "13909710001")
    joint = Organization.objects.get(name="城东区快递行业联合工会")
    assert (joint.formation, joint.credit_code) == (Formation.JOINT, None)
    golmud = Organization.objects.get(name="格尔木昆仑锂业有限公司工会")
    assert golmud.parent == tree.golmud and golmud.division_id == "632801"
    paths = Organization.objects.values_list("path", flat=True)
    assert len(set(paths)) == len(paths)


def test_the_parent_can_be_given_by_its_credit_code(tree):
    code = credit_code(9, "630103", "81")
    Organization.objects.filter(pk=tree.chengzhong.pk).update(credit_code=code)
    rows = [["南关街道建筑工地工会", "", "630103", code, "单独", "", ""]]
    report = import_organizations(csv_bytes(rows), dry_run=False)
    assert report.ok
    assert Organization.objects.get(name="南关街道建筑工地工会").parent == tree.chengzhong


def test_a_good_xlsx_file_imports_with_numeric_cells(tree):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["基层工会导入模板"])
    sheet.append(
        ["序号", "名称", "统一社会信用代码", "行政区划代码", "上级组织", "建会方式", "联系电话"]
    )
    sheet.append(
        [
            1,
            "德令哈光热发电有限公司工会",
            credit_code(3, "632802"),
            632802,
            "德令哈市总工会",
            "单独",
            13897770001,
        ]
    )
    sheet.append([2, "德令哈枸杞产业有限公司工会", None, 632802.0, "德令哈市总工会", "行业", None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = import_organizations(buffer.getvalue(), dry_run=False)

    assert report.ok and report.created == 2
    assert report.ignored_columns == ["序号"]
    solar = Organization.objects.get(name="德令哈光热发电有限公司工会")
    assert (solar.parent, solar.division_id, solar.contact_phone) == (
        tree.delingha,
        "632802",
        "13897770001",
    )
    assert Organization.objects.get(name="德令哈枸杞产业有限公司工会").formation == "industry"


def test_bad_xlsx_rows_are_reported_with_the_spreadsheet_row_number(tree):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "division_code", "parent"])
    sheet.append(["好的工会", "630102", "城东区总工会"])
    sheet.append([])
    sheet.append(["", "630102", "城东区总工会"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = import_organizations(buffer.getvalue(), dry_run=False)

    assert lines(report) == {4: ["name.required"]}


def test_english_headers_and_a_utf8_bom_are_accepted(tree):
    header = [
        "name",
        "credit_code",
        "division_code",
        "parent",
        "formation",
        "contact_name",
        "contact_phone",
    ]
    data = b"\xef\xbb\xbf" + csv_bytes(GOOD_ROWS, header=header)
    report = import_organizations(data, dry_run=False)
    assert report.ok and report.created == 3


def test_a_gb18030_csv_from_chinese_excel_is_read(tree):
    data = csv_bytes(GOOD_ROWS, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = import_organizations(data, dry_run=False)
    assert report.ok and report.created == 3
    assert Organization.objects.filter(name="城东区快递行业联合工会").exists()


def test_a_file_path_is_read_too(tree, tmp_path):
    source = tmp_path / "unions.csv"
    source.write_bytes(csv_bytes(GOOD_ROWS))
    assert import_organizations(source, dry_run=False).created == 3


def test_a_dry_run_checks_the_rows_and_imports_nothing(tree):
    before = Organization.objects.count()
    report = import_organizations(csv_bytes(GOOD_ROWS), dry_run=True)
    assert report.ok and (report.rows, report.created) == (3, 0)
    assert Organization.objects.count() == before


# Bad rows: every one reported by line, nothing imported


def test_bad_rows_are_each_reported_with_their_line_and_nothing_is_imported(tree):
    rows = [
        GOOD_ROWS[0],  # line 2
        ["未知区划工会", "", "639999", "城东区总工会", "单独", "", ""],
        ["找不到上级工会", "", "630102", "不存在的总工会", "单独", "", ""],
        ["校验位错误工会", credit_code(5)[:17] + "0", "630102", "城东区总工会", "", "", ""],
        ["", "", "630102", "城东区总工会", "单独", "", ""],
        ["跨区工会", "", "632801", "城东区总工会", "单独", "", ""],
    ]
    before = Organization.objects.count()
    report = import_organizations(csv_bytes(rows), dry_run=False)

    assert lines(report) == {
        3: ["division.unknown"],
        4: ["parent.not_found"],
        5: ["credit_code.invalid"],
        6: ["name.required"],
        7: ["division.outside_parent"],
    }
    assert report.created == 0
    assert Organization.objects.count() == before
    assert not Organization.objects.filter(name=GOOD_ROWS[0][0]).exists()
    assert all(message for error in report.errors for message in error.messages)


def test_a_row_with_several_problems_reports_them_all(tree):
    rows = [["", "ABC", "", "", "独立", "", "123"]]
    report = import_organizations(csv_bytes(rows), dry_run=False)
    assert sorted(report.errors[0].codes) == sorted(
        [
            "name.required",
            "division.required",
            "parent.required",
            "formation.unknown",
            "credit_code.invalid",
            "contact_phone.invalid",
        ]
    )


def test_a_duplicate_credit_code_within_the_file_names_the_first_line(tree):
    rows = [
        ["甲公司工会", credit_code(7), "630102", "城东区总工会", "单独", "", ""],
        ["乙公司工会", credit_code(8), "630102", "城东区总工会", "单独", "", ""],
        ["丙公司工会", credit_code(7), "630102", "城东区总工会", "单独", "", ""],
    ]
    report = import_organizations(csv_bytes(rows), dry_run=False)
    assert lines(report) == {4: ["credit_code.duplicate"]}
    assert "2" in report.errors[0].messages[0]
    assert not Organization.objects.filter(name="甲公司工会").exists()


def test_a_credit_code_already_in_the_database_is_refused(tree):
    Organization.objects.filter(pk=tree.golmud_union.pk).update(credit_code=credit_code(7))
    rows = [["甲公司工会", credit_code(7), "630102", "城东区总工会", "单独", "", ""]]
    report = import_organizations(csv_bytes(rows), dry_run=False)
    assert lines(report) == {2: ["credit_code.taken"]}


def test_a_parent_that_cannot_have_a_grassroots_child_is_refused(tree):
    rows = [["分会", "", "632801", tree.golmud_union.name, "单独", "", ""]]
    report = import_organizations(csv_bytes(rows), dry_run=False)
    assert lines(report) == {2: ["organization.level_not_allowed"]}


def test_an_ambiguous_parent_name_is_refused(tree):
    services.create_organization(
        parent=tree.xining,
        name="城东区总工会",
        level=Level.GRASSROOTS,
        division=tree.chengdong_division,
    )
    rows = [["新工会", "", "630102", "城东区总工会", "单独", "", ""]]
    report = import_organizations(csv_bytes(rows), dry_run=False)
    assert lines(report) == {2: ["parent.ambiguous"]}


def test_a_name_already_under_the_parent_is_refused_so_a_file_cannot_be_imported_twice(tree):
    assert import_organizations(csv_bytes(GOOD_ROWS[1:2]), dry_run=False).ok
    report = import_organizations(csv_bytes(GOOD_ROWS[1:2]), dry_run=False)
    assert lines(report) == {2: ["name.exists"]}
    rows = [GOOD_ROWS[0], ["青海东川建材有限公司工会", "", "630102", "城东区总工会", "", "", ""]]
    assert lines(import_organizations(csv_bytes(rows), dry_run=False)) == {3: ["name.duplicate"]}


def test_a_name_longer_than_200_characters_is_refused(tree):
    rows = [["长" * 201, "", "630102", "城东区总工会", "", "", ""]]
    assert lines(import_organizations(csv_bytes(rows), dry_run=False)) == {2: ["name.too_long"]}


def test_a_quoted_cell_spanning_lines_keeps_later_line_numbers_right(tree):
    data = csv_bytes(
        [
            ["青海\n多行名称工会", "", "630102", "城东区总工会", "", "", ""],
            ["", "", "630102", "城东区总工会", "", "", ""],
        ]
    )
    assert lines(import_organizations(data, dry_run=False)) == {4: ["name.required"]}


def test_an_actor_can_only_import_below_organizations_in_their_subtree(tree):
    actor = f.user(tree.chengdong, Role.ADMIN)
    report = import_organizations(csv_bytes(GOOD_ROWS), dry_run=False, actor=actor)
    assert lines(report) == {4: ["parent.not_found"]}


# Problems with the whole file


def test_more_rows_than_the_limit_are_refused(tree, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(DomainError) as refused:
        import_organizations(csv_bytes(GOOD_ROWS), dry_run=True)
    assert refused.value.code == "import.too_many_rows"


def test_a_file_without_the_required_columns_is_refused(tree):
    with pytest.raises(DomainError) as refused:
        import_organizations(csv_bytes([["甲"]], header=["名称"]), dry_run=True)
    assert refused.value.code == "import.missing_columns"
    assert "行政区划代码" in refused.value.message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "import.no_header"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "import.xls_not_supported"),
        (b"PK\x03\x04broken zip", "import.unreadable"),
        ("名称,行政区划代码,上级组织\n".encode(), "import.no_rows"),
        ("名称,名称,行政区划代码,上级组织\n".encode(), "import.duplicate_column"),
    ],
)
def test_unreadable_or_empty_files_are_refused(tree, data, code):
    with pytest.raises(DomainError) as refused:
        import_organizations(data, dry_run=True)
    assert refused.value.code == code


# The command


def test_the_command_imports_a_good_file(tree, tmp_path):
    source = tmp_path / "unions.csv"
    source.write_bytes(csv_bytes(GOOD_ROWS))
    out = io.StringIO()
    call_command("import_organizations", str(source), stdout=out)
    assert "3" in out.getvalue()
    assert Organization.objects.filter(name="城东区快递行业联合工会").exists()


def test_the_command_dry_run_imports_nothing(tree, tmp_path):
    source = tmp_path / "unions.csv"
    source.write_bytes(csv_bytes(GOOD_ROWS))
    call_command("import_organizations", str(source), "--dry-run", stdout=io.StringIO())
    assert not Organization.objects.filter(name="城东区快递行业联合工会").exists()


def test_the_command_prints_each_bad_line_and_exits_non_zero(tree, tmp_path):
    source = tmp_path / "unions.csv"
    source.write_bytes(csv_bytes([GOOD_ROWS[0], ["", "", "639999", "城东区总工会", "", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_organizations", str(source), stdout=io.StringIO(), stderr=err)
    assert failed.value.returncode == 2
    assert err.getvalue().count("\n") == 1 and "3" in err.getvalue()
    assert not Organization.objects.filter(name=GOOD_ROWS[0][0]).exists()


def test_the_command_fails_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as failed:
        call_command("import_organizations", str(tmp_path / "missing.csv"))
    assert failed.value.returncode == 1


# The admin


IMPORT_URL = "/admin/organizations/organization/import/"


@pytest.fixture
def superuser_client(client, tree):
    client.force_login(f.user(tree.province, Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def upload(data: bytes, name: str = "unions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_the_admin_import_page_imports_a_file(superuser_client):
    response = superuser_client.post(IMPORT_URL, {"file": upload(csv_bytes(GOOD_ROWS))})
    assert response.status_code == 302
    assert response["Location"] == "/admin/organizations/organization/"
    assert Organization.objects.filter(name="格尔木昆仑锂业有限公司工会").exists()


def test_the_admin_import_page_lists_bad_lines_and_imports_nothing(superuser_client):
    data = csv_bytes([GOOD_ROWS[0], ["找不到上级工会", "", "630102", "不存在的总工会", "", "", ""]])
    response = superuser_client.post(IMPORT_URL, {"file": upload(data)})
    assert response.status_code == 200
    assert lines(response.context["report"]) == {3: ["parent.not_found"]}
    assert 'id="import-errors"' in response.content.decode()
    assert "不存在的总工会" in response.content.decode()
    assert not Organization.objects.filter(name=GOOD_ROWS[0][0]).exists()


def test_the_admin_import_page_dry_run_shows_a_summary_and_imports_nothing(superuser_client):
    response = superuser_client.post(
        IMPORT_URL, {"file": upload(csv_bytes(GOOD_ROWS)), "dry_run": "on"}
    )
    assert response.status_code == 200
    assert response.context["report"].ok
    assert not Organization.objects.filter(name=GOOD_ROWS[0][0]).exists()


def test_the_admin_import_page_shows_a_file_level_error(superuser_client):
    response = superuser_client.post(IMPORT_URL, {"file": upload(b"just,some,words\n")})
    assert response.status_code == 200
    assert response.context["file_error"]
    assert response.context["report"] is None


def test_the_admin_import_page_refuses_staff_without_the_admin_role(client, tree):
    client.force_login(f.user(tree.province, Role.DISPATCHER, is_staff=True))
    assert client.get(IMPORT_URL).status_code == 403
    response = client.post(IMPORT_URL, {"file": upload(csv_bytes(GOOD_ROWS))})
    assert response.status_code == 403
    assert not Organization.objects.filter(name=GOOD_ROWS[0][0]).exists()


def test_the_organization_changelist_links_to_the_import_page(superuser_client):
    response = superuser_client.get("/admin/organizations/organization/")
    assert response.status_code == 200
    assert IMPORT_URL in response.content.decode()


def test_the_organization_changelist_lists_a_full_page_with_a_fixed_number_of_queries(
    superuser_client, django_assert_max_num_queries
):
    load_demo("demo-password-12351")
    with django_assert_max_num_queries(10):
        response = superuser_client.get("/admin/organizations/organization/")
    assert len(response.context["cl"].result_list) == 50
    with django_assert_max_num_queries(10):
        response = superuser_client.get("/admin/organizations/organization/", {"q": "格尔木"})
    assert "格尔木盐湖化工有限公司工会" in response.content.decode()


def test_adding_an_organization_in_the_admin_goes_through_the_service(superuser_client, tree):
    response = superuser_client.post(
        "/admin/organizations/organization/add/",
        {
            "parent": tree.golmud.pk,
            "name": "格尔木新建企业工会",
            "level": Level.GRASSROOTS,
            "division": "632801",
            "credit_code": credit_code(11, "632801").lower(),
            "formation": Formation.SINGLE,
            "contact_name": "",
            "contact_phone": "",
        },
    )
    assert response.status_code == 302
    union = Organization.objects.get(name="格尔木新建企业工会")
    assert union.path.startswith(tree.golmud.path) and union.depth == tree.golmud.depth + 1
    assert union.credit_code == credit_code(11, "632801")


def test_the_admin_refuses_a_level_the_parent_cannot_have(superuser_client, tree):
    response = superuser_client.post(
        "/admin/organizations/organization/add/",
        {
            "parent": tree.golmud_union.pk,
            "name": "错误的县总工会",
            "level": Level.COUNTY,
            "division": "632801",
            "formation": "",
        },
    )
    assert response.status_code == 200
    assert "level" in response.context["adminform"].form.errors
    assert not Organization.objects.filter(name="错误的县总工会").exists()


def test_the_admin_keeps_the_tree_position_read_only_when_editing(superuser_client, tree):
    url = f"/admin/organizations/organization/{tree.golmud_union.pk}/change/"
    assert superuser_client.get(url).status_code == 200
    response = superuser_client.post(
        url,
        {
            "name": "格尔木盐湖化工有限公司工会（改名）",
            "parent": tree.chengdong.pk,
            "credit_code": "",
            "formation": Formation.SINGLE,
            "contact_name": "马明",
            "contact_phone": "0979-8412345",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    tree.golmud_union.refresh_from_db()
    assert tree.golmud_union.name.endswith("（改名）")
    assert tree.golmud_union.parent == tree.golmud
    assert tree.golmud_union.contact_phone == "0979-8412345"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"parent": ""}, "parent"), ({"division": "630102"}, "division")],
    ids=["without-parent", "division-outside-parent"],
)
def test_the_admin_refuses_an_organization_without_parent_or_outside_its_division(
    superuser_client, tree, changes, field
):
    data = {
        "parent": tree.golmud.pk,
        "name": "不该创建的工会",
        "level": Level.GRASSROOTS,
        "division": "632801",
        "formation": "",
    }
    response = superuser_client.post("/admin/organizations/organization/add/", data | changes)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]
    assert not Organization.objects.filter(name="不该创建的工会").exists()
