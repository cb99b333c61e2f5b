"""A clear 413 for API requests whose body is larger than allowed; one access line per request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from kam.api.exceptions import error_body


class ApiBodySizeLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.API_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.path.startswith("/api/") and length > limit:
            message = f"The request body is {length} bytes; the limit is {limit} bytes. Send smaller batches."
            return JsonResponse(error_body("payload_too_large", message), status=413)
        return self.get_response(request)


class ApiRejectNulQuery:
    """PostgreSQL cannot compare text with NUL characters: refuse such a query string with a 400,
    on every path (API, pages, the admin's list filters and search), before a view builds a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = sorted({key for key, values in request.GET.lists() for v in [key, *values] if "\x00" in v})
        if bad:
            bad = [key.replace("\x00", "\\u0000") for key in bad]
            if request.path.startswith("/api/"):
                errors = {key: ["Must not contain NUL (\\u0000) characters."] for key in bad}
                return JsonResponse(error_body("invalid", "Some query parameters are not valid.", errors), status=400)
            message = _("The address holds a NUL (\\u0000) character in %(names)s; remove it and try again.")
            return HttpResponseBadRequest(message % {"names": ", ".join(bad)}, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


access_log = logging.getLogger("kam.request")


class RequestLog:
    """One line per request on `kam.request`: method, path, status, duration in ms, user id.

    Outermost middleware, so the duration covers the whole stack and the status is the final one
    (errors turned into responses below it included). `user=-` for anonymous requests.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000),
            "user": user.pk if user is not None and user.is_authenticated else "-",
        }
        error = getattr(request, "kam_log_error", None)
        if error:
            fields["error"] = error
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        access_log.log(level, "request", extra={"kv": fields})
        return response
