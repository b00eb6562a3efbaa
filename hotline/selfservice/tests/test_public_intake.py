"""``register_public_case``: a request and its photos are written together or not at all."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.cases.events import verify_case
from hotline.cases.models import Attachment, Case, CaseEvent
from hotline.cases.services.public_intake import MAX_WORKER_PHOTOS, register_public_case
from hotline.cases.states import Action, Channel, Kind
from hotline.core.errors import DomainError

from .conftest import JPEG, PDF, PHONE, PNG

pytestmark = pytest.mark.django_db


def intake(**overrides):
    fields = {
        "channel": Channel.WEB,
        "kind": Kind.COMPLAINT,
        "category": "0101",
        "title": "工资被拖欠",
        "description": "公司拖欠三个月工资。",
        "worker_name": "张师傅",
        "phone": PHONE,
        "intake_key": "k1",
    }
    fields.update(overrides)
    return fields


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_photos_come_with_the_case_as_worker_events_in_the_chain(tree):
    case, created = register_public_case(
        photos=[upload("a.png", PNG), upload("b.jpeg", JPEG)], **intake()
    )
    assert created
    assert Attachment.objects.filter(case=case, uploaded_by=None).count() == 2
    attach_events = CaseEvent.objects.filter(case=case, action=Action.ATTACH)
    assert [event.data["by_worker"] for event in attach_events] == [True, True]
    assert verify_case(Case.objects.get(pk=case.pk)) == []


def test_a_bad_photo_refuses_the_whole_request(tree):
    with pytest.raises(DomainError) as refused:
        register_public_case(photos=[upload("a.png", PNG), upload("c.pdf", PDF)], **intake())
    assert refused.value.code == "case.file_type_not_allowed"
    assert list(refused.value.fields) == ["photos"]
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()


def test_a_pdf_named_as_a_photo_is_refused_by_content(tree):
    with pytest.raises(DomainError) as refused:
        register_public_case(photos=[upload("scan.jpg", PDF)], **intake())
    assert list(refused.value.fields) == ["photos"]
    assert not Case.objects.exists()


def test_at_most_three_photos(tree):
    photos = [upload(f"{n}.png", PNG) for n in range(MAX_WORKER_PHOTOS + 1)]
    with pytest.raises(DomainError) as refused:
        register_public_case(photos=photos, **intake())
    assert refused.value.code == "case.too_many_photos"
    assert not Case.objects.exists()


def test_a_refused_request_stores_no_photo(tree):
    with pytest.raises(DomainError):
        register_public_case(photos=[upload("a.png", PNG)], **intake(phone="12"))
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()


def test_a_repeated_submission_returns_the_first_case_without_new_photos(tree):
    first, _ = register_public_case(photos=[upload("a.png", PNG)], **intake())
    again, created = register_public_case(photos=[upload("a.png", PNG)], **intake())
    assert (again.pk, created) == (first.pk, False)
    assert Attachment.objects.count() == 1
