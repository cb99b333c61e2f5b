"""Writes of the tiering app: settings versions, runs, overrides, assessments.

A run is all-or-nothing: every snapshot, tier change and account update is written in one
transaction, so users see either the previous run or the new one, never half of it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from functools import partial

import pandas as pd
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User
from kam.collector import paused_gc
from kam.locks import LockBusy, exclusive_lock
from kam.pg_copy import copying_in_background
from tiering.domain.config import TieringConfig
from tiering.domain.groups import group_rollups
from tiering.domain.matrix import TIER_CATEGORY
from tiering.domain.pipeline import Reason, explain, place_accounts
from tiering.events import run_finished_emit
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
    return ScoringRun.objects.create(as_of=as_of or timezone.localdate(), config=config_current(), trigger=trigger)


def run_start(*, trigger: str, as_of: date | None = None) -> ScoringRun:
    """Queue a run and hand it to a Celery worker once this transaction commits (the page's and
    the API's "start a run"). `trigger` says who asked, e.g. "user alice"; `as_of` defaults to
    today. Who may start one is the caller's check (tiering.permissions.can_run_tiering).
    """
    from tiering.tasks import execute_run  # the tasks module imports this one

    with transaction.atomic():
        run = run_request(as_of=as_of, trigger=trigger)
        # Never enqueue inside the transaction: the worker could look for a run not yet committed.
        transaction.on_commit(partial(execute_run.delay, run.pk))
    return run


def run_execute(*, run_id: int, progress: Progress | None = None) -> ScoringRun:
    """Compute and publish one run. Two runs never overlap; a failure keeps the last good one."""
    step = progress or (lambda _name: None)
    run = ScoringRun.objects.get(pk=run_id)
    if run.status != ScoringRun.Status.QUEUED:
        return run  # delivered twice (acks_late): the first delivery did it
    try:
        with exclusive_lock(RUN_LOCK):
            # Whoever still shows "running" lost its lock, so its process is gone.
            ScoringRun.objects.filter(status=ScoringRun.Status.RUNNING).update(
                status=ScoringRun.Status.FAILED,
                error="Abandoned: the process running it stopped.",
                finished_at=timezone.now(),
            )
            ScoringRun.objects.filter(pk=run.pk).update(status=ScoringRun.Status.RUNNING, started_at=timezone.now())
            try:
                config = TieringConfig.from_dict(run.config.data)
                with paused_gc():  # a run frees its objects when it ends
                    frame = scoring_inputs(run.as_of, config)
                    _report_broken_groups(run, frame.attrs.get("broken_groups", []))
                    step("loaded")
                    accounts = score_accounts(frame, run.as_of, config)
                    step("scored")
                    publish(run, accounts, lambda: score_groups(frame, run.as_of, config), config, step)
            except Exception as error:
                _fail(run, f"{type(error).__name__}: {error}")
                raise
    except LockBusy:
        _fail(run, "Skipped: another run was in progress.")
    finally:
        # After publish() committed, or after the failure was recorded: tell webhook subscribers.
        run_finished_emit(run_id=run.pk)
        run.refresh_from_db()
    return run


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


def _fail(run: ScoringRun, error: str) -> None:
    log.error("tiering run %s failed: %s", run.pk, error)
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.FAILED, error=error[:4000], finished_at=timezone.now()
    )


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
    run: ScoringRun, accounts: pd.DataFrame, groups: Callable[[], pd.DataFrame], config: TieringConfig, step: Progress
) -> None:
    """Write the run's snapshots, tier changes and the accounts' new tiers, all or nothing.

    The groups are scored (`groups()`) while the database takes in the accounts' snapshots."""
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
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        accounts_scored=len(scores),
        tier_changes=len(changes),
    )


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


def override_create(*, account: Account, tier: str, reason: str, expires_on: date, user: User) -> TierOverride:
    if tier not in TIER_CATEGORY:
        raise ValueError(f"tier: {tier!r} is not one of A1–C6")
    return TierOverride.objects.create(
        account=account, tier=tier, reason=reason, expires_on=expires_on, created_by=user
    )


def assessment_create(*, account: Account, user: User, data: dict) -> Assessment:
    assessment = Assessment(account=account, assessed_by=user, **data)
    assessment.full_clean()
    assessment.save()
    return assessment
