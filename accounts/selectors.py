"""Reads for pages, the API and tasks. Every one starts from `visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Max, QuerySet, Sum
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
    the group is clear without opening what belongs to another team.
    """
    root = account.root()
    tree_ids = _tree_ids(root)
    visible_ids = set(Account.objects.visible_to(user).filter(pk__in=tree_ids).values_list("pk", flat=True))
    nodes: list[GroupNode] = []
    children_of: dict[int | None, list[Account]] = {}
    for member in Account.objects.filter(pk__in=tree_ids).order_by("name"):
        children_of.setdefault(member.parent_id, []).append(member)

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
    today = today or timezone.localdate()
    counted = Order.objects.filter(account=account).exclude(status=Order.Status.CANCELLED)
    recent = counted.filter(ordered_at__gt=today - timedelta(days=365), ordered_at__lte=today).aggregate(
        n=Count("id"), revenue=Sum("amount"), margin=Sum("margin")
    )
    total = counted.aggregate(n=Count("id"), revenue=Sum("amount"), last=Max("ordered_at"))
    unpaid = Payment.objects.filter(account=account, paid_on__isnull=True)
    open_amount = unpaid.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    overdue = unpaid.filter(due_on__lt=today).aggregate(s=Sum("amount"))
    oldest_due = unpaid.filter(due_on__lt=today).order_by("due_on").values_list("due_on", flat=True).first()
    return PurchaseSummary(
        orders_12m=recent["n"],
        revenue_12m=recent["revenue"] or Decimal("0"),
        margin_12m=recent["margin"] or Decimal("0"),
        orders_total=total["n"],
        revenue_total=total["revenue"] or Decimal("0"),
        last_order_on=total["last"],
        open_receivables=open_amount,
        overdue_receivables=overdue["s"] or Decimal("0"),
        max_overdue_days=(today - oldest_due).days if oldest_due else 0,
    )


def recent_orders(*, account: Account, limit: int = 10) -> list[Order]:
    return list(account.orders.all()[:limit])
