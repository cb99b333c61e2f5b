"""Builders for plans tests, on the shared test world (accounts/tests/factories.py)."""

from __future__ import annotations

from datetime import datetime

from accounts.models import Account, Contact, User
from plans import services
from plans.models import Activity


def make_activity(
    account: Account,
    occurred_at: datetime,
    *,
    type: str = "call",  # noqa: A002 - the field's name
    contacts: tuple[Contact, ...] = (),
    participants: tuple[User, ...] = (),
    **fields: object,
) -> Activity:
    """An activity logged through the service (so the contacts' last-contacted days follow)."""
    return services.activity_create(
        account=account,
        data={"type": type, "occurred_at": occurred_at, **fields},
        contacts=contacts,
        participants=participants,
    )


def make_plan(account: Account, owner: User, period: str = "2026", **fields: object):  # noqa: ANN201
    from plans.models import AccountPlan

    return AccountPlan.objects.create(account=account, owner=owner, period=period, **fields)


def make_action(plan, owner: User, starts_on, ends_on, **fields: object):  # noqa: ANN001, ANN201
    from plans.models import ActionItem

    return ActionItem.objects.create(
        plan=plan,
        account_id=plan.account_id,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        action=fields.pop("action", "拜访采购总监"),
        **fields,
    )


def make_contact_plan(contact: Contact, owner: User, interval_days: int = 30, starts_on=None):  # noqa: ANN001, ANN201
    from datetime import date

    return services.contact_plan_add(
        contact=contact, owner=owner, interval_days=interval_days, starts_on=starts_on or date(2026, 1, 1)
    )


def make_potential_key(account: Account, *, category: str = "possible", potential_band: str = "high") -> Account:
    """Make `account` a potential key account (plans.domain.proposals.proposal_eligible) as a
    finished tiering run would: its category, and its row of the current run with that potential."""
    from django.utils import timezone

    from tiering.models import AccountScore, ScoringRun
    from tiering.services import config_current

    run = ScoringRun.objects.filter(status=ScoringRun.Status.SUCCEEDED).order_by("-id").first()
    if run is None:  # accounts made potential in one test share one run
        run = ScoringRun.objects.create(
            as_of=timezone.localdate(), config=config_current(), status=ScoringRun.Status.SUCCEEDED, trigger="test"
        )
    AccountScore.objects.create(
        run=run, account=account, r_score=3, f_score=3, m_score=3, segment="", pareto_class="B", composite=50,
        attractiveness="A", potential_band=potential_band, relationship="new", position=4, computed_tier="A4",
        tier="A4", category=category,
    )  # fmt: skip
    Account.objects.filter(pk=account.pk).update(tier="A4", category=category)
    account.refresh_from_db()
    return account


PROPOSAL = {
    "forecast_sales": "1000000.00",
    "margin_percent": "20.00",
    "management_cost": "50000.00",
    "travel_cost": "20000.00",
    "other_cost": "30000.00",
    "risk": "medium",
}


def make_proposal(account: Account, owner: User, **fields: object):  # noqa: ANN201
    from plans.models import DevelopmentProposal

    return DevelopmentProposal.objects.create(account=account, owner=owner, **{**PROPOSAL, **fields})
