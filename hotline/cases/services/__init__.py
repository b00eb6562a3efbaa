"""Every write to a case: one function per action of the lifecycle (see PRODUCT.md).

Each function takes keyword-only arguments, runs in one transaction on the locked case row,
checks the action against ``rules.check`` (the transition table and who may act), writes one
event to the hash chain, moves the clock, queues the notifications, and returns the case. A
refusal raises ``DomainError`` (``Conflict`` for a wrong status, ``NotFound`` for a case that
must not be revealed) and changes nothing.
"""

from .dispatch import acknowledge, dispatch, escalate, reassign, return_case
from .follow_up import close_after_review, follow_up, rate_by_worker, reopen
from .intake import accept, assign_lawyer, decline, register_case, resolve_directly
from .notes import attach, comment
from .recompute import RecomputeReport, recompute_deadlines
from .review import approve, decide_extension, reply, request_extension, send_back
from .supervision import merge, supervise, urge

__all__ = [
    "RecomputeReport",
    "accept",
    "acknowledge",
    "approve",
    "assign_lawyer",
    "attach",
    "close_after_review",
    "comment",
    "decide_extension",
    "decline",
    "dispatch",
    "escalate",
    "follow_up",
    "merge",
    "rate_by_worker",
    "reassign",
    "recompute_deadlines",
    "register_case",
    "reopen",
    "reply",
    "request_extension",
    "resolve_directly",
    "return_case",
    "send_back",
    "supervise",
    "urge",
]
