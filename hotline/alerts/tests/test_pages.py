"""The risk alert pages: for supervisors and leaders only, scoped, in a constant number of
queries, each alert linking to its cases, and the acknowledgement form with its validation."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Role
from hotline.alerts.models import AlertStatus
from hotline.core.navigation import navigation_for
from hotline.testing import factories as f

from .conftest import HTMX

LIST = "/alerts/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SUPERVISOR, 200),
        (Role.LEADER, 200),
        (Role.HANDLER, 403),
        (Role.DISPATCHER, 403),
        (Role.AGENT, 403),
        (Role.LAWYER, 403),
    ],
)
def test_the_list_opens_for_supervisors_and_leaders_only(client, tree, role, status):
    client.force_login(f.user(tree.xining, role))
    assert client.get(LIST).status_code == status


def test_the_list_needs_a_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_navigation_offers_risk_alerts_to_supervisors_and_leaders(tree):
    def urls(*roles):
        return [link.url for link in navigation_for(f.user(tree.province, *roles), "/")]

    assert LIST in urls(Role.SUPERVISOR) and LIST in urls(Role.LEADER)
    assert LIST not in urls(Role.HANDLER, Role.DISPATCHER, Role.AGENT)


def test_the_list_shows_the_open_alerts_of_the_users_subtree(client, people, many_people_alert):
    mine = many_people_alert(workplace_division="630102")
    many_people_alert(workplace_division="632801")  # Golmud's
    client.force_login(people.chengdong_supervisor)
    response = client.get(LIST)
    assert [alert.pk for alert in response.context["alerts"]] == [mine.pk]
    page = response.content.decode()
    assert f'href="/alerts/{mine.pk}/"' in page
    assert dict((key, count) for key, _label, count in response.context["tabs"]) == {
        "open": 1,
        "acknowledged": 0,
        "all": 1,
    }


def test_the_tabs_and_the_rule_filter_narrow_the_list(client, people, many_people_alert):
    opened = many_people_alert()
    closed = many_people_alert()
    client.force_login(people.province_supervisor)
    client.post(f"/alerts/{closed.pk}/acknowledge/", {"note": "已处理"})
    listed = lambda **query: [a.pk for a in client.get(LIST, query).context["alerts"]]  # noqa: E731
    assert listed() == [opened.pk]  # open by default
    assert listed(status="acknowledged") == [closed.pk]
    assert set(listed(status="all")) == {opened.pk, closed.pk}
    assert listed(status="all", rule="employer_repeat") == []
    assert listed(status="nonsense") == [opened.pk]  # an unknown tab falls back to open


def test_an_htmx_request_gets_the_results_alone(client, people, many_people_alert):
    many_people_alert()
    client.force_login(people.province_supervisor)
    response = client.get(LIST, {"status": "all"}, headers=HTMX)
    assert response.templates[0].name == "alerts/_results.html"
    assert "<html" not in response.content.decode()


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_costs_the_same_queries_whatever_its_length(
    client, people, many_people_alert, django_assert_num_queries, count
):
    for _ in range(count):
        many_people_alert()
    client.force_login(people.province_supervisor)
    client.get(LIST)  # the session and the user's cached bits warmed up
    # Session, user, roles, the tab counts, the page's count, the page.
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert len(response.context["alerts"]) == count


def test_the_detail_links_each_case_to_its_page(client, people, many_people_alert):
    alert = many_people_alert(people_involved=33)
    case = alert.cases.get()
    client.force_login(people.province_supervisor)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert f'href="/cases/{case.number}/"' in page
    assert case.title in page
    assert 'data-testid="acknowledge-form"' in page


def test_the_detail_of_an_alert_outside_the_subtree_is_404(client, people, many_people_alert):
    golmud = many_people_alert(workplace_division="632801")
    client.force_login(people.chengdong_supervisor)
    assert client.get(f"/alerts/{golmud.pk}/").status_code == 404
    assert client.post(f"/alerts/{golmud.pk}/acknowledge/", {"note": "x"}).status_code == 404
    golmud.refresh_from_db()
    assert golmud.status == AlertStatus.OPEN


def test_acknowledging_on_the_page_records_it_and_redirects_back(client, people, many_people_alert):
    alert = many_people_alert()
    client.force_login(people.xining_supervisor)
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "已约谈企业法人"})
    assert response.status_code == 302 and response["Location"] == f"/alerts/{alert.pk}/"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == people.xining_supervisor
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'data-testid="acknowledged"' in page and "已约谈企业法人" in page
    assert 'data-testid="acknowledge-form"' not in page


def test_an_htmx_acknowledgement_answers_the_panel_redrawn(client, people, many_people_alert):
    alert = many_people_alert()
    client.force_login(people.province_leader)
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "收到"}, headers=HTMX)
    assert response.status_code == 200
    assert response.templates[0].name == "alerts/_acknowledgement.html"
    body = response.content.decode()
    assert 'data-testid="acknowledged"' in body and 'data-testid="panel-message"' in body


def test_a_blank_note_is_refused_with_the_form_shown_again(client, people, many_people_alert):
    alert = many_people_alert()
    client.force_login(people.province_supervisor)
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "   "}, headers=HTMX)
    body = response.content.decode()
    assert 'data-testid="note-error"' in body and 'data-testid="acknowledge-form"' in body
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_a_second_acknowledgement_on_the_page_changes_nothing(client, people, many_people_alert):
    alert = many_people_alert()
    client.force_login(people.province_supervisor)
    client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "第一次"})
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "第二次"}, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert messages and all("第二次" not in message for message in messages)
    alert.refresh_from_db()
    assert alert.acknowledgement_note == "第一次"
    assert alert.events.filter(action="acknowledged").count() == 1


def test_the_acknowledgement_only_takes_posts(client, people, many_people_alert):
    alert = many_people_alert()
    client.force_login(people.province_supervisor)
    assert client.get(f"/alerts/{alert.pk}/acknowledge/").status_code == 405
