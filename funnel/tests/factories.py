"""Builders for funnel tests, on the accounts test world (accounts/tests/factories.py)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from accounts.models import Account, User
from funnel import services
from funnel.models import Opportunity

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
