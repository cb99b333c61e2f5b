from django.core.management.base import BaseCommand

from accounts.management.users import active_user
from accounts.tokens import api_token_create


class Command(BaseCommand):
    help = "Make an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument("--scopes", default="", help="Comma-separated scopes, e.g. orders:write,scores:read.")

    def handle(self, *args, username: str, name: str, scopes: str, **options) -> None:
        user = active_user(username)
        _, key = api_token_create(user=user, name=name, scopes=[s.strip() for s in scopes.split(",") if s.strip()])
        self.stdout.write(key)
