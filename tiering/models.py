"""Tiering state: versioned configuration, runs, per-account score snapshots, tier changes,
manual overrides and the account team's assessments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, Account
from accounts.validation import model_errors
from accounts.visibility import AccountOwnedQuerySet


class TieringConfigVersion(models.Model):
    """An immutable version of the tunables; the newest is the one in force."""

    data = models.JSONField(_("settings"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("tiering settings version")
        verbose_name_plural = _("tiering settings versions")

    def __str__(self) -> str:
        return f"v{self.pk}"


class ScoringRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    as_of = models.DateField(_("as of"))
    config = models.ForeignKey(TieringConfigVersion, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(_("started by"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    accounts_scored = models.PositiveIntegerField(_("accounts scored"), default=0)
    tier_changes = models.PositiveIntegerField(_("tier changes"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Liveness (issue 14.4): the process running it touches heartbeat_at every few seconds; a
    # queued or running run whose heartbeat is old is lost, and the watchdog requeues it.
    # attempts counts the claims (a worker taking it), and fences a stale worker's writes.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # What a run that succeeded skipped (e.g. a broken group tree), one line each.
    warnings = models.TextField(_("warnings"), blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="scoring_run_liveness")]
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.as_of} {self.status}"

    def clean(self) -> None:
        if errors := model_errors(self):  # as_of within the accepted span of dates
            raise ValidationError(errors)


# The columns of a snapshot after (run, account): written by the run, served by the API.
SNAPSHOT_FIELDS = (
    "is_group",
    "recency_days",
    "frequency",
    "monetary",
    "margin",
    "r_score",
    "f_score",
    "m_score",
    "segment",
    "pareto_class",
    "composite",
    "badges",
    "attractiveness",
    "attractiveness_provisional",
    "potential_band",
    "relationship",
    "position",
    "computed_tier",
    "tier",
    "category",
    "overridden",
    "reasons",
)


# Stored besides SNAPSHOT_FIELDS ("reasons" is written from these when read, a page at a
# time: `tiering.selectors.score_rows`).
EXPLANATION_FIELDS = (
    "attractiveness_score",
    "factors_rated",
    "revenue_rank",
    "margin_rank",
    "rank_band",
    "wallet_estimate",
    "wallet_raised",
    "relationship_type",
    "frequency_prev",
    "weaknesses",
    "margin_unknown",
    "notes",
)


class AccountScore(models.Model):
    """One account's scores and placement in one run. Group rows hold the rolled-up group."""

    # A run writes 100,000 rows at once: no per-row FK checks (publish writes only ids it has
    # just read, and Django's cascade deletes them), and one B-tree besides the key: the unique
    # constraint, which leads with the account (its history). Runs append their rows in order,
    # so a BRIN index finds a run's rows for almost nothing (migration 0003: BRIN on
    # PostgreSQL, a plain index elsewhere).
    run = models.ForeignKey(
        ScoringRun, on_delete=models.CASCADE, related_name="scores", db_constraint=False, db_index=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="scores", db_constraint=False, db_index=False
    )
    is_group = models.BooleanField(_("group roll-up"), default=False)
    recency_days = models.PositiveIntegerField(null=True)
    frequency = models.PositiveIntegerField(default=0)
    monetary = models.DecimalField(default=0, **MONEY)
    margin = models.DecimalField(default=0, **MONEY)
    r_score = models.PositiveSmallIntegerField()
    f_score = models.PositiveSmallIntegerField()
    m_score = models.PositiveSmallIntegerField()
    segment = models.CharField(max_length=30)
    pareto_class = models.CharField(max_length=1)
    composite = models.DecimalField(max_digits=5, decimal_places=1)
    badges = models.JSONField(default=list)
    attractiveness = models.CharField(max_length=1)
    attractiveness_provisional = models.BooleanField(default=False)
    potential_band = models.CharField(max_length=10)
    relationship = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField()
    computed_tier = models.CharField(_("computed tier"), max_length=2)
    tier = models.CharField(_("tier"), max_length=2)  # the computed tier, or a manager's override
    category = models.CharField(max_length=20)
    overridden = models.BooleanField(default=False)
    # What the reasons are written from when read (tiering.explanations): a few numbers per
    # row instead of ~400 bytes of sentences, so a run's 100,000 snapshots write fast.
    attractiveness_score = models.FloatField(null=True)
    factors_rated = models.PositiveSmallIntegerField(default=0)
    revenue_rank = models.FloatField(default=0)
    margin_rank = models.FloatField(default=0)
    rank_band = models.CharField(max_length=10, blank=True)  # "" on snapshots older than this field
    wallet_estimate = models.FloatField(default=0)
    wallet_raised = models.BooleanField(default=False)
    relationship_type = models.CharField(max_length=30, blank=True)
    frequency_prev = models.PositiveIntegerField(default=0)
    weaknesses = models.CharField(max_length=100, blank=True)  # space-separated relationship weaknesses
    # Orders in the window without a margin (the ERP sent none): the margin ranks use the known ones.
    margin_unknown = models.PositiveIntegerField(default=0)
    # What the run added (a manager's pin) as [code, params] (tiering.domain.pipeline.Reason);
    # English sentences on snapshots written before that.
    notes = models.JSONField(default=list)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-run_id", "account_id"]
        constraints = [models.UniqueConstraint(fields=["account", "run", "is_group"], name="one_score_per_account_run")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.tier} (run {self.run_id})"


class TierChange(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tier_changes")
    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="changes")
    from_tier = models.CharField(_("from"), max_length=2, blank=True)
    to_tier = models.CharField(_("to"), max_length=2)
    reasons = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.from_tier or '–'} → {self.to_tier}"


class TierOverride(models.Model):
    """A manager pins an account's tier, with a reason, until an expiry date."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tier_overrides")
    tier = models.CharField(_("tier"), max_length=2)
    reason = models.TextField(_("reason"))
    expires_on = models.DateField(_("expires on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.account_id} pinned {self.tier} until {self.expires_on}"


class Rating(models.TextChoices):
    A = "A", _("A – very attractive")
    B = "B", _("B – medium")
    C = "C", _("C – low")


class Assessment(models.Model):
    """The account manager's assessment: the five attractiveness factors and the outlook."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="assessments")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)
    differentiation = models.CharField(_("differentiation from competitors"), max_length=1, choices=Rating.choices)
    value_vs_price = models.CharField(_("value vs price preference"), max_length=1, choices=Rating.choices)
    leaning = models.CharField(_("leaning"), max_length=1, choices=Rating.choices)
    access_to_key_people = models.CharField(_("access to key people"), max_length=1, choices=Rating.choices)
    purchase_rules = models.CharField(_("purchase rules"), max_length=1, choices=Rating.choices)
    prospects_rating = models.PositiveSmallIntegerField(
        _("development prospects (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    wallet_estimate = models.DecimalField(
        _("estimated annual wallet"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    strategic = models.BooleanField(_("strategic account (industry reference, contested)"), default=False)
    referred_customer = models.BooleanField(_("referred a customer who bought"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["account", "-assessed_at"], name="assessment_latest")]

    def __str__(self) -> str:
        return f"{self.account} {self.assessed_at:%Y-%m-%d}"
