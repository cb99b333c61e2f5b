from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.tokens import api_token_create


class Command(BaseCommand):
    help = "Make an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument("--scopes", default="", help="Comma-separated scopes, e.g. orders:write,scores:read.")

    def handle(self, *args, username: str, name: str, scopes: str, **options) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        _, key = api_token_create(user=user, name=name, scopes=[s.strip() for s in scopes.split(",") if s.strip()])
        self.stdout.write(key)
