"""Demo assessments, so the demo matrix fills all three rows (some accounts stay unassessed)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.utils import timezone

from accounts.models import Account
from tiering.domain.config import FACTORS
from tiering.models import Assessment

ASSESSED_SHARE = 0.85
BATCH = 5_000


def seed_assessments(*, seed: int) -> int:
    """Assess most accounts, each by its owner, with factor ratings that lean A, B or C per account."""
    rng = np.random.default_rng([seed, 3])
    accounts = list(
        Account.objects.filter(owner__isnull=False).order_by("id").values_list("id", "owner_id", "annual_revenue")
    )
    if not accounts:
        return 0
    assessed = rng.random(len(accounts)) < ASSESSED_SHARE
    # Each account leans to one letter; its five factors scatter around it.
    lean = rng.choice(3, size=len(accounts), p=[0.3, 0.45, 0.25])
    noise = rng.choice([-1, 0, 0, 0, 1], size=(len(accounts), len(FACTORS)))
    ratings = np.clip(lean[:, None] + noise, 0, 2)
    prospects = rng.integers(1, 6, size=len(accounts))
    wallet_multiple = rng.choice([0, 0, 0, 2, 5], size=len(accounts))
    strategic = rng.random(len(accounts)) < 0.05
    days_ago = rng.integers(1, 365, size=len(accounts))
    now = timezone.now()
    rows = []
    for i, (account_id, owner_id, revenue) in enumerate(accounts):
        if not assessed[i]:
            continue
        wallet = (revenue or 0) * int(wallet_multiple[i]) or None
        rows.append(
            Assessment(
                account_id=account_id,
                assessed_by_id=owner_id,
                assessed_at=now - timedelta(days=int(days_ago[i])),
                prospects_rating=int(prospects[i]),
                wallet_estimate=wallet,
                strategic=bool(strategic[i]),
                **{factor: "ABC"[ratings[i, k]] for k, factor in enumerate(FACTORS)},
            )
        )
    Assessment.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
