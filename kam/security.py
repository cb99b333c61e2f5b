"""Who is asking: the client's address behind the configured number of proxies."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, as login throttling (django-axes) counts failures by it.

    With `TRUSTED_PROXY_COUNT = n > 0` the address is the n-th entry from the right of
    X-Forwarded-For (each trusted proxy appends the address it saw; anything further left was
    written by the client and may be forged). Without a proxy, or with a header shorter than
    the proxy chain, it is REMOTE_ADDR.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= count:
            return chain[-count]
    return request.META.get("REMOTE_ADDR", "")


class ThrottledLoginBackend(AxesStandaloneBackend):
    """django-axes in front of the model backend, for sign-ins that come with a request.

    Every sign-in over HTTP (the login page, the admin) passes its request and is throttled.
    A call without one (`Client.login` in tests, a shell) has no address to count and no
    response to lock; it falls through to the model backend instead of raising.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:  # noqa: ANN401
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
