"""Reads for pages, the API and tasks. Every one starts from `visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.http import QueryDict
from django.utils import timezone

from accounts.filters import AccountFilter
from accounts.models import Account, AccountTeamMember, Contact, Order, Payment, User


def account_list(*, user: User, filters: dict | None = None) -> tuple[QuerySet[Account], AccountFilter]:
    """The accounts a user may see, filtered and sorted as asked."""
    base = Account.objects.visible_to(user).select_related("owner", "parent")
    filterset = AccountFilter(_without_blanks(filters), queryset=base, user=user)
    # An invalid filter value narrows to nothing rather than silently showing everything.
    queryset = filterset.qs if filterset.is_valid() else base.none()
    return queryset, filterset


def _without_blanks(filters: QueryDict | dict | None) -> QueryDict:
    """Drop empty values: a form's "All" option sends `tier=`, which means no filter."""
    cleaned = QueryDict(mutable=True)
    if filters is None:
        return cleaned
    items = (
        filters.lists()
        if isinstance(filters, QueryDict)
        else ((k, v if isinstance(v, list) else [v]) for k, v in filters.items())
    )
    for key, values in items:
        kept = [v for v in values if v not in ("", None)]
        if kept:
            cleaned.setlist(key, kept)
    return cleaned


def account_get(*, user: User, pk: int) -> Account:
    """One visible account; `Account.DoesNotExist` (→ 404) when it is not visible."""
    return Account.objects.visible_to(user).select_related("owner", "parent").get(pk=pk)


@dataclass(frozen=True)
class GroupNode:
    account: Account
    depth: int
    visible: bool


def account_group_tree(*, user: User, account: Account) -> list[GroupNode]:
    """The whole group the account belongs to, root first, in depth-first order.

    Members the user may not see are listed by name only (visible=False) so the shape of
    the group is clear without opening what belongs to another team. One query per level of
    the tree, then one for its members with whether the user sees each (accounts.visibility).
    """
    root = account.root()
    tree_ids = _tree_ids(root)
    nodes: list[GroupNode] = []
    children_of: dict[int | None, list[Account]] = {}
    visible_ids: set[int] = set()
    members = (
        Account.objects.filter(pk__in=tree_ids)
        .annotate(seen=Exists(Account.objects.visible_to(user).filter(pk=OuterRef("pk"))))
        .order_by("name")
    )
    for member in members:
        children_of.setdefault(member.parent_id, []).append(member)
        if member.seen:
            visible_ids.add(member.pk)

    # Depth first with an explicit stack (a deep tree cannot overflow Python's), each member
    # once: a tree broken into a cycle by old data still renders, ending where it loops.
    stack, seen = [(root, 0)], set()
    while stack:
        node, depth = stack.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        nodes.append(GroupNode(node, depth, node.pk in visible_ids))
        stack.extend((child, depth + 1) for child in reversed(children_of.get(node.pk, [])))
    return nodes


def _tree_ids(root: Account) -> list[int]:
    """Ids of root and all its descendants, one query per level."""
    ids, level = [root.pk], [root.pk]
    while level:
        level = list(Account.objects.filter(parent_id__in=level).exclude(pk__in=ids).values_list("pk", flat=True))
        ids.extend(level)
    return ids


def contacts_by_role(*, account: Account) -> dict[str, list[Contact]]:
    grouped: dict[str, list[Contact]] = {}
    for contact in account.contacts.filter(is_active=True).select_related("reports_to").order_by("name"):
        grouped.setdefault(contact.get_buying_role_display(), []).append(contact)
    return grouped


def account_team(*, account: Account) -> list[AccountTeamMember]:
    return list(account.team_members.select_related("user").order_by("role"))


@dataclass(frozen=True)
class PurchaseSummary:
    orders_12m: int
    revenue_12m: Decimal
    margin_12m: Decimal
    orders_total: int
    revenue_total: Decimal
    last_order_on: date | None
    open_receivables: Decimal
    overdue_receivables: Decimal
    max_overdue_days: int


def account_purchase_summary(*, account: Account, today: date | None = None) -> PurchaseSummary:
    """The account's orders (cancelled ones left out) in the 12 months up to `today` (local) and
    in all, and its unpaid payments, open and overdue as of `today` (2 queries: one aggregate
    over its orders, one over its unpaid payments). Money in currency units."""
    today = today or timezone.localdate()
    in_window = Q(ordered_at__gt=today - timedelta(days=365), ordered_at__lte=today)
    orders = (
        Order.objects.filter(account=account)
        .exclude(status=Order.Status.CANCELLED)
        .aggregate(
            n_12m=Count("id", filter=in_window),
            revenue_12m=Sum("amount", filter=in_window),
            margin_12m=Sum("margin", filter=in_window),
            n=Count("id"),
            revenue=Sum("amount"),
            last=Max("ordered_at"),
        )
    )
    overdue = Q(due_on__lt=today)
    unpaid = Payment.objects.filter(account=account, paid_on__isnull=True).aggregate(
        open=Sum("amount"), overdue=Sum("amount", filter=overdue), oldest_due=Min("due_on", filter=overdue)
    )
    return PurchaseSummary(
        orders_12m=orders["n_12m"],
        revenue_12m=orders["revenue_12m"] or Decimal("0"),
        margin_12m=orders["margin_12m"] or Decimal("0"),
        orders_total=orders["n"],
        revenue_total=orders["revenue"] or Decimal("0"),
        last_order_on=orders["last"],
        open_receivables=unpaid["open"] or Decimal("0"),
        overdue_receivables=unpaid["overdue"] or Decimal("0"),
        max_overdue_days=(today - unpaid["oldest_due"]).days if unpaid["oldest_due"] else 0,
    )


def recent_orders(*, account: Account, limit: int = 10) -> list[Order]:
    return list(account.orders.all()[:limit])
