"""``manage.py load_demo``: load the demo tree, accounts and cases (safe to run again)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

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
        self.stdout.write(f"{summary} {demo_cases.summary(created)}")
