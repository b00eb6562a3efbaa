"""Writes to periodic schedules made by people (the admin); the worker's are in ``scheduler``."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.core.errors import DomainError

from .models import PeriodicSchedule
from .periodic import PeriodicRegistry, registry

logger = logging.getLogger("hotline.jobs")


def run_now(
    *,
    names: Iterable[str],
    actor: User,
    registry: PeriodicRegistry = registry,
) -> int:
    """Make the named jobs due now: the worker enqueues each on its next pass, once.

    The job is not enqueued here: the worker's claim on the slot is what keeps a job from being
    enqueued twice, so "run now" only moves the slot. A job with a time of day returns to it
    afterwards; one without starts counting its interval from this run.
    """
    names = sorted(set(names))
    undeclared = [name for name in names if name not in registry]
    if undeclared:
        raise DomainError(
            "periodic_job.not_declared",
            _("No longer declared in the code, so it cannot run: %(names)s.")
            % {"names": ", ".join(undeclared)},
        )
    now = timezone.now()
    with transaction.atomic():
        moved = PeriodicSchedule.objects.filter(name__in=names).update(next_due_at=now)
    logger.info("Run now requested by %s for %s", actor.get_username(), ", ".join(names))
    return moved
