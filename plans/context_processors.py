"""The unread-notification count in the navigation (one indexed count per page, of at most
UNREAD_SHOWN + 1 rows: a rep behind on a large contact plan can have tens of thousands)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.permissions import can_use_pages

UNREAD_SHOWN = 99  # more shows as "99+"


def notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not can_use_pages(user):
        return {}

    def count() -> int | str:
        from plans.models import Notification

        unread = Notification.objects.filter(user=user, read_at__isnull=True).order_by()  # any 100: no sort
        # Only the user column, which the partial index notification_unread holds: an index-only
        # scan, no notification row read (they are wide: the digest's items).
        n = unread.values("user")[: UNREAD_SHOWN + 1].count()
        return n if n <= UNREAD_SHOWN else f"{UNREAD_SHOWN}+"

    # Lazy: pages that never show the navigation (errors, redirects) ask nothing.
    return {"unread_notifications": SimpleLazyObject(count)}
