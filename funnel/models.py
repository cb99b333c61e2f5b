"""The funnel: opportunities with their stage history, a director's stage defaults, weekly
forecast snapshots and quarterly commitments (DOMAIN.md, "Funnel"; rules in funnel/domain/).

Every opportunity-derived row hangs off an account and is visible exactly when the account is
(`visible_to(user)`, accounts/visibility.py). Commitments belong to a rep, not an account: who
may see them is decided by `accounts.visibility.figures_people_visible_to`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, Account, erp_id_unique
from accounts.visibility import AccountOwnedQuerySet
from funnel.domain import stages as s


class Stage(models.TextChoices):
    FIRST_CONTACT = s.FIRST_CONTACT, _("First contact")
    NEEDS_UNDERSTOOD = s.NEEDS_UNDERSTOOD, _("Needs understood")
    PROPOSAL = s.PROPOSAL, _("Proposal submitted")
    NEGOTIATION = s.NEGOTIATION, _("Negotiation")
    SIGNED = s.SIGNED, _("Signed")
    PAID = s.PAID, _("Paid in full")
    LOST = s.LOST, _("Lost")


class Category(models.TextChoices):
    PIPELINE = s.PIPELINE, _("Pipeline")
    BEST_CASE = s.BEST_CASE, _("Best case")
    COMMIT = s.COMMIT, _("Commit")
    OMITTED = s.OMITTED, _("Omitted")
    CLOSED = s.CLOSED, _("Closed")


PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class StageDefault(models.Model):
    """A director's default win probability (%) for a stage; stages without a row use
    funnel.domain.stages.DEFAULT_PROBABILITY."""

    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, unique=True)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), validators=PERCENT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stage default")
        verbose_name_plural = _("stage defaults")

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.probability}%"


class Opportunity(models.Model):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="opportunities"
    )
    external_id = models.CharField(_("ERP ID"), max_length=64, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    product_line = models.CharField(_("product line"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount"), validators=[MinValueValidator(0)], **MONEY)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.FIRST_CONTACT)
    # The rep's own figure; NULL = follow the stage default. `probability` is what counts (kept
    # by funnel.services: 0 when lost, else the override, else the default) so sums run in SQL.
    probability_override = models.PositiveSmallIntegerField(
        _("probability set by the rep (%)"), null=True, blank=True, validators=PERCENT
    )
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=10, validators=PERCENT)
    # Likewise: the rep's choice (never overwritten by a default) and the category that counts.
    category_override = models.CharField(
        _("category chosen by the rep"), max_length=20, choices=Category.choices, null=True, blank=True
    )
    forecast_category = models.CharField(
        _("forecast category"), max_length=20, choices=Category.choices, default=Category.PIPELINE
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    closed_at = models.DateField(_("closed on"), null=True, blank=True)
    # When the stage last changed (an import may date it; see services and the bulk hook).
    stage_changed_at = models.DateTimeField(_("stage changed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)  # indexed with id: the API's sync keyset

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["expected_close_date", "id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            erp_id_unique("opportunity"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="opportunity_probability_max_100"),
            models.CheckConstraint(
                condition=Q(probability_override__isnull=True) | Q(probability_override__lte=100),
                name="opportunity_override_max_100",
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="opportunity_sync"),
            models.Index(fields=["owner", "stage", "expected_close_date"], name="opportunity_owner_stage_close"),
            models.Index(fields=["account", "stage"], name="opportunity_account_stage"),
            models.Index(fields=["stage", "closed_at"], name="opportunity_stage_closed"),
            # Stalled deals (funnel.selectors.stalled_deals): the open deals by last activity, so
            # the oldest 200 of a scope are read in order instead of sorting every open deal.
            models.Index(
                Greatest("updated_at", Coalesce("stage_changed_at", "updated_at")),
                "id",
                condition=Q(stage__in=s.OPEN_STAGES),
                name="opportunity_stalled",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    """One stage change: from, to, when, by whom (NULL from_stage: the opportunity began here)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    changed_at = models.DateTimeField(_("changed at"), db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["opportunity", "changed_at"], name="stagechange_opp_when")]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage or '-'} → {self.to_stage}"


