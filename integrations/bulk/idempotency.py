"""The `Idempotency-Key` header: a retried POST gets the first answer back instead of a second run.

Use it around a handler inside one transaction (the handler's writes and the stored answer
commit together, or neither does):

    with transaction.atomic():
        replay = claim(user, key, request_hash(request))
        if replay is not None:
            return replay  # the first answer, status and body
        answer = handle()
        remember(user, key, answer.status_code, answer.body)

`claim` inserts the key's row first. The unique (user, key) constraint decides between
concurrent requests: PostgreSQL makes a second INSERT of the same key wait until the first
transaction ends, then fail, and the second request replays the first's committed answer. If
the first transaction rolled back, the second INSERT succeeds and that request does the work.
A key is remembered for IDEMPOTENCY_KEY_TTL (24 h); after that the same key starts afresh.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request

from accounts.models import User
from integrations.models import IDEMPOTENCY_KEY_TTL, IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = IdempotencyKey._meta.get_field("key").max_length


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _(
        "This Idempotency-Key was already used with a different request (another body or endpoint). "
        "Use a new key for a new request."
    )


class KeyInProgress(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_progress"
    default_detail = _("A request with this Idempotency-Key is still being processed; retry shortly.")


def request_key(request: Request) -> str | None:
    """The header's value, or None when absent; a malformed key is a 400."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError({HEADER: [_("Must be 1 to %(n)s characters.") % {"n": MAX_KEY_LENGTH}]})
    return key


def request_hash(request: Request) -> str:
    """What makes two requests "the same": method, path and the body byte for byte. Read
    `request.body` before `request.data` (DRF then parses from the cached bytes)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def claim(user: User, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Take `key` for this request (None), or return the finished row whose answer to replay.

    Call inside a transaction. Raises KeyReused for the same key with another request."""
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: the clash must not abort the caller's transaction
            IdempotencyKey.objects.create(user=user, key=key, request_hash=fingerprint, created_at=now)
        return None
    except IntegrityError:
        pass
    row = IdempotencyKey.objects.select_for_update().get(user=user, key=key)
    if row.is_expired(now):  # past its 24 h: the key is free again
        row.request_hash, row.created_at, row.status_code, row.response_body = fingerprint, now, None, None
        row.save(update_fields=["request_hash", "created_at", "status_code", "response_body"])
        return None
    if row.request_hash != fingerprint:
        raise KeyReused()
    if row.status_code is None:  # only if an answer was never stored (not committed by the claimant)
        raise KeyInProgress()
    return row


def remember(user: User, key: str, status_code: int, body: Any) -> None:
    IdempotencyKey.objects.filter(user=user, key=key).update(status_code=status_code, response_body=body)


def purge_expired() -> int:
    """Delete keys past their TTL (for a periodic job); returns how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lte=timezone.now() - IDEMPOTENCY_KEY_TTL).delete()
    return deleted
