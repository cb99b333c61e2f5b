"""Preview and apply a spreadsheet through the bulk upsert service, the API's own code path.

`check` is a dry run: every row is validated, resolved and upserted inside a transaction that is
rolled back, so "would create / would update / unchanged / error" comes from the very statement
that would do it, not from a second copy of the rules. `apply` runs the same thing for real, in
batches of MAX_RECORDS and per-record mode (valid rows are written, invalid ones reported).
Each row's result carries its spreadsheet row number, its problems under the column header the
file used and, for an update, the old and new value of every field it changes.

A file past settings.SPREADSHEET_INLINE_BYTES (as sent or unpacked) is not read in the request:
`import_preview` keeps it on a QUEUED batch and a Celery task (`parse`, with a time limit) reads
and checks it, counting its progress on the batch for the page to show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from integrations.bulk.service import ERROR, SUMMARY_KEYS, BulkAnswer, bulk_upsert_batches
from integrations.bulk.specs import SPECS
from integrations.spreadsheets import numbers
from integrations.spreadsheets.limits import Limits
from integrations.spreadsheets.models import ImportBatch
from integrations.spreadsheets.reading import SpreadsheetError, Table, check_name, read_table, workload

logger = logging.getLogger(__name__)
Refused = list[tuple[int, str | None, dict[str, list[str]]]]

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowResult:
    number: int  # the row in the spreadsheet (the header is usually row 1)
    external_id: str | None
    status: str  # created, updated, unchanged, error or skipped
    errors: dict[str, list[str]]  # column header (as in the file) -> reasons; "" for the row
    changes: dict[str, list[str]] = field(default_factory=dict)  # header -> [old, new], updates only


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
            "rows": [[row.number, row.external_id, row.status, row.errors, row.changes] for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(
            summary={key: data.get("summary", {}).get(key, 0) for key in SUMMARY_KEYS},
            rows=[RowResult(*row) for row in data.get("rows", [])],  # 4 items before changes were kept
        )


def system_user() -> User:
    """The actor of a command-line import without --user: sees and may change every account,
    like an integration user (whoever runs manage.py has the database anyway). Never saved."""
    return User(username="import_data", role=User.Role.INTEGRATION, is_active=True)


def check(
    kind: str,
    user: User,
    rows: list[tuple[int, dict]],
    headers: dict[str, str],
    *,
    refused: Refused = (),
    on_batch: Progress | None = None,
) -> Report:
    """What importing `rows` would do, row by row, with what each update changes; nothing is
    written. `refused` rows (refused while reading) are reported as errors."""
    old = _current_values(kind, rows)
    report = _run(kind, user, rows, headers, refused=refused, dry_run=True, atomic=False, on_batch=on_batch)
    records = dict(rows)
    new = dict(zip([number for number, _r in rows], SPECS[kind].validator.many(list(records.values())), strict=True))
    rows_out = [
        RowResult(
            row.number,
            row.external_id,
            row.status,
            row.errors,
            _changes(kind, old.get(row.external_id, {}), new[row.number][0], headers)
            if row.status == "updated"
            else {},
        )
        for row in report.rows
    ]
    return Report(summary=report.summary, rows=rows_out)


def apply(
    kind: str,
    user: User,
    rows: list[tuple[int, dict]],
    headers: dict[str, str],
    *,
    refused: Refused = (),
    atomic: bool = False,
    on_batch: Progress | None = None,
) -> Report:
    """Import `rows`: valid rows are written (all or none with `atomic`), invalid ones reported.

    With `atomic`, a `refused` row (refused while reading) keeps every row from being written."""
    if atomic and refused:
        report = _run(kind, user, [], headers, refused=refused, dry_run=True, atomic=True, on_batch=None)
        skipped = [RowResult(number, record.get("external_id"), "skipped", {}) for number, record in rows]
        summary = {**report.summary, "skipped": len(skipped)}
        return Report(summary=summary, rows=sorted(report.rows + skipped, key=lambda row: row.number))
    return _run(kind, user, rows, headers, refused=refused, dry_run=False, atomic=atomic, on_batch=on_batch)


def _run(
    kind: str,
    user: User,
    rows: list[tuple[int, dict]],
    headers: dict[str, str],
    *,
    refused: Refused,
    dry_run: bool,
    atomic: bool,
    on_batch: Progress | None,
) -> Report:
    records = [record for _number, record in rows]
    if records:
        answer = bulk_upsert_batches(SPECS[kind], user, records, atomic=atomic, dry_run=dry_run, on_batch=on_batch)
    else:
        answer = BulkAnswer(200, {"summary": dict.fromkeys(SUMMARY_KEYS, 0), "results": []})
    results = [
        RowResult(
            number=rows[result["index"]][0],
            external_id=result["external_id"],
            status=result["status"],
            errors=_by_column(result["errors"], headers),
        )
        for result in answer.body["results"]
    ]
    results += [RowResult(number, key, ERROR, dict(errors)) for number, key, errors in refused]
    summary = {**answer.body["summary"], ERROR: answer.body["summary"][ERROR] + len(refused)}
    return Report(summary=summary, rows=sorted(results, key=lambda row: row.number))


def _paths(kind: str) -> dict[str, str]:
    """Record field -> the model path holding its current value (references by their ERP id)."""
    spec = SPECS[kind]
    return {name: spec.model_path(name) for name in spec.validator.names}


def _current_values(kind: str, rows: list[tuple[int, dict]]) -> dict[str, dict[str, Any]]:
    """ERP id -> {record field: value now} of the rows the file names that exist."""
    keys = [record["external_id"] for _n, record in rows if isinstance(record.get("external_id"), str)]
    if not keys:
        return {}
    paths = _paths(kind)
    found: dict[str, dict[str, Any]] = {}
    model = SPECS[kind].model
    for start in range(0, len(keys), 5_000):
        chunk = keys[start : start + 5_000]
        for values in model.objects.filter(external_id__in=chunk).values("external_id", *paths.values()):
            found[values["external_id"]] = {name: values[path] for name, path in paths.items()}
    return found


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) and new is not None:
        try:
            return old == Decimal(str(new))
        except ArithmeticError:
            return False
    return old == new


def _changes(kind: str, old: dict[str, Any], new: dict[str, Any], headers: dict[str, str]) -> dict[str, list[str]]:
    """Header -> [old, new] for every field the validated record changes."""
    return {
        headers.get(name, name): [_shown(old.get(name)), _shown(value)]
        for name, value in new.items()
        if name != "external_id" and name in old and not _same(old.get(name), value)
    }


def _by_column(errors: dict[str, list[str]], headers: dict[str, str]) -> dict[str, list[str]]:
    """Errors under the header the person wrote ("订单日期"), not the API's field name."""
    named: dict[str, list[str]] = {}
    for name, reasons in errors.items():
        column = "" if name == "non_field_errors" else headers.get(name, name)
        named.setdefault(column, []).extend(reasons)
    return named


