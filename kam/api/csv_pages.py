"""CSV pages of the sync lists, for integrators (`Accept: text/csv` or `?format=csv`).

A CSV page holds the rows of the JSON page — the same cursor, keyset, `updated_since`, filters,
visibility and sync horizon — as UTF-8 text with a header row of the JSON row's flat fields (nested
objects and arrays are left out). A cell holds the JSON value's text: null is an empty cell and an
empty string is `""`, as PostgreSQL's COPY writes them (on PostgreSQL the page *is* a COPY:
`SyncCursorPagination.paginate_csv`; elsewhere `csv_page` writes the same bytes from the serializer).
The links travel in headers: `Link: <url>; rel="next"` (and `rel="prev"`), and `X-Next-Cursor`.

No guard against spreadsheet formulas (the exports' leading `'`, integrations/spreadsheets): this
is data for programs, and a guard would change values (a phone `+86 …`, a negative amount) that a
program must read back exactly; people open the spreadsheet export instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from rest_framework.renderers import BaseRenderer

if TYPE_CHECKING:
    from kam.api.pagination import SyncCursorPagination

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_SPECIAL = frozenset(',"\n\r')


class SyncCsvRenderer(BaseRenderer):
    """Lets content negotiation pick a CSV page (`text/csv`, `?format=csv`). The view writes the
    page itself; any other answer (an error) is rendered as JSON (`SqlJsonList.finalize_response`
    in accounts/api/views.py)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):  # noqa: ANN001, ANN201 - DRF's
        raise TypeError("a CSV page is written by its view, not rendered from data")


def csv_cell(value: Any) -> str:
    """One JSON value as a CSV cell, quoted as COPY quotes (an empty string, or text holding a
    comma, quote or line break; quotes doubled): None is an empty cell, booleans true/false."""
    if value is None:
        return ""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if text == "" or not _SPECIAL.isdisjoint(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_page(columns: list[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """A CSV page (header row, then one record per row, "\\n" line ends) of `rows` (the
    serializer's data), byte for byte what `paginate_csv` has PostgreSQL write for the same rows."""
    lines = [",".join(columns)]
    lines += [",".join(csv_cell(row[name]) for name in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def csv_response(body: bytes, paginator: SyncCursorPagination) -> HttpResponse:
    """The page with its links as headers: `Link` (rel next / prev, RFC 8288) and `X-Next-Cursor`,
    the next link's `cursor` (empty when that link is the first page), both only when more follow."""
    response = HttpResponse(body, content_type=CSV_CONTENT_TYPE)
    links = []
    cursor = paginator.get_next_cursor()  # once: the header's value and the link's parameter
    following, preceding = paginator.link_with_cursor(cursor), paginator.get_previous_link()
    if following:
        links.append(f'<{following}>; rel="next"')
        response["X-Next-Cursor"] = cursor
    if preceding:
        links.append(f'<{preceding}>; rel="prev"')
    if links:
        response["Link"] = ", ".join(links)
    return response
