"""Reads of the tiering app for pages and the API; each starts from `visible_to(user)`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _

from accounts.models import Account, User
from tiering.domain.matrix import LETTERS, TIER_CATEGORY, TIER_STRATEGY, TIERS
from tiering.explanations import category_label, reasons_of
from tiering.models import AccountScore, Assessment, ScoringRun, TierChange, TierOverride


def current_run() -> ScoringRun | None:
    """The run users see: the newest that finished successfully."""
    return _succeeded_newest_first().first()


def current_run_id() -> QuerySet:
    """`current_run`'s id as a one-row (or empty) `values("id")` queryset, to use as a subquery:
    a query that needs only the id reads it in the same round trip."""
    return _succeeded_newest_first().values("id")[:1]


def _succeeded_newest_first() -> QuerySet[ScoringRun]:
    return ScoringRun.objects.filter(status=ScoringRun.Status.SUCCEEDED).order_by("-id")


def _lang() -> str:
    return "zh-hans" if (get_language() or "").lower().startswith("zh") else "en"


def strategy_for(tier: str) -> str:
    return TIER_STRATEGY[tier][_lang()] if tier in TIER_STRATEGY else ""


@dataclass(frozen=True)
class ScoreRow:
    """One stored snapshot as pages and the API show it, always with its reasons (in the
    active language: `tiering.explanations.reason_text`). Money in currency units."""

    id: int
    run_id: int
    as_of: date
    account_id: int
    is_group: bool
    recency_days: int | None  # None: never ordered
    frequency: int
    monetary: Decimal
    margin: Decimal
    r_score: int
    f_score: int
    m_score: int
    segment: str
    pareto_class: str
    composite: Decimal
    badges: tuple[str, ...]
    attractiveness: str
    attractiveness_provisional: bool
    potential_band: str
    relationship: str
    position: int
    computed_tier: str
    tier: str
    category: str
    overridden: bool
    reasons: tuple[str, ...]  # the rules that placed the account, then the run's notes


def score_list(*, user: User) -> QuerySet[AccountScore]:
    """The snapshots of successful runs whose account the user sees, with what `score_rows`
    needs loaded (the run and its settings)."""
    return (
        AccountScore.objects.visible_to(user)
        .filter(run__status=ScoringRun.Status.SUCCEEDED)
        .select_related("run__config")
    )


def score_rows(*, scores: Sequence[AccountScore]) -> list[ScoreRow]:
    """The snapshots as rows, in their order, with reasons written in one pass for all of them
    (one `explain` per settings version). Load `run__config` first (`score_list` does), else
    each snapshot costs a query."""
    reasons = reasons_of(scores)
    return [
        ScoreRow(
            id=score.pk,
            run_id=score.run_id,
            as_of=score.run.as_of,
            account_id=score.account_id,
            is_group=score.is_group,
            recency_days=score.recency_days,
            frequency=score.frequency,
            monetary=score.monetary,
            margin=score.margin,
            r_score=score.r_score,
            f_score=score.f_score,
            m_score=score.m_score,
            segment=score.segment,
            pareto_class=score.pareto_class,
            composite=score.composite,
            badges=tuple(score.badges),
            attractiveness=score.attractiveness,
            attractiveness_provisional=score.attractiveness_provisional,
            potential_band=score.potential_band,
            relationship=score.relationship,
            position=score.position,
            computed_tier=score.computed_tier,
            tier=score.tier,
            category=score.category,
            overridden=score.overridden,
            reasons=tuple(row_reasons),
        )
        for score, row_reasons in zip(scores, reasons, strict=True)
    ]


@dataclass(frozen=True)
class TierCard:
    tier: str  # the effective tier (a pin in force, else the computed one): what every page shows; "" untiered
    category_code: str  # key / normal / possible / unattractive of `tier`; "" untiered
    computed_tier: str  # what the data and the assessment place it in; "" before the first run
    score: ScoreRow | None  # its own snapshot in the current run
    group_score: ScoreRow | None  # the account's own group row, or its root's
    group_name: str  # the name of the group_score's account ("" without one)
    strategy: str
    category: str
    history: list[TierChange]
    override: TierOverride | None


def account_tier_card(*, account: Account, history: int = 12) -> TierCard:
    """The tier card of one account (the caller has checked that the user sees it): its
    snapshot and its group's in the current run, both with reasons, written in one pass.
    3 queries (4 for a group member without a group row of its own): its snapshots in the
    current run, its tier changes, the pin in force."""
    # The current run as a subquery: its row comes with the snapshots (run__config), and the
    # card needs no run of its own when the account has none.
    scores = {
        s.is_group: s
        for s in AccountScore.objects.filter(run_id__in=current_run_id(), account=account).select_related("run__config")
    }
    group_score = scores.get(True)
    if group_score is None and account.parent_id:
        group_score = (
            AccountScore.objects.filter(run_id__in=current_run_id(), account=account.root(), is_group=True)
            .select_related("run__config", "account")
            .first()
        )
    score = scores.get(False)
    shown = [s for s in (score, group_score) if s is not None]
    rows = dict(zip([s.is_group for s in shown], score_rows(scores=shown), strict=True))
    # The account row holds the effective tier: pins and fresh assessments move it at once.
    tier = account.tier
    return TierCard(
        tier=tier,
        category_code=TIER_CATEGORY.get(tier, ""),
        computed_tier=score.computed_tier if score else "",
        score=rows.get(False),
        group_score=rows.get(True),
        group_name=(account.name if group_score.account_id == account.pk else group_score.account.name)
        if group_score
        else "",
        strategy=strategy_for(tier),
        category=category_label(TIER_CATEGORY.get(tier, "")),
        history=list(account.tier_changes.select_related("run")[:history]),
        override=account.tier_overrides.filter(revoked_at__isnull=True, expires_on__gte=timezone.localdate())
        .select_related("created_by")
        .order_by("-id")
        .first(),
    )


@dataclass(frozen=True)
class MatrixCell:
    tier: str
    category: str
    accounts: int
    revenue: Decimal


def matrix_reps(*, user: User) -> QuerySet[User]:
    """Whose matrix the user may look at, by name: a rep only their own, a manager the reps of
    the teams they lead, a director every rep (README "Who sees what")."""
    people = User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
    if user.is_superuser or user.role == User.Role.DIRECTOR:
        return people.filter(role=User.Role.REP)
    if user.role == User.Role.MANAGER:
        return people.filter(role=User.Role.REP, team__manager=user)
    return people.filter(pk=user.pk)


def tier_matrix(*, user: User, run: ScoringRun | None = None, rep: User | None = None) -> list[list[MatrixCell]]:
    """3 rows (A, B, C) × 6 positions: visible accounts and their window revenue per cell.
    `rep` (one of `matrix_reps(user=user)`, the caller's check) narrows it to what that rep sees."""
    run = run or current_run()
    totals: dict[str, dict] = {}
    if run is not None:
        scores = AccountScore.objects.visible_to(user)
        if rep is not None:
            scores = scores.filter(account__in=Account.objects.visible_to(rep).values("pk"))
        rows = (
            scores.filter(run=run, is_group=False)
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


def tier_migration(*, user: User, from_run: ScoringRun | int, to_run: ScoringRun | int) -> dict[tuple[str, str], int]:
    """How many visible accounts went from each tier to each tier between two runs (runs or
    their ids): {(tier before or "" when untiered, tier after): accounts}."""
    # Counted by one grouped join in the database, not by loading both runs' rows (2 × 100k
    # at a real company's size) into Python: issue 12 item 9.
    after = (
        AccountScore.objects.visible_to(user).filter(run=to_run, is_group=False).order_by().values("account_id", "tier")
    )
    sql, params = after.query.sql_with_params()
    scores = connection.ops.quote_name(AccountScore._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(b.tier, ''), a.tier, COUNT(*) FROM ({sql}) a "  # noqa: S608 - ORM SQL, parameters apart
            f"LEFT JOIN {scores} b ON b.account_id = a.account_id AND b.run_id = %s AND NOT b.is_group "
            "GROUP BY 1, 2",
            [*params, getattr(from_run, "pk", from_run)],
        )
        return {(before, tier): count for before, tier, count in cursor.fetchall()}


@dataclass(frozen=True)
class RunRow:
    """One scoring run as the runs page and the API list it."""

    id: int
    as_of: date
    status: str  # ScoringRun.Status
    status_label: str  # in the active language
    config_id: int  # the settings version it ran with
    trigger: str
    trigger_label: str  # the trigger as people read it, in the active language
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    accounts_scored: int
    tier_changes: int
    error: str
    warnings: str  # what the run skipped but survived (e.g. a broken group tree), one per line
    attempts: int = 0  # workers that took it: above 1, earlier ones died (services.run_watchdog)


def run_list(*, status: str | None = None) -> QuerySet[ScoringRun]:
    """Every run, newest first (runs concern everyone: no visibility filter), or those of
    one `ScoringRun.Status`."""
    runs = ScoringRun.objects.order_by("-id")
    return runs if status is None else runs.filter(status=status)


def trigger_label(trigger: str) -> str:
    """Who or what started a run, as people read it: the stored trigger is a code
    ("nightly schedule", "command line", "seed_demo", "user <username>", "api <username>")."""
    kind, _, who = trigger.partition(" ")
    if kind == "user" and who:
        return gettext("%(user)s, on the runs page") % {"user": who}
    if kind == "api" and who:
        return gettext("%(user)s, through the API") % {"user": who}
    fixed = {
        "nightly schedule": gettext("nightly schedule"),
        "command line": gettext("command line"),
        "seed_demo": gettext("demo data loader"),
    }
    return fixed.get(trigger, trigger)


def run_rows(*, runs: Sequence[ScoringRun]) -> list[RunRow]:
    """The runs as rows, in their order."""
    return [
        RunRow(
            id=run.pk,
            as_of=run.as_of,
            status=run.status,
            status_label=str(run.get_status_display()),
            config_id=run.config_id,
            trigger=run.trigger,
            trigger_label=trigger_label(run.trigger),
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            accounts_scored=run.accounts_scored,
            tier_changes=run.tier_changes,
            error=run.error,
            warnings=run.warnings,
            attempts=run.attempts,
        )
        for run in runs
    ]


@dataclass(frozen=True)
class MigrationRow:
    source: str  # the tier in the earlier run, "–" for accounts it had not tiered
    counts: tuple[int, ...]  # accounts now in each of TIERS, in TIERS order


@dataclass(frozen=True)
class MigrationReport:
    runs: tuple[RunRow, ...]  # the successful runs one may compare, newest first
    from_run: RunRow | None
    to_run: RunRow | None
    tiers: tuple[str, ...]  # the columns: TIERS
    rows: tuple[MigrationRow, ...] | None  # None: fewer than two runs to compare


def tier_migration_report(
    *, user: User, from_run_id: str | None = None, to_run_id: str | None = None, choices: int = 60
) -> MigrationReport:
    """Where the visible accounts of one successful run went in another: one row per tier they
    came from (untiered first, then TIERS order; only tiers someone came from), one count per
    tier they went to. The runs are ids as given in a query string; an unknown or missing id
    means the newest run (to) and the one before it (from), among the newest `choices`."""
    runs = run_rows(runs=list(run_list(status=ScoringRun.Status.SUCCEEDED)[:choices]))
    by_id = {str(r.id): r for r in runs}
    to_run = by_id.get(to_run_id or "", runs[0] if runs else None)
    from_run = by_id.get(from_run_id or "", runs[1] if len(runs) > 1 else None)
    rows = None
    if from_run and to_run:
        counts = tier_migration(user=user, from_run=from_run.id, to_run=to_run.id)
        sources = [t for t in ("", *TIERS) if any(k[0] == t for k in counts)]
        rows = tuple(
            MigrationRow(source=source or "–", counts=tuple(counts.get((source, target), 0) for target in TIERS))
            for source in sources
        )
    return MigrationReport(runs=tuple(runs), from_run=from_run, to_run=to_run, tiers=TIERS, rows=rows)


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
