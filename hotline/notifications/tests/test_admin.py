"""The admin: templates editable with a preview, the outbox and inbox read-only, retry now."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.urls import reverse

from hotline.notifications.models import MessageStatus, Notification, OutboxMessage, SmsTemplate
from hotline.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(tree):
    return f.user(tree.province, "admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def outbox_message(case, *, status=MessageStatus.FAILED, phone="13912345678") -> OutboxMessage:
    return OutboxMessage.objects.create(
        channel="sms",
        case=case,
        recipient_phone=phone,
        kind="accepted",
        body=f"工单{case.number}已受理",
        status=status,
        attempts=8 if status == MessageStatus.FAILED else 1,
        last_error="gateway answered HTTP 500" if status == MessageStatus.FAILED else "",
    )


@override_settings(SMS_LOOKUP_URL="https://12351.example.cn/q")
def test_the_template_page_previews_the_text_with_a_sample_case_number(admin_client):
    template = SmsTemplate.objects.get(code="accepted")
    response = admin_client.get(
        reverse("admin:notifications_smstemplate_change", args=[template.pk])
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "【12351】您的诉求已受理，工单编号202503150007。" in content
    assert "在 https://12351.example.cn/q 查询" in content


def test_an_edited_template_is_saved(admin_client):
    template = SmsTemplate.objects.get(code="accepted")
    response = admin_client.post(
        reverse("admin:notifications_smstemplate_change", args=[template.pk]),
        {"text": "工单{number}已受理，查询 {lookup_url}", "is_active": "on"},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.text == "工单{number}已受理，查询 {lookup_url}"
    assert template.code == "accepted"


@pytest.mark.parametrize(
    "text", ["{number.__class__}", "{phone} 已受理", "{0}", "工单{number", "{lookup_url[0]}"]
)
def test_a_template_with_an_unusable_placeholder_is_refused_and_not_saved(admin_client, text):
    template = SmsTemplate.objects.get(code="accepted")
    before = template.text
    response = admin_client.post(
        reverse("admin:notifications_smstemplate_change", args=[template.pk]),
        {"text": text, "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"]
    template.refresh_from_db()
    assert template.text == before


def test_the_outbox_list_masks_phones_and_does_not_grow_in_queries(
    admin_client, make_case, django_assert_max_num_queries
):
    for _ in range(3):
        outbox_message(make_case())
    url = reverse("admin:notifications_outboxmessage_changelist")
    admin_client.get(url)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    for _ in range(10):
        outbox_message(make_case())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    content = response.content.decode()
    assert "139****5678" in content
    assert "13912345678" not in content


def test_the_outbox_and_the_inbox_are_read_only(admin_client, case, tree):
    message = outbox_message(case)
    notice = Notification.objects.create(
        organization=tree.xining, case=case, kind="urge", text="催办"
    )
    for url in (
        reverse("admin:notifications_outboxmessage_add"),
        reverse("admin:notifications_notification_add"),
        reverse("admin:notifications_outboxmessage_delete", args=[message.pk]),
    ):
        assert admin_client.get(url).status_code == 403
    response = admin_client.post(
        reverse("admin:notifications_notification_change", args=[notice.pk]),
        {"text": "edited", "kind": "urge", "organization": tree.xining.pk},
    )
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.text == "催办"


def test_retry_now_requeues_the_failed_messages_and_leaves_the_others(
    admin_client, make_case, django_capture_on_commit_callbacks
):
    failed = outbox_message(make_case())
    sent = outbox_message(make_case(), status=MessageStatus.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_outboxmessage_changelist"),
            {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
            headers={"accept-language": "en"},
        )
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        "1 failed message will be sent again.",
        "1 message was left alone: only failed messages are retried.",
    ]
    failed.refresh_from_db()
    # Re-queued with a fresh set of attempts, and delivered at once by the log backend.
    assert (failed.status, failed.attempts) == (MessageStatus.SENT, 1)
    assert OutboxMessage.objects.get(pk=sent.pk).attempts == 1


def test_retry_now_is_not_offered_to_staff_without_the_change_permission(client, tree, case):
    viewer = f.user(tree.province, "supervisor", is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(
            codename="view_outboxmessage", content_type__app_label="notifications"
        )
    )
    client.force_login(viewer)
    failed = outbox_message(case)
    url = reverse("admin:notifications_outboxmessage_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert "retry_now" not in response.content.decode()
    client.post(url, {"action": "retry_now", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED
