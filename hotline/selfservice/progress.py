"""Where a request stands, in the worker's words: four steps and one plain sentence.

The steps are 已受理 → 办理中 → 已办结 → 已评价; the internal statuses (dispatched, replied, ...)
are staff business and collapse into "being handled". A request answered on first contact was
never handed to a handling unit: its "being handled" step is shown as skipped, not as done. A
request that left the usual path (declined, merged, transferred) shows no steps, only what
happened and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.cases.models import Case
from hotline.cases.selectors import TimelineEntry
from hotline.cases.states import Rating, Status

STEPS: tuple[Promise, ...] = (_("Accepted"), _("Being handled"), _("Resolved"), _("Rated"))
HANDLING_STEP = 1  # the index of "being handled" in STEPS
HANDLING = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED})


@dataclass(frozen=True)
class Step:
    label: Promise
    done: bool
    current: bool
    skipped: bool = False  # passed over: the request was answered without being handed on


@dataclass(frozen=True)
class Progress:
    reached: int  # how many of the four steps are done (0: received, not yet accepted)
    headline: Promise
    tone: str  # "info", "success", "warning" or "secondary": the colour of the headline
    off_path: bool  # declined, merged or transferred: the steps do not apply
    can_rate: bool
    # Resolved on first contact (never dispatched): there was no "being handled" step.
    answered_at_once: bool = False

    @property
    def complete(self) -> bool:
        return self.reached == len(STEPS)

    @property
    def steps(self) -> list[Step]:
        # The step in hand is the last one reached, or the first while nothing is reached yet.
        current = max(self.reached - 1, 0)
        steps = []
        for index, label in enumerate(STEPS):
            skipped = self.answered_at_once and index == HANDLING_STEP
            steps.append(
                Step(
                    label=label,
                    done=index < self.reached and not skipped,
                    current=index == current,
                    skipped=skipped,
                )
            )
        return steps


def progress_of(case: Case) -> Progress:
    """The worker's view of where ``case`` stands."""
    status, rating = case.status, case.rating
    if status == Status.DECLINED:
        return _off_path(_("Not accepted: this is outside what the union handles."))
    if status == Status.MERGED:
        return _off_path(_("Joined with your earlier request on the same matter."))
    if status == Status.TRANSFERRED:
        return _off_path(_("Passed on to the union of another province."))
    if status == Status.RECEIVED:
        return Progress(0, _("Received, waiting to be accepted."), "info", False, False)
    if status == Status.ACCEPTED:
        return Progress(1, _("Accepted: the handling is being arranged."), "info", False, False)
    if status in HANDLING:
        return Progress(2, _("Being handled by the union."), "info", False, False)
    at_once = case.dispatched_at is None
    if status == Status.RESOLVED and not rating:
        return Progress(3, _("Resolved: please rate the result."), "success", False, True, at_once)
    if status == Status.RESOLVED and rating == Rating.DISSATISFIED:
        return Progress(
            4, _("Rated: a supervisor is reviewing your rating."), "warning", False, False, at_once
        )
    if rating:
        return Progress(
            4, _("Finished. Thank you for your rating."), "success", False, False, at_once
        )
    return Progress(3, _("Finished."), "success", False, False, at_once)


def _off_path(headline: Promise) -> Progress:
    return Progress(0, headline, "secondary", True, False)


def answer_of(timeline: list[TimelineEntry]) -> str:
    """The last answer written for the worker when the request was resolved ("" if none)."""
    for entry in reversed(timeline):
        if entry.status == Status.RESOLVED and entry.text:
            return entry.text
    return ""
