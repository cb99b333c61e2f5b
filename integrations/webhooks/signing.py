"""How a delivery is signed, and how a receiver checks it.

Every POST carries a JSON body ``{"id": 4711, "event": ..., "created_at": ..., "data": {...}}``
and these headers (names are case-insensitive, as always in HTTP; urllib sends "X-kam-event"):

    X-KAM-Event:      tier.changed
    X-KAM-Delivery:   4711                 (the delivery id: the same on every retry of it)
    X-KAM-Timestamp:  1767225600           (unix seconds when this attempt was sent)
    X-KAM-Signature:  sha256=<hex>

where ``<hex> = HMAC-SHA256(key=secret, message=f"{timestamp}.{body}")``: the subscription's
secret (UTF-8) as key, and as message the timestamp header, a dot, then the raw request body
bytes exactly as received (before any JSON parsing or re-encoding).

A receiver should:

1. recompute the HMAC over ``timestamp + "." + raw body`` and compare it with a constant-time
   comparison (``hmac.compare_digest``);
2. reject a timestamp more than 5 minutes away from its own clock, so that a captured request
   cannot be replayed later (each retry is signed afresh with a new timestamp);
3. treat ``X-KAM-Delivery`` as an idempotency key: a retry or a manual redelivery repeats it;
4. answer 2xx quickly (within 10 s). 429 and 5xx are retried with backoff; any other status,
   including redirects, fails the delivery at once.

`verify_signature` below is that check, for receivers written in Python and for the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_PREFIX = "sha256="
TOLERANCE_SECONDS = 5 * 60


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-KAM-Signature header value for `body` sent at `timestamp`."""
    message = f"{timestamp}.".encode() + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    *,
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Receiver side: True when `signature` is valid for `body` and `timestamp` is fresh."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")