def import_preview(
    *, user: User, kind: str, file: IO[bytes], filename: str, number_format: str = numbers.AUTO
) -> ImportBatch:
    """Take an upload: read and check it now if it is small, else queue it for a worker.

    The batch is PREVIEWED (or FAILED, with the reason) when read here, QUEUED when a worker will
    read it (see `parse`). Raises SpreadsheetError (nothing stored) when the file is refused
    before reading: its name, its size, an empty file."""
    limits = Limits.from_settings()
    check_name(filename)
    data = file.read(limits.file_bytes + 1)
    if len(data) > limits.file_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": limits.file_bytes // (1024 * 1024)}
        )
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    name = filename[: ImportBatch._meta.get_field("filename").max_length]
    if workload(data, filename) > settings.SPREADSHEET_INLINE_BYTES:
        batch = ImportBatch.objects.create(
            user=user,
            kind=kind,
            filename=name,
            number_format=number_format,
            upload=data,
            status=ImportBatch.Status.QUEUED,
        )
        from integrations.tasks import parse_import_batch

        transaction.on_commit(lambda: parse_import_batch.delay(batch.pk))
        return batch
    table = read_table(kind, _bytes(data), filename, limits=limits, number_format=number_format)
    report = check(kind, user, table.rows, table.headers, refused=table.refused)
    return ImportBatch.objects.create(
        user=user, kind=kind, filename=name, number_format=number_format, **_stored(table, report)
    )


def _bytes(data: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(data)


def _stored(table: Table, report: Report) -> dict[str, Any]:
    return {
        "rows": [[number, record] for number, record in table.rows],
        "refused": [list(row) for row in table.refused],
        "headers": table.headers,
        "ignored_columns": table.ignored,
        "preview": report.as_json(),
        "total": len(table.rows) + len(table.refused),
        "progress": len(table.rows) + len(table.refused),
    }


def parse(*, batch_id: int) -> str:
    """Read and check a QUEUED batch (in a worker); the batch ends PREVIEWED or FAILED.

    Claimed with a conditional UPDATE, so a redelivered task message reads the file once."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED, progress=0).update(progress=1)
    if not claimed:
        return "taken"
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    try:
        table = read_table(
            batch.kind, _bytes(bytes(batch.upload or b"")), batch.filename, number_format=batch.number_format
        )
        ImportBatch.objects.filter(pk=batch_id).update(total=len(table.rows) + len(table.refused))
        done = [len(table.refused)]

        def counted(rows: int) -> None:
            done[0] += rows
            ImportBatch.objects.filter(pk=batch_id).update(progress=max(done[0], 1))

        report = check(batch.kind, batch.user, table.rows, table.headers, refused=table.refused, on_batch=counted)
    except SpreadsheetError as error:
        _fail(batch_id, str(error))
        return "failed"
    except SoftTimeLimitExceeded:
        _fail(batch_id, _("Reading the file took too long; split it into smaller files."))
        return "failed"
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.PREVIEWED, upload=None, **_stored(table, report)
    )
    return "previewed"


def _fail(batch_id: int, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED, error=message, upload=None)


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
            refused = [(number, key, errors) for number, key, errors in batch.refused]
            report = apply(batch.kind, batch.user, rows, batch.headers, refused=refused)
            ImportBatch.objects.filter(pk=batch.pk).update(result=report.as_json())
    batch.refresh_from_db()
    return bool(claimed)


IMPORT_BATCH_DAYS = 30  # how long an upload's rows and reports are kept


def purge_old_batches(days: int = IMPORT_BATCH_DAYS) -> int:
    """Delete uploads older than `days` (previewed or imported; for a periodic job)."""
    deleted, _by_model = ImportBatch.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
