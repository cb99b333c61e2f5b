"""Writes of the tiering app: settings versions, runs, overrides, assessments.

A run is all-or-nothing: every snapshot, tier change and account update is written in one
transaction, so users see either the previous run or the new one, never half of it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

import pandas as pd
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, User
from kam.collector import paused_gc
from kam.locks import LockBusy, exclusive_lock
from kam.pg_copy import copying_in_background
from tiering.domain.config import TieringConfig
from tiering.domain.groups import group_rollups
from tiering.domain.matrix import TIER_CATEGORY
from tiering.domain.pipeline import Reason, explain, place_accounts
from tiering.events import run_abandoned_emit, run_finished_emit
from tiering.explanations import english, weaknesses_text
from tiering.inputs import scoring_inputs
from tiering.models import (
    EXPLANATION_FIELDS,
    SNAPSHOT_FIELDS,
    AccountScore,
    Assessment,
    ScoringRun,
    TierChange,
    TieringConfigVersion,
    TierOverride,
)
from tiering.selectors import current_run

log = logging.getLogger(__name__)

DEFAULT_CONFIG = TieringConfig()  # its badge thresholds are money, as the inputs are
RUN_LOCK = "tiering-run"

Progress = Callable[[str], None]


def config_current() -> TieringConfigVersion:
    """The settings in force; the shipped defaults become version 1 on first use."""
    version = TieringConfigVersion.objects.order_by("-id").first()
    if version is None:
        version = TieringConfigVersion.objects.create(data=DEFAULT_CONFIG.to_dict(), note="defaults")
    return version


def config_save(*, data: dict, user: User | None, note: str = "") -> TieringConfigVersion:
    """Store a new version; `ValueError` names the bad field. Past runs keep theirs."""
    config = TieringConfig.from_dict(data)
    return TieringConfigVersion.objects.create(data=config.to_dict(), created_by=user, note=note)


def run_request(*, as_of: date | None = None, trigger: str) -> ScoringRun:
    """Queue a run; `run_execute` does it (in a Celery worker, or here in-process)."""
    return ScoringRun.objects.create(
        as_of=as_of or timezone.localdate(), config=config_current(), trigger=trigger, heartbeat_at=timezone.now()
    )


def run_start(*, trigger: str, as_of: date | None = None) -> ScoringRun:
    """Queue a run and hand it to a Celery worker once this transaction commits (the page's and
    the API's "start a run"). `trigger` says who asked, e.g. "user alice"; `as_of` defaults to
    today. Who may start one is the caller's check (tiering.permissions.can_run_tiering).
    """
    with transaction.atomic():
        run = run_request(as_of=as_of, trigger=trigger)
        _enqueue_on_commit(run.pk)
    return run


def _enqueue_on_commit(run_id: int) -> None:
    from tiering.tasks import execute_run  # the tasks module imports this one

    # Never enqueue inside the transaction: the worker could look for a run not yet committed.
    transaction.on_commit(partial(execute_run.delay, run_id))


class RunBusy(Exception):
    """The run cannot be taken now: another run holds the lock, or its own last worker died
    too recently to be sure (its heartbeat is not stale yet). Try again in `retry_in` seconds."""

    def __init__(self, reason: str, *, retry_in: int) -> None:
        super().__init__(reason)
        self.retry_in = retry_in


class RunLost(Exception):
    """This worker no longer owns the run (the watchdog gave it to another): write nothing."""


def _stale_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.TIERING_RUN_STALE_SECONDS)


def _lost() -> Q:
    """Queued or running, and silent too long: its worker (or its broker message) is gone."""
    silent = Q(heartbeat_at__lt=_stale_before()) | Q(heartbeat_at__isnull=True)
    return Q(status__in=[ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING]) & silent


def run_claim(*, run_id: int) -> int | None:
    """Take a run for this process: the attempt number it now runs under, or None.

    One conditional UPDATE decides (never a read then a write): a queued run, or a running one
    whose heartbeat is stale (its worker died), with attempts left; whoever updates the row owns
    the run under attempt `attempts + 1`.
    """
    now = timezone.now()
    claimable = Q(status=ScoringRun.Status.QUEUED) | (
        Q(status=ScoringRun.Status.RUNNING) & (Q(heartbeat_at__lt=_stale_before()) | Q(heartbeat_at__isnull=True))
    )
    claimed = ScoringRun.objects.filter(claimable, pk=run_id, attempts__lt=settings.TIERING_RUN_MAX_ATTEMPTS).update(
        status=ScoringRun.Status.RUNNING, heartbeat_at=now, started_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    # Safe to read back: its heartbeat is fresh now, so no other delivery can claim it meanwhile.
    return ScoringRun.objects.values_list("attempts", flat=True).get(pk=run_id)


@contextmanager
def _heartbeat(run_id: int, attempt: int) -> Iterator[None]:
    """Touch the run's heartbeat every TIERING_RUN_HEARTBEAT_SECONDS while the block runs, from
    a thread with its own connection (the run's own connection is busy in long queries).

    Only on PostgreSQL outside a transaction: SQLite allows one writer (the demo has no
    watchdog anyway), and inside a transaction the run's row is invisible to other connections.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.TIERING_RUN_HEARTBEAT_SECONDS):
                try:
                    ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.RUNNING, attempts=attempt).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # a missed beat is not worth killing the run for
                    log.warning("tiering run %s: heartbeat failed", run_id, exc_info=True)
        finally:
            connections.close_all()  # the thread's own connection

    thread = threading.Thread(target=beat, name=f"run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_execute(*, run_id: int, progress: Progress | None = None) -> ScoringRun:
    """Compute and publish one run. Two runs never overlap; a failure keeps the last good one.

    A second delivery of the same run (acks_late, a watchdog requeue) finds it finished and
    returns it, or finds it taken and raises RunBusy. RunBusy also when another run is in
    progress: the caller tries again later (the task retries; the command says so).
    """
    step = progress or (lambda _name: None)
    try:
        with exclusive_lock(RUN_LOCK):
            attempt = run_claim(run_id=run_id)
            if attempt is None:
                run = ScoringRun.objects.get(pk=run_id)
                if run.status in (ScoringRun.Status.SUCCEEDED, ScoringRun.Status.FAILED):
                    return run  # delivered twice: another delivery did it
                if run.attempts >= settings.TIERING_RUN_MAX_ATTEMPTS:
                    return run  # the watchdog fails it once it is silent
                # Its last worker died moments ago (we hold the lock, so nobody runs it now).
                raise RunBusy("its last worker stopped recently", retry_in=settings.TIERING_RUN_STALE_SECONDS)
            run = ScoringRun.objects.get(pk=run_id)
            try:
                with _heartbeat(run_id, attempt):
                    _compute_and_publish(run, attempt, step)
            except RunLost:
                log.warning("tiering run %s: attempt %s lost the run to another worker", run_id, attempt)
                return ScoringRun.objects.get(pk=run_id)
            except Exception as error:
                _fail(run, f"{type(error).__name__}: {error}", attempt=attempt)
                raise
            finally:
                # After publish() committed, or after the failure was recorded: tell webhook subscribers.
                run_finished_emit(run_id=run_id)
    except LockBusy:
        # Still wanted, and a worker holds its message: vouch for it, so the watchdog doesn't
        # re-send it while the delivery's retry (due well before it would look silent) waits.
        ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.QUEUED).update(heartbeat_at=timezone.now())
        raise RunBusy("another run is in progress", retry_in=max(1, settings.TIERING_RUN_STALE_SECONDS // 2)) from None
    run.refresh_from_db()
    return run


def _compute_and_publish(run: ScoringRun, attempt: int, step: Progress) -> None:
    config = TieringConfig.from_dict(run.config.data)
    with paused_gc():  # a run frees its objects when it ends
        frame = scoring_inputs(run.as_of, config)
        _report_broken_groups(run, frame.attrs.get("broken_groups", []))
        step("loaded")
        accounts = score_accounts(frame, run.as_of, config)
        step("scored")
        publish(run, accounts, lambda: score_groups(frame, run.as_of, config), config, step, attempt=attempt)


def _report_broken_groups(run: ScoringRun, broken: list[list[int]]) -> None:
    """Record (on the run and in the log) the group trees whose ancestry loops: their accounts
    are scored alone and the group roll-up is skipped, and the run goes on."""
    if not broken:
        return
    lines = [
        "Group tree broken (its parents form a cycle): accounts "
        + ", ".join(map(str, members))
        + " scored alone, group roll-up skipped."
        for members in broken
    ]
    for line in lines:
        log.warning("tiering run %s: %s", run.pk, line)
    ScoringRun.objects.filter(pk=run.pk).update(warnings="\n".join(lines)[:4000])


def _fail(run: ScoringRun, error: str, *, attempt: int | None = None) -> None:
    log.error("tiering run %s failed: %s", run.pk, error)
    owned = ScoringRun.objects.filter(pk=run.pk)
    if attempt is not None:  # only while this attempt still owns it
        owned = owned.filter(status=ScoringRun.Status.RUNNING, attempts=attempt)
    owned.update(status=ScoringRun.Status.FAILED, error=error[:4000], finished_at=timezone.now())


@dataclass(frozen=True)
class WatchdogReport:
    requeued: list[int]  # run ids handed to a worker again
    failed: list[int]  # run ids given up on


def run_watchdog() -> WatchdogReport:
    """Recover runs whose worker died: the beat entry "tiering-runs-watchdog" calls it every
    TIERING_WATCHDOG_SECONDS (settings has the numbers and the resulting bound).

    A queued or running run silent for TIERING_RUN_STALE_SECONDS is abandoned. It is requeued
    (queued again, its reason in `error`, a fresh message to the workers, the webhook
    `scoring_run.abandoned`) unless it already used its TIERING_RUN_MAX_ATTEMPTS, or has
    waited TIERING_RUN_QUEUE_TIMEOUT_SECONDS without a worker starting it: then it fails with
    the reason (webhook `scoring_run.finished`, status "failed"). Each change is a conditional
    UPDATE on the state read, so two watchdogs never act twice on one run.
    """
    now = timezone.now()
    max_attempts = settings.TIERING_RUN_MAX_ATTEMPTS
    queue_deadline = now - timedelta(seconds=settings.TIERING_RUN_QUEUE_TIMEOUT_SECONDS)
    requeued: list[int] = []
    failed: list[int] = []
    lost = ScoringRun.objects.filter(_lost()).order_by("id").values("pk", "status", "heartbeat_at", "attempts")
    for row in lost[:100]:
        same = ScoringRun.objects.filter(
            pk=row["pk"], status=row["status"], heartbeat_at=row["heartbeat_at"], attempts=row["attempts"]
        )
        since = timezone.localtime(row["heartbeat_at"]).strftime("%Y-%m-%d %H:%M:%S %z") if row["heartbeat_at"] else "?"
        if row["attempts"] >= max_attempts:
            reason = _("Failed: its worker stopped during each of %(n)s attempts (last sign of life %(since)s).") % {
                "n": row["attempts"],
                "since": since,
            }
        elif row["status"] == ScoringRun.Status.QUEUED and same.filter(created_at__lt=queue_deadline).exists():
            reason = _("Failed: no worker started it within %(minutes)s minutes.") % {
                "minutes": settings.TIERING_RUN_QUEUE_TIMEOUT_SECONDS // 60
            }
        else:
            with transaction.atomic():
                if row["status"] == ScoringRun.Status.RUNNING:
                    note = _(
                        "Abandoned: its worker stopped (last sign of life %(since)s); attempt %(n)s of %(max)s queued."
                    )
                else:
                    note = _("Requeued: no worker took it since %(since)s (attempt %(n)s of %(max)s next).")
                note = note % {"since": since, "n": row["attempts"] + 1, "max": max_attempts}
                if same.update(status=ScoringRun.Status.QUEUED, heartbeat_at=now, error=note):
                    requeued.append(row["pk"])
                    log.warning("tiering run %s: %s", row["pk"], note)
                    run_abandoned_emit(run_id=row["pk"])
                    _enqueue_on_commit(row["pk"])
            continue
        if same.update(status=ScoringRun.Status.FAILED, error=str(reason), finished_at=now):
            failed.append(row["pk"])
            log.error("tiering run %s: %s", row["pk"], reason)
            run_finished_emit(run_id=row["pk"])
    return WatchdogReport(requeued=requeued, failed=failed)


def score_accounts(frame: pd.DataFrame, as_of: date, config: TieringConfig) -> pd.DataFrame:
    """Pipeline output for every account, with its margin and current tier."""
    accounts = place_accounts(frame, as_of, config, explain=False)
    accounts["margin"] = frame["margin"]
    accounts["current_tier"] = frame["current_tier"]
    accounts["current_category"] = frame["current_category"]
    return accounts


def score_groups(frame: pd.DataFrame, as_of: date, config: TieringConfig) -> pd.DataFrame:
    """Pipeline output for each rolled-up group, indexed by its root account."""
    rollups = group_rollups(frame)
    if rollups.empty:
        return score_accounts(frame.iloc[0:0], as_of, config)
    # A group competes as one customer against the accounts outside any group.
    field = pd.concat([rollups, frame[~frame["is_group"]]])
    groups = place_accounts(field, as_of, config, explain=False).loc[rollups.index]
    groups["margin"] = rollups["margin"]
    groups["current_tier"] = groups["current_category"] = ""
    return groups


STORED_FIELDS = tuple(f for f in SNAPSHOT_FIELDS if f != "reasons") + EXPLANATION_FIELDS
SCORE_COLUMNS = ["run_id", "account_id", *STORED_FIELDS]


def _pin_note(pin: TierOverride) -> Reason:
    return Reason(
        "pinned",
        {"tier": pin.tier, "by": pin.created_by.username, "until": pin.expires_on.isoformat(), "reason": pin.reason},
    )


def _badges_json(badges: pd.Series) -> list[str]:
    """JSON of each row's badge list; there are only a few dozen distinct lists."""
    cache: dict[tuple[str, ...], str] = {}
    return [cache.get(key) or cache.setdefault(key, json.dumps(list(key))) for key in map(tuple, badges)]


def _score_frame(run_id: int, placed: pd.DataFrame, is_group: bool, overrides: dict[int, TierOverride]) -> pd.DataFrame:
    """The snapshot rows of one run as a frame in SCORE_COLUMNS order, built column-wise from
    the placed columns as they are (no round trip of text through Python objects)."""
    pins = {} if is_group else {k: v for k, v in overrides.items() if k in placed.index}
    tier = placed["tier"].copy()
    notes = pd.Series("[]", index=placed.index, dtype=object)
    for account_id, pin in pins.items():
        tier.at[account_id] = pin.tier
        notes.at[account_id] = json.dumps([_pin_note(pin)], ensure_ascii=False)
    columns = {
        "run_id": run_id,
        "account_id": placed.index.to_series(index=placed.index),
        "is_group": is_group,
        "recency_days": placed["recency_days"].astype("Int64"),
        "frequency": placed["frequency"].astype("int64"),
        # Floats: the numeric columns round them to cents (and composite to tenths) on the way in.
        "monetary": placed["monetary"].astype("float64"),
        "margin": placed["margin"].astype("float64"),
        "r_score": placed["r_score"],
        "f_score": placed["f_score"],
        "m_score": placed["m_score"],
        "segment": placed["segment"],
        "pareto_class": placed["pareto_class"],
        "composite": placed["composite"].astype("float64"),
        "badges": pd.Series(_badges_json(placed["badges"]), index=placed.index),
        "attractiveness": placed["attractiveness"],
        "attractiveness_provisional": placed["attractiveness_provisional"].astype(bool),
        "potential_band": placed["potential_band"],
        "relationship": placed["relationship"],
        "position": placed["position"],
        "computed_tier": placed["tier"],
        "tier": tier,
        "category": tier.map(TIER_CATEGORY),
        "overridden": pd.Series(placed.index.isin(list(pins)), index=placed.index),
        "attractiveness_score": placed["attractiveness_score"].astype("float64"),
        "factors_rated": placed["factors_rated"].astype("int64"),
        "revenue_rank": placed["revenue_rank"].astype("float64"),
        "margin_rank": placed["margin_rank"].astype("float64"),
        "rank_band": placed["rank_band"],
        "wallet_estimate": placed["wallet"].astype("float64"),
        "wallet_raised": placed["wallet_raised"].astype(bool),
        "relationship_type": placed["relationship_type"].fillna(""),
        "frequency_prev": placed["frequency_prev"].astype("int64"),
        "weaknesses": weaknesses_text(placed),
        "margin_unknown": placed["margin_unknown"].astype("int64"),
        "notes": notes,
    }
    return pd.DataFrame(columns, columns=SCORE_COLUMNS, index=placed.index)


@transaction.atomic
def publish(
    run: ScoringRun,
    accounts: pd.DataFrame,
    groups: Callable[[], pd.DataFrame],
    config: TieringConfig,
    step: Progress,
    *,
    attempt: int | None = None,
) -> None:
    """Write the run's snapshots, tier changes and the accounts' new tiers, all or nothing.

    The groups are scored (`groups()`) while the database takes in the accounts' snapshots.
    With `attempt`, RunLost (and nothing written) if that attempt no longer owns the run."""
    overrides = {
        o.account_id: o
        for o in TierOverride.objects.filter(revoked_at__isnull=True, expires_on__gte=run.as_of)
        .select_related("created_by")
        .order_by("account_id", "id")  # the newest pin of an account wins
    }
    table = AccountScore._meta.db_table
    scores = _score_frame(run.pk, accounts, False, overrides)
    with copying_in_background() as copy:
        copy(table, scores)
        copy(table, _score_frame(run.pk, groups(), True, overrides))
        changes = _tier_changes(run, accounts, scores, overrides, config)
        copy(TierChange._meta.db_table, changes)
    step("snapshots written")
    _update_account_tiers(accounts, scores)
    step("tiers published")
    finished = ScoringRun.objects.filter(pk=run.pk)
    if attempt is not None:
        finished = finished.filter(status=ScoringRun.Status.RUNNING, attempts=attempt)
    if not finished.update(
        status=ScoringRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        accounts_scored=len(scores),
        tier_changes=len(changes),
        error="",
    ):
        raise RunLost(run.pk)  # rolls back everything above: the new owner publishes


def _tier_changes(
    run: ScoringRun,
    accounts: pd.DataFrame,
    scores: pd.DataFrame,
    overrides: dict[int, TierOverride],
    config: TieringConfig,
) -> pd.DataFrame:
    """A TierChange row for every account whose tier moved, with its reasons."""
    current = accounts["current_tier"].fillna("").to_numpy(dtype=object)
    changed = scores["tier"].to_numpy() != current
    moved = scores[changed]
    # Only the accounts that moved get their sentences written now (usually a few hundred).
    reasons = explain(accounts[changed], config)
    for i, account_id in enumerate(moved["account_id"].tolist()):
        if account_id in overrides:
            reasons[i].append(_pin_note(overrides[account_id]))
    return pd.DataFrame(
        {
            "account_id": moved["account_id"],
            "run_id": run.pk,
            "from_tier": current[changed],
            "to_tier": moved["tier"],
            # English sentences, as the API and the tier.changed webhook give them.
            "reasons": [json.dumps(english(r), ensure_ascii=False) for r in reasons],
            "created_at": timezone.now(),
        }
    )


def _update_account_tiers(accounts: pd.DataFrame, scores: pd.DataFrame) -> None:
    """Write the new tier and category of every account where either moved (bumping
    updated_at for syncs): one UPDATE per tier, over the accounts that moved to it."""
    moved = (scores["tier"] != accounts["current_tier"].fillna("")) | (
        scores["category"] != accounts["current_category"].fillna("")
    )
    now = timezone.now()
    for tier, ids in scores.loc[moved, "account_id"].groupby(scores.loc[moved, "tier"]):
        ids = ids.tolist()
        for offset in range(0, len(ids), 10_000):
            Account.objects.filter(pk__in=ids[offset : offset + 10_000]).update(
                tier=tier, category=TIER_CATEGORY[tier], updated_at=now
            )


def _snapshot_objects(scores: pd.DataFrame) -> list[AccountScore]:
    """`_score_frame` rows as unsaved snapshots (a handful: one account and its group), rounded
    as the COPY path's numeric columns round them."""
    money = {"monetary": "0.01", "margin": "0.01", "composite": "0.1"}
    objects = []
    for record in scores.astype(object).where(scores.notna(), None).to_dict("records"):
        values = {k: (v.item() if hasattr(v, "item") else v) for k, v in record.items()}
        for name, step in money.items():
            values[name] = Decimal(str(values[name])).quantize(Decimal(step))
        values["badges"] = json.loads(values["badges"])
        values["notes"] = json.loads(values["notes"])
        objects.append(AccountScore(**values))
    return objects


def _active_pin(account_id: int) -> TierOverride | None:
    """The account's pin in force today (the newest, as a run picks it), or None."""
    return (
        TierOverride.objects.filter(
            account_id=account_id, revoked_at__isnull=True, expires_on__gte=timezone.localdate()
        )
        .select_related("created_by")
        .order_by("-id")
        .first()
    )


def _publish_account_tier(
    *, account: Account, tier: str, reasons: list[Reason | str], run: ScoringRun | None
) -> TierChange | None:
    """Make `tier` (A1–C6, or "" for untiered) the account's effective tier now — what the list,
    the API and the exports read — and record the move with its reasons in the current run's
    history (no history without a run). Call inside a transaction; None when nothing moved."""
    before = Account.objects.select_for_update().filter(pk=account.pk).values_list("tier", flat=True).get()
    account.tier, account.category = tier, TIER_CATEGORY.get(tier, "")
    if tier == before:
        return None
    Account.objects.filter(pk=account.pk).update(tier=tier, category=account.category, updated_at=timezone.now())
    if run is None:
        return None
    # English sentences, as the night stores them for the API and the tier.changed webhook.
    return TierChange.objects.create(account=account, run=run, from_tier=before, to_tier=tier, reasons=english(reasons))


@transaction.atomic
def override_create(*, account: Account, tier: str, reason: str, expires_on: date, user: User) -> TierOverride:
    """Pin the account's tier (DOMAIN.md "Data-driven inputs": a manager may pin a tier, with a
    reason and an expiry) and make it the effective tier at once: the account, its snapshot in
    the current run (the card and the matrix) and a TierChange. The computed tier stays on the
    snapshot; when the pin expires the next run restores it. `ValueError` for a tier outside
    A1–C6. Who may pin is the caller's check (tiering.permissions.can_override_tiers)."""
    if tier not in TIER_CATEGORY:
        raise ValueError(f"tier: {tier!r} is not one of A1–C6")
    pin = TierOverride.objects.create(account=account, tier=tier, reason=reason, expires_on=expires_on, created_by=user)
    _apply_pin(account=account)
    return pin


@transaction.atomic
def override_revoke(*, override: TierOverride) -> TierOverride:
    """Remove a pin now: the account's effective tier becomes its computed tier again (or an
    older pin still in force), on the account, its snapshot and in its history at once."""
    if override.revoked_at is None:
        override.revoked_at = timezone.now()
        override.save(update_fields=["revoked_at"])
    _apply_pin(account=override.account)
    return override


def _apply_pin(*, account: Account) -> None:
    """Bring the account's effective tier in line with its pins: the pin in force, else the
    tier the current run computed."""
    run = current_run()
    pin = _active_pin(account.pk)
    snapshot = AccountScore.objects.filter(run=run, account=account, is_group=False).first() if run else None
    if pin is not None:
        tier, notes = pin.tier, [_pin_note(pin)]
    else:
        tier, notes = (snapshot.computed_tier if snapshot else ""), []
    if snapshot is not None:
        AccountScore.objects.filter(pk=snapshot.pk).update(
            tier=tier, category=TIER_CATEGORY[tier], overridden=pin is not None, notes=notes
        )
    reasons = notes or [Reason("pin_removed", {"tier": tier})]
    _publish_account_tier(account=account, tier=tier, reasons=reasons, run=run)


def account_replace(*, account: Account) -> TierChange | None:
    """Place one account (and its group) again in the current run, from what the database holds
    now (a fresh assessment), with the run's date and settings: the same pipeline as the night
    (`place_accounts` over every account, since ranks and quintiles are relative to the others),
    but only this account's snapshot, its group's and its effective tier are written, with a
    TierChange and its reasons when the tier moved. None when nothing moved, when no run has
    finished yet, or while a run is in progress (that run or the next places it).
    Cost: a run's input load and scoring, without its writes (docs/benchmarks.md: seconds at 100,000)."""
    run = current_run()
    if run is None:
        return None
    config = TieringConfig.from_dict(run.config.data)
    try:
        with exclusive_lock(RUN_LOCK):
            frame = scoring_inputs(run.as_of, config)
            if account.pk not in frame.index:
                return None
            placed = score_accounts(frame, run.as_of, config).loc[[account.pk]]
            root = frame.at[account.pk, "group_root"]
            groups = score_groups(frame, run.as_of, config)
            group = groups.loc[[root]] if root in groups.index else groups.iloc[0:0]
            return _replace_snapshots(run=run, account=account, placed=placed, group=group, config=config)
    except LockBusy:
        return None


@transaction.atomic
def _replace_snapshots(
    *, run: ScoringRun, account: Account, placed: pd.DataFrame, group: pd.DataFrame, config: TieringConfig
) -> TierChange | None:
    pin = _active_pin(account.pk)
    pins = {account.pk: pin} if pin else {}
    rows = [_score_frame(run.pk, placed, False, pins)]
    stale = AccountScore.objects.filter(run=run, account=account, is_group=False)
    if len(group):
        rows.append(_score_frame(run.pk, group, True, pins))
        stale = stale | AccountScore.objects.filter(run=run, account_id=group.index[0], is_group=True)
    stale.delete()
    snapshots = AccountScore.objects.bulk_create([o for frame in rows for o in _snapshot_objects(frame)])
    reasons = explain(placed, config)[0] + ([_pin_note(pin)] if pin else [])
    return _publish_account_tier(account=account, tier=snapshots[0].tier, reasons=reasons, run=run)


def assessment_create(*, account: Account, user: User, data: dict) -> Assessment:
    """Store the account manager's assessment (DOMAIN.md "Tiering": the five attractiveness
    factors and the outlook) and place the account with it at once (`account_replace`).
    `ValidationError` for a rating or figure out of range."""
    assessment = Assessment(account=account, assessed_by=user, **data)
    assessment.full_clean()
    assessment.save()
    account_replace(account=account)
    return assessment
