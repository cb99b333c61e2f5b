"""Reads of the tiering app for pages and the API; each starts from `visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Account, User
from tiering.domain.matrix import CATEGORY_LABELS, LETTERS, TIER_CATEGORY, TIER_STRATEGY
from tiering.models import AccountScore, Assessment, ScoringRun, TierChange, TierOverride


def current_run() -> ScoringRun | None:
    """The run users see: the newest that finished successfully."""
    return ScoringRun.objects.filter(status=ScoringRun.Status.SUCCEEDED).order_by("-id").first()


def _lang() -> str:
    return "zh-hans" if (get_language() or "").lower().startswith("zh") else "en"


def strategy_for(tier: str) -> str:
    return TIER_STRATEGY[tier][_lang()] if tier in TIER_STRATEGY else ""


def category_label(category: str) -> str:
    return CATEGORY_LABELS[category][_lang()] if category in CATEGORY_LABELS else ""


@dataclass(frozen=True)
class TierCard:
    run: ScoringRun | None
    score: AccountScore | None
    group_score: AccountScore | None
    strategy: str
    category: str
    history: list[TierChange]
    override: TierOverride | None
    assessment: Assessment | None


def account_tier_card(*, account: Account, history: int = 12) -> TierCard:
    run = current_run()
    scores = (
        {s.is_group: s for s in AccountScore.objects.filter(run=run, account=account).select_related("run__config")}
        if run
        else {}
    )
    group_score = scores.get(True)
    if group_score is None and run and account.parent_id:
        group_score = (
            AccountScore.objects.filter(run=run, account=account.root(), is_group=True)
            .select_related("run__config")
            .first()
        )
    score = scores.get(False)
    tier = score.tier if score else account.tier
    return TierCard(
        run=run,
        score=score,
        group_score=group_score,
        strategy=strategy_for(tier),
        category=category_label(TIER_CATEGORY.get(tier, "")),
        history=list(account.tier_changes.select_related("run")[:history]),
        override=account.tier_overrides.filter(revoked_at__isnull=True).order_by("-id").first(),
        assessment=account.assessments.select_related("assessed_by").first(),
    )


@dataclass(frozen=True)
class MatrixCell:
    tier: str
    category: str
    accounts: int
    revenue: Decimal


def tier_matrix(*, user: User, run: ScoringRun | None = None) -> list[list[MatrixCell]]:
    """3 rows (A, B, C) × 6 positions: visible accounts and their window revenue per cell."""
    run = run or current_run()
    totals: dict[str, dict] = {}
    if run is not None:
        rows = (
            AccountScore.objects.visible_to(user)
            .filter(run=run, is_group=False)
            .values("tier")
            .annotate(n=Count("id"), revenue=Sum("monetary"))
            .order_by()
        )
        totals = {row["tier"]: row for row in rows}
    return [
        [
            MatrixCell(
                tier=f"{letter}{position}",
                category=TIER_CATEGORY[f"{letter}{position}"],
                accounts=totals.get(f"{letter}{position}", {}).get("n", 0),
                revenue=totals.get(f"{letter}{position}", {}).get("revenue") or Decimal("0"),
            )
            for position in range(1, 7)
        ]
        for letter in LETTERS
    ]


def tier_migration(*, user: User, from_run: ScoringRun, to_run: ScoringRun) -> dict[tuple[str, str], int]:
    """How many visible accounts went from each tier to each tier between two runs."""
    visible = AccountScore.objects.visible_to(user).filter(is_group=False)
    before = dict(visible.filter(run=from_run).values_list("account_id", "tier"))
    counts: dict[tuple[str, str], int] = {}
    for account_id, tier in visible.filter(run=to_run).values_list("account_id", "tier").iterator():
        key = (before.get(account_id, ""), tier)
        counts[key] = counts.get(key, 0) + 1
    return counts


def needs_assessment(*, user: User) -> QuerySet[Account]:
    """Visible accounts nobody has assessed: their attractiveness is provisional."""
    assessed = Assessment.objects.filter(account=OuterRef("pk"))
    return Account.objects.visible_to(user).filter(~Exists(assessed)).select_related("owner").order_by("name", "id")


def score_history(*, account: Account) -> QuerySet[AccountScore]:
    return AccountScore.objects.filter(account=account, run__status=ScoringRun.Status.SUCCEEDED).select_related("run")


@dataclass(frozen=True)
class RunAlert:
    run_id: int
    level: str  # "danger" (failed, or stuck with nobody to pick it up) or "warning" (being recovered)
    message: str  # what a director reads, translated


def run_alerts(*, now: datetime | None = None) -> list[RunAlert]:
    """What the runs page warns about, newest run first: runs that show no sign of life
    (queued or running, heartbeat older than TIERING_RUN_STALE_SECONDS: the watchdog will
    requeue them, or no beat is running), runs requeued after their worker died, and the
    newest finished run if it failed (a later success makes an older failure history).
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.TIERING_RUN_STALE_SECONDS)
    alerts: list[RunAlert] = []
    unfinished = ScoringRun.objects.filter(status__in=[ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING])
    for run in unfinished.order_by("-id")[:20]:
        if run.heartbeat_at is None or run.heartbeat_at < stale_before:
            since = timezone.localtime(run.heartbeat_at).strftime("%Y-%m-%d %H:%M %Z") if run.heartbeat_at else "?"
            message = _("Run #%(id)s is %(status)s but shows no sign of life since %(since)s: its worker stopped.")
            alerts.append(
                RunAlert(run.pk, "danger", message % {"id": run.pk, "status": run.get_status_display(), "since": since})
            )
        elif run.error:  # the watchdog's note: abandoned once, queued again
            alerts.append(RunAlert(run.pk, "warning", _("Run #%(id)s: %(note)s") % {"id": run.pk, "note": run.error}))
    last = ScoringRun.objects.filter(finished_at__isnull=False).order_by("-id").first()
    if last is not None and last.status == ScoringRun.Status.FAILED:
        message = _("The last run, #%(id)s, failed: %(error)s")
        alerts.append(RunAlert(last.pk, "danger", message % {"id": last.pk, "error": last.error[:300]}))
    return alerts
