"""The plain-language topics a worker picks from, each standing for a category of the taxonomy.

Workers do not know the internal taxonomy (``cases/data/categories.json``): they pick the words
they would use ("my wages are not paid"), and the hotline centre can refine the category when it
accepts the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.cases.states import Kind


@dataclass(frozen=True)
class Topic:
    key: str
    label: Promise
    hint: Promise
    icon: str  # a Bootstrap Icons name
    category: str  # a category code
    kind: str


TOPICS: tuple[Topic, ...] = (
    Topic(
        "unpaid_wages",
        _("Unpaid wages"),
        _("Wages paid late, cut or not paid"),
        "cash-coin",
        "0101",
        Kind.COMPLAINT,
    ),
    Topic(
        "no_contract",
        _("No labor contract"),
        _("No written contract after starting work"),
        "file-earmark-x",
        "0301",
        Kind.COMPLAINT,
    ),
    Topic(
        "work_injury",
        _("Work injury"),
        _("Hurt at work, occupational disease"),
        "bandaid",
        "04",
        Kind.COMPLAINT,
    ),
    Topic(
        "social_insurance",
        _("Social insurance"),
        _("Not paid, or paid too little"),
        "shield-check",
        "02",
        Kind.COMPLAINT,
    ),
    Topic(
        "dismissal",
        _("Dismissed / compensation"),
        _("Dismissed without cause or compensation"),
        "door-open",
        "08",
        Kind.COMPLAINT,
    ),
    Topic(
        "hours_and_leave",
        _("Overtime / leave"),
        _("Too much overtime, no rest days or leave"),
        "clock-history",
        "05",
        Kind.COMPLAINT,
    ),
    Topic(
        "women_workers",
        _("Women workers' rights"),
        _("Pregnancy, maternity, nursing, harassment"),
        "gender-female",
        "06",
        Kind.COMPLAINT,
    ),
    Topic(
        "other",
        _("Other problems"),
        _("None of the above, or a question"),
        "chat-dots",
        "9901",
        Kind.CONSULTATION,
    ),
)

TOPICS_BY_KEY: dict[str, Topic] = {topic.key: topic for topic in TOPICS}
