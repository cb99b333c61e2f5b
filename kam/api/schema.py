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


CSV_PAGE = {
    "type": "string",
    "description": (
        "A CSV page (`Accept: text/csv` or `format=csv`): UTF-8, a header row, then one record per row "
        "in the JSON page's order, holding the JSON row's flat fields (nested objects and arrays left "
        'out) as text; null is an empty cell, an empty string `""`. The links are in the `Link` and '
        "`X-Next-Cursor` headers. No spreadsheet-formula guard: values are exactly as stored."
    ),
}
CSV_PAGE_HEADERS = {
    "Link": {
        "description": 'CSV pages: `<url>; rel="next"` and `<url>; rel="prev"` (RFC 8288), when there are such pages.',
        "schema": {"type": "string"},
    },
    "X-Next-Cursor": {
        "description": "CSV pages: the `cursor` of the next page; absent on the last page.",
        "schema": {"type": "string"},
    },
}


def describe_csv_pages(result: dict, generator, request, public) -> dict:  # noqa: ANN001
    """drf-spectacular postprocessing hook: a list that also answers CSV pages
    (kam/api/csv_pages.py) documents that body as text, not as the JSON page's schema, with its
    link headers and the `format` parameter explained."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            ok = operation.get("responses", {}).get("200", {})
            if "text/csv" not in ok.get("content", {}):
                continue
            ok["content"]["text/csv"] = {"schema": CSV_PAGE}
            ok.setdefault("headers", {}).update(CSV_PAGE_HEADERS)
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "format" and parameter.get("in") == "query":
                    parameter["description"] = "`csv` for a CSV page (as `Accept: text/csv`); JSON by default."
    return result
