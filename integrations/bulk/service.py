"""A whole bulk call: validate every record, resolve references, upsert, report per record.

Invalid records are reported with the field and the reason and nothing of them is written.
`atomic=False` writes the valid ones; `atomic=True` writes nothing at all when any record is
invalid (the valid ones are reported "skipped", the answer is 400). Everything runs in one
transaction, so a failure half-way writes nothing and a retry starts from a clean slate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.validation import date_span, record_errors
from integrations.bulk import MAX_RECORDS
from integrations.bulk.references import (
    Item,
    hidden_message,
    invalidate_orphans,
    new_account_owner,
    resolve,
    visibility_guard,
)
from integrations.bulk.specs import ManyReference, Spec
from integrations.bulk.upsert import CREATED, HIDDEN, KEY, UNCHANGED, UPDATED, upsert
from integrations.bulk.validation import printable
from kam.collector import paused_gc

ERROR, SKIPPED = "error", "skipped"
SUMMARY_KEYS = ("created", "updated", "unchanged", ERROR, SKIPPED)


@dataclass(frozen=True)
class BulkAnswer:
    status_code: int
    body: dict[str, Any]


class BatchError(ValueError):
    """The envelope itself is wrong (not a list, too many records): answered 400 as a whole."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def parse_envelope(data: Any) -> tuple[list[Any], bool]:
    """`{"records": [...], "atomic": bool}` or a bare list -> (records, atomic)."""
    if isinstance(data, list):
        records, atomic = data, False
    elif isinstance(data, dict):
        unknown = sorted(set(data) - {"records", "atomic"})
        if unknown:
            raise BatchError(unknown[0], _("Unknown field: send only records and atomic."))
        if not isinstance(data.get("records"), list):
            raise BatchError("records", _("Send the records as a JSON list under records."))
        records, atomic = data["records"], data.get("atomic", False)
        if not isinstance(atomic, bool):
            raise BatchError("atomic", _("Must be true or false."))
    else:
        raise BatchError("non_field_errors", _('Send {"records": [...], "atomic": false} or a JSON list of records.'))
    if _has_nul(records):
        # PostgreSQL stores no NUL character in text or JSON: refuse the batch instead of failing.
        raise BatchError("records", _("Text must not contain NUL (\\u0000) characters."))
    if len(records) > MAX_RECORDS:
        raise BatchError(
            "records",
            _("A batch holds at most %(max)s records; this one has %(n)s. Send smaller batches.")
            % {"max": MAX_RECORDS, "n": len(records)},
        )
    return records, atomic


def bulk_upsert(spec: Spec, user: User, records: list[Any], *, atomic: bool = False) -> BulkAnswer:
    checked = spec.validator.many(records)
    span = date_span()
    for values, errors in checked:
        if not errors:  # the rules shared with the models' clean(): dates in range, margin <= amount...
            errors.update(record_errors(spec.model, values, span=span))
    items = [_item(index, record, *result) for index, (record, result) in enumerate(zip(records, checked, strict=True))]
    _refuse_duplicates(items)
    with transaction.atomic():
        resolve(spec, user, items)
        if atomic and not all(item.ok for item in items):
            return _answer(items, atomic, skip_valid=True)
        try:
            with transaction.atomic():  # a savepoint: an atomic batch that fails late writes nothing
                _write(spec, user, [item for item in items if item.ok], atomic=atomic)
        except _AtomicBatchFailed:
            return _answer(items, atomic, skip_valid=True)
    return _answer(items, atomic)


def bulk_upsert_batches(
    spec: Spec,
    user: User,
    records: list[Any],
    *,
    atomic: bool = False,
    dry_run: bool = False,
    on_batch: Callable[[int], None] | None = None,
) -> BulkAnswer:
    """Any number of records (a spreadsheet), `bulk_upsert` in batches of MAX_RECORDS, as one answer.

    All batches run in one transaction, so a later batch sees the rows an earlier one wrote
    (a contact may report to one created 5,000 rows before). `dry_run=True` rolls the whole
    transaction back: the answer says what *would* be created, updated or left unchanged, by
    the very code that would do it. `atomic=True` keeps nothing if any record of any batch is
    invalid (the valid ones are reported skipped). `on_batch(n)` is told after each batch.
    """
    results: list[dict[str, Any]] = []
    with paused_gc(), transaction.atomic():
        for start in range(0, len(records), MAX_RECORDS):
            chunk = records[start : start + MAX_RECORDS]
            answer = bulk_upsert(spec, user, chunk, atomic=atomic)
            for result in answer.body["results"]:
                result["index"] += start
            results += answer.body["results"]
            if on_batch is not None:
                on_batch(len(chunk))
        failed = atomic and any(result["status"] == ERROR for result in results)
        if failed:
            for result in results:
                if result["status"] != ERROR:  # written by an earlier batch, now rolled back
                    result.update(status=SKIPPED, id=None)
        if dry_run or failed:
            transaction.set_rollback(True)
        if dry_run:
            for result in results:
                if result["status"] == "created":
                    result["id"] = None  # the id of a row that was rolled back means nothing
    summary = dict.fromkeys(SUMMARY_KEYS, 0)
    summary.update(Counter(result["status"] for result in results))
    return BulkAnswer(answer_status(summary, failed=failed), {"atomic": atomic, "summary": summary, "results": results})


def _item(index: int, record: Any, values: dict[str, Any], errors: dict[str, list[str]]) -> Item:
    key = values.get(KEY)
    if key is None and isinstance(record, dict) and isinstance(record.get(KEY), str):
        key = printable(record[KEY])  # echo what was sent, even when it is invalid, so the ERP can match it
    return Item(index=index, external_id=key, values=values, errors=errors, columns=values)


