"""Run a read on its own database connection while the caller goes on with other work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, connections

T = TypeVar("T")


@contextmanager
def read_in_background(read: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """Start `read()` in a thread with a connection of its own; the yielded function waits for
    its result (and raises its error). The database does the work of a long query while this
    thread runs the short ones. Inside a transaction the read runs here, at once: another
    connection would not see the transaction's own rows. Only for reads that need no
    snapshot shared with the caller's."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        result = read()
        yield lambda: result
        return

    def run() -> T:
        try:
            return read()
        finally:
            connections.close_all()  # the thread's own connections

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-read") as pool:
        future = pool.submit(run)
        yield future.result
