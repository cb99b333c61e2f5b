"""Who may see what: the one place that decides it.

Every page, API endpoint and export goes through `visible_to(user)`. A rep sees the accounts
they own or serve on the account team of; a manager sees those of their teams' members (and
their own); a director and an integration user see all. Objects owned by an account
(contacts, orders, ...) are visible exactly when their account is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection, models
from django.db.models import Q

if TYPE_CHECKING:
    from accounts.models import User


def sees_everything(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in ("director", "integration"))


# Shape (issue 12 item 9). On PostgreSQL the rule is read from `AccountAccess`, the rule
# materialised per person by triggers (migration accounts/0014, which states it in SQL): a rep's
# or manager's visible set is one range of its primary key (user, account), so a count is an
# index-only count of their own entries (the director's counts every account), a page sorted by
# an indexed column probes that key per row and stops after its rows, and one account's page is
# a primary-key lookup and one probe. On SQLite (no triggers; the table stays empty) the rule is
# computed: an OR of two sets, each read from an index alone — the accounts owned by certain
# people ((owner, id), migration 0012) and those the user serves on the account team
# ((user, account)).


def _materialised() -> bool:
    """Whether the triggers keep `AccountAccess` (PostgreSQL only)."""
    return connection.vendor == "postgresql"


def _owners(user: User) -> Q:
    """Account.owner among the people whose accounts `user` sees as theirs."""
    from accounts.models import Team, User

    if user.role == "manager":
        # Their own accounts and those of every member of a team they lead.
        led = Team.objects.filter(manager=user).values("pk")
        return Q(owner__in=User.objects.filter(Q(pk=user.pk) | Q(team__in=led)).values("pk"))
    return Q(owner=user)


def computed_rule(user: User) -> Q:
    """The accounts a user who does not see everything sees, as a condition on Account,
    computed from owners, account teams and teams (what `AccountAccess` materialises; the
    property test compares the two)."""
    from accounts.models import AccountTeamMember

    served = AccountTeamMember._base_manager.filter(user=user).order_by().values("account_id")
    return _owners(user) | Q(pk__in=served)


def visible_account_ids(user: User) -> models.QuerySet:
    """The ids (`account_id` values) of the accounts a user who does not see everything sees:
    their range of `AccountAccess` on PostgreSQL, the computed rule elsewhere."""
    from accounts.models import Account, AccountAccess

    if _materialised():
        return AccountAccess.objects.filter(user_id=user.pk).order_by().values("account_id")
    return Account._base_manager.filter(computed_rule(user)).order_by().values("pk")


class AccountQuerySet(models.QuerySet):
    # The person whose AccountAccess range this queryset is exactly (set by visible_to, kept by
    # clones, checked again by count()): None when it is anything else.
    _access_of: int | None = None

    def _clone(self) -> AccountQuerySet:
        clone = super()._clone()
        clone._access_of = self._access_of
        return clone

    def visible_to(self, user: User) -> AccountQuerySet:
        """The accounts `user` sees: none for an anonymous or inactive user, all for those who
        see everything; otherwise `id IN (their AccountAccess range)` on PostgreSQL (triggers
        keep it), the rule computed from owners, teams and account teams on SQLite."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self
        if not _materialised():
            return self.filter(computed_rule(user))
        unfiltered = not self.query.where.children
        visible = self.filter(pk__in=visible_account_ids(user))
        if unfiltered:
            visible._access_of = user.pk
        return visible

    def count(self) -> int:
        """As QuerySet.count(); a person's whole visible set (the unfiltered list's paginator)
        is counted on their AccountAccess range alone — an index-only count of their own
        entries, where `id IN (...)` would also walk the accounts. Every access row names an
        existing account (the triggers delete them with it), so the two counts are equal."""
        from accounts.models import AccountAccess

        query = self.query
        if (
            self._access_of is not None
            and self._result_cache is None
            and len(query.where.children) == 1  # the visibility condition and nothing since
            and not query.distinct
            and not query.combinator
            and not query.annotations
            and query.low_mark == 0
            and query.high_mark is None
        ):
            return AccountAccess.objects.filter(user_id=self._access_of).count()
        return super().count()


class AccountOwnedQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AccountOwnedQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self
        # One set of visible account ids, hashed once and shared by parallel workers (two
        # sets under an OR would be built again in every worker: slower for a manager).
        return self.filter(account_id__in=visible_account_ids(user))


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


def people_visible_to(user: User) -> models.QuerySet:
    """The people `user` may see named: everyone for those who see everything; otherwise
    themself, the members of their own team and of the teams they lead, and whoever owns or
    serves on an account they see (those names are on the account pages already)."""
    from accounts.models import Account, AccountTeamMember, User

    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if sees_everything(user):
        return User.objects.all()
    accounts = Account.objects.visible_to(user).values("pk")
    people = Q(pk=user.pk) | Q(team__manager=user) | Q(pk__in=accounts.values("owner_id"))
    if user.team_id is not None:
        people |= Q(team_id=user.team_id)
    people |= Q(pk__in=AccountTeamMember.objects.filter(account__in=accounts).values("user_id"))
    return User.objects.filter(people)


def figures_people_visible_to(user: User) -> models.QuerySet:
    """The people whose figures (forecast, pipeline, time, visit rates) `user` may see: themself;
    a manager also the members of every team they lead; a director (and an integration user)
    everyone. Narrower than `people_visible_to`, which names whoever is on a visible account."""
    from accounts.models import User

    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if sees_everything(user):
        return User.objects.all()
    people = Q(pk=user.pk)
    if user.role == User.Role.MANAGER:
        people |= Q(team__manager=user)
    return User.objects.filter(people)


def figures_teams_visible_to(user: User) -> models.QuerySet:
    """The teams whose figures `user` may see: a director all, a manager those they lead, a rep
    none (a rep sees only their own figures)."""
    from accounts.models import Team, User

    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    if sees_everything(user):
        return Team.objects.all()
    if user.role == User.Role.MANAGER:
        return Team.objects.filter(manager=user)
    return Team.objects.none()


def visible_rows(model: type[models.Model], user: User) -> models.QuerySet:
    """The rows of `model` that `user` may see: what every related-field and filter choice is
    built from (kam.api.fields, kam.api.filters, forms), so no list offers another team's names.
    Models without a visibility rule (scoring runs, teams, tags) are shared reference data."""
    from accounts.models import User

    if model is User or issubclass(model, User):
        return people_visible_to(user)
    queryset = model._default_manager.all()
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    return queryset
