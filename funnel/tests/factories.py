"""Builders for funnel tests, on the accounts test world (accounts/tests/factories.py)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from accounts.models import Account, User
from funnel import services
from funnel.models import Opportunity
from tiering.models import AccountScore, ScoringRun, TieringConfigVersion

_seq = itertools.count(1)


def make_opportunity(account: Account, owner: User | None = None, *, by: User | None = None, **fields) -> Opportunity:
    """An opportunity created through the service (history and derived fields as in real use)."""
    data = {
        "account": account,
        "owner": owner or account.owner,
        "name": f"Deal {next(_seq)}",
        "amount": Decimal("10000.00"),
        "expected_close_date": date(2026, 8, 15),
        **fields,
    }
    if isinstance(data["amount"], str):
        data["amount"] = Decimal(data["amount"])
    return services.opportunity_create(user=by or data["owner"] or account.owner, data=data)


def opportunity_record(external_id: str, account: str = "C-1", **fields: object) -> dict:
    """A bulk opportunity record for the account with ERP id `account`."""
    record = {
        "external_id": external_id,
        "account_external_id": account,
        "owner_username": "rep1",
        "name": f"Deal {external_id}",
        "amount": "48000.00",
        "expected_close_date": "2026-09-30",
        "stage": "proposal",
    }
    return {**record, **fields}


def make_scored_run(as_of: date, scores: dict[Account, dict]) -> ScoringRun:
    """A finished run as of `as_of` placing each account as given (tier, category, segment,
    pareto_class, monetary)."""
    run = ScoringRun.objects.create(
        as_of=as_of, config=TieringConfigVersion.objects.create(data={}), status=ScoringRun.Status.SUCCEEDED
    )
    for account, placed in scores.items():
        tier = placed.get("tier", "C6")
        AccountScore.objects.create(
            run=run,
            account=account,
            r_score=3,
            f_score=3,
            m_score=3,
            segment=placed.get("segment", "Loyal"),
            pareto_class=placed.get("pareto_class", "C"),
            monetary=Decimal(placed.get("monetary", "0")),
            composite=Decimal("50.0"),
            attractiveness=tier[0],
            potential_band="medium",
            relationship="weak",
            position=int(tier[1]),
            computed_tier=tier,
            tier=tier,
            category=placed.get("category", "unattractive"),
        )
    return run
