"""Preview and apply a spreadsheet through the bulk upsert service, the API's own code path.

`check` is a dry run: every row is validated, resolved and upserted inside a transaction that is
rolled back, so "would create / would update / unchanged / error" comes from the very statement
that would do it, not from a second copy of the rules. `apply` runs the same thing for real, in
batches of MAX_RECORDS and per-record mode (valid rows are written, invalid ones reported).
Each row's result carries its spreadsheet row number and its problems under the column header
the file used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from integrations.bulk.service import ERROR, SUMMARY_KEYS, bulk_upsert_batches
from integrations.bulk.specs import SPECS
from integrations.spreadsheets.models import ImportBatch
from integrations.spreadsheets.reading import Table, read_table

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowResult:
    number: int  # the row in the spreadsheet (the header is usually row 1)
    external_id: str | None
    status: str  # created, updated, unchanged, error or skipped
    errors: dict[str, list[str]]  # column header (as in the file) -> reasons; "" for the row


@dataclass(frozen=True)
class Report:
    summary: dict[str, int]
    rows: list[RowResult]

    @property
    def failed(self) -> int:
        return self.summary.get(ERROR, 0)

    @property
    def writable(self) -> int:
        """Rows that would change something (new or different)."""
        return self.summary.get("created", 0) + self.summary.get("updated", 0)

    def problems(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]

    def as_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "rows": [[row.number, row.external_id, row.status, row.errors] for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(
            summary={key: data.get("summary", {}).get(key, 0) for key in SUMMARY_KEYS},
            rows=[RowResult(*row) for row in data.get("rows", [])],
        )


def system_user() -> User:
    """The actor of a command-line import without --user: sees and may change every account,
    like an integration user (whoever runs manage.py has the database anyway). Never saved."""
    return User(username="import_data", role=User.Role.INTEGRATION, is_active=True)


def check(
    kind: str, user: User, rows: list[tuple[int, dict]], headers: dict[str, str], *, on_batch: Progress | None = None
) -> Report:
    """What importing `rows` would do, row by row; nothing is written."""
    return _run(kind, user, rows, headers, dry_run=True, atomic=False, on_batch=on_batch)


def apply(
    kind: str,
    user: User,
    rows: list[tuple[int, dict]],
    headers: dict[str, str],
    *,
    atomic: bool = False,
    on_batch: Progress | None = None,
) -> Report:
    """Import `rows`: valid rows are written (all or none with `atomic`), invalid ones reported."""
    return _run(kind, user, rows, headers, dry_run=False, atomic=atomic, on_batch=on_batch)


def _run(
    kind: str,
    user: User,
    rows: list[tuple[int, dict]],
    headers: dict[str, str],
    *,
    dry_run: bool,
    atomic: bool,
    on_batch: Progress | None,
) -> Report:
    records = [record for _number, record in rows]
    answer = bulk_upsert_batches(SPECS[kind], user, records, atomic=atomic, dry_run=dry_run, on_batch=on_batch)
    results = [
        RowResult(
            number=rows[result["index"]][0],
            external_id=result["external_id"],
            status=result["status"],
            errors=_by_column(result["errors"], headers),
        )
        for result in answer.body["results"]
    ]
    return Report(summary=answer.body["summary"], rows=results)


def _by_column(errors: dict[str, list[str]], headers: dict[str, str]) -> dict[str, list[str]]:
    """Errors under the header the person wrote ("订单日期"), not the API's field name."""
    named: dict[str, list[str]] = {}
    for field, reasons in errors.items():
        column = "" if field == "non_field_errors" else headers.get(field, field)
        named.setdefault(column, []).extend(reasons)
    return named


def import_preview(*, user: User, kind: str, file: IO[bytes], filename: str) -> ImportBatch:
    """Read an upload, check every row and keep both until it is confirmed (or not).

    Raises SpreadsheetError (nothing stored) when the file cannot be imported at all."""
    table: Table = read_table(kind, file, filename)
    report = check(kind, user, table.rows, table.headers)
    return ImportBatch.objects.create(
        user=user,
        kind=kind,
        filename=filename[: ImportBatch._meta.get_field("filename").max_length],
        rows=[[number, record] for number, record in table.rows],
        headers=table.headers,
        ignored_columns=table.ignored,
        preview=report.as_json(),
    )


def import_confirm(*, batch: ImportBatch) -> bool:
    """Apply a previewed batch once. False (and nothing written) when it was already applied."""
    with transaction.atomic():
        # The conditional UPDATE is the lock: a second confirm waits for this transaction, then
        # finds the status changed and matches no row.
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
            status=ImportBatch.Status.APPLIED, applied_at=timezone.now()
        )
        if claimed:
            rows = [(number, record) for number, record in batch.rows]
            report = apply(batch.kind, batch.user, rows, batch.headers)
            ImportBatch.objects.filter(pk=batch.pk).update(result=report.as_json())
    batch.refresh_from_db()
    return bool(claimed)


IMPORT_BATCH_DAYS = 30  # how long an upload's rows and reports are kept


def purge_old_batches(days: int = IMPORT_BATCH_DAYS) -> int:
    """Delete uploads older than `days` (previewed or imported; for a periodic job)."""
    deleted, _by_model = ImportBatch.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
