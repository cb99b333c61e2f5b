"""A clear 413 for API requests whose body is larger than allowed."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

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
