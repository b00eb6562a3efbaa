"""``manage.py load_demo``: load the demo tree and accounts (safe to run again)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from hotline.organizations.demo import DEFAULT_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo union tree of Qinghai and the demo accounts; running it again changes "
        f"nothing. The accounts' password is $DEMO_PASSWORD, default {DEFAULT_PASSWORD}."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo(os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD)
        self.stdout.write(str(summary))
