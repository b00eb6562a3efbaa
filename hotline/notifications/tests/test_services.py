"""Queuing SMS and unit notices inside the caller's transaction; reading the inbox."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.test import override_settings

from hotline.core.errors import NotFound
from hotline.notifications import services
from hotline.notifications.models import (
    Channel,
    MessageStatus,
    Notification,
    NotificationKind,
    OutboxMessage,
    SmsTemplate,
)
from hotline.notifications.selectors import unread_notifications
from hotline.testing import factories as f

pytestmark = pytest.mark.django_db


# The shipped templates


def test_the_default_sms_templates_are_loaded_by_the_migration():
    texts = dict(SmsTemplate.objects.values_list("code", "text"))
    assert set(texts) == {"accepted", "declined", "resolved", "reopened"}
    assert "{number}" in texts["accepted"] and "{lookup_url}" in texts["accepted"]
    assert "{rating_url}" in texts["resolved"]
    assert "{referral}" in texts["declined"]


# queue_sms


@override_settings(SMS_LOOKUP_URL="https://12351.example.cn/q")
def test_queue_sms_renders_the_admin_edited_template_with_the_case(case):
    SmsTemplate.objects.filter(code="accepted").update(
        text="工单{number}已受理，查询：{lookup_url}"
    )
    message = services.queue_sms(case=case, template="accepted")
    assert message is not None
    message.refresh_from_db()
    assert message.body == f"工单{case.number}已受理，查询：https://12351.example.cn/q"
    assert message.channel == Channel.SMS
    assert message.recipient_phone == "13912345678"
    assert message.case == case
    assert (message.kind, message.template) == ("accepted", "accepted")
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 0


def test_queue_sms_fills_the_referral_of_a_declined_case(make_case):
    case = make_case(referral="请拨打12333咨询")
    message = services.queue_sms(case=case, template="declined")
    assert "建议您：请拨打12333咨询" in message.body
    assert case.number in message.body


@override_settings(SMS_RATING_URL="https://12351.example.cn/rate")
def test_queue_sms_tells_a_resolved_case_where_to_rate(case):
    message = services.queue_sms(case=case, template="resolved")
    assert "https://12351.example.cn/rate" in message.body


def test_queue_sms_skips_a_case_without_a_phone(make_case):
    case = make_case(phone="", is_anonymous=True)
    assert services.queue_sms(case=case, template="accepted") is None
    assert not OutboxMessage.objects.exists()


def test_queue_sms_sends_to_an_anonymous_worker_who_left_a_phone(make_case):
    case = make_case(is_anonymous=True, worker_name="")
    assert services.queue_sms(case=case, template="accepted") is not None


def test_queue_sms_skips_a_landline(make_case):
    case = make_case(phone="0971-8123456")
    assert services.queue_sms(case=case, template="accepted") is None
    assert not OutboxMessage.objects.exists()


def test_queue_sms_sends_to_the_phone_given_rather_than_the_cases(case):
    message = services.queue_sms(case=case, template="accepted", phone="+86 137 0000 1111")
    assert message.recipient_phone == "13700001111"


def test_queue_sms_with_an_empty_phone_given_sends_nothing(case):
    assert services.queue_sms(case=case, template="accepted", phone="") is None
    assert not OutboxMessage.objects.exists()


def test_queue_sms_falls_back_to_the_default_text_when_the_template_row_is_missing(case, caplog):
    SmsTemplate.objects.filter(code="accepted").delete()
    with caplog.at_level(logging.WARNING, logger="hotline.notifications"):
        message = services.queue_sms(case=case, template="accepted")
    assert message.body.startswith("【12351】您的诉求已受理")
    assert case.number in message.body
    assert "SMS template accepted is missing" in caplog.text


def test_queue_sms_falls_back_to_the_default_text_when_the_template_is_broken(case, caplog):
    SmsTemplate.objects.filter(code="accepted").update(text="{number.__class__} 已受理")
    with caplog.at_level(logging.ERROR, logger="hotline.notifications"):
        message = services.queue_sms(case=case, template="accepted")
    assert "__class__" not in message.body
    assert message.body.startswith("【12351】您的诉求已受理")
    assert "SMS template accepted is broken" in caplog.text


def test_queue_sms_leaves_an_unknown_placeholder_as_written(case):
    SmsTemplate.objects.filter(code="accepted").update(text="{number} {hotline}")
    message = services.queue_sms(case=case, template="accepted")
    assert message.body == f"{case.number} {{hotline}}"


def test_queue_sms_sends_nothing_when_the_template_is_switched_off(case):
    SmsTemplate.objects.filter(code="accepted").update(is_active=False)
    assert services.queue_sms(case=case, template="accepted") is None
    assert not OutboxMessage.objects.exists()


def test_queue_sms_with_an_unknown_template_logs_and_sends_nothing(case, caplog):
    with caplog.at_level(logging.ERROR, logger="hotline.notifications"):
        assert services.queue_sms(case=case, template="no_such_template") is None
    assert "no such template" in caplog.text
    assert not OutboxMessage.objects.exists()


def test_a_queued_sms_is_delivered_once_the_transaction_commits(
    case, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.INFO, logger="hotline.sms"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        message = services.queue_sms(case=case, template="accepted")
        # Nothing leaves before the caller's transaction commits.
        assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.PENDING
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None
    assert f"SMS #{message.pk} to 139****5678" in caplog.text


def test_a_rolled_back_action_queues_no_sms(case, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.queue_sms(case=case, template="accepted")
        raise RuntimeError("the action failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


# notify_unit


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_notify_unit_writes_a_default_text_naming_the_case_for_every_kind(case, tree, kind):
    message = services.notify_unit(case=case, organization=tree.chengdong, kind=kind)
    message.refresh_from_db()
    assert message.channel == Channel.INTERNAL
    assert message.organization == tree.chengdong
    assert message.kind == kind
    assert case.number in message.body
    assert message.recipient_phone == ""


def test_notify_unit_keeps_the_text_it_is_given(case, tree):
    message = services.notify_unit(
        case=case, organization=tree.chengdong, kind="urge", text="请今天内联系职工"
    )
    assert message.body == "请今天内联系职工"


def test_notify_unit_names_the_deadline_of_a_case_due_soon(make_case, tree):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    deadline = datetime(2025, 10, 9, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai"))
    case = make_case(deadline_at=deadline)
    message = services.notify_unit(case=case, organization=tree.chengdong, kind="due_soon")
    assert "2025-10-09 23:59" in message.body


def test_notify_unit_refuses_an_unknown_kind_and_writes_nothing(case, tree):
    with pytest.raises(ValueError, match="assist"):
        services.notify_unit(case=case, organization=tree.chengdong, kind="assist")
    assert not OutboxMessage.objects.exists()


def test_a_unit_notice_reaches_the_inbox_once_the_transaction_commits(
    case, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.notify_unit(case=case, organization=tree.chengdong, kind="dispatch")
    notification = Notification.objects.get()
    assert notification.organization == tree.chengdong
    assert notification.case == case
    assert notification.kind == "dispatch"
    assert notification.text == message.body
    assert notification.outbox_message_id == message.pk
    assert notification.read_at is None
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


# The inbox


def notice(organization, case, kind="dispatch", **fields) -> Notification:
    return Notification.objects.create(
        organization=organization, case=case, kind=kind, text=f"{kind} {case.number}", **fields
    )


def test_unread_notifications_are_those_of_the_users_own_organization_only(
    case, tree, django_assert_num_queries
):
    handler = f.user(tree.xining, "handler")
    mine = [notice(tree.xining, case, "dispatch"), notice(tree.xining, case, "urge")]
    notice(tree.chengdong, case)  # a county below: not in the prefecture's inbox
    notice(tree.haixi, case)  # a sibling prefecture
    notice(tree.xining, case, read_at=case.created_at)  # already read
    with django_assert_num_queries(1):
        unread = list(unread_notifications(handler))
        numbers = [item.case.number for item in unread]
    assert {item.pk for item in unread} == {item.pk for item in mine}
    assert unread[0].pk == mine[1].pk  # newest first
    assert numbers == [case.number, case.number]


def test_unread_notifications_of_an_inactive_user_are_none(case, tree):
    handler = f.user(tree.xining, "handler", is_active=False)
    notice(tree.xining, case)
    assert list(unread_notifications(handler)) == []


def test_mark_read_records_who_read_it_and_when(case, tree):
    handler = f.user(tree.xining, "handler")
    item = notice(tree.xining, case)
    services.mark_read(item, user=handler)
    assert item.read_at is not None
    assert item.read_by == handler
    assert list(unread_notifications(handler)) == []


def test_mark_read_keeps_the_first_reader(case, tree):
    first = f.user(tree.xining, "handler")
    second = f.user(tree.xining, "handler")
    item = notice(tree.xining, case)
    services.mark_read(item, user=first)
    read_at = item.read_at
    services.mark_read(Notification.objects.get(pk=item.pk), user=second)
    item.refresh_from_db()
    assert (item.read_by, item.read_at) == (first, read_at)


def test_mark_read_by_a_user_of_another_organization_is_not_found_and_changes_nothing(case, tree):
    # Even the province does not read a county's inbox for it.
    outsider = f.user(tree.province, "supervisor")
    item = notice(tree.chengdong, case)
    with pytest.raises(NotFound) as refused:
        services.mark_read(item, user=outsider)
    assert refused.value.code == "notification.not_found"
    item.refresh_from_db()
    assert item.read_at is None and item.read_by is None


# Retrying failed messages


def test_retry_failed_messages_requeues_failed_ones_only(
    case, tree, django_capture_on_commit_callbacks
):
    admin = f.user(tree.province, "admin")
    failed = services.notify_unit(case=case, organization=tree.xining, kind="urge")
    sent = services.notify_unit(case=case, organization=tree.xining, kind="dispatch")
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=MessageStatus.FAILED, attempts=8, last_error="gateway down"
    )
    OutboxMessage.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT)
    with django_capture_on_commit_callbacks() as callbacks:
        count = services.retry_failed_messages(message_ids=[failed.pk, sent.pk], actor=admin)
    assert count == 1
    assert len(callbacks) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (MessageStatus.PENDING, 0)
    assert OutboxMessage.objects.get(pk=sent.pk).status == MessageStatus.SENT
