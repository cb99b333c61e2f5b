"""Writes of the tiering app: settings versions, runs, overrides, assessments.

A run is all-or-nothing: every snapshot, tier change and account update is written in one
transaction, so users see either the previous run or the new one, never half of it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, User
from kam.bulk import copy_rows
from kam.locks import LockBusy, exclusive_lock
from tiering.domain.config import BadgeConfig, TieringConfig
from tiering.domain.matrix import TIER_CATEGORY
from tiering.domain.pipeline import place_accounts
from tiering.inputs import group_rollups, scoring_inputs
from tiering.models import AccountScore, Assessment, ScoringRun, TierChange, TieringConfigVersion, TierOverride

log = logging.getLogger(__name__)

# Badge thresholds are money here (the seed's were cubic metres of concrete).
DEFAULT_CONFIG = TieringConfig(badges=BadgeConfig(quality_volume=1_000_000, high_value_order=200_000))
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
                placed = compute_placements(run.as_of, TieringConfig.from_dict(run.config.data), step)
                publish(run, placed, step)
            except Exception as error:
                _fail(run, f"{type(error).__name__}: {error}")
                raise
    except LockBusy:
        _fail(run, "Skipped: another run was in progress.")
    run.refresh_from_db()
    return run


def _fail(run: ScoringRun, error: str) -> None:
    log.error("tiering run %s failed: %s", run.pk, error)
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.FAILED, error=error[:4000], finished_at=timezone.now()
    )


@dataclass(frozen=True)
class Placements:
    accounts: pd.DataFrame  # pipeline output + current_tier, one row per account
    groups: pd.DataFrame  # pipeline output for rolled-up groups, indexed by the root account


def compute_placements(as_of: date, config: TieringConfig, step: Progress) -> Placements:
    frame = scoring_inputs(as_of, config)
    step("loaded")
    accounts = place_accounts(frame, as_of, config)
    accounts["margin"] = frame["margin"]
    accounts["current_tier"] = frame["current_tier"]
    rollups = group_rollups(frame)
    if rollups.empty:
        groups = accounts.iloc[0:0]
    else:
        # A group competes as one customer against the accounts outside any group.
        field = pd.concat([rollups, frame[~frame["is_group"]]])
        groups = place_accounts(field, as_of, config).loc[rollups.index]
        groups["margin"] = rollups["margin"]
        groups["current_tier"] = ""
    step("scored")
    return Placements(accounts, groups)


SCORE_COLUMNS = [
    "run_id",
    "account_id",
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
]


def _score_rows(run_id: int, placed: pd.DataFrame, is_group: bool, overrides: dict[int, TierOverride]):  # noqa: ANN202
    for row in placed.itertuples():
        pin = overrides.get(row.Index) if not is_group else None
        tier = pin.tier if pin else row.tier
        reasons = list(row.reasons)
        if pin:
            reasons.append(f"Pinned to {pin.tier} by {pin.created_by.username} until {pin.expires_on}: {pin.reason}")
        yield (
            run_id,
            row.Index,
            is_group,
            None if pd.isna(row.recency_days) else int(row.recency_days),
            int(row.frequency),
            f"{row.monetary:.2f}",
            f"{row.margin:.2f}",
            int(row.r_score),
            int(row.f_score),
            int(row.m_score),
            row.segment,
            row.pareto_class,
            f"{row.composite:.1f}",
            json.dumps(list(row.badges)),
            row.attractiveness,
            bool(row.attractiveness_provisional),
            row.potential_band,
            row.relationship,
            int(row.position),
            row.tier,
            tier,
            TIER_CATEGORY[tier],
            pin is not None,
            json.dumps(reasons, ensure_ascii=False),
        )


@transaction.atomic
def publish(run: ScoringRun, placed: Placements, step: Progress) -> None:
    overrides = {
        o.account_id: o
        for o in TierOverride.objects.filter(revoked_at__isnull=True, expires_on__gte=run.as_of)
        .select_related("created_by")
        .order_by("account_id", "id")  # the newest pin of an account wins
    }
    table = AccountScore._meta.db_table
    rows = list(_score_rows(run.pk, placed.accounts, False, overrides))
    copy_rows(table, SCORE_COLUMNS, rows)
    copy_rows(table, SCORE_COLUMNS, _score_rows(run.pk, placed.groups, True, overrides))
    step("snapshots written")

    tier_at = SCORE_COLUMNS.index("tier")
    reasons_at = SCORE_COLUMNS.index("reasons")
    current = placed.accounts["current_tier"].fillna("")
    changes = [
        (row[1], run.pk, current.at[row[1]], row[tier_at], row[reasons_at], timezone.now())
        for row in rows
        if current.at[row[1]] != row[tier_at]
    ]
    copy_rows(
        TierChange._meta.db_table, ["account_id", "run_id", "from_tier", "to_tier", "reasons", "created_at"], changes
    )
    _update_account_tiers(run.pk)
    step("tiers published")
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        accounts_scored=len(rows),
        tier_changes=len(changes),
    )


def _update_account_tiers(run_id: int) -> None:
    """One UPDATE … FROM for every account whose tier or category moved (bumps updated_at for syncs)."""
    account, score = Account._meta.db_table, AccountScore._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {account} SET tier = s.tier, category = s.category, updated_at = %s "  # noqa: S608
            f"FROM {score} AS s WHERE s.run_id = %s AND s.is_group = %s AND s.account_id = {account}.id "
            f"AND ({account}.tier <> s.tier OR {account}.category <> s.category)",
            [timezone.now(), run_id, False],
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
