"""Emitting events, attempting deliveries and redelivering them.

Delivery is at-least-once: a receiver must use `X-KAM-Delivery` as an idempotency key. There is
no ordering guarantee between deliveries (a retry may overtake a newer event).

Concurrency: every attempt first *claims* its number with a conditional UPDATE
(`attempts = n - 1` → `n`), so duplicated broker messages (acks_late redeliveries, Redis
visibility timeouts on long countdowns, the sweeper) can never send the same attempt twice.
"""

from __future__ import annotations

import json
import logging
import math
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from functools import partial
from http.client import HTTPException
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from integrations.event_types import event_names, is_registered
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks.signing import sign

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BATCH_SIZE = 1_000  # list payloads (tier changes) are split into deliveries of at most this many items
TIMEOUT_SECONDS = 10
RETRY_BASE_SECONDS = 60  # waits after failed attempts 1..5: 1 min, 5 min, 25 min, ~2 h, ~10 h
MAX_RETRY_AFTER_SECONDS = 6 * 3600
# An attempt holds its claim this long; a worker that dies mid-attempt is recovered by the sweeper after it.
LEASE_SECONDS = 5 * 60
USER_AGENT = "KAM-Webhooks/1.0"

Pending = WebhookDelivery.Status.PENDING
Succeeded = WebhookDelivery.Status.SUCCEEDED
Failed = WebhookDelivery.Status.FAILED


# ---------------------------------------------------------------- emitting


def subscribers(event: str) -> list[WebhookSubscription]:
    # Filtered in Python: subscriptions are few, and SQLite has no JSON containment lookup.
    return [s for s in WebhookSubscription.objects.filter(is_active=True).order_by("id") if s.wants(event)]


def webhook_wanted(event: str) -> bool:
    """Whether an active subscription wants `event`: lets a producer skip building a costly payload."""
    return bool(subscribers(event))


