"""A worker rates a resolved case once, after a lookup in the same session."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.cases.models import Case
from hotline.cases.states import Rating, Status

from .conftest import look_up

pytestmark = pytest.mark.django_db


def rate_url(number: str) -> str:
    return reverse("selfservice:rate", kwargs={"number": number})


def case_url(number: str) -> str:
    return reverse("selfservice:case", kwargs={"number": number})


def test_a_worker_rates_a_resolved_case_and_sees_the_thanks_and_the_timeline(client, resolved_case):
    case = resolved_case()
    look_up(client, case.number)
    assert client.get(rate_url(case.number)).status_code == 200
    response = client.post(
        rate_url(case.number),
        {"rating": Rating.SATISFIED, "solved": "yes", "note": "感谢工会！"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == case_url(case.number)
    case.refresh_from_db()
    assert (case.rating, case.solved, case.rated_by_worker) == (Rating.SATISFIED, True, True)
    assert case.status == Status.CLOSED
    assert [str(m) for m in response.context["messages"]]
    assert response.context["progress"].reached == 4
    assert 'data-testid="timeline"' in response.content.decode()
    assert 'data-testid="my-rating"' in response.content.decode()


def test_a_dissatisfied_rating_that_the_problem_is_not_solved_is_recorded(client, resolved_case):
    case = resolved_case()
    look_up(client, case.number)
    client.post(rate_url(case.number), {"rating": Rating.DISSATISFIED, "solved": "no"})
    case.refresh_from_db()
    assert (case.rating, case.solved, case.status) == (Rating.DISSATISFIED, False, Status.RESOLVED)


def test_a_case_is_rated_once_only(client, resolved_case):
    case = resolved_case()
    look_up(client, case.number)
    client.post(rate_url(case.number), {"rating": Rating.DISSATISFIED, "solved": "no"})
    again = client.post(rate_url(case.number), {"rating": Rating.SATISFIED, "solved": "yes"})
    assert again.status_code == 302
    assert again["Location"] == case_url(case.number)
    assert client.get(rate_url(case.number))["Location"] == case_url(case.number)
    case.refresh_from_db()
    assert case.rating == Rating.DISSATISFIED
    assert case.events.filter(action="rate").count() == 1


def test_a_case_that_is_not_resolved_cannot_be_rated(client, new_case):
    case = new_case()
    look_up(client, case.number)
    response = client.post(rate_url(case.number), {"rating": Rating.SATISFIED, "solved": "yes"})
    assert response["Location"] == case_url(case.number)
    case.refresh_from_db()
    assert case.rating == ""
    assert case.status == Status.RECEIVED


def test_rating_needs_a_lookup_in_the_same_session(client, resolved_case):
    case = resolved_case()
    response = client.post(rate_url(case.number), {"rating": Rating.SATISFIED, "solved": "yes"})
    assert response["Location"] == reverse("selfservice:lookup")
    assert Case.objects.get(pk=case.pk).rating == ""


def test_a_rating_without_answers_is_refused_next_to_the_fields(client, resolved_case):
    case = resolved_case()
    look_up(client, case.number)
    response = client.post(rate_url(case.number), {"rating": "great", "note": "好" * 2001})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"rating", "solved", "note"}
    assert Case.objects.get(pk=case.pk).rating == ""
    assert "好" * 2001 in response.content.decode()
