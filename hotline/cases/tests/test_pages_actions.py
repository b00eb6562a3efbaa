"""Each action form on the case page: the good path moves the case and says so; a refused one
(wrong status, bad input, wrong unit) shows the service's Chinese message, next to the field it is
about, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.cases import services
from hotline.cases.models import Attachment, Case, CaseAssist
from hotline.cases.states import ExtensionState, Rating, Status

from .conftest import snapshot

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def act(client, case: Case, action: str, **fields: Any):
    """POST the form of ``action`` (its fields carry the action as prefix)."""
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(f"/cases/{case.number}/act/{action}/", data)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def refused_page(response, *texts: str) -> str:
    """The re-rendered case page of a refusal, holding each of ``texts``."""
    assert response.status_code in (400, 403, 409), response.status_code
    page = response.content.decode()
    for text in texts:
        assert text in page, text
    return page


@pytest.fixture
def unchanged():
    """``with unchanged(case): ...``: nothing about the case changed in the block."""
    from contextlib import contextmanager

    @contextmanager
    def check(case: Case):
        before = snapshot(case)
        yield
        assert snapshot(case) == before

    return check


@pytest.fixture
def at_xining(accepted_case, flow):
    return flow.at_prefecture(accepted_case())


# --- intake ------------------------------------------------------------------------------------


def test_an_agent_accepts_a_received_case(client, new_case, staff):
    case = new_case()
    client.force_login(staff.agent)
    response = act(client, case, "accept")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.number}/"
    assert reload(case).status == Status.ACCEPTED
    assert "工单已受理" in client.get(response["Location"]).content.decode()


def test_accepting_an_accepted_case_is_refused_as_a_wrong_status(
    client, accepted_case, staff, unchanged
):
    case = accepted_case()
    client.force_login(staff.agent)
    with unchanged(case):
        response = act(client, case, "accept")
    assert response.status_code == 409
    refused_page(response, "工单处于“已受理”状态，不能进行此操作。")


def test_an_agent_declines_with_a_referral(client, new_case, staff):
    case = new_case()
    client.force_login(staff.agent)
    act(client, case, "decline", referral="社保待遇问题请拨打 12333")
    case = reload(case)
    assert case.status == Status.DECLINED
    assert case.referral == "社保待遇问题请拨打 12333"


def test_declining_without_a_referral_shows_the_field_error(client, new_case, staff, unchanged):
    case = new_case()
    client.force_login(staff.agent)
    with unchanged(case):
        response = act(client, case, "decline", referral="  ")
    page = refused_page(response, "请填写理由。", "此项为必填项。")
    # The refused form is open again, the others closed.
    assert 'class="collapse show" id="action-decline"' in page


def test_an_agent_resolves_directly_and_a_blank_answer_is_refused(
    client, accepted_case, staff, unchanged
):
    case = accepted_case()
    client.force_login(staff.agent)
    with unchanged(case):
        refused_page(act(client, case, "resolve_directly", answer=""), "此项为必填项。")
    act(client, case, "resolve_directly", answer="根据劳动合同法第四十七条……", article="经济补偿")
    case = reload(case)
    assert case.status == Status.RESOLVED
    assert case.answer.startswith("根据劳动合同法")


def test_an_agent_assigns_a_lawyer_and_must_choose_one(client, accepted_case, staff, unchanged):
    case = accepted_case()
    client.force_login(staff.agent)
    with unchanged(case):
        refused_page(act(client, case, "assign_lawyer", lawyer=""), "请选择律师。")
    act(client, case, "assign_lawyer", lawyer=staff.lawyer.pk)
    assert reload(case).lawyer == staff.lawyer


# --- dispatch down the tree --------------------------------------------------------------------


def test_an_agent_dispatches_with_assisting_units_and_days(client, accepted_case, staff, tree):
    case = accepted_case()
    client.force_login(staff.agent)
    response = client.post(
        f"/cases/{case.number}/act/dispatch/",
        {
            "dispatch-to": tree.xining.pk,
            "dispatch-assisting": [tree.haixi.pk],
            "dispatch-days": "5",
            "dispatch-note": "请核实后处理",
        },
    )
    assert response.status_code == 302
    case = reload(case)
    assert case.status == Status.DISPATCHED
    assert case.handling_org == tree.xining
    assert list(CaseAssist.objects.filter(case=case).values_list("organization", flat=True)) == [
        tree.haixi.pk
    ]
    assert "工单已派至西宁市总工会" in client.get(response["Location"]).content.decode()


def test_dispatching_to_the_own_organization_is_refused_next_to_the_unit(
    client, accepted_case, staff, tree, unchanged
):
    case = accepted_case()
    client.force_login(staff.agent)
    with unchanged(case):
        response = act(client, case, "dispatch", to=tree.province.pk)
    page = refused_page(response, "不能将工单派给本单位。", "请选择本单位的下级单位。")
    assert page.index("请选择本单位的下级单位。") > page.index('id="action-dispatch"')


def test_dispatching_without_a_unit_asks_for_one(client, accepted_case, staff, unchanged):
    case = accepted_case()
    client.force_login(staff.agent)
    with unchanged(case):
        refused_page(act(client, case, "dispatch", to=""), "请选择单位。")


def test_dispatching_with_impossible_days_is_refused(client, accepted_case, staff, tree, unchanged):
    case = accepted_case()
    client.force_login(staff.agent)
    with unchanged(case):
        refused_page(act(client, case, "dispatch", to=tree.xining.pk, days="0"), "工作日天数无效。")
    with unchanged(case):
        response = act(client, case, "dispatch", to=tree.xining.pk, days="abc")
    assert response.status_code == 400


def test_a_prefecture_dispatches_down_to_a_county_only_inside_its_subtree(
    client, at_xining, staff, tree, unchanged
):
    client.force_login(staff.xining_dispatcher)
    with unchanged(at_xining):
        refused_page(
            act(client, at_xining, "dispatch", to=tree.golmud.pk),
            "所选单位必须是本单位下属的有效组织。",
            "不是本单位下属的有效组织。",
        )
    act(client, at_xining, "dispatch", to=tree.chengdong.pk)
    assert reload(at_xining).handling_org == tree.chengdong


def test_the_handling_unit_acknowledges_and_cannot_twice(client, accepted_case, staff, tree):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    client.force_login(staff.xining_handler)
    act(client, case, "acknowledge", note="已收到")
    case = reload(case)
    assert case.status == Status.IN_PROGRESS
    before = snapshot(case)
    response = act(client, case, "acknowledge")
    assert response.status_code == 409
    refused_page(response, "工单处于“办理中”状态，不能进行此操作。")
    assert snapshot(case) == before


def test_a_unit_returns_a_misrouted_case_and_lands_in_its_inbox(client, accepted_case, staff, tree):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.haixi)
    client.force_login(staff.haixi_dispatcher)
    response = act(client, case, "return", reason="工作地在西宁")
    # The case left the unit's sight: back to the inbox, with the message.
    assert response["Location"] == "/cases/inbox/"
    assert reload(case).status == Status.ACCEPTED
    assert "工单已退回派单单位" in client.get("/cases/inbox/").content.decode()


def test_returning_without_a_reason_is_refused(client, at_xining, staff, unchanged):
    client.force_login(staff.xining_handler)
    with unchanged(at_xining):
        refused_page(act(client, at_xining, "return", reason=""), "请填写理由。")


def test_the_dispatching_unit_reassigns_but_not_to_the_same_unit(
    client, accepted_case, staff, tree, unchanged
):
    case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    client.force_login(staff.agent)
    with unchanged(case):
        refused_page(
            act(client, case, "reassign", to=tree.xining.pk, reason="改派"), "工单已在该单位。"
        )
    act(client, case, "reassign", to=tree.haixi.pk, reason="应由海西办理")
    assert reload(case).handling_org == tree.haixi


def test_a_county_escalates_to_its_prefecture_with_a_note(client, accepted_case, flow, unchanged):
    case = flow.at_county(accepted_case())
    staff = flow.staff
    client.force_login(staff.chengdong_handler)
    with unchanged(case):
        refused_page(act(client, case, "escalate", note=""), "请填写理由。")
    act(client, case, "escalate", note="涉及跨区企业，需市总协调")
    assert reload(case).handling_org == flow.tree.xining


# --- reply and review --------------------------------------------------------------------------


def test_the_handler_replies_and_must_say_whether_it_is_solved(client, at_xining, staff, unchanged):
    client.force_login(staff.xining_handler)
    with unchanged(at_xining):
        refused_page(act(client, at_xining, "reply", result="已协调"), "请选择是或否。")
    act(client, at_xining, "reply", result="已协调企业补发工资。", solved="yes")
    case = reload(at_xining)
    assert case.status == Status.REPLIED
    assert case.reply_solved is True


def test_the_dispatching_unit_approves_a_reply(client, accepted_case, flow, staff):
    case = flow.replied_at_prefecture(accepted_case())
    client.force_login(staff.agent)
    act(client, case, "approve", note="同意办结")
    assert reload(case).status == Status.RESOLVED


def test_approving_a_reply_that_is_not_there_is_refused(client, at_xining, staff, unchanged):
    client.force_login(staff.agent)
    # The approve form is not offered, but a forged POST still meets the service.
    with unchanged(at_xining):
        response = act(client, at_xining, "approve")
    assert response.status_code == 409


def test_a_handler_of_another_unit_cannot_approve(client, accepted_case, flow, staff, unchanged):
    case = flow.replied_at_prefecture(accepted_case())
    client.force_login(staff.province_supervisor)
    with unchanged(case):
        response = act(client, case, "approve")
    assert response.status_code == 403
    refused_page(response, "您的角色无权进行此操作。")


def test_the_dispatching_unit_sends_a_reply_back_with_a_reason(
    client, accepted_case, flow, staff, unchanged
):
    case = flow.replied_at_prefecture(accepted_case())
    client.force_login(staff.agent)
    with unchanged(case):
        refused_page(act(client, case, "send_back", reason=""), "请填写理由。")
    act(client, case, "send_back", reason="未附企业补发工资凭证", days="3")
    assert reload(case).status == Status.IN_PROGRESS


# --- extensions --------------------------------------------------------------------------------


def test_the_handler_requests_an_extension_once(client, at_xining, staff):
    client.force_login(staff.xining_handler)
    act(client, at_xining, "request_extension", days="5", reason="需等待仲裁结果")
    assert reload(at_xining).extension_state == ExtensionState.REQUESTED
    before = snapshot(at_xining)
    response = act(client, at_xining, "request_extension", days="5", reason="再次申请")
    refused_page(response, "每件工单最多只能申请一次延期。")
    assert snapshot(at_xining) == before


def test_an_extension_of_impossible_length_is_refused_next_to_the_days(
    client, at_xining, staff, unchanged
):
    client.force_login(staff.xining_handler)
    with unchanged(at_xining):
        refused_page(
            act(client, at_xining, "request_extension", days="99", reason="很久"),
            "工作日天数无效。",
            "应为 1 至 30 个工作日。",
        )


def test_the_dispatching_unit_decides_an_extension_and_a_refusal_needs_a_reason(
    client, at_xining, staff, unchanged
):
    services.request_extension(at_xining, actor=staff.xining_handler, days=5, reason="等待仲裁")
    client.force_login(staff.agent)
    page = client.get(f"/cases/{at_xining.number}/").content.decode()
    assert "申请延期 5 个工作日：等待仲裁" in page
    with unchanged(at_xining):
        refused_page(
            act(client, at_xining, "decide_extension", decision="refuse", note=""), "请填写理由。"
        )
    with unchanged(at_xining):
        refused_page(act(client, at_xining, "decide_extension", note="?"), "请选择是或否。")
    act(client, at_xining, "decide_extension", decision="approve")
    assert reload(at_xining).extension_state == ExtensionState.APPROVED


# --- after resolution --------------------------------------------------------------------------


def test_an_agent_records_a_follow_up_and_a_rating_is_required(
    client, accepted_case, flow, staff, unchanged
):
    case = flow.resolved(accepted_case())
    client.force_login(staff.agent)
    with unchanged(case):
        refused_page(act(client, case, "follow_up", solved="yes"), "请选择满意度评价。")
    act(client, case, "follow_up", rating=Rating.SATISFIED, solved="yes")
    case = reload(case)
    assert case.status == Status.CLOSED
    assert case.rating == Rating.SATISFIED


def test_a_supervisor_closes_a_dissatisfied_case_with_an_explanation(
    client, accepted_case, flow, staff, unchanged
):
    case = flow.resolved(accepted_case())
    services.follow_up(case, actor=staff.agent, rating=Rating.DISSATISFIED, solved=False)
    client.force_login(staff.province_supervisor)
    with unchanged(case):
        refused_page(act(client, case, "close", explanation=""), "请填写理由。")
    act(client, case, "close", explanation="企业已依法支付，职工诉求超出法定标准")
    assert reload(case).status == Status.CLOSED


def test_closing_a_case_not_rated_dissatisfied_is_refused(
    client, accepted_case, flow, staff, unchanged
):
    case = flow.resolved(accepted_case())
    client.force_login(staff.province_supervisor)
    with unchanged(case):
        refused_page(
            act(client, case, "close", explanation="结案"),
            "只有评价为不满意的工单才需经督办审核后办结。",
        )


def test_a_supervisor_reopens_with_a_reason(client, accepted_case, flow, staff, unchanged):
    case = flow.resolved(accepted_case())
    client.force_login(staff.province_supervisor)
    with unchanged(case):
        refused_page(act(client, case, "reopen", reason=""), "请填写理由。")
    act(client, case, "reopen", reason="职工反映问题未解决")
    assert reload(case).status == Status.IN_PROGRESS


# --- supervision -------------------------------------------------------------------------------


def test_a_supervisor_urges_the_handling_unit(client, at_xining, staff):
    client.force_login(staff.province_supervisor)
    act(client, at_xining, "urge", note="请尽快办理")
    assert reload(at_xining).urge_count == 1


def test_a_handler_cannot_urge(client, at_xining, staff, unchanged):
    client.force_login(staff.xining_handler)
    with unchanged(at_xining):
        response = act(client, at_xining, "urge", note="自己催自己")
    assert response.status_code == 403


def test_a_supervisor_supervises_once(client, at_xining, staff):
    client.force_login(staff.province_supervisor)
    act(client, at_xining, "supervise", note="重点督办")
    assert reload(at_xining).supervised
    before = snapshot(at_xining)
    refused_page(act(client, at_xining, "supervise", note="再次督办"), "该工单已在督办中。")
    assert snapshot(at_xining) == before


def test_an_agent_merges_a_duplicate_into_the_original(client, accepted_case, staff, unchanged):
    original = accepted_case()
    duplicate = accepted_case()
    client.force_login(staff.agent)
    with unchanged(duplicate):
        refused_page(
            act(client, duplicate, "merge", into=duplicate.number), "工单不能合并到其自身。"
        )
    with unchanged(duplicate):
        refused_page(act(client, duplicate, "merge", into="20990101000001"), "工单不存在。")
    with unchanged(duplicate):
        refused_page(act(client, duplicate, "merge", into=""), "请输入原工单编号。")
    response = act(client, duplicate, "merge", into=original.number)
    assert reload(duplicate).merged_into == original
    assert f"工单已合并至 {original.number}" in client.get(response["Location"]).content.decode()


# --- notes -------------------------------------------------------------------------------------


def test_a_handler_adds_a_public_note_and_a_blank_one_is_refused(
    client, at_xining, staff, unchanged
):
    client.force_login(staff.xining_handler)
    with unchanged(at_xining):
        refused_page(act(client, at_xining, "comment", text=""), "此项为必填项。")
    act(client, at_xining, "comment", text="已约企业负责人面谈", public="on")
    event = at_xining.events.order_by("-sequence").first()
    assert event.note == "已约企业负责人面谈"
    assert event.public


def test_a_handler_attaches_a_file_and_a_disguised_one_is_refused(
    client, at_xining, staff, unchanged
):
    client.force_login(staff.xining_handler)
    fake = SimpleUploadedFile("照片.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with unchanged(at_xining):
        response = client.post(f"/cases/{at_xining.number}/act/attach/", {"attach-file": fake})
    refused_page(response, "不能上传此类型的文件。")
    with unchanged(at_xining):
        refused_page(client.post(f"/cases/{at_xining.number}/act/attach/", {}), "请选择文件。")
    photo = SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    client.post(f"/cases/{at_xining.number}/act/attach/", {"attach-file": photo})
    assert Attachment.objects.get(case=at_xining).original_name == "照片.png"


# --- what is not an action ---------------------------------------------------------------------


def test_an_unknown_action_is_a_404(client, at_xining, staff):
    client.force_login(staff.xining_handler)
    assert act(client, at_xining, "explode").status_code == 404


def test_an_action_on_a_case_out_of_scope_is_a_404(client, at_xining, staff, unchanged):
    client.force_login(staff.golmud_handler)
    with unchanged(at_xining):
        assert act(client, at_xining, "acknowledge").status_code == 404


def test_actions_only_answer_a_post(client, at_xining, staff):
    client.force_login(staff.xining_handler)
    assert client.get(f"/cases/{at_xining.number}/act/reply/").status_code == 405
