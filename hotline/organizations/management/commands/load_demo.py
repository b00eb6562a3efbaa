"""``manage.py load_demo``: load the demo tree, accounts and cases (safe to run again)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from hotline.alerts import demo as demo_alerts
from hotline.analytics.refresh import rebuild as rebuild_figures
from hotline.analytics.refresh import summary as figures_summary
from hotline.cases import demo as demo_cases
from hotline.organizations.demo import DEFAULT_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo union tree of Qinghai, the demo accounts and demo cases; running it again "
        f"changes nothing. The accounts' password is $DEMO_PASSWORD, default {DEFAULT_PASSWORD}."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo(os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD)
        created = demo_cases.load_demo_cases()
        alerts = demo_alerts.load_demo_alerts()
        # The demo's histories carry past moments, which no periodic refresh looks back at.
        figures = figures_summary(rebuild_figures())
        self.stdout.write(
            f"{summary} {demo_cases.summary(created)} {demo_alerts.summary(alerts)} {figures}"
        )
