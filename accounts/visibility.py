"""Who may see what: the one place that decides it.

Every page, API endpoint and export goes through `visible_to(user)`. A rep sees the accounts
they own or serve on the account team of; a manager sees those of their teams' members (and
their own); a director and an integration user see all. Objects owned by an account
(contacts, orders, ...) are visible exactly when their account is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from accounts.models import User


def sees_everything(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in ("director", "integration"))


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AccountQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self
        people = Q(owner=user) | Q(team_members__user=user)
        if user.role == "manager":
            people |= Q(owner__team__manager=user)
        # A subquery rather than a join keeps the rows distinct without DISTINCT.
        ids = self.model.objects.filter(people).values("pk")
        return self.filter(pk__in=ids)


class AccountOwnedQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AccountOwnedQuerySet:
        from accounts.models import Account

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self
        return self.filter(account__in=Account.objects.visible_to(user).values("pk"))


class DeletedRecordQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> DeletedRecordQuerySet:
        """A tombstone is seen by whoever sees its account, while the account exists; once the
        account is gone, by its owner at the time and that owner's team manager (the account's
        team members are deleted with it, so they no longer see it), and always by directors
        and integration users."""
        from accounts.models import Account

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self
        people = Q(owner=user)
        if user.role == "manager":
            people |= Q(owner__team__manager=user)
        return self.filter(Q(account_id__in=Account.objects.visible_to(user).values("pk")) | people)
