"""One log format for gunicorn, Django and Celery: one line per record, `key=value` (logfmt).

    ts=2026-05-01T02:30:00.123+00:00 level=info logger=kam.request msg=request method=GET
    path=/accounts/ status=200 duration_ms=12 user=5

Every timestamp is UTC with its offset, whatever TIME_ZONE (the business zone) is, so the lines
of all processes sort together. Values with spaces, quotes, `=` or newlines are JSON-quoted; an
exception becomes `exc_type=`, `exc=` and a quoted `traceback=` on the same line. Extra fields
come from `logger.info("...", extra={"kv": {...}})`. README "Logs" documents the fields.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Any

_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:+@,%[]()")


def quote(value: Any) -> str:  # noqa: ANN401 - any value a log record carries
    """`value` as a logfmt value: bare when it is plain, else JSON-quoted (one line, always)."""
    text = "" if value is None else str(value)
    if text and all(char in _PLAIN for char in text):
        return text
    return json.dumps(text, ensure_ascii=False)


class LogfmtFormatter(logging.Formatter):
    """Formats a record as one logfmt line (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        fields: dict[str, Any] = {
            "ts": stamp,
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields.update(getattr(record, "kv", None) or {})
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, exc, tb = record.exc_info
            fields["exc_type"] = exc_type.__name__
            fields["exc"] = str(exc)
            fields["traceback"] = "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()
        elif record.stack_info:
            fields["stack"] = record.stack_info
        return " ".join(f"{key}={quote(value)}" for key, value in fields.items())


class FoldIntoRequestLine(logging.Filter):
    """For expected refusals (a bad Host header): no traceback and no line of its own; the reason
    rides on the request's one access line (`error=`, see kam.middleware.RequestLog)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            request.kam_log_error = record.getMessage()
            return False
        record.exc_info = None
        record.exc_text = None
        return True


def logging_config(*, level: str) -> dict[str, Any]:
    """The `LOGGING` dict shared by Django, Celery (kam.celery) and gunicorn (deploy/gunicorn.conf.py).

    Everything goes to stdout as logfmt. `django.request` logs only errors (5xx, with the
    traceback on the same line): kam.request already has one line for every request.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"fold": {"()": "kam.logfmt.FoldIntoRequestLine"}},
        "formatters": {"logfmt": {"()": "kam.logfmt.LogfmtFormatter"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "logfmt"},
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django.request": {"level": "ERROR"},
            # runserver's own access lines: kam.request has them
            "django.server": {"level": "ERROR"},
            # one INFO line per sign-in and per clean-up is noise
            "axes": {"level": "WARNING"},
            "django.security.DisallowedHost": {"filters": ["fold"]},
            "gunicorn.error": {"handlers": ["stdout"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }
