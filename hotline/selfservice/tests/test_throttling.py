"""Form posts of the public pages count against the public API's limits, per address and phone."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from hotline.cases.models import Case
from hotline.cases.states import Rating
from hotline.cases.throttling import rate_for

from .conftest import look_up, request_data

pytestmark = pytest.mark.django_db

RATES = {
    "lookup_ip": "4/hour",
    "lookup_phone": "2/hour",
    "intake_ip": "4/hour",
    "intake_phone": "2/hour",
    "rating_ip": "4/hour",
    "rating_phone": "2/hour",
}


@pytest.fixture(autouse=True)
def fixed_window(monkeypatch):
    """All requests of a test fall into one rate-limit window."""
    moment = datetime.datetime(2025, 6, 3, 10, 0, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def assert_throttled(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert 'data-testid="throttled"' in response.content.decode()
    assert 'href="tel:12351"' in response.content.decode()


@override_settings(PUBLIC_API_RATES=RATES)
def test_lookups_from_one_phone_are_limited(new_case):
    case = new_case()
    for address in ("10.0.0.1", "10.0.0.2"):
        assert look_up(from_address(address), case.number).status_code == 302
    assert_throttled(look_up(from_address("10.0.0.3"), case.number))


@override_settings(PUBLIC_API_RATES=RATES)
def test_lookups_from_one_address_are_limited_whatever_the_phone(new_case):
    client = from_address("10.0.0.9")
    for n in range(4):
        assert look_up(client, "2099010100001", f"1390000000{n}").status_code == 200
    assert_throttled(look_up(client, "2099010100001", "13900000009"))
    # Another address is not affected.
    assert look_up(from_address("10.0.0.10"), "2099010100001", "13900000008").status_code == 200


@override_settings(PUBLIC_API_RATES=RATES)
def test_requests_from_one_phone_are_limited_and_the_refused_one_saves_nothing(tree):
    for n, address in enumerate(("10.0.1.1", "10.0.1.2")):
        response = from_address(address).post(
            reverse("selfservice:file"), request_data(intake_key=f"k{n}")
        )
        assert response.status_code == 302
    response = from_address("10.0.1.3").post(
        reverse("selfservice:file"), request_data(intake_key="k3")
    )
    assert_throttled(response)
    assert Case.objects.count() == 2


@override_settings(PUBLIC_API_RATES=RATES)
def test_requests_from_one_address_are_limited_even_when_invalid(tree):
    client = from_address("10.0.2.1")
    for n in range(4):
        data = request_data(phone=f"1390000001{n}", description="")
        assert client.post(reverse("selfservice:file"), data).status_code == 200
    assert_throttled(client.post(reverse("selfservice:file"), request_data(phone="13900000019")))
    assert not Case.objects.exists()


@override_settings(PUBLIC_API_RATES=RATES)
def test_ratings_are_limited_per_phone(resolved_case):
    case = resolved_case()
    url = reverse("selfservice:rate", kwargs={"number": case.number})
    client = from_address("10.0.3.1")
    look_up(client, case.number)
    for _ in range(2):
        response = client.post(url, {"rating": "", "solved": "yes"})
        assert response.status_code == 200
    assert_throttled(client.post(url, {"rating": Rating.SATISFIED, "solved": "yes"}))
    case.refresh_from_db()
    assert case.rating == ""


def test_without_settings_the_pages_use_the_public_apis_limits(new_case):
    case = new_case()
    allowed = rate_for("lookup_phone").count
    assert allowed < rate_for("lookup_ip").count
    client = from_address("10.0.4.1")
    for _ in range(allowed):
        assert look_up(client, case.number).status_code == 302
    assert_throttled(look_up(client, case.number))
