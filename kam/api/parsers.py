"""JSON with a depth limit (issue 13 item 5): a body of 100,000 nested `[` must answer 400, not
exhaust the parser's recursion and answer 500.

`loads_limited` is the one reader of untrusted JSON text (the API parser below, the
tiering-settings form); `JSON_MAX_DEPTH` (settings, 32 by default) is far above any real body (a
bulk envelope nests 3 levels).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class TooDeep(ValueError):  # noqa: N818 - reads as the reason
    pass


CONTAINERS = frozenset((dict, list))


def too_deep(data: Any, limit: int) -> bool:
    """Whether lists and objects in `data` nest deeper than `limit` (iterative: no recursion).
    A node whose children are all scalars (a bulk record) is passed over in C: ~4 ms for 5,000
    records, where a Python loop over every value took 13 ms."""
    stack = [(data, 1)] if type(data) in CONTAINERS else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if type(node) is dict else node
        if CONTAINERS.isdisjoint(map(type, children)):
            continue
        stack.extend((child, depth + 1) for child in children if type(child) in CONTAINERS)
    return False


def depth_message(limit: int) -> str:
    return _("The JSON nests deeper than %(limit)s levels.") % {"limit": limit}


def check_depth(data: Any) -> Any:
    limit = settings.JSON_MAX_DEPTH
    if too_deep(data, limit):
        raise TooDeep(depth_message(limit))
    return data


def loads_limited(text: str | bytes) -> Any:
    """json.loads with the depth limit: TooDeep (a ValueError) past it, json.JSONDecodeError if malformed."""
    try:
        data = json.loads(text)
    except RecursionError:  # deeper than Python's stack allows: certainly past the limit
        raise TooDeep(depth_message(settings.JSON_MAX_DEPTH)) from None
    return check_depth(data)


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing (400 parse_error) bodies nested past JSON_MAX_DEPTH."""

    def parse(self, stream, media_type=None, parser_context=None):  # noqa: ANN001, ANN201 - DRF's signature
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(depth_message(settings.JSON_MAX_DEPTH)) from None
        try:
            return check_depth(data)
        except TooDeep as error:
            raise ParseError(str(error)) from None
