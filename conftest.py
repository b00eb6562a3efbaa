"""Fixtures every app's tests share: a small real-shaped Qinghai tree and its users."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hotline.organizations.models import Division, Level, Organization
from hotline.testing import factories as f


@dataclass
class Tree:
    """Province → Xining and Haixi → two counties each → one grassroots union per county."""

    qinghai: Division
    xining_division: Division
    haixi_division: Division
    chengdong_division: Division
    chengzhong_division: Division
    golmud_division: Division
    delingha_division: Division
    province: Organization
    xining: Organization
    haixi: Organization
    chengdong: Organization
    chengzhong: Organization
    golmud: Organization
    delingha: Organization
    chengdong_union: Organization
    chengzhong_union: Organization
    golmud_union: Organization
    delingha_union: Organization


@pytest.fixture
def tree(db: None) -> Tree:
    qinghai = f.division("630000", "青海省")
    xining_d = f.division("630100", "西宁市", qinghai)
    haixi_d = f.division("632800", "海西蒙古族藏族自治州", qinghai)
    chengdong_d = f.division("630102", "城东区", xining_d)
    chengzhong_d = f.division("630103", "城中区", xining_d)
    golmud_d = f.division("632801", "格尔木市", haixi_d)
    delingha_d = f.division("632802", "德令哈市", haixi_d)

    province = f.organization("青海省总工会", parent=None, level=Level.PROVINCE, division=qinghai)
    xining = f.organization(
        "西宁市总工会", parent=province, level=Level.PREFECTURE, division=xining_d
    )
    haixi = f.organization("海西州总工会", parent=province, level=Level.PREFECTURE, division=haixi_d)

    def county(name: str, parent: Organization, division: Division) -> Organization:
        return f.organization(name, parent=parent, level=Level.COUNTY, division=division)

    def grassroots(name: str, parent: Organization, code: str) -> Organization:
        return f.organization(
            name,
            parent=parent,
            level=Level.GRASSROOTS,
            division=parent.division,
            credit_code=code,
            formation="single",
        )

    chengdong = county("城东区总工会", xining, chengdong_d)
    chengzhong = county("城中区总工会", xining, chengzhong_d)
    golmud = county("格尔木市总工会", haixi, golmud_d)
    delingha = county("德令哈市总工会", haixi, delingha_d)
    return Tree(
        qinghai=qinghai,
        xining_division=xining_d,
        haixi_division=haixi_d,
        chengdong_division=chengdong_d,
        chengzhong_division=chengzhong_d,
        golmud_division=golmud_d,
        delingha_division=delingha_d,
        province=province,
        xining=xining,
        haixi=haixi,
        chengdong=chengdong,
        chengzhong=chengzhong,
        golmud=golmud,
        delingha=delingha,
        chengdong_union=grassroots("青海城东建筑工程有限公司工会", chengdong, None),
        chengzhong_union=grassroots("西宁市城中区南关街社区工会", chengzhong, None),
        golmud_union=grassroots("格尔木盐湖化工有限公司工会", golmud, None),
        delingha_union=grassroots("德令哈光伏发电有限公司工会", delingha, None),
    )
