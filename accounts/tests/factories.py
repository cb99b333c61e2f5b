"""Small builders for tests: a named world of people and accounts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import Account, AccountTeamMember, Contact, Order, Payment, Team, User

_seq = itertools.count(1)


def make_user(username: str, role: str = User.Role.REP, team: Team | None = None, **extra) -> User:
    return User.objects.create_user(username=username, password="pw-for-tests-1", role=role, team=team, **extra)


def make_account(owner: User | None = None, **fields) -> Account:
    """An account; without `owner`, owned by a rep made for the purpose (every account has one)."""
    fields.setdefault("name", f"Account {next(_seq)}")
    if owner is None:
        owner = User.objects.filter(username="house-rep").first() or make_user("house-rep")
    return Account.objects.create(owner=owner, **fields)


def make_order(account: Account, ordered_at: date, amount: str, margin: str | None = "0", **fields) -> Order:
    """margin None: unknown (the ERP sent none)."""
    return Order.objects.create(
        account=account,
        ordered_at=ordered_at,
        amount=Decimal(amount),
        margin=None if margin is None else Decimal(margin),
        **fields,
    )


def make_payment(account: Account, amount: str, due_on: date, paid_on: date | None = None) -> Payment:
    return Payment.objects.create(account=account, amount=Decimal(amount), due_on=due_on, paid_on=paid_on)


def make_contact(account: Account, name: str = "王伟", buying_role: str = "decision_maker", **fields) -> Contact:
    return Contact.objects.create(account=account, name=name, buying_role=buying_role, **fields)


@dataclass
class World:
    """Two sales teams; one account owned by `owner` with `teammate` on its account team."""

    owner: User
    teammate: User  # on the account team of `account`, same sales team
    same_team_rep: User  # same sales team as the owner, not on the account team
    other_rep: User  # the other sales team
    manager: User  # leads the owner's team
    other_manager: User
    director: User
    integration: User
    account: Account
    other_account: Account  # owned by other_rep


def build_world() -> World:
    manager = make_user("manager1", User.Role.MANAGER)
    other_manager = make_user("manager2", User.Role.MANAGER)
    team1 = Team.objects.create(name="Team 1", manager=manager)
    team2 = Team.objects.create(name="Team 2", manager=other_manager)
    owner = make_user("rep1", team=team1)
    teammate = make_user("rep2", team=team1)
    same_team_rep = make_user("rep3", team=team1)
    other_rep = make_user("rep4", team=team2)
    director = make_user("director", User.Role.DIRECTOR)
    integration = make_user("erp", User.Role.INTEGRATION)
    account = make_account(owner, name="华东精密机械", external_id="C-1")
    AccountTeamMember.objects.create(account=account, user=owner, role="account_manager")
    AccountTeamMember.objects.create(account=account, user=teammate, role="solution_manager")
    other_account = make_account(other_rep, name="北方重工", external_id="C-2")
    return World(
        owner, teammate, same_team_rep, other_rep, manager, other_manager, director, integration, account, other_account
    )
