"""Merging a duplicate into its original; comments; attachments checked by content and size."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.base import ContentFile

from hotline.cases import services
from hotline.cases.attachments import MAX_ATTACHMENT_BYTES
from hotline.cases.models import Attachment
from hotline.cases.selectors import allowed_actions, public_timeline
from hotline.cases.states import Action, Status

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def test_duplicate_is_merged_into_the_original(new_case, accepted_case, staff):
    original = accepted_case()
    duplicate = new_case(phone="13997100000")
    merged = services.merge(duplicate, actor=staff.agent, into=original, note="同一企业同一诉求")
    assert merged.status == Status.MERGED
    assert merged.merged_into == original
    assert merged.deadline_at is None
    original.refresh_from_db()
    assert original.status == Status.ACCEPTED
    assert original.events.order_by("sequence").last().data == {"duplicate": duplicate.number}
    assert public_timeline(merged)[-1].status == Status.MERGED


def test_merge_refusals_change_nothing(new_case, accepted_case, staff, refused):
    original = accepted_case()
    duplicate = new_case(phone="13997100000")
    with refused(duplicate, "case.merge_into_self"):
        services.merge(duplicate, actor=staff.agent, into=duplicate)
    with refused(duplicate, "case.not_your_unit"):
        services.merge(duplicate, actor=staff.xining_dispatcher, into=original)
    services.merge(original, actor=staff.agent, into=new_case(phone="13997100001"))
    with refused(duplicate, "case.merge_target_merged"):
        services.merge(duplicate, actor=staff.agent, into=original)


def test_a_closed_case_cannot_be_merged(new_case, accepted_case, staff, refused):
    declined = services.decline(new_case(), actor=staff.agent, referral="拨打12333")
    with refused(declined, "case.wrong_status"):
        services.merge(declined, actor=staff.agent, into=accepted_case())


def test_a_repeat_may_be_merged_while_it_is_still_being_handled(
    new_case, accepted_case, flow, staff
):
    original = accepted_case()
    duplicate = flow.at_prefecture(accepted_case(phone="13997100000"))
    assert services.merge(duplicate, actor=staff.agent, into=original).status == Status.MERGED


@pytest.mark.parametrize("step", ["replied", "resolved"])
def test_a_repeat_may_be_merged_in_any_open_state_even_after_the_reply(
    accepted_case, flow, staff, step
):
    # PRODUCT.md: merge (any open state) -> merged.
    case = accepted_case(phone="13997100000")
    case = flow.replied_at_prefecture(case) if step == "replied" else flow.resolved(case)
    assert "merge" in allowed_actions(staff.agent, case)
    assert services.merge(case, actor=staff.agent, into=accepted_case()).status == Status.MERGED


def test_internal_comment_stays_off_the_public_timeline(accepted_case, staff):
    case = services.comment(accepted_case(), actor=staff.agent, text="来电情绪激动")
    event = case.events.order_by("sequence").last()
    assert (event.action, event.public, event.note) == (Action.COMMENT, False, "来电情绪激动")
    assert all(entry.text != "来电情绪激动" for entry in public_timeline(case))


def test_public_comment_reaches_the_worker(accepted_case, staff):
    case = services.comment(
        accepted_case(), actor=staff.agent, text="已联系企业，请耐心等待", internal=False
    )
    assert public_timeline(case)[-1].text == "已联系企业，请耐心等待"


def test_comment_refusals_change_nothing(accepted_case, staff, refused):
    case = accepted_case()
    with refused(case, "case.field_required"):
        services.comment(case, actor=staff.agent, text="")
    with refused(case, "case.text_too_long"):
        services.comment(case, actor=staff.agent, text="字" * 2001)
    with refused(case, "case.not_your_unit"):
        services.comment(case, actor=staff.golmud_handler, text="看看")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("工资条.png", PNG, "image/png"),
        ("欠条.pdf", PDF, "application/pdf"),
        ("合同.docx", docx_bytes(), None),
        ("录音.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32, "audio/wav"),
        ("录音.amr", b"#!AMR\n" + b"\x00" * 32, "audio/amr"),
        ("录音.mp3", b"ID3\x03\x00" + b"\x00" * 32, "audio/mpeg"),
    ],
)
def test_allowed_files_are_attached_with_an_event(
    accepted_case, staff, name, content, content_type
):
    case = accepted_case()
    attachment = services.attach(case, actor=staff.agent, file=ContentFile(content, name=name))
    assert attachment.original_name == name
    assert attachment.size == len(content)
    if content_type:
        assert attachment.content_type == content_type
    assert attachment.event.action == Action.ATTACH
    assert attachment.event.data["sha256"] == attachment.sha256
    assert name not in attachment.file.name
    assert attachment.file.read() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("病毒.exe", b"MZ" + b"\x00" * 64),
        ("伪装.pdf", b"MZ" + b"\x00" * 64),
        ("伪装.jpg", PNG),
        ("伪装.docx", b"PK\x03\x04" + b"\x00" * 64),
        ("空.png", b""),
        ("无扩展名", PDF),
    ],
)
def test_files_of_other_types_are_refused_by_content(accepted_case, staff, refused, name, content):
    case = accepted_case()
    with refused(case, "case.file_type_not_allowed"):
        services.attach(case, actor=staff.agent, file=ContentFile(content, name=name))
    assert not Attachment.objects.exists()


def test_files_over_ten_megabytes_are_refused(accepted_case, staff, refused):
    case = accepted_case()
    too_big = ContentFile(PDF + b"0" * MAX_ATTACHMENT_BYTES, name="大文件.pdf")
    with refused(case, "case.file_too_large"):
        services.attach(case, actor=staff.agent, file=too_big)
