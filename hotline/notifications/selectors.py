"""Reads of the inbox: a handling unit's notices are its own, not its subtree's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Notification

if TYPE_CHECKING:
    from hotline.accounts.models import User


def notifications_of(user: User) -> QuerySet[Notification]:
    """Every notice addressed to ``user``'s organization, newest first.

    Unlike cases, notices are not visible up the tree: a prefecture does not read the inbox of its
    counties, it gets its own notices when a case needs its attention.
    """
    if not user.is_authenticated or not user.is_active:
        return Notification.objects.none()
    return (
        Notification.objects.filter(organization_id=user.organization_id)
        .select_related("case")
        .order_by("-created_at", "-id")
    )


def unread_notifications(user: User) -> QuerySet[Notification]:
    """The notices of ``user``'s organization that nobody there has read yet, newest first."""
    return notifications_of(user).filter(read_at__isnull=True)
