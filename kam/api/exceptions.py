"""One error shape for every API endpoint:

    {"code": "invalid", "message": "Some fields are not valid.", "errors": {"field": ["reason", ...]}}

`code` is machine-readable (DRF's error code: invalid, not_authenticated, permission_denied,
not_found, throttled, payload_too_large, ...), `message` is for people, and `errors` maps each
field (or "non_field_errors") to its reasons; it is empty when no field is at fault.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler, set_rollback

from kam.errors import Conflict, DomainError

# The HTTP status of each kind of domain refusal raised by a service (kam.errors).
DOMAIN_STATUS: dict[type[DomainError], int] = {Conflict: status.HTTP_409_CONFLICT, DomainError: 400}


def error_body(code: str, message: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "errors": errors or {}}


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(field): _messages(reasons) for field, reasons in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item)]
    if isinstance(detail, dict):  # nested serializer: flatten to "field: reason"
        return [f"{k}: {m}" for k, v in detail.items() for m in _messages(v)]
    return [str(detail)]


def _domain_status(exc: DomainError) -> int:
    return next(code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind))


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()  # as DRF does for its own errors, when the request is atomic
        return Response(error_body(exc.code, exc.message), status=_domain_status(exc))
    if isinstance(exc, DjangoValidationError):
        # A model's clean() or a service refused a field: the same 400 as a serializer's refusal.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django's 500 handling and logging apply
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _("Some fields are not valid."), _field_errors(exc.detail))
    else:
        # DRF has already turned Http404/PermissionDenied into its own exceptions' data.
        detail = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(detail))
    return response
