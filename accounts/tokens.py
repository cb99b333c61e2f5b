"""API tokens: the one way to make and revoke them (the token page and `create_api_token` both
call these), and the lookup the API authentication uses. Only a key's SHA-256 is stored."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from kam.api.sql_json import prepared_statement
from kam.scopes import unknown_scopes


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user: User, name: str = "", scopes: Iterable[str] = ()) -> tuple[ApiToken, str]:
    """Make a token for `user` and return it with its secret key (40 hex characters), which
    cannot be recovered later.

    `scopes` are names declared in the scope registry (kam/scopes.py); stored sorted, once each.
    Raises ValidationError (field "scopes") naming every undeclared scope — a misspelt scope
    would make a token that can do nothing — or when an integration user's token names no scope
    (it could do nothing at all: integration users act only through scopes).
    """
    wanted = sorted({scope.strip() for scope in scopes if scope.strip()})
    unknown = unknown_scopes(wanted)
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}}, code="unknown_scope"
        )
    if user.role == User.Role.INTEGRATION and not wanted:
        raise ValidationError(
            {"scopes": _("An integration user's token needs at least one scope.")}, code="scope_required"
        )
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_key(key), scopes=wanted)
    return token, key


def token_revoke(*, token_id: int) -> ApiToken:
    """Revoke the token `token_id` from now on and return it.

    Revoking a revoked token keeps its first revocation time. Raises ApiToken.DoesNotExist.
    """
    with transaction.atomic():
        # The conditional UPDATE keeps the first revocation time under a double click.
        ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
        return ApiToken.objects.get(pk=token_id)


def api_token_lookup(key: str, *, using: str = "default") -> ApiToken | None:
    """The live token whose key is `key`, with its user read in the same query, or None (no such
    key, revoked, or its user deactivated).

    What `ApiToken.objects.select_related("user").filter(key_hash=…, revoked_at__isnull=True,
    user__is_active=True).first()` returns, from SQL built once per process: every API request
    runs it, and compiling that queryset cost ~1.1 ms of CPU, a twentieth of a 1,000-row sync
    page (docs/benchmarks.md). The values go through the fields' database converters as the
    ORM's would (JSON scopes, SQLite's datetimes and booleans). On PostgreSQL the statement is
    prepared once per connection (`prepared_statement`): planning it was ~0.3 ms of the server's
    ~0.45 ms of CPU a lookup, on every request (docs/benchmarks.md)."""
    sql, columns = _token_lookup_plan(using)
    connection = connections[using]
    with connection.cursor() as cursor:
        # is_active as a parameter: the driver adapts it (and PostgreSQL types it from the column)
        cursor.execute(*prepared_statement(cursor, sql, [hash_key(key), True], using=using, kind="token"))
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (expression, converters) in zip(row, columns, strict=True):
        for converter in converters:
            value = converter(value, expression, connection)
        values.append(value)
    token_fields, user_fields = ApiToken._meta.concrete_fields, User._meta.concrete_fields
    token = ApiToken.from_db(using, [f.attname for f in token_fields], values[: len(token_fields)])
    user = User.from_db(using, [f.attname for f in user_fields], values[len(token_fields) :])
    ApiToken._meta.get_field("user").set_cached_value(token, user)
    return token


@functools.cache
def _token_lookup_plan(using: str) -> tuple[str, list[tuple[Any, list]]]:
    """(SQL of the lookup, with the key's hash and True as parameters; for each selected column,
    its expression and converters), for the database `using`."""
    connection = connections[using]
    quote = connection.ops.quote_name
    tokens, users = ApiToken._meta.db_table, User._meta.db_table
    fields = [(tokens, f) for f in ApiToken._meta.concrete_fields] + [(users, f) for f in User._meta.concrete_fields]
    expressions = [field.get_col(table) for table, field in fields]
    columns = [(e, connection.ops.get_db_converters(e) + e.get_db_converters(connection)) for e in expressions]
    selected = ", ".join(f"{quote(table)}.{quote(field.column)}" for table, field in fields)
    user_column = ApiToken._meta.get_field("user").column

    def column(model: type, name: str) -> str:
        return model._meta.get_field(name).column

    sql = (
        f"SELECT {selected} FROM {quote(tokens)} INNER JOIN {quote(users)} "  # noqa: S608 - names from the models
        f"ON {quote(users)}.{quote(User._meta.pk.column)} = {quote(tokens)}.{quote(user_column)} "
        f"WHERE {quote(tokens)}.{quote(column(ApiToken, 'key_hash'))} = %s "
        f"AND {quote(tokens)}.{quote(column(ApiToken, 'revoked_at'))} IS NULL "
        f"AND {quote(users)}.{quote(column(User, 'is_active'))} = %s"
    )
    return sql, columns  # key_hash is unique: one row at most


# How stale `last_used_at` may be: a page of a sync is one request, and writing the row on each of
# them cost a row lock and a WAL record per request for a value shown to the minute.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def token_touch(*, token: ApiToken, now: datetime) -> bool:
    """Record that `token` (as just read: `api_token_lookup`) was used at `now` (aware), at most
    once a `LAST_USED_RESOLUTION`: nothing is sent when the stamp read with it is recent, else
    the row is written only if `last_used_at` is still empty or older than that. Returns whether
    it was written. One conditional UPDATE, no read-modify-write, so concurrent requests with one
    token neither race nor move the stamp backwards."""
    if token.last_used_at is not None and token.last_used_at >= now - LAST_USED_RESOLUTION:
        return False  # no round trip for most requests of a sync
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    written = bool(ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now))
    if written:
        token.last_used_at = now
    return written