def _refuse_duplicates(items: list[Item]) -> None:
    """The same key twice in one batch is ambiguous (which one wins?): refuse every copy."""
    counts = Counter(item.values.get(KEY) for item in items if item.values.get(KEY) is not None)
    if not counts or counts.most_common(1)[0][1] == 1:
        return
    positions: dict[str, list[int]] = defaultdict(list)
    for item in items:
        if counts.get(item.values.get(KEY), 0) > 1:
            positions[item.values[KEY]].append(item.index)
    for item in items:
        where = positions.get(item.values.get(KEY))
        if where:
            item.fail(
                KEY,
                _("Appears more than once in this batch (records %(indexes)s).")
                % {"indexes": ", ".join(map(str, where))},
            )


class _AtomicBatchFailed(Exception):  # noqa: N818 - control flow inside the savepoint
    pass


def _write(spec: Spec, user: User, items: list[Item], *, atomic: bool) -> None:
    """Upsert in waves (records whose parent is in the batch follow it), one statement per
    wave and set of fields sent (usually one statement in all)."""
    guard = visibility_guard(spec, user)
    # A new account that names no owner: its creator's, or the default owner's (never nobody's).
    owner = new_account_owner(user) if spec.owner is not None else None
    defaults = {spec.owner.column: owner.pk} if owner is not None else {}
    written: dict[str, int] = {}
    pending = items
    while pending:
        wave = [item for item in pending if item.parent_key is None or item.parent_key in written]
        pending = [item for item in pending if item.parent_key is not None and item.parent_key not in written]
        if not wave:  # parents that refer to each other within the batch
            for item in pending:
                item.fail(spec.parent.name if spec.parent else KEY, _("The parents in this batch form a loop."))
            break
        groups: dict[tuple[str, ...], list[Item]] = defaultdict(list)
        for item in wave:
            if item.parent_key is not None and spec.parent is not None:
                item.columns[spec.parent.column] = written[item.parent_key]
            groups[tuple(sorted(item.columns))].append(item)
        for group in groups.values():
            outcomes = upsert(spec.model, [item.columns for item in group], insert_defaults=defaults, guard=guard)
            for item in group:
                outcome = outcomes[item.external_id]
                if outcome.status == HIDDEN:  # changed hands since it was checked
                    item.fail(KEY, hidden_message(spec))
                    continue
                item.status, item.id = outcome.status, outcome.id
                written[item.external_id] = outcome.id
        if spec.parent is not None and pending:
            invalidate_orphans(spec, items)
            pending = [item for item in pending if item.ok]
    if atomic and not all(item.ok for item in items):
        raise _AtomicBatchFailed
    for many in spec.many:
        _write_links(spec, many, [item for item in items if item.ok and item.id is not None])
    if spec.after_write is not None:
        spec.after_write(user, [item.id for item in items if item.ok and item.status in (CREATED, UPDATED)])


def _write_links(spec: Spec, many: ManyReference, items: list[Item]) -> None:
    """Make each record's links exactly the ids it sent (one read, one insert, a delete per
    record that lost some). A record whose links changed is `updated` (and its `updated_at`
    moves) even when its own columns were unchanged; a replay changes nothing."""
    field = spec.model._meta.get_field(many.field)
    through = field.remote_field.through
    source, target = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
    sent = {item.id: set(item.links[many.name]) for item in items if item.links and many.name in item.links}
    stored: dict[int, set[int]] = defaultdict(set)
    for src, tgt in through.objects.filter(**{f"{source}__in": list(sent)}).values_list(source, target):
        stored[src].add(tgt)
    added = [(src, tgt) for src, wanted in sent.items() for tgt in sorted(wanted - stored[src])]
    removed = {src: stored[src] - wanted for src, wanted in sent.items() if stored[src] - wanted}
    for src, gone in removed.items():
        through.objects.filter(**{source: src, f"{target}__in": sorted(gone)}).delete()
    through.objects.bulk_create(
        [through(**{source: src, target: tgt}) for src, tgt in added], batch_size=5000, ignore_conflicts=True
    )
    changed = {src for src, _ in added} | set(removed)
    relinked = [item for item in items if item.id in changed and item.status == UNCHANGED]
    if relinked:
        spec.model.objects.filter(pk__in=[item.id for item in relinked]).update(updated_at=timezone.now())
        for item in relinked:
            item.status = UPDATED
    if many.on_change is not None:
        written = [item.id for item in items if item.status in (CREATED, UPDATED)]
        linked = set(through.objects.filter(**{f"{source}__in": written}).values_list(target, flat=True))
        unlinked = {tgt for gone in removed.values() for tgt in gone}
        if linked | unlinked:
            many.on_change(sorted(linked | unlinked))


def _answer(items: list[Item], atomic: bool, *, skip_valid: bool = False) -> BulkAnswer:
    results = []
    summary = dict.fromkeys(SUMMARY_KEYS, 0)
    for item in items:
        if not item.ok:
            status, pk = ERROR, None
        elif skip_valid:
            status, pk = SKIPPED, None
        else:
            status, pk = item.status, item.id
        summary[status] += 1
        results.append(
            {"index": item.index, "external_id": item.external_id, "status": status, "id": pk, "errors": item.errors}
        )
    failed = atomic and summary[ERROR] > 0
    return BulkAnswer(answer_status(summary, failed=failed), {"atomic": atomic, "summary": summary, "results": results})


def answer_status(summary: dict[str, int], *, failed: bool) -> int:
    """The HTTP status of a batch: 200 only when every record succeeded; 207 Multi-Status when some
    record failed and the others were written (atomic=false); 400 when an atomic batch wrote nothing.

    A client that reads the status alone must never take a partly failed batch for a success."""
    if failed:
        return 400
    return 207 if summary[ERROR] else 200
