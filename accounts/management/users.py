"""Users named on a management command's line."""

from __future__ import annotations

from django.core.management.base import CommandError

from accounts.models import User


def active_user(username: str) -> User:
    """The active user of that name, or a CommandError that says what is wrong."""
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
    if not user.is_active:
        raise CommandError(f"User {username!r} is inactive.")
    return user
