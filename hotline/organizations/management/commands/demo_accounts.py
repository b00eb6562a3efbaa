"""``manage.py demo_accounts``: list the demo accounts, where they sit and what they may do."""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.organizations.demo import DEFAULT_PASSWORD, DEMO_ACCOUNTS


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the demo accounts: username, organization, roles and a password hint."

    def handle(self, *args: Any, **options: Any) -> None:
        users = {
            user.username: user
            for user in User.objects.filter(
                username__in=[account.username for account in DEMO_ACCOUNTS]
            )
            .select_related("organization")
            .prefetch_related("role_assignments")
        }
        demo_password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        table = [(_("Username"), _("Organization"), _("Roles"), _("Password"))]
        for account in DEMO_ACCOUNTS:
            user = users.get(account.username)
            if user is None:
                table.append((account.username, "-", "-", _("not loaded: run load_demo")))
                continue
            roles = ", ".join(sorted(assignment.role for assignment in user.role_assignments.all()))
            if user.is_superuser:
                roles += " " + _("(superuser)")
            table.append((user.username, user.organization.name, roles, _hint(user, demo_password)))
        widths = [max(_width(row[column]) for row in table) for column in range(4)]
        for row in table:
            self.stdout.write(
                "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
            )


def _hint(user: User, demo_password: str) -> str:
    # check_password without a setter: listing accounts never rewrites a hash.
    if check_password(demo_password, user.password):
        if demo_password == DEFAULT_PASSWORD:
            return _("%(password)s (default)") % {"password": DEFAULT_PASSWORD}
        return "$DEMO_PASSWORD"
    return _("changed since loading")
