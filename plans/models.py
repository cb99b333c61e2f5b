"""The rep's working half of KAM (DOMAIN.md "Plans"): activities logged against an account and
its contacts, and the plans built on them. Every model hangs off an account and is visible
exactly when its account is (accounts/visibility.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact, erp_id_unique
from accounts.visibility import AccountOwnedQuerySet


class Activity(models.Model):
    """A call, meeting, visit, e-mail or message with an account. The one source of "last
    contacted", "decision maker contacted recently", contact-plan status and visit rates."""

    class Type(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Visit")
        EMAIL = "email", _("E-mail")
        MESSAGE = "message", _("Message (WeChat)")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activities")
    # The key of a calendar or e-mail system that pushes activities; NULL when logged here.
    external_id = models.CharField(_("external ID"), max_length=64, null=True, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    occurred_at = models.DateTimeField(_("when"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    contacts = models.ManyToManyField(Contact, verbose_name=_("contacts"), blank=True, related_name="activities")
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our participants"), blank=True, related_name="activities"
    )
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [erp_id_unique("activity")]
        # The account timeline reads an account's newest activities first.
        indexes = [models.Index(fields=["account", "-occurred_at"], name="activity_account_time")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.occurred_at:%Y-%m-%d}"
