"""Who may manage webhooks: directors, and integration users (through a token scope, checked by the API)."""

from __future__ import annotations

from accounts.models import User


def can_manage_webhooks(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_director or user.is_integration))


def can_manage_webhook_pages(user: User) -> bool:
    # Pages are for people; integration users never get a browser session.
    return bool(user.is_authenticated and user.is_active and user.is_director)
