"""A real cross-process lock for jobs that must never overlap.

On PostgreSQL: a session-level advisory lock on the job's own connection, so a killed worker
releases it when its connection drops. Elsewhere (the SQLite demo): an atomic `cache.add`
with a timeout, which is enough for one machine.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection


class LockBusy(Exception):
    """Another process holds the lock."""


@contextmanager
def exclusive_lock(name: str, *, timeout_seconds: int = 6 * 3600) -> Iterator[None]:
    if connection.vendor == "postgresql":
        key = zlib.crc32(name.encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            if not cursor.fetchone()[0]:
                raise LockBusy(name)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    cache_key = f"lock:{name}"
    if not cache.add(cache_key, 1, timeout_seconds):
        raise LockBusy(name)
    try:
        yield
    finally:
        cache.delete(cache_key)
