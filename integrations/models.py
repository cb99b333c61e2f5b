"""Models of the ERP integration: idempotency keys, webhook subscriptions and deliveries,
spreadsheet imports."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.spreadsheets.models import ImportBatch  # noqa: F401
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription  # noqa: F401

# How long an Idempotency-Key is remembered (Stripe's figure); a cleanup job may delete older rows.
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)


class IdempotencyKey(models.Model):
    """The first answer given to a POST that carried an `Idempotency-Key` header.

    A retry with the same key (per user) gets this answer back instead of being applied again;
    the same key with another body is refused (422). The unique (user, key) constraint decides
    between concurrent requests: the row is inserted in the request's own transaction, so a
    second request with the key waits for the first to commit and then replays its answer.
    Keys expire after IDEMPOTENCY_KEY_TTL (24 h): an older row counts as absent and is reused.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=255)
    # SHA-256 of method, path and raw body: "the same request" is byte-for-byte the same request.
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.created_at <= (now or timezone.now()) - IDEMPOTENCY_KEY_TTL
