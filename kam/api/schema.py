"""OpenAPI: every operation documents the shared error shape for its error statuses."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "errors"],
    "properties": {
        "code": {"type": "string", "description": "Machine-readable: invalid, not_found, throttled, ..."},
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Reasons per field (or non_field_errors); empty when no field is at fault.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
ERRORS = {
    "400": "Invalid input: see `errors` for the field and the reason.",
    "401": "No or invalid credentials.",
    "403": "Not allowed (for a token: the missing scope is named).",
    "404": "Not found, or not visible to the caller.",
    "413": "Request body too large.",
    "415": "Unsupported or unreadable Content-Type (send application/json).",
    "429": "Too many requests: retry after the number of seconds in `Retry-After`.",
}


RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}, "required": True}
}
IDEMPOTENT_REPLAYED = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def add_error_responses(result: dict, generator, request, public) -> dict:  # noqa: ANN001
    """drf-spectacular postprocessing hook: the shared error shape on every error status, and the
    response headers that prose alone would leave undeclared (`Retry-After`, `Idempotent-Replayed`)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, text in ERRORS.items():
                if status == "404" and "{" not in path:
                    continue
                if status in ("413", "415") and method in ("get", "delete"):
                    continue
                responses.setdefault(status, {"description": text, "content": {"application/json": {"schema": ref}}})
            responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
            if any(parameter.get("name") == "Idempotency-Key" for parameter in operation.get("parameters", [])):
                for status, response in responses.items():
                    if status not in ("401", "403", "413", "415", "429"):
                        response.setdefault("headers", {}).update(IDEMPOTENT_REPLAYED)
    return result
