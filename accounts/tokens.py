"""Making and checking API tokens (the secret is never stored, only its hash)."""

from __future__ import annotations

import hashlib
import secrets

from accounts.models import ApiToken, User


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "", scopes: list[str] | None = None) -> tuple[ApiToken, str]:
    """Return the stored token and its secret key, which cannot be recovered later."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:8], key_hash=hash_key(key), scopes=sorted(scopes or [])
    )
    return token, key


def api_token_lookup(key: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
