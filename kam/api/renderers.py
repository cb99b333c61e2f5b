"""A JSON renderer that cannot fail on what a client sent (issue 13 item 5).

Answers echo input (a record's `external_id`, an unknown field's name). A lone surrogate such
as "\\ud800" is valid JSON text but cannot be encoded as UTF-8, so DRF's renderer raised and the
answer was a 500. Such text is written as a JSON escape instead.
"""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer


class SafeJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):  # noqa: ANN001, ANN201 - DRF's
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            self.ensure_ascii = True  # \\uXXXX escapes are plain ASCII; this instance serves one answer
            return super().render(data, accepted_media_type, renderer_context)
