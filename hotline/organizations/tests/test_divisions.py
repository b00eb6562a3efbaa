"""The GB/T 2260 divisions of Qinghai, loaded by a data migration from data/divisions.csv."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hotline.organizations.divisions import load_divisions, read_divisions
from hotline.organizations.models import Division, DivisionLevel

pytestmark = pytest.mark.django_db


def test_migration_loads_the_province_with_no_parent():
    qinghai = Division.objects.get(code="630000")
    assert (qinghai.name, qinghai.level, qinghai.parent_id) == ("青海省", "province", None)


@pytest.mark.parametrize(
    ("code", "name", "level", "parent"),
    [
        ("630100", "西宁市", "prefecture", "630000"),
        ("632800", "海西蒙古族藏族自治州", "prefecture", "630000"),
        ("632801", "格尔木市", "county", "632800"),
        ("630106", "湟中区", "county", "630100"),
        ("632301", "同仁市", "county", "632300"),
        ("632857", "大柴旦行政委员会", "county", "632800"),
    ],
)
def test_migration_loads_divisions_with_their_parents_and_levels(code, name, level, parent):
    division = Division.objects.get(code=code)
    assert (division.name, division.level, division.parent_id) == (name, level, parent)


def test_qinghai_has_eight_prefectures_and_45_county_level_divisions():
    assert Division.objects.filter(level=DivisionLevel.PREFECTURE).count() == 8
    assert Division.objects.filter(level=DivisionLevel.COUNTY).count() == 45
    assert Division.objects.count() == 54


def test_every_prefecture_has_its_counties():
    counts = {
        prefecture.name: prefecture.children.count()
        for prefecture in Division.objects.filter(level=DivisionLevel.PREFECTURE)
    }
    assert counts == {
        "西宁市": 7,
        "海东市": 6,
        "海北藏族自治州": 4,
        "黄南藏族自治州": 4,
        "海南藏族自治州": 5,
        "果洛藏族自治州": 6,
        "玉树藏族自治州": 6,
        "海西蒙古族藏族自治州": 7,
    }


def test_every_code_passes_the_check_constraint_and_shares_its_parents_prefix():
    for division in Division.objects.select_related("parent"):
        division.validate_constraints()
        if division.parent is not None:
            assert division.code.startswith(division.parent.prefix), division


def test_a_code_that_is_not_six_digits_fails_the_check_constraint():
    with pytest.raises(ValidationError):
        Division(code="06300", name="坏代码", level=DivisionLevel.COUNTY).validate_constraints()


def test_loading_again_creates_nothing_and_restores_a_changed_name():
    Division.objects.filter(code="632801").update(name="改过的名字")
    assert load_divisions(Division) == 0
    assert Division.objects.count() == 54
    assert Division.objects.get(code="632801").name == "格尔木市"


def test_the_csv_lists_parents_before_children():
    seen: set[str] = set()
    for row in read_divisions():
        assert row.parent_code is None or row.parent_code in seen
        seen.add(row.code)
    assert len(seen) == 54


def test_the_shared_tree_fixture_reuses_the_loaded_divisions(tree):
    assert Division.objects.count() == 54
    assert tree.golmud_division.name == "格尔木市"
    assert tree.golmud_division.parent_id == "632800"
