"""When a worker who filed online gets the SMS with the case number: when the hotline centre accepts
the request, not when it is filed.

The filing page shows the number at once (with a copy button) and says the SMS follows the
acceptance; the "accepted" SMS (PRODUCT.md, issue 3: "accepted with number and how to check")
then carries the number and the lookup address. Filing itself sends nothing: the form needs no
login, so a text at filing would let anyone make the platform message any phone number, however
the filing is rate-limited; acceptance is a person's decision.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.cases import services
from hotline.cases.models import Case
from hotline.notifications.models import Channel, OutboxMessage

from .conftest import PHONE, request_data

pytestmark = pytest.mark.django_db


def test_filing_online_sends_no_sms_and_the_page_says_it_comes_with_the_acceptance(client, staff):
    response = client.post(reverse("selfservice:file"), request_data(), follow=True)
    case = Case.objects.get()
    page = response.content.decode()
    assert case.number in page
    assert "热线中心受理后，会发短信到" in page and "138****2345" in page
    assert not OutboxMessage.objects.filter(channel=Channel.SMS).exists()


def test_filing_through_the_public_api_sends_no_sms_either(client, staff):
    response = client.post(
        "/api/v1/public/cases",
        {
            "kind": "complaint",
            "category": "0101",
            "description": "公司拖欠三个月工资。",
            "worker_name": "张师傅",
            "phone": PHONE,
            "employer_name": "青海某建筑工程有限公司",
            "workplace_division": "630102",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert not OutboxMessage.objects.filter(channel=Channel.SMS).exists()


def test_the_acceptance_of_an_online_request_texts_the_number_and_where_to_check(client, staff):
    client.post(reverse("selfservice:file"), request_data())
    case = services.accept(Case.objects.get(), actor=staff.agent)
    sms = OutboxMessage.objects.get(channel=Channel.SMS)
    assert (sms.template, sms.recipient_phone) == ("accepted", PHONE)
    assert case.number in sms.body and "/public/lookup" in sms.body
