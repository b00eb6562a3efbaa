"""Urging and supervision by the units above the handling unit."""

from __future__ import annotations

from hotline.accounts.models import Role
from hotline.cases import services
from hotline.cases.selectors import CaseFilters, case_list
from hotline.notifications.models import OutboxMessage
from hotline.testing import factories as f


def test_dispatching_unit_urges_the_handling_unit(accepted_case, flow, staff, tree):
    case = flow.at_prefecture(accepted_case())
    case = services.urge(case, actor=staff.agent, note="职工再次来电，请尽快处理")
    case = services.urge(case, actor=staff.agent)
    assert case.urge_count == 2
    notices = OutboxMessage.objects.filter(case=case, organization=tree.xining, kind="urge")
    assert notices.count() == 2
    assert any("职工再次来电" in notice.body for notice in notices)


def test_supervisor_above_the_handling_unit_may_urge(accepted_case, flow, staff):
    case = flow.at_county(accepted_case())
    assert services.urge(case, actor=staff.xining_supervisor).urge_count == 1


def test_urge_refusals_change_nothing(accepted_case, flow, staff, refused):
    case = accepted_case()
    with refused(case, "case.wrong_status"):
        services.urge(case, actor=staff.agent)
    case = flow.at_county(case)
    with refused(case, "case.role_required"):
        services.urge(case, actor=staff.chengdong_handler)
    with refused(case, "case.not_your_unit"):
        # Chengdong got the case from Xining, not from the province; no supervisor here.
        services.urge(case, actor=staff.province_dispatcher)
    with refused(case, "case.text_too_long"):
        services.urge(case, actor=staff.xining_dispatcher, note="催" * 2001)


def test_supervision_flags_the_case_on_every_list(accepted_case, flow, staff, tree):
    case = flow.at_prefecture(accepted_case())
    case = services.supervise(case, actor=staff.province_supervisor, note="涉及二十余人，挂牌督办")
    assert case.supervised
    assert list(case_list(staff.xining_handler, CaseFilters(supervised=True))) == [case]
    assert OutboxMessage.objects.filter(case=case, organization=tree.xining, kind="urge").exists()


def test_supervision_refusals_change_nothing(accepted_case, flow, staff, refused):
    case = flow.at_prefecture(accepted_case())
    with refused(case, "case.reason_required"):
        services.supervise(case, actor=staff.province_supervisor, note="")
    with refused(case, "case.role_required"):
        services.supervise(case, actor=staff.agent, note="督办")
    case = services.supervise(case, actor=staff.province_supervisor, note="督办")
    with refused(case, "case.already_supervised"):
        services.supervise(case, actor=staff.xining_supervisor, note="督办")


def test_a_supervisor_of_another_prefecture_cannot_supervise(accepted_case, flow, staff, refused):
    case = flow.at_prefecture(accepted_case())
    haixi_supervisor = f.user(flow.tree.haixi, Role.SUPERVISOR)
    with refused(case, "case.not_your_unit"):
        services.supervise(case, actor=haixi_supervisor, note="督办")
