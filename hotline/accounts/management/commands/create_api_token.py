"""``manage.py create_api_token USERNAME [--name NAME]``: issue an API token for an integration.

The token goes to stdout alone, so a script can capture it; it is shown this once only.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.accounts.tokens import create_api_token


class Command(BaseCommand):
    help = "Create an API token for a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user the token acts as")
        parser.add_argument("--name", default="", help="what the token is for, e.g. the system")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.select_related("organization").filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(username)s.") % {"username": username})
        if not user.is_active:
            raise CommandError(
                _("The user %(username)s is inactive; activate it before giving it a token.")
                % {"username": username}
            )
        token, raw = create_api_token(user, name=name)
        self.stdout.write(raw)
        self.stderr.write(
            _("Token %(prefix)s… created for %(username)s. It will not be shown again.")
            % {"prefix": token.prefix, "username": username}
        )
