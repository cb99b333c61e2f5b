"""Webhook subscriptions and the deliveries made for them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.event_types import is_registered

__all__ = ["WebhookDelivery", "WebhookSubscription"]

# Only plain web URLs: urllib would otherwise happily open file:// or ftp:// for us.
http_url = URLValidator(schemes=["http", "https"])


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def validate_events(value: object) -> None:
    """A non-empty list of declared event types (integrations.event_types)."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one event."))
    unknown = [str(e) for e in value if not is_registered(e)]
    if unknown:
        raise ValidationError(_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)})


class WebhookSubscription(models.Model):
    url = models.URLField(_("URL"), max_length=500, validators=[http_url])
    events = models.JSONField(_("events"), default=list, validators=[validate_events])
    # Kept in clear text because every delivery is signed with it (as GitHub and Stripe do);
    # pages and the API show it once, at creation, and a masked hint afterwards.
    secret = models.CharField(_("secret"), max_length=80, default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:10]}…{self.secret[-4:]}" if self.secret else ""

    def wants(self, event: str) -> bool:
        return self.is_active and event in (self.events or [])


class WebhookDelivery(models.Model):
    """One POST of one event to one subscription, retried until it succeeds or gives up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    # No choices=: the apps declare event types at run time (integrations.event_types).
    event = models.CharField(_("event"), max_length=50)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # When the next attempt is due while pending; the sweeper re-enqueues deliveries long past it.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["subscription", "-id"], name="webhook_delivery_sub"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event} → {self.subscription_id} ({self.status})"
