"""The unread-notification count in the navigation (one indexed count per page)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.permissions import can_use_pages


def notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not can_use_pages(user):
        return {}

    def count() -> int:
        from plans.models import Notification

        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    # Lazy: pages that never show the navigation (errors, redirects) ask nothing.
    return {"unread_notifications": SimpleLazyObject(count)}
