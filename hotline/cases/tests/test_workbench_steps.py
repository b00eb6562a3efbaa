"""The next step on the workbench once a call is saved: resolve directly citing an article,
dispatch to the unit the workplace suggests, decline with a referral, merge a repeat. A refused
step changes nothing and says why."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from hotline.cases import services
from hotline.cases.models import Case, CaseEvent
from hotline.cases.pages.workbench_forms import REFERRALS
from hotline.cases.pages.workbench_selectors import suggested_unit
from hotline.cases.states import Action, Status
from hotline.knowledge.models import KnowledgeArticle
from hotline.organizations.models import Division
from hotline.testing import factories as f

from .conftest import snapshot
from .workbench_support import HTMX, register_form

pytestmark = pytest.mark.django_db


def step_url(case: Case, step: str) -> str:
    return reverse("cases:workbench_step", args=[case.number, step])


@pytest.fixture
def registered(client, staff):
    """Register a call on the workbench as the agent; returns the case."""

    def register(**overrides):
        client.force_login(staff.agent)
        client.post("/cases/workbench/", register_form(**overrides))
        return Case.objects.order_by("-id").first()

    return register


# --- resolve directly ----------------------------------------------------------------------------


def test_resolve_directly_citing_an_article(client, staff, registered):
    case = registered(kind="consultation")
    article = KnowledgeArticle.objects.get(title="拖欠工资怎么办")
    response = client.post(
        step_url(case, "resolve"),
        {
            "resolve-answer": "可向劳动保障监察投诉，也可申请劳动仲裁或支付令。",
            "resolve-article": article.pk,
        },
        **HTMX,
    )
    case.refresh_from_db()
    event = CaseEvent.objects.get(case=case, action=Action.RESOLVE_DIRECTLY)
    assert response.status_code == 200
    assert case.status == Status.RESOLVED
    assert case.answer == "可向劳动保障监察投诉，也可申请劳动仲裁或支付令。"
    assert event.data["article"] == f"#{article.pk} 拖欠工资怎么办"
    html = response.content.decode()
    assert 'data-testid="finished"' in html and 'data-testid="next-call"' in html


def test_an_article_cited_before_saving_starts_the_answer(client, staff):
    article = KnowledgeArticle.objects.get(title="加班费计算标准")
    client.force_login(staff.agent)
    response = client.post(
        "/cases/workbench/",
        register_form(kind="consultation", cite_article=article.pk, category="0103"),
        **HTMX,
    )
    html = response.content.decode()
    assert 'id="step-resolve"' in html
    assert re.search(r'class="tab-pane fade show active" id="step-resolve"', html)
    assert "日工资 = 月工资收入 ÷ 21.75天" in html
    assert f'name="resolve-article" value="{article.pk}"' in html


def test_the_workbench_case_page_starts_the_answer_from_a_cited_article(client, registered):
    case = registered(kind="consultation")
    article = KnowledgeArticle.objects.get(title="试用期的规定")
    html = client.get(
        reverse("cases:workbench_case", args=[case.number]), {"cite": article.pk}
    ).content.decode()
    assert "试用期工资不得低于" in html
    assert 'data-testid="cited-article"' in html


def test_resolving_without_an_answer_changes_nothing_and_says_why(client, registered):
    case = registered(kind="consultation")
    before = snapshot(case)
    html = client.post(step_url(case, "resolve"), {"resolve-answer": " "}, **HTMX).content.decode()
    assert snapshot(case) == before
    assert "请填写必填项。" in html
    assert re.search(r'data-field="answer">此项为必填项。<', html)


def test_citing_an_unpublished_article_changes_nothing(client, registered):
    case = registered(kind="consultation")
    draft = KnowledgeArticle.objects.create(title="草稿", body="未审核", is_published=False)
    before = snapshot(case)
    response = client.post(
        step_url(case, "resolve"), {"resolve-answer": "答复", "resolve-article": draft.pk}, **HTMX
    )
    assert snapshot(case) == before
    assert 'data-testid="step-error"' in response.content.decode()


# --- dispatch ------------------------------------------------------------------------------------


def test_the_dispatch_step_suggests_the_county_federation_of_the_workplace(
    client, tree, registered
):
    case = registered()
    html = client.get(reverse("cases:workbench_case", args=[case.number])).content.decode()
    assert 'data-testid="suggestion"' in html
    assert re.search(rf'<option value="{tree.chengdong.pk}" selected>城东区总工会', html)


def test_dispatch_to_the_suggested_unit(client, tree, registered):
    case = registered()
    response = client.post(
        step_url(case, "dispatch"), {"dispatch-to": tree.chengdong.pk, "dispatch-note": "请核实"}
    )
    case.refresh_from_db()
    assert response.status_code == 302
    assert case.status == Status.DISPATCHED
    assert case.handling_org == tree.chengdong
    assert CaseEvent.objects.filter(case=case, action=Action.DISPATCH, note="请核实").exists()


def test_the_agent_may_choose_another_unit_than_the_suggested_one(client, tree, registered):
    case = registered()
    client.post(step_url(case, "dispatch"), {"dispatch-to": tree.golmud.pk}, **HTMX)
    case.refresh_from_db()
    assert case.handling_org == tree.golmud


def test_dispatching_to_ones_own_unit_changes_nothing_and_says_why(client, tree, registered):
    case = registered()
    before = snapshot(case)
    html = client.post(
        step_url(case, "dispatch"), {"dispatch-to": tree.province.pk}, **HTMX
    ).content.decode()
    assert snapshot(case) == before
    assert "不能将工单派给本单位。" in html
    assert re.search(r'data-field="to">请选择本单位的下级单位。<', html)


def test_dispatching_without_a_unit_changes_nothing(client, registered):
    case = registered()
    before = snapshot(case)
    html = client.post(step_url(case, "dispatch"), {"dispatch-to": ""}, **HTMX).content.decode()
    assert snapshot(case) == before
    assert 'data-field="to"' in html


def test_the_suggestion_falls_back_to_the_prefecture_federation(staff, tree):
    county_without_federation = Division.objects.get(code="630104")
    found = suggested_unit(staff.agent, county_without_federation)
    assert found is not None and found.unit == tree.xining
    assert suggested_unit(staff.agent, tree.haixi_division).unit == tree.haixi
    assert suggested_unit(staff.agent, tree.golmud_division).unit == tree.golmud
    assert suggested_unit(staff.agent, None) is None


def test_the_suggestion_is_always_below_the_users_own_unit(staff, tree):
    # Xining's own dispatcher is not suggested their own federation for a Xining workplace.
    assert suggested_unit(staff.xining_dispatcher, tree.xining_division) is None
    assert suggested_unit(staff.xining_dispatcher, tree.chengdong_division).unit == tree.chengdong
    assert suggested_unit(staff.xining_dispatcher, tree.golmud_division) is None


def test_an_inactive_federation_is_not_suggested(staff, tree):
    tree.chengdong.is_active = False
    tree.chengdong.save(update_fields=["is_active"])
    assert suggested_unit(staff.agent, tree.chengdong_division).unit == tree.xining


# --- decline -------------------------------------------------------------------------------------


def test_decline_with_a_common_referral(client, registered):
    case = registered(then="hold")
    response = client.post(
        step_url(case, "decline"), {"decline-preset": "social_insurance"}, **HTMX
    )
    case.refresh_from_db()
    expected = str(next(text for key, _label, text in REFERRALS if key == "social_insurance"))
    assert case.status == Status.DECLINED
    assert case.referral == expected and "12333" in expected
    assert 'data-testid="finished"' in response.content.decode()


def test_a_typed_referral_wins_over_the_quick_choice(client, registered):
    case = registered(then="hold")
    client.post(
        step_url(case, "decline"),
        {
            "decline-preset": "court",
            "decline-referral": "请向西宁市劳动人事争议仲裁委员会申请仲裁。",
        },
    )
    case.refresh_from_db()
    assert case.referral == "请向西宁市劳动人事争议仲裁委员会申请仲裁。"


def test_every_quick_referral_is_offered(client, registered):
    case = registered(then="hold")
    html = client.get(reverse("cases:workbench_case", args=[case.number])).content.decode()
    for key in ("social_insurance", "arbitration", "court", "labor_inspection"):
        assert f'data-testid="referral-{key}"' in html


def test_declining_without_a_referral_changes_nothing_and_says_why(client, registered):
    case = registered(then="hold")
    before = snapshot(case)
    html = client.post(step_url(case, "decline"), {}, **HTMX).content.decode()
    assert snapshot(case) == before
    assert "请填写理由。" in html


def test_an_accepted_case_cannot_be_declined(client, registered):
    case = registered()
    before = snapshot(case)
    html = client.post(
        step_url(case, "decline"), {"decline-preset": "court"}, **HTMX
    ).content.decode()
    assert snapshot(case) == before
    assert "不能进行此操作" in html


def test_accepting_a_held_case_then_offers_resolve_and_dispatch(client, registered):
    case = registered(then="hold")
    html = client.post(step_url(case, "accept"), {}, **HTMX).content.decode()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert 'data-testid="step-dispatch"' in html and 'data-testid="step-resolve"' in html


# --- merge ---------------------------------------------------------------------------------------


def test_a_repeat_is_merged_into_the_earlier_case(client, registered, new_case):
    earlier = new_case()
    case = registered()
    html = client.get(reverse("cases:workbench_case", args=[case.number])).content.decode()
    assert f'value="{earlier.number}"' in html
    client.post(step_url(case, "merge"), {"merge-into": earlier.number}, **HTMX)
    case.refresh_from_db()
    assert case.status == Status.MERGED and case.merged_into == earlier


def test_merge_is_not_offered_without_a_similar_case(client, registered):
    case = registered()
    html = client.get(reverse("cases:workbench_case", args=[case.number])).content.decode()
    assert 'data-testid="step-merge"' not in html


def test_merging_into_an_unseen_case_changes_nothing(client, staff, tree, registered, new_case):
    case = registered()
    before = snapshot(case)
    html = client.post(
        step_url(case, "merge"), {"merge-into": "2099010100001"}, **HTMX
    ).content.decode()
    assert snapshot(case) == before
    assert 'data-field="into"' in html


# --- scope, roles and races ----------------------------------------------------------------------


def test_a_step_on_a_case_another_agent_already_finished_changes_nothing(
    client, staff, tree, registered
):
    case = registered(kind="consultation")
    services.resolve_directly(case, actor=staff.agent, answer="已答复")
    before = snapshot(case)
    html = client.post(
        step_url(case, "dispatch"), {"dispatch-to": tree.chengdong.pk}, **HTMX
    ).content.decode()
    assert snapshot(case) == before
    assert "不能进行此操作" in html
    assert 'data-testid="finished"' in html


def test_a_case_outside_the_users_scope_is_404(client, staff, registered):
    case = registered()
    client.force_login(staff.haixi_dispatcher)
    assert client.get(reverse("cases:workbench_case", args=[case.number])).status_code == 404
    assert client.post(step_url(case, "resolve"), {"resolve-answer": "x"}).status_code == 404


def test_an_unknown_step_is_404(client, registered):
    case = registered()
    assert client.post(step_url(case, "close")).status_code == 404


def test_a_lawyer_answers_the_cases_assigned_to_them(client, staff, registered):
    case = registered(kind="consultation")
    services.assign_lawyer(case, actor=staff.agent, lawyer=staff.lawyer)
    client.force_login(staff.lawyer)
    html = client.get("/cases/workbench/").content.decode()
    assert 'data-testid="lawyer-queue"' in html and case.number in html
    assert 'data-testid="register-form"' not in html
    page = client.get(reverse("cases:workbench_case", args=[case.number])).content.decode()
    assert 'data-testid="step-resolve"' in page and 'data-testid="step-dispatch"' not in page
    client.post(step_url(case, "resolve"), {"resolve-answer": "可以申请法律援助。"})
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_another_lawyer_does_not_see_the_case(staff, tree, registered):
    case = registered(kind="consultation")
    services.assign_lawyer(case, actor=staff.agent, lawyer=staff.lawyer)
    client = Client()
    client.force_login(f.user(tree.province, "lawyer"))
    assert case.number not in client.get("/cases/workbench/").content.decode()
    assert client.get(reverse("cases:workbench_case", args=[case.number])).status_code == 404
