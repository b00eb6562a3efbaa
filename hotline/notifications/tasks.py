"""The delivery tasks: one message right after its transaction commits, and the periodic sweep.

Both go through ``delivery.deliver``, whose claim makes sure each message is sent by one of them.
"""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from hotline.jobs.periodic import periodic

from . import delivery


@task()
def deliver_outbox_message(message_id: int) -> str:
    """Deliver the message queued by a service, as soon as the worker gets to it."""
    return delivery.deliver(message_id)


@periodic(every=timedelta(minutes=1))
@task()
def deliver_pending_outbox() -> dict[str, int]:
    """Send what is due again (retries, messages whose own task was lost) and unstick claims."""
    return delivery.deliver_due_messages()
