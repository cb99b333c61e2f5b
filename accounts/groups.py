"""Where a group tree's invariants are enforced against concurrent writers.

Every path that sets an account's parent (model save: admin, forms, API; the bulk upsert and
the spreadsheet import) takes one PostgreSQL transaction-level advisory lock, then checks the
tree as committed by everyone before it, then writes: two re-parentings `{A, parent B}` and
`{B, parent A}` run one after the other, and the second sees the first and is refused. The
lock is released at commit or rollback. Checks read the whole parent graph in one query (the
accounts that have a parent; a few thousand rows) and walk it in memory (`accounts.trees`).

SQLite (the demo) serialises writers itself; there the lock is a no-op.
"""

from __future__ import annotations

import zlib
from collections.abc import Hashable, Mapping

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from accounts.trees import CYCLE, Violation, batch_violations

TABLE = "accounts_account"
# One key for every re-parenting; a stable number derived from the table's name.
LOCK_KEY = zlib.crc32(b"accounts_account.parent_id")


def max_depth() -> int:
    """Levels a group tree may have (settings.ACCOUNT_GROUP_MAX_DEPTH; a root alone is 1)."""
    return settings.ACCOUNT_GROUP_MAX_DEPTH


def lock_trees() -> None:
    """Serialise re-parenting until the current transaction ends (call inside atomic())."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def parent_graph() -> dict[Hashable, Hashable | None]:
    """{account id: parent id} of every account that has a parent, as committed (read committed)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, parent_id FROM {TABLE} WHERE parent_id IS NOT NULL")  # noqa: S608 - constant
        return dict(cursor.fetchall())


def violations(changes: Mapping[Hashable, Hashable | None]) -> dict[Hashable, Violation]:
    """What `changes` ({node: new parent or None}) would break, against the stored graph.
    Nodes are account ids, or any other hashable for accounts not written yet."""
    return batch_violations(parent_graph(), changes, max_depth=max_depth())


def message(violation: Violation) -> str:
    """The sentence shown under the `parent` field."""
    if violation.kind == CYCLE:
        return _("This parent is the account itself or one of its subsidiaries: a group cannot contain itself.")
    return _(
        "A group may have at most %(max)s levels; under this parent it would have %(depth)s. "
        "Choose a parent higher up the group."
    ) % {"max": max_depth(), "depth": violation.depth}
