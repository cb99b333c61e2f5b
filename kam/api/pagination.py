"""Cursor pagination in a stable order, for ERPs that sync incrementally.

Every collection is ordered by (`sync_ordering` of the view, default `updated_at`) then id, so a
client that pages with `cursor` and starts from `updated_since` sees each changed row once, in
the order it changed, without missing or repeating rows while it pages.
"""

from __future__ import annotations

from datetime import UTC

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import CursorPagination


class SyncCursorPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def decode_cursor(self, request):  # noqa: ANN001, ANN201
        # DRF answers a malformed cursor with 404; it is bad input, so 400 naming the field.
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [_("Not a cursor this API gave out.")]}) from None

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:  # noqa: ANN001
        field = getattr(view, "sync_ordering", "updated_at")
        return (field,) if field == "id" else (field, "id")


class UpdatedSinceFilter(BaseFilterBackend):
    """`?updated_since=2026-11-01T00:00:00Z`: rows changed at or after that moment."""

    def filter_queryset(self, request, queryset, view):  # noqa: ANN001, ANN201
        value = request.query_params.get("updated_since")
        field = getattr(view, "updated_since_field", getattr(view, "sync_ordering", "updated_at"))
        if value is None or field == "id":
            return queryset
        try:
            moment = parse_datetime(value) if value else None
            # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
            moment = moment.astimezone(UTC) if moment is not None and moment.tzinfo is not None else None
        except (ValueError, OverflowError):
            moment = None
        if moment is None:
            raise ValidationError({"updated_since": [_("Give an ISO 8601 date-time with a time zone.")]})
        return queryset.filter(**{f"{field}__gte": moment})

    def get_schema_operation_parameters(self, view) -> list[dict]:  # noqa: ANN001
        if getattr(view, "updated_since_field", getattr(view, "sync_ordering", "updated_at")) == "id":
            return []
        return [
            {
                "name": "updated_since",
                "required": False,
                "in": "query",
                "description": "Only rows changed at or after this ISO 8601 date-time (with time zone).",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]