def webhook_emit(
    event: str,
    payload: dict | Iterable[Any],
    *,
    context: dict | None = None,
    total: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> list[int]:
    """Create a delivery per active subscriber of `event`; enqueue them when the transaction commits.

    A dict payload is delivered as it is (merged over `context`). Anything else is a list of
    items, split into batches of `batch_size`, each delivered as
    ``{**context, "items": [...], "batch": i, "batches": n, "total": total}``, so that a run
    changing 100,000 tiers makes 100 deliveries per subscriber, not 100,000. An iterator is
    read one batch at a time, and only if someone subscribes; it needs `total` (its length).
    Returns the ids of the deliveries made. Raises ValueError for an undeclared event type
    (see integrations.event_types) or an iterator without `total`.
    """
    if not is_registered(event):
        raise ValueError(f"unknown webhook event {event!r}; known: {', '.join(event_names())}")
    if not isinstance(payload, dict) and total is None:
        if not hasattr(payload, "__len__"):
            raise ValueError("a payload of items without len() needs its total")
        total = len(payload)  # type: ignore[arg-type]
    subscriptions = subscribers(event)
    if not subscriptions:
        return []
    if isinstance(payload, dict):
        bodies: Iterable[dict] = [{**(context or {}), **payload}]
    else:
        bodies = batched_payloads(payload, total=total or 0, context=context, batch_size=batch_size)
    return _create_deliveries(event, subscriptions, bodies)


def batched_payloads(
    items: Iterable[Any], *, total: int, context: dict | None = None, batch_size: int = BATCH_SIZE
) -> Iterator[dict]:
    """Lazily cut `items` (an iterator is fine: it is read one batch at a time) into batch payloads."""
    batches = max(1, math.ceil(total / batch_size))
    iterator = iter(items)
    index = 0
    while chunk := list(islice(iterator, batch_size)):
        index += 1
        yield {**(context or {}), "items": chunk, "batch": index, "batches": batches, "total": total}


def _create_deliveries(event: str, subscriptions: list[WebhookSubscription], bodies: Iterable[dict]) -> list[int]:
    now = timezone.now()
    ids: list[int] = []
    with transaction.atomic():
        for body in bodies:
            rows = [
                WebhookDelivery(subscription=s, event=event, payload=body, created_at=now, next_attempt_at=now)
                for s in subscriptions
            ]
            ids.extend(d.pk for d in WebhookDelivery.objects.bulk_create(rows))
        # Never enqueue inside the transaction: a worker could look for rows not yet committed.
        transaction.on_commit(partial(enqueue_deliveries, ids))
    return ids


def enqueue_deliveries(ids: list[int]) -> None:
    from integrations.tasks import deliver_webhook  # the tasks module imports this one

    for pk in ids:
        try:
            deliver_webhook.delay(pk, attempt=1)
        except OperationalError:
            # Broker down: the rows are committed and due, so the sweeper sends them later.
            log.exception("could not enqueue webhook deliveries %s…; the sweeper will retry", pk)
            return


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class HttpResult:
    status: int
    body: str  # the start of the response body, for the log
    retry_after: int | None = None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without body (e.g. to a login page that
    # answers 200); a redirect is a misconfigured URL, so surface it as its 3xx status instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> HttpResult:
    """POST `body`; return the status of any HTTP answer. Network failures raise OSError."""
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked above
    try:
        with _opener.open(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            return HttpResult(response.status, _snippet(response))
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, _snippet(error), _retry_after(error.headers))


def _snippet(response: Any) -> str:
    try:
        return response.read(500).decode("utf-8", "replace")
    except (OSError, HTTPException):
        return ""


def _retry_after(headers: Message | None) -> int | None:
    value = headers.get("Retry-After") if headers is not None else None
    return int(value) if value and value.strip().isdigit() else None


def backoff_seconds(attempt: int) -> int:
    """The wait after failed attempt `attempt` (1-based): 60 s × 5^(attempt-1)."""
    return RETRY_BASE_SECONDS * 5 ** (attempt - 1)


def encode_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes POSTed (and signed): the payload in a small envelope."""
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AttemptResult:
    status: str  # the delivery's status afterwards, or "skipped" when this attempt was not ours to make
    retry_in: int | None = None  # seconds until the next attempt, when one is due


def delivery_attempt(
    delivery_id: int,
    *,
    attempt: int,
    post: Callable[[str, bytes, dict[str, str], float], HttpResult] | None = None,
) -> AttemptResult:
    """Make attempt number `attempt` of a delivery and record its outcome.

    2xx succeeds. Network errors, 429 and 5xx are retried (`retry_in` says when) until
    MAX_ATTEMPTS; any other status fails at once. Every attempt updates attempts,
    last_status_code and last_error.
    """
    lease = timezone.now() + timedelta(seconds=LEASE_SECONDS)
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, status=Pending, attempts=attempt - 1).update(
        attempts=attempt, next_attempt_at=lease
    )
    if not claimed:
        return AttemptResult("skipped")
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.is_active:
        return _record(delivery, attempt, Failed, None, "The subscription is inactive.")
    if attempt > MAX_ATTEMPTS:  # the sweeper found a last attempt whose worker died
        return _record(delivery, attempt, Failed, None, "Gave up: the last attempt was interrupted.")

    body = encode_body(delivery)
    timestamp = str(int(time.time()))  # signed afresh per attempt, so retries pass the 5-minute window
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-KAM-Event": delivery.event,
        "X-KAM-Delivery": str(delivery.pk),
        "X-KAM-Timestamp": timestamp,
        "X-KAM-Signature": sign(subscription.secret, timestamp, body),
    }
    try:
        result = (post or http_post)(subscription.url, body, headers, TIMEOUT_SECONDS)
    except (OSError, HTTPException, ValueError) as error:  # URLError, timeouts, refused, bad URL
        code, error_text, retryable, retry_after = None, f"{type(error).__name__}: {error}", True, None
    else:
        code, retry_after = result.status, result.retry_after
        if 200 <= code < 300:
            return _record(delivery, attempt, Succeeded, code, "")
        error_text = f"HTTP {code}: {result.body}".strip()
        retryable = code == 429 or code >= 500
    if retryable and attempt < MAX_ATTEMPTS:
        wait = max(backoff_seconds(attempt), min(retry_after or 0, MAX_RETRY_AFTER_SECONDS))
        return _record(delivery, attempt, Pending, code, error_text, retry_in=wait)
    return _record(delivery, attempt, Failed, code, error_text)


def _record(
    delivery: WebhookDelivery,
    attempt: int,
    status: str,
    code: int | None,
    error: str,
    *,
    retry_in: int | None = None,
) -> AttemptResult:
    now = timezone.now()
    fields = {
        "status": status,
        "last_status_code": code,
        "last_error": error[:2000],
        "next_attempt_at": now + timedelta(seconds=retry_in) if retry_in is not None else None,
        "delivered_at": now if status == Succeeded else None,
    }
    # Conditional: a redelivery that reset the row meanwhile wins over this stale attempt.
    written = WebhookDelivery.objects.filter(pk=delivery.pk, status=Pending, attempts=attempt).update(**fields)
    if not written:
        return AttemptResult("skipped")
    return AttemptResult(status, retry_in)


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again from attempt 1, whatever its status (same id, so receivers can
    deduplicate it). It is enqueued once this transaction commits; returns it re-read (pending)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Pending, attempts=0, next_attempt_at=timezone.now(), delivered_at=None
    )
    transaction.on_commit(partial(enqueue_deliveries, [delivery.pk]))
    delivery.refresh_from_db()
    return delivery


def requeue_overdue(*, grace: timedelta = timedelta(minutes=10), limit: int = 1_000) -> int:
    """Re-enqueue pending deliveries long past due: lost messages, a broker outage, a dead worker."""
    from integrations.tasks import deliver_webhook

    cutoff = timezone.now() - grace
    due = list(
        WebhookDelivery.objects.filter(status=Pending, next_attempt_at__lt=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", "attempts")[:limit]
    )
    for pk, attempts in due:
        deliver_webhook.delay(pk, attempt=attempts + 1)
    return len(due)


def purge_finished(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Delete succeeded and failed deliveries older than `older_than` (the log is not an archive)."""
    cutoff = timezone.now() - older_than
    deleted, _ = WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(status=Pending).delete()
    return deleted


# ---------------------------------------------------------------- subscriptions (pages and API alike)


@transaction.atomic
def subscription_create(
    *, url: str, events: list[str], user: User | None = None, is_active: bool = True
) -> WebhookSubscription:
    """A new subscription with a fresh secret (the caller shows `secret` once).

    Each event is kept once, in the order given. ValidationError names the field at fault: an
    URL that is not http(s), no event, or an event type no app declared (integrations.event_types).
    """
    subscription = WebhookSubscription(
        url=url, events=list(dict.fromkeys(events)), is_active=is_active, created_by=user
    )
    subscription.full_clean()
    subscription.save()
    return subscription


_UNCHANGED: Any = object()


@transaction.atomic
def subscription_update(
    *,
    subscription: WebhookSubscription,
    url: str = _UNCHANGED,
    events: list[str] = _UNCHANGED,
    is_active: bool = _UNCHANGED,
) -> WebhookSubscription:
    """Change what is given of a subscription: its URL, events, or whether it is active (the
    page's enable/disable button, the API's PATCH). The secret never changes.

    Deliveries still pending to a disabled subscription fail at their next attempt.
    ValidationError names the field at fault, as for `subscription_create`.
    """
    changes = {"url": url, "events": events, "is_active": is_active}
    changes = {field: value for field, value in changes.items() if value is not _UNCHANGED}
    if "events" in changes:
        changes["events"] = list(dict.fromkeys(changes["events"]))
    for field, value in changes.items():
        setattr(subscription, field, value)
    subscription.full_clean()
    if changes:
        subscription.save(update_fields=list(changes))
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Delete a subscription with its delivery log (pending deliveries are never sent)."""
    subscription.delete()
