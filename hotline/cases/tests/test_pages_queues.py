"""The work queues: the handling unit's inbox, the supervision board and the follow-up queue,
each for the roles that use it, scoped, in a constant number of queries, with one-click actions
that refuse in Chinese and change nothing."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Role
from hotline.cases import services
from hotline.cases.models import Case
from hotline.cases.states import Rating, Status
from hotline.notifications.models import Notification
from hotline.testing import factories as f

from .conftest import shanghai, snapshot

INBOX = "/cases/inbox/"
BOARD = "/cases/supervision/"
FOLLOW_UP = "/cases/follow-up/"
HTMX = {"HX-Request": "true"}


def numbers(response, key: str = "rows") -> list[str]:
    return [case.number for case in response.context[key]]


# --- who opens what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        (INBOX, [Role.HANDLER, Role.DISPATCHER], [Role.AGENT, Role.SUPERVISOR, Role.LEADER]),
        (BOARD, [Role.SUPERVISOR, Role.LEADER], [Role.HANDLER, Role.AGENT, Role.DISPATCHER]),
        (
            FOLLOW_UP,
            [Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR],
            [Role.HANDLER, Role.LEADER, Role.LAWYER],
        ),
    ],
)
def test_each_queue_opens_for_the_roles_that_use_it_only(client, tree, url, allowed, refused):
    for role in allowed:
        client.force_login(f.user(tree.xining, role))
        assert client.get(url).status_code == 200, role
    for role in refused:
        client.force_login(f.user(tree.xining, role))
        assert client.get(url).status_code == 403, role


# --- the inbox ---------------------------------------------------------------------------------


def test_the_inbox_lists_what_was_dispatched_to_the_unit_only(
    client, accepted_case, flow, staff, tree
):
    waiting = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    working = flow.at_prefecture(accepted_case())
    flow.at_county(accepted_case())  # with Chengdong now, not Xining
    services.dispatch(accepted_case(), actor=staff.agent, to=tree.haixi)
    client.force_login(staff.xining_handler)
    response = client.get(INBOX)
    # Waiting for acknowledgement first.
    assert numbers(response) == [waiting.number, working.number]
    counts = {key: count for key, _label, count in response.context["filters"]}
    assert counts == {"": 2, "to_acknowledge": 1, "in_progress": 1, "extension": 0, "sent_back": 0}
    assert numbers(client.get(INBOX, {"show": "in_progress"})) == [working.number]


def test_the_inbox_shows_sent_back_and_extension_requested_cases(
    client, accepted_case, flow, staff
):
    sent_back = flow.replied_at_prefecture(accepted_case())
    services.send_back(sent_back, actor=staff.agent, reason="缺少凭证")
    extended = flow.at_prefecture(accepted_case())
    services.request_extension(extended, actor=staff.xining_handler, days=3, reason="等待仲裁")
    client.force_login(staff.xining_handler)
    assert numbers(client.get(INBOX, {"show": "sent_back"})) == [sent_back.number]
    assert numbers(client.get(INBOX, {"show": "extension"})) == [extended.number]
    page = client.get(INBOX).content.decode()
    assert "反馈被退回重办" in page
    assert "申请延期" in page


def test_the_inbox_shows_urges_with_the_latest_note(client, at_xining_waiting, staff):
    services.urge(at_xining_waiting, actor=staff.agent, note="第一次催办")
    services.urge(at_xining_waiting, actor=staff.province_supervisor, note="请今日内签收")
    client.force_login(staff.xining_handler)
    page = client.get(INBOX).content.decode()
    assert "催办 2 次" in page
    assert "请今日内签收" in page
    assert "第一次催办" not in page


def test_the_inbox_is_called_what_the_menu_calls_it(client, staff):
    from hotline.core.navigation import NAVIGATION

    menu = next(str(item.label) for item in NAVIGATION if item.url_name == "cases:inbox")
    client.force_login(staff.xining_handler)
    page = client.get(INBOX).content.decode()
    assert f'data-testid="page-title">{menu}</h1>' in page
    assert f"<title>{menu}" in page


@pytest.fixture
def at_xining_waiting(accepted_case, staff, tree):
    return services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)


def test_the_inbox_shows_the_units_unread_notices_and_opening_one_reads_it(
    client, accepted_case, staff, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
        services.urge(case, actor=staff.agent, note="请尽快签收")
        services.dispatch(accepted_case(), actor=staff.agent, to=tree.haixi)
    client.force_login(staff.xining_handler)
    response = client.get(INBOX)
    notices = response.context["notices"]
    assert {notice.kind for notice in notices} == {"dispatch", "urge"}
    assert all(notice.organization_id == tree.xining.pk for notice in notices)
    urge = next(notice for notice in notices if notice.kind == "urge")
    opened = client.post(f"/cases/inbox/notices/{urge.pk}/")
    assert opened["Location"] == f"/cases/{case.number}/"
    urge.refresh_from_db()
    assert urge.read_by == staff.xining_handler


def test_a_notice_of_another_unit_cannot_be_opened(
    client, accepted_case, staff, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.dispatch(accepted_case(), actor=staff.agent, to=tree.haixi)
    notice = Notification.objects.get(organization=tree.haixi)
    client.force_login(staff.xining_handler)
    assert client.post(f"/cases/inbox/notices/{notice.pk}/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_quick_acknowledge_redraws_the_row_in_progress(client, at_xining_waiting, staff):
    client.force_login(staff.xining_handler)
    response = client.post(f"/cases/{at_xining_waiting.number}/acknowledge/", headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "工单已签收" in page
    assert 'data-testid="quick-acknowledge"' not in page
    assert "办理中" in page
    assert Case.objects.get(pk=at_xining_waiting.pk).status == Status.IN_PROGRESS


def test_quick_acknowledge_of_an_acknowledged_case_says_why_and_changes_nothing(
    client, at_xining_waiting, staff
):
    services.acknowledge(at_xining_waiting, actor=staff.xining_dispatcher)
    before = snapshot(at_xining_waiting)
    client.force_login(staff.xining_handler)
    page = client.post(
        f"/cases/{at_xining_waiting.number}/acknowledge/", headers=HTMX
    ).content.decode()
    assert "工单处于“办理中”状态，不能进行此操作。" in page
    assert snapshot(at_xining_waiting) == before


def test_quick_acknowledge_without_javascript_goes_back_to_the_inbox(
    client, at_xining_waiting, staff
):
    client.force_login(staff.xining_handler)
    response = client.post(f"/cases/{at_xining_waiting.number}/acknowledge/")
    assert response["Location"] == INBOX
    assert "工单已签收" in client.get(INBOX).content.decode()


def test_quick_acknowledge_of_another_units_case_is_a_404(client, at_xining_waiting, staff):
    client.force_login(staff.golmud_handler)
    before = snapshot(at_xining_waiting)
    assert client.post(f"/cases/{at_xining_waiting.number}/acknowledge/").status_code == 404
    assert snapshot(at_xining_waiting) == before


def test_the_inbox_costs_the_same_queries_for_5_and_for_40_cases(
    client, accepted_case, staff, tree, django_assert_max_num_queries
):
    client.force_login(staff.xining_handler)
    for _ in range(5):
        services.urge(
            services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining),
            actor=staff.agent,
        )
    client.get(INBOX)
    with django_assert_max_num_queries(12) as few:
        assert len(client.get(INBOX).context["rows"]) == 5
    for _ in range(35):
        services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(INBOX).context["rows"]) == 25


# --- the supervision board ---------------------------------------------------------------------


@pytest.fixture
def late(accepted_case, flow, staff, tree, clock):
    """On the evening of 11 March 2026: one overdue at Chengdong (passed on by Xining), one
    overdue at Xining, one due soon at Golmud."""
    clock.set(shanghai(2026, 3, 2, 9, 0))
    first = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    first = services.acknowledge(first, actor=staff.xining_handler)
    first = services.dispatch(first, actor=staff.xining_dispatcher, to=tree.chengdong, days=2)
    second = services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    clock.set(shanghai(2026, 3, 10, 9, 0))
    soon = services.dispatch(accepted_case(), actor=staff.agent, to=tree.golmud)
    clock.set(shanghai(2026, 3, 11, 20, 0))
    return {"first": first, "second": second, "soon": soon}


def test_the_board_counts_overdue_and_due_soon_per_unit_worst_first(client, late, staff, tree):
    client.force_login(staff.province_supervisor)
    response = client.get(BOARD)
    loads = [(load.unit.name, load.overdue, load.due_soon) for load in response.context["loads"]]
    assert loads == [("西宁市总工会", 2, 0), ("海西州总工会", 0, 1)]
    assert response.context["total_overdue"] == 2
    assert numbers(response, "watched")[:2] == [late["first"].number, late["second"].number]


def test_the_board_looks_one_level_further_down(client, late, staff, tree):
    client.force_login(staff.province_supervisor)
    response = client.get(BOARD, {"unit": tree.xining.pk})
    loads = {load.unit.name: (load.overdue, load.is_base) for load in response.context["loads"]}
    assert loads == {"城东区总工会": (1, False), "西宁市总工会": (1, True)}


def test_a_prefecture_supervisor_sees_only_its_subtree_on_the_board(client, late, staff, tree):
    client.force_login(staff.xining_supervisor)
    response = client.get(BOARD)
    assert [load.unit.name for load in response.context["loads"]] == [
        "城东区总工会",
        "西宁市总工会",
    ]
    assert late["soon"].number not in numbers(response, "watched")
    assert client.get(BOARD, {"unit": tree.haixi.pk}).status_code == 404


def test_the_board_lists_supervised_cases_and_dissatisfied_ratings(
    client, accepted_case, flow, staff
):
    supervised = services.supervise(
        flow.at_prefecture(accepted_case()), actor=staff.province_supervisor, note="重点"
    )
    unhappy = flow.resolved(accepted_case())
    services.follow_up(unhappy, actor=staff.agent, rating=Rating.DISSATISFIED, solved=False)
    happy = flow.resolved(accepted_case())
    services.follow_up(happy, actor=staff.agent, rating=Rating.SATISFIED, solved=True)
    client.force_login(staff.province_supervisor)
    response = client.get(BOARD)
    assert numbers(response, "supervised") == [supervised.number]
    assert numbers(response, "dissatisfied") == [unhappy.number]
    assert response.context["counts"] == {"supervised": 1, "dissatisfied": 1}


def test_one_click_urge_from_the_board_redraws_the_row(client, late, staff):
    client.force_login(staff.province_supervisor)
    case = late["second"]
    response = client.post(
        f"/cases/{case.number}/supervision/urge/", {"row-note": "请今日签收"}, headers=HTMX
    )
    page = response.content.decode()
    assert "已向承办单位催办" in page
    assert "请今日签收" in page
    assert Case.objects.get(pk=case.pk).urge_count == 1


def test_one_click_supervise_needs_a_note_and_changes_nothing_without_one(client, late, staff):
    client.force_login(staff.province_supervisor)
    case = late["second"]
    before = snapshot(case)
    page = client.post(
        f"/cases/{case.number}/supervision/supervise/", {"row-note": ""}, headers=HTMX
    ).content.decode()
    assert "请填写理由。" in page
    assert snapshot(case) == before
    client.post(f"/cases/{case.number}/supervision/supervise/", {"row-note": "超期严重"})
    assert Case.objects.get(pk=case.pk).supervised


def test_a_leader_sees_the_board_without_one_click_actions(client, late, tree):
    client.force_login(f.user(tree.province, Role.LEADER))
    response = client.get(BOARD)
    assert response.status_code == 200
    assert 'data-testid="quick-urge"' not in response.content.decode()
    case = late["second"]
    assert client.post(f"/cases/{case.number}/supervision/urge/", headers=HTMX).status_code == 200
    assert Case.objects.get(pk=case.pk).urge_count == 0


def test_only_urge_and_supervise_are_one_click_actions(client, late, staff):
    client.force_login(staff.province_supervisor)
    case = late["second"]
    assert client.post(f"/cases/{case.number}/supervision/close/").status_code == 404


def test_the_board_costs_the_same_queries_for_5_and_for_40_cases(
    client, accepted_case, staff, tree, clock, django_assert_max_num_queries
):
    clock.set(shanghai(2026, 3, 2, 9, 0))
    for _ in range(5):
        services.dispatch(accepted_case(), actor=staff.agent, to=tree.xining)
    clock.set(shanghai(2026, 3, 10, 9, 0))
    client.force_login(staff.province_supervisor)
    client.get(BOARD)
    with django_assert_max_num_queries(14) as few:
        assert len(client.get(BOARD).context["watched"]) == 5
    clock.set(shanghai(2026, 3, 2, 9, 0))
    for _ in range(35):
        services.dispatch(accepted_case(), actor=staff.agent, to=tree.haixi)
    clock.set(shanghai(2026, 3, 10, 9, 0))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(BOARD).context["watched"]) == 40


# --- the follow-up queue -----------------------------------------------------------------------


def test_the_follow_up_queue_lists_resolved_unrated_cases_oldest_first(
    client, accepted_case, flow, staff, clock
):
    clock.set(shanghai(2026, 3, 2, 9, 0))
    older = flow.resolved(accepted_case())
    clock.set(shanghai(2026, 3, 3, 9, 0))
    newer = flow.resolved(accepted_case())
    rated = flow.resolved(accepted_case())
    services.follow_up(rated, actor=staff.agent, rating=Rating.SATISFIED, solved=True)
    flow.at_prefecture(accepted_case())
    clock.set(shanghai(2026, 3, 10, 9, 0))
    client.force_login(staff.agent)
    response = client.get(FOLLOW_UP)
    assert numbers(response) == [older.number, newer.number]
    assert response.context["rows"][0].badge.state == "overdue"


def test_recording_a_follow_up_inline_redraws_the_row_as_done(client, accepted_case, flow, staff):
    case = flow.resolved(accepted_case())
    client.force_login(staff.agent)
    prefix = f"fu{case.pk}"
    response = client.post(
        f"/cases/{case.number}/follow-up/",
        {f"{prefix}-rating": "basically_satisfied", f"{prefix}-solved": "yes"},
        headers=HTMX,
    )
    page = response.content.decode()
    assert "回访结果已登记" in page
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.rating, case.solved) == (Status.CLOSED, "basically_satisfied", True)


def test_recording_a_follow_up_redraws_the_queues_count_with_the_row(
    client, accepted_case, flow, staff
):
    case = flow.resolved(accepted_case())
    flow.resolved(accepted_case(phone="13997100001"))
    client.force_login(staff.agent)
    assert "待回访 2 件" in client.get(FOLLOW_UP).content.decode()
    prefix = f"fu{case.pk}"
    page = client.post(
        f"/cases/{case.number}/follow-up/",
        {f"{prefix}-rating": "satisfied", f"{prefix}-solved": "yes"},
        headers=HTMX,
    ).content.decode()
    # An out-of-band swap of the header, next to the row.
    count = page[page.index('id="follow-up-count"') :]
    assert 'hx-swap-oob="true"' in count.split(">", 1)[0]
    assert "待回访 1 件" in count


def test_a_follow_up_without_a_rating_is_refused_in_the_row(client, accepted_case, flow, staff):
    case = flow.resolved(accepted_case())
    before = snapshot(case)
    client.force_login(staff.agent)
    prefix = f"fu{case.pk}"
    page = client.post(
        f"/cases/{case.number}/follow-up/", {f"{prefix}-solved": "yes"}, headers=HTMX
    ).content.decode()
    assert "请选择满意度评价。" in page
    assert f'id="follow-up-row-{case.pk}"' in page
    assert "hx-swap-oob" not in page  # nothing was recorded: the count stands
    assert snapshot(case) == before


def test_the_follow_up_queue_masks_phones_and_shows_them_on_request(
    client, accepted_case, flow, staff
):
    case = flow.resolved(accepted_case(phone="13897112345"))
    client.force_login(staff.agent)
    page = client.get(FOLLOW_UP).content.decode()
    assert "138****2345" in page and "13897112345" not in page
    shown = client.post(
        f"/cases/{case.number}/personal-data/",
        {"slot": f"worker-{case.number}", "compact": "1"},
        headers=HTMX,
    ).content.decode()
    assert "13897112345" in shown
    assert f'id="worker-{case.number}"' in shown


def test_the_follow_up_queue_costs_the_same_queries_for_5_and_for_40_cases(
    client, accepted_case, flow, staff, django_assert_max_num_queries
):
    for _ in range(5):
        flow.resolved(accepted_case())
    client.force_login(staff.agent)
    client.get(FOLLOW_UP)
    with django_assert_max_num_queries(10) as few:
        assert len(client.get(FOLLOW_UP).context["rows"]) == 5
    for _ in range(35):
        flow.resolved(accepted_case())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(FOLLOW_UP).context["rows"]) == 25
