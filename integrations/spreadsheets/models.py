"""An uploaded spreadsheet between preview and confirm."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.spreadsheets import kind_choices


class ImportBatch(models.Model):
    """The parsed rows of one upload, its preview and, once confirmed, what was written.

    The rows are kept here rather than in the session or a temp file: the preview can be
    reloaded, confirmed later or from another worker, and nothing is lost in between. Confirm
    moves the status from PREVIEWED to APPLIED with a conditional UPDATE in the transaction that
    writes the rows, so a double click or a second tab applies the file once.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being read")
        FAILED = "failed", _("Not readable")
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Imported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    # The registry's collections (a callable: a new one needs no migration here).
    kind = models.CharField(_("kind"), max_length=20, choices=kind_choices)
    filename = models.CharField(_("file"), max_length=255)
    rows = models.JSONField(_("rows"), default=list)  # [[row number, bulk record], ...]
    headers = models.JSONField(_("headers"), default=dict)  # record field -> the file's header
    ignored_columns = models.JSONField(_("ignored columns"), default=list)
    # Rows refused while reading (an id in scientific notation, a repeated key): never applied.
    refused = models.JSONField(_("refused rows"), default=list)  # [[row number, key, {header: [reasons]}]]
    # A file past SPREADSHEET_INLINE_BYTES waits here for the worker that reads it; then emptied.
    upload = models.BinaryField(_("upload"), null=True, blank=True, editable=False)
    number_format = models.CharField(_("number format"), max_length=10, default="auto")
    progress = models.PositiveIntegerField(_("rows checked"), default=0)
    total = models.PositiveIntegerField(_("rows"), default=0)
    error = models.TextField(_("why the file could not be read"), blank=True)
    preview = models.JSONField(_("preview"), default=dict)  # a Report (see importing)
    result = models.JSONField(_("result"), null=True, blank=True)  # a Report, once applied
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"