class StageWalk(models.Model):
    """One opportunity's stage history folded into one short row (issue 10: the dashboard's
    conversion and time-in-stage chart sums these instead of sorting the history): visits per
    stage, whole seconds of the finished visits per stage, the furthest step of the forward
    order reached (-1: none), and the stage and moment of the last change (the open visit, which
    `now` closes when the chart is read). The history is ordered by (changed_at, id), as in
    funnel.domain.conversion; a finished visit counts floor(next change - this change) seconds.

    Written only by PostgreSQL triggers on the stage history (migration 0002), per statement, so
    the services, the bulk upsert, the seed and raw SQL all keep it exact; read through the
    opportunity (visible_to), never on its own. Empty on SQLite, where the chart folds the
    history itself (funnel.selectors.stage_statistics)."""

    # No foreign-key constraint or Python cascade: the triggers delete the row with the history.
    opportunity = models.OneToOneField(
        Opportunity, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    visits_first_contact = models.IntegerField(default=0)
    visits_needs_understood = models.IntegerField(default=0)
    visits_proposal = models.IntegerField(default=0)
    visits_negotiation = models.IntegerField(default=0)
    visits_signed = models.IntegerField(default=0)
    visits_paid = models.IntegerField(default=0)
    visits_lost = models.IntegerField(default=0)
    seconds_first_contact = models.BigIntegerField(default=0)
    seconds_needs_understood = models.BigIntegerField(default=0)
    seconds_proposal = models.BigIntegerField(default=0)
    seconds_negotiation = models.BigIntegerField(default=0)
    seconds_signed = models.BigIntegerField(default=0)
    seconds_paid = models.BigIntegerField(default=0)
    seconds_lost = models.BigIntegerField(default=0)
    furthest = models.SmallIntegerField(default=-1)
    last_stage = models.CharField(max_length=20, choices=Stage.choices)
    last_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.last_stage} since {self.last_at}"


class ForecastSnapshot(models.Model):
    """One per week (named by its Monday): the unique week makes a second run a no-op."""

    week = models.DateField(_("week"), unique=True)
    as_of = models.DateField(_("as of"))  # the day it stands for: won to date counts up to it
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    lines_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week"]
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")

    def __str__(self) -> str:
        return self.week.isoformat()


class SnapshotLine(models.Model):
    """An open opportunity as it stood when the week's snapshot was taken."""

    snapshot = models.ForeignKey(ForecastSnapshot, on_delete=models.CASCADE, related_name="lines")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    amount = models.DecimalField(**MONEY)
    probability = models.PositiveSmallIntegerField()
    forecast_category = models.CharField(max_length=20, choices=Category.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    expected_close_date = models.DateField(null=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot line")
        verbose_name_plural = _("snapshot lines")
        constraints = [models.UniqueConstraint(fields=["snapshot", "opportunity"], name="snapshotline_once_per_week")]
        indexes = [
            models.Index(fields=["snapshot", "owner", "expected_close_date"], name="snapshotline_owner_close"),
            # The forecast-accuracy chart reads a quarter's lines of a few snapshots: every column
            # it needs is in the index, so PostgreSQL answers from it alone (issue 10).
            models.Index(
                fields=["snapshot", "expected_close_date"],
                include=["owner", "account", "amount", "probability", "forecast_category"],
                name="snapshotline_close_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}/{self.opportunity_id}"


class Commitment(models.Model):
    """A rep's commit figure for a quarter, and their manager's adjustment beside it (never over it)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="commitments"
    )
    quarter = models.CharField(_("quarter"), max_length=7)  # "2026-Q3"
    amount = models.DecimalField(_("rep's commit"), validators=[MinValueValidator(0)], **MONEY)
    manager_amount = models.DecimalField(
        _("manager's adjustment"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-quarter", "owner_id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [models.UniqueConstraint(fields=["owner", "quarter"], name="commitment_once_per_quarter")]

    def __str__(self) -> str:
        return f"{self.owner} {self.quarter}: {self.amount}"
