"""`create_director USERNAME [--email E] [--password-stdin]`: the first director of a new install."""

from __future__ import annotations

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_make_director

PASSWORD_ENV = "KAM_DIRECTOR_PASSWORD"  # noqa: S105 - the name of a variable, not a password


class Command(BaseCommand):
    help = (
        "Create a director (who sees every account and may use the admin), or promote an existing "
        f"user. The password comes from --password-stdin, else ${PASSWORD_ENV}, else a prompt; "
        "promoting an existing user without one keeps their password."
    )

    def add_arguments(self, parser):  # noqa: ANN001, ANN201 - Django's signature
        parser.add_argument("username")
        parser.add_argument("--email", default=None, help="The director's e-mail address.")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from the first line of stdin."
        )

    def handle(self, *args, username: str, email: str | None, password_stdin: bool, **options) -> None:
        password = self._password(from_stdin=password_stdin)
        try:
            user, created = user_make_director(username=username, email=email, password=password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "Created" if created else "Promoted"
        self.stdout.write(f"{verb} director {user.username!r}.")

    def _password(self, *, from_stdin: bool) -> str | None:
        # Never a command-line argument: it would show in `ps` and the shell history.
        if from_stdin:
            return sys.stdin.readline().rstrip("\r\n") or None
        if os.environ.get(PASSWORD_ENV):
            return os.environ[PASSWORD_ENV]
        if sys.stdin.isatty():
            first = getpass.getpass("Password (empty keeps an existing user's): ")
            if first and getpass.getpass("Password (again): ") != first:
                raise CommandError("The two passwords differ.")
            return first or None
        return None
