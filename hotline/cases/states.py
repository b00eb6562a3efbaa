"""The words of the case lifecycle: channels, kinds, statuses, actions, ratings, stages.

PRODUCT.md draws the lifecycle; ``TRANSITIONS`` in services is the only place that decides which
action may start from which status.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")
    WECHAT = "wechat", _("WeChat")
    WALK_IN = "walk_in", _("Walk-in")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    NATIONAL = "national", _("National platform")
    API = "api", _("API")


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    COMPLAINT = "complaint", _("Complaint")
    HELP = "help", _("Help")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    MEMBERSHIP = "membership", _("Membership")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")
    TRANSFERRED = "transferred", _("Transferred")


# Statuses in which a case still needs someone's work.
OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.REPLIED,
        Status.RESOLVED,
    }
)
FINAL_STATUSES = frozenset({Status.DECLINED, Status.CLOSED, Status.MERGED, Status.TRANSFERRED})


class Action(models.TextChoices):
    CREATE = "create", _("Registered")
    ACCEPT = "accept", _("Accepted")
    DECLINE = "decline", _("Declined")
    RESOLVE_DIRECTLY = "resolve_directly", _("Resolved directly")
    DISPATCH = "dispatch", _("Dispatched")
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    RETURN = "return", _("Returned")
    REASSIGN = "reassign", _("Reassigned")
    REPLY = "reply", _("Replied")
    APPROVE = "approve", _("Reply approved")
    SEND_BACK = "send_back", _("Sent back for rework")
    REQUEST_EXTENSION = "request_extension", _("Extension requested")
    DECIDE_EXTENSION = "decide_extension", _("Extension decided")
    FOLLOW_UP = "follow_up", _("Followed up")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")
    URGE = "urge", _("Urged")
    SUPERVISE = "supervise", _("Put under supervision")
    ESCALATE = "escalate", _("Escalated")
    MERGE = "merge", _("Merged")
    ASSIGN_LAWYER = "assign_lawyer", _("Lawyer assigned")
    COMMENT = "comment", _("Comment")
    ATTACH = "attach", _("Attachment added")
    RATE = "rate", _("Rated by the worker")
    DEADLINE_WARNING = "deadline_warning", _("Deadline warning")
    DEADLINE_MOVED = "deadline_moved", _("Deadline recomputed")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Stage(models.TextChoices):
    """Which clock a case's current deadline belongs to."""

    ACCEPT = "accept", _("Acceptance")
    ACKNOWLEDGE = "acknowledge", _("Acknowledgement")
    COMPLETE = "complete", _("Completion")
    REVIEW = "review", _("Review")
    FOLLOW_UP = "follow_up", _("Follow-up")


class ExtensionState(models.TextChoices):
    NONE = "", _("None")
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
