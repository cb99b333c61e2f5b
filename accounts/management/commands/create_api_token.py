from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.management.users import active_user
from accounts.tokens import token_create


class Command(BaseCommand):
    help = "Make an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument("--scopes", default="", help="Comma-separated scopes, e.g. orders:write,scores:read.")

    def handle(self, *args, username: str, name: str, scopes: str, **options) -> None:
        user = active_user(username)
        try:
            _, key = token_create(user=user, name=name, scopes=scopes.split(","))
        except ValidationError as error:
            # Exit non-zero naming what is wrong (e.g. the unknown scopes); no token was made.
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(key)
