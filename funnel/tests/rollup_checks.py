"""What the roll-up property tests share (snapshot lines, opportunities, walks, account facts):
a table read as a comparable set, and every scope a dashboard can be asked for."""

from __future__ import annotations

from django.db import connection

from accounts.models import Team, User
from funnel.selectors import Scope


def rows(sql: str, params: list | None = None) -> set[tuple]:
    """The rows of `sql` as a set of tuples (arrays as tuples, so that they hash)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in cursor.fetchall()}


def every_scope() -> list[Scope]:
    """Everyone's own figures, each team's and each person's."""
    return [Scope(), *(Scope(team=t) for t in Team.objects.all()), *(Scope(owner=p) for p in User.objects.all())]
