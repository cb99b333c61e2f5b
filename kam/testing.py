"""Test helpers every app's tests share (fixtures built on them are in the root conftest.py).

- `token_client(user, scopes)`: an API client authenticated with a fresh token of `user`.
- `Receiver`: a webhook receiver on a real socket (the `receiver` fixture).
- `csv_download(response)`: the rows of a CSV download, after checking it starts with the BOM.

Each lives here only; tests/test_homes.py fails if a test module grows its own copy.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.db import connection
from django.http.response import HttpResponseBase
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_create

# What an ERP's token holds unless a test names its scopes: the data it reads and writes. Never
# runs or webhooks, which a test asks for by name.
INTEGRATION_SCOPES = (
    "accounts:read",
    "accounts:write",
    "contacts:read",
    "contacts:write",
    "orders:read",
    "orders:write",
    "invoices:read",
    "invoices:write",
    "payments:read",
    "payments:write",
    "activities:read",
    "activities:write",
    "opportunities:read",
    "opportunities:write",
)


def csv_download(response: HttpResponseBase) -> list[list[str]]:
    """The rows (header first) of a CSV download, streamed or not. Fails unless the body starts
    with the UTF-8 BOM, without which Excel reads Chinese as GBK."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\xef\xbb\xbf"), f"no BOM: {body[:20]!r}"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def token_client(user: User, scopes: Iterable[str] | None = None) -> APIClient:
    """An API client sending `Authorization: Token <key>` for a new token of `user`.

    `scopes=None`: a person's token names no scope (it acts as the person); an integration
    user's token gets INTEGRATION_SCOPES (without a scope it could do nothing). Pass `scopes`
    to name them exactly.
    """
    if scopes is None:
        scopes = INTEGRATION_SCOPES if user.role == User.Role.INTEGRATION else ()
    _, key = token_create(user=user, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


class Receiver:
    """A webhook receiver on a real socket at 127.0.0.1. `answers` are (status, headers) used in
    turn, the last repeating; `requests` records each POST's path, headers and body."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict[str, str]]] = [(200, {})]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                # self.headers is case-insensitive, as HTTP header names are (urllib sends "X-kam-event").
                receiver.requests.append({"path": self.path, "headers": self.headers, "body": body})
                index = min(len(receiver.requests), len(receiver.answers)) - 1
                status, headers = receiver.answers[index]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def log_message(self, *args) -> None:  # noqa: ANN002 - keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def answer(self, *statuses: int | tuple[int, dict[str, str]]) -> None:
        self.answers = [s if isinstance(s, tuple) else (s, {}) for s in statuses]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def pg_text(sql: str, value: object, cast: str, zone: str = "UTC") -> str:
    """The text PostgreSQL writes for `sql` over `value` (cast to `cast`, named `x` in a row `v`)
    with the session in time zone `zone` (set back to UTC after)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', %s, false)", [zone])
        try:
            cursor.execute(f"SELECT {sql} FROM (SELECT %s::{cast} AS x) v", [value])  # noqa: S608 - test SQL
            (text,) = cursor.fetchone()
        finally:
            cursor.execute("SELECT set_config('TimeZone', 'UTC', false)")
    return text
