"""The account list's export: what the list shows, for people (issue 12 item 7).

Headers and values are the labels the page shows, in the user's language: the effective tier
and the computed one, the category, the scores of the current run, the owner by name. Raw codes
stay in the API, and the spreadsheet round trip (re-importable, headed by field names) is
integrations/spreadsheets/exporting.py. Rows are read `CHUNK_ROWS` at a time, so a CSV streams.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, User
from accounts.selectors import account_list
from tiering.models import AccountScore
from tiering.selectors import category_label, current_run

CHUNK_ROWS = 1_000

Cell = Callable[[Account, AccountScore | None], Any]

# (header, value of an account and its snapshot in the current run, None without one). Values
# are the page's: labels for choices, names for people; None is a blank cell.
COLUMNS: tuple[tuple[Any, Cell], ...] = (
    (_("Account"), lambda a, s: a.name),
    (_("English name"), lambda a, s: a.english_name or None),
    (_("ERP ID"), lambda a, s: a.external_id),
    (_("Tier"), lambda a, s: a.tier or None),
    (_("Computed tier"), lambda a, s: s.computed_tier if s else None),
    (_("Category"), lambda a, s: category_label(a.category) or None),
    (_("Pinned by a manager"), lambda a, s: (_("yes") if s.overridden else _("no")) if s else None),
    (_("Recency (days)"), lambda a, s: s.recency_days if s else None),
    (_("Orders in window"), lambda a, s: s.frequency if s else None),
    (_("Revenue in window"), lambda a, s: s.monetary if s else None),
    (_("R score"), lambda a, s: s.r_score if s else None),
    (_("F score"), lambda a, s: s.f_score if s else None),
    (_("M score"), lambda a, s: s.m_score if s else None),
    (_("Composite"), lambda a, s: s.composite if s else None),
    (_("Owner"), lambda a, s: str(a.owner) if a.owner else None),
    (_("Industry"), lambda a, s: a.industry or None),
    (_("Region"), lambda a, s: a.region or None),
    (_("Group"), lambda a, s: a.parent.name if a.parent else None),
    (_("Relationship type"), lambda a, s: a.get_relationship_type_display()),
    (_("Lifecycle stage"), lambda a, s: a.get_lifecycle_stage_display()),
    (_("Operating status"), lambda a, s: a.get_operating_status_display()),
    (_("Credit level"), lambda a, s: a.get_credit_level_display() or None),
    (_("Employees"), lambda a, s: a.employees),
    (_("Annual revenue"), lambda a, s: a.annual_revenue),
)


def account_export_rows(*, user: User, filters: QueryDict | dict | None = None) -> Iterator[list[Any]]:
    """The header row (labels in the active language), then one row per account the list shows
    with these filters, in its order: str, int, Decimal (money in currency units) or None.
    One query for the accounts and one per CHUNK_ROWS of them for their snapshots."""
    accounts, _filterset = account_list(user=user, filters=filters)
    run = current_run()
    yield [str(header) for header, _cell in COLUMNS]
    chunk: list[Account] = []
    for account in accounts.iterator(chunk_size=CHUNK_ROWS):
        chunk.append(account)
        if len(chunk) == CHUNK_ROWS:
            yield from _rows(chunk, run)
            chunk = []
    yield from _rows(chunk, run)


def _rows(accounts: list[Account], run: Any) -> Iterator[list[Any]]:  # noqa: ANN401 - a ScoringRun or None
    snapshots = (
        {s.account_id: s for s in AccountScore.objects.filter(run=run, is_group=False, account__in=accounts)}
        if run and accounts
        else {}
    )
    for account in accounts:
        snapshot = snapshots.get(account.pk)
        yield [_plain(cell(account, snapshot)) for _header, cell in COLUMNS]


def _plain(value: Any) -> Any:  # noqa: ANN401 - a cell value
    # A lazy label ("yes") is written in the active language now; writers take plain values.
    return str(value) if isinstance(value, Promise) else value
