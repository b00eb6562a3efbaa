"""A worker files a request online: the case is registered once, or the form says what to fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override

from hotline.cases.events import verify_case
from hotline.cases.models import Attachment, Case, CaseEvent, Category
from hotline.cases.states import Action, Channel, Kind, Status
from hotline.selfservice.topics import TOPICS

from .conftest import JPEG, PDF, PHONE, PNG, request_data

pytestmark = pytest.mark.django_db

FILE_URL = "/public/new/"


def file(client, **overrides):
    return client.post(reverse("selfservice:file"), request_data(**overrides))


def test_the_home_page_offers_to_report_to_look_up_and_to_call(client):
    response = client.get(reverse("selfservice:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{reverse("selfservice:file")}"' in page
    assert f'href="{reverse("selfservice:lookup")}"' in page
    assert 'href="tel:12351"' in page
    # The public pages are not the staff shell: no navigation, no login menu.
    assert 'data-testid="navigation"' not in page
    assert 'data-testid="user-menu"' not in page


def test_the_urls_are_under_public():
    assert reverse("selfservice:home") == "/public/"
    assert reverse("selfservice:file") == FILE_URL
    assert reverse("selfservice:lookup") == "/public/lookup/"
    assert reverse("selfservice:rating") == "/public/rating/"
    assert reverse("selfservice:rate", kwargs={"number": "2025"}) == "/public/cases/2025/rate/"


def test_every_topic_stands_for_an_active_category_of_the_taxonomy():
    shipped = json.loads(
        (Path(__file__).resolve().parents[2] / "cases/data/categories.json").read_text()
    )
    codes = {item["code"] for item in shipped} | {
        child["code"] for item in shipped for child in item["children"]
    }
    for topic in TOPICS:
        assert topic.category in codes, topic.key
        assert Category.objects.filter(code=topic.category, is_active=True).exists()
    assert len({topic.key for topic in TOPICS}) == len(TOPICS) == 8


def test_the_form_shows_the_topics_and_a_fresh_idempotency_key(client, tree):
    first = client.get(FILE_URL)
    second = client.get(FILE_URL)
    assert first.status_code == 200
    for topic in TOPICS:
        assert f'value="{topic.key}"' in first.content.decode()
    key = first.context["form"].initial["intake_key"]
    assert key and key != second.context["form"].initial["intake_key"]


def test_a_topic_chosen_on_the_home_page_is_preselected(client, tree):
    response = client.get(FILE_URL, {"topic": "work_injury"})
    assert response.context["form"].initial["topic"] == "work_injury"
    assert client.get(FILE_URL, {"topic": "nonsense"}).context["form"].initial.get("topic") is None


def test_the_prefecture_lists_the_prefectures_and_the_counties_are_grouped_under_them(client, tree):
    form = client.get(FILE_URL).context["form"]
    names = [place.name for place in form.prefectures]
    assert "西宁市" in names and "海西蒙古族藏族自治州" in names
    groups = {
        prefecture.code: [c.code for c in counties] for prefecture, counties in form.county_groups
    }
    assert "630102" in groups["630100"] and "632801" in groups["632800"]


def test_a_worker_files_a_request_and_sees_the_case_number(client, tree):
    response = file(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("selfservice:filed")
    case = Case.objects.get()
    assert case.status == Status.RECEIVED
    assert case.channel == Channel.WEB
    assert case.kind == Kind.COMPLAINT
    assert case.owner_org == tree.province
    assert case.owner_path == tree.province.path
    assert case.category.code == "0101"
    assert case.workplace_division_id == "630102"
    assert case.people_involved == 23
    assert case.phone == PHONE
    assert case.worker_name == "张师傅"
    assert case.created_by is None
    with override("zh-hans"):
        assert case.title == f"{TOPICS[0].label}：青海某建筑工程有限公司"
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert case.number in receipt.content.decode()
    assert "138****2345" in receipt.content.decode()


def test_the_phone_may_be_written_with_spaces_and_a_country_code(client, tree):
    file(client, phone="+86 138 9711 2345")
    assert Case.objects.get().phone == PHONE


def test_without_a_county_the_prefecture_is_the_workplace(client, tree):
    file(client, county="")
    assert Case.objects.get().workplace_division_id == "630100"


def test_a_double_submit_creates_one_case(client, tree):
    first = file(client)
    second = file(client)
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Case.objects.get().number in client.get(second["Location"]).content.decode()


def test_two_forms_with_different_keys_make_two_cases(client, tree):
    file(client, intake_key="key-a")
    file(client, intake_key="key-b")
    assert Case.objects.count() == 2


def test_an_anonymous_request_needs_no_name_and_keeps_none(client, tree):
    file(client, is_anonymous="on", worker_name="张师傅")
    case = Case.objects.get()
    assert case.is_anonymous is True
    assert case.worker_name == ""


def test_a_request_with_a_bad_phone_is_refused_next_to_the_field_and_nothing_is_saved(client, tree):
    response = file(client, phone="1234")
    assert response.status_code == 200
    assert not Case.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == ["phone"]
    page = response.content.decode()
    assert "请输入手机号码或带区号的固定电话号码。" in page
    # What was typed stays in the form.
    assert 'value="1234"' in page
    assert "拖欠我们23人三个月工资" in page
    assert 'value="unpaid_wages" checked' in page


def test_a_request_without_a_phone_is_refused(client, tree):
    response = file(client, phone="")
    assert list(response.context["form"].errors) == ["phone"]
    assert not Case.objects.exists()


def test_a_request_with_an_empty_description_is_refused(client, tree):
    response = file(client, description="   ")
    assert list(response.context["form"].errors) == ["description"]
    assert "此项为必填项。" in response.content.decode()
    assert not Case.objects.exists()


def test_a_request_with_a_too_long_description_is_refused(client, tree):
    response = file(client, description="欠" * 5001)
    assert list(response.context["form"].errors) == ["description"]
    assert "最多 5000 个字符。" in response.content.decode()
    assert not Case.objects.exists()
    assert file(client, description="欠" * 5000).status_code == 302


def test_a_too_long_employer_name_or_name_is_refused(client, tree):
    response = file(client, employer_name="公" * 201, worker_name="张" * 51)
    assert set(response.context["form"].errors) == {"employer_name", "worker_name"}
    assert not Case.objects.exists()


def test_every_bad_field_is_reported_at_once(client, tree):
    response = file(client, topic="", phone="abc", description="", prefecture="", consent=None)
    assert set(response.context["form"].errors) == {
        "topic",
        "phone",
        "description",
        "prefecture",
        "consent",
    }
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not Case.objects.exists()


def test_a_name_is_needed_unless_the_request_is_anonymous(client, tree):
    response = file(client, worker_name="")
    assert list(response.context["form"].errors) == ["worker_name"]
    assert not Case.objects.exists()


def test_the_employer_is_needed_except_for_other_problems(client, tree):
    response = file(client, employer_name="")
    assert list(response.context["form"].errors) == ["employer_name"]
    file(client, topic="other", employer_name="")
    case = Case.objects.get()
    assert (case.category.code, case.kind) == ("9901", Kind.CONSULTATION)


def test_a_county_outside_the_chosen_prefecture_is_refused(client, tree):
    response = file(client, prefecture="632800", county="630102")
    assert list(response.context["form"].errors) == ["county"]
    assert not Case.objects.exists()


def test_an_unknown_prefecture_is_refused(client, tree):
    response = file(client, prefecture="999900", county="")
    assert list(response.context["form"].errors) == ["prefecture"]


def test_consent_is_required(client, tree):
    response = file(client, consent=None)
    assert list(response.context["form"].errors) == ["consent"]
    assert not Case.objects.exists()


def test_people_involved_must_be_a_whole_number_from_one(client, tree):
    assert list(file(client, people_involved="0").context["form"].errors) == ["people_involved"]
    assert list(file(client, people_involved="many").context["form"].errors) == ["people_involved"]
    file(client, people_involved="")
    assert Case.objects.get().people_involved == 1


def photo(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_photos_are_attached_to_the_new_case_by_the_worker(client, tree):
    data = request_data()
    data["photos"] = [photo("工资条.png", PNG), photo("欠条.jpg", JPEG)]
    response = client.post(FILE_URL, data)
    assert response.status_code == 302
    case = Case.objects.get()
    attachments = Attachment.objects.filter(case=case).order_by("pk")
    assert [a.content_type for a in attachments] == ["image/png", "image/jpeg"]
    assert all(a.uploaded_by is None for a in attachments)
    # The stored name is random: the worker's file name may say who they are.
    assert all("工资条" not in a.file.name for a in attachments)
    events = CaseEvent.objects.filter(case=case, action=Action.ATTACH)
    assert events.count() == 2
    assert all(event.actor is None and not event.public for event in events)
    assert verify_case(Case.objects.get(pk=case.pk)) == []


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(client, tree):
    data = request_data()
    data["photos"] = [photo("合同.pdf", PDF)]
    response = client.post(FILE_URL, data)
    assert list(response.context["form"].errors) == ["photos"]
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()


def test_a_renamed_file_is_refused_by_its_content(client, tree):
    data = request_data()
    data["photos"] = [photo("照片.png", b"MZ\x90\x00" + b"\x00" * 64)]
    response = client.post(FILE_URL, data)
    assert list(response.context["form"].errors) == ["photos"]
    assert not Case.objects.exists()


def test_more_than_three_photos_are_refused(client, tree):
    data = request_data()
    data["photos"] = [photo(f"{n}.png", PNG) for n in range(4)]
    response = client.post(FILE_URL, data)
    assert list(response.context["form"].errors) == ["photos"]
    assert not Case.objects.exists()


def test_a_repeated_submission_does_not_attach_its_photos_again(client, tree):
    for _ in range(2):
        data = request_data()
        data["photos"] = [photo("工资条.png", PNG)]
        client.post(FILE_URL, data)
    assert Case.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_the_receipt_page_without_a_filed_request_goes_home(client, tree):
    response = client.get(reverse("selfservice:filed"))
    assert response.status_code == 302
    assert response["Location"] == reverse("selfservice:home")


def test_the_receipt_page_shows_only_the_case_filed_in_this_session(client, tree):
    file(client)
    other = client.__class__()
    assert other.get(reverse("selfservice:filed")).status_code == 302


def test_a_get_on_a_page_with_a_form_never_writes(client, tree):
    client.get(FILE_URL)
    client.get(reverse("selfservice:lookup"))
    assert not Case.objects.exists()


def test_the_title_is_in_the_site_language_whatever_the_worker_reads(client, tree):
    client.post(FILE_URL, request_data(intake_key="zh"))
    client.post(FILE_URL, request_data(intake_key="en"), HTTP_ACCEPT_LANGUAGE="en")
    first, second = Case.objects.order_by("pk")
    assert first.title == second.title


def test_the_pages_refuse_other_methods(client):
    assert client.delete(reverse("selfservice:home")).status_code == 405
    assert client.put(FILE_URL).status_code == 405
