"""Logs: one logfmt line per record, UTC with its offset; one line per request; a bad Host
header is one line, not a traceback."""

import io
import logging
import logging.config
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from kam.logfmt import LogfmtFormatter, logging_config, quote


def record(msg: str, *, created: float = 0.0, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("kam.test", logging.WARNING, __file__, 1, msg, None, None)
    rec.created = created
    rec.__dict__.update(extra)
    return rec


def test_a_record_is_one_logfmt_line_in_utc_with_its_offset() -> None:
    # given a record made at 2026-05-01 02:30:00.250 UTC (10:30 in Shanghai)
    created = datetime(2026, 5, 1, 2, 30, 0, 250000, tzinfo=UTC).timestamp()
    # when it is formatted, then the time is UTC with "+00:00" whatever TIME_ZONE is
    line = LogfmtFormatter().format(record("run done", created=created, kv={"run": 7, "who": "陈 建国"}))
    assert line == ('ts=2026-05-01T02:30:00.250+00:00 level=warning logger=kam.test msg="run done" run=7 who="陈 建国"')


def test_an_exception_stays_on_the_same_line() -> None:
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        import sys

        rec = record("boom", exc_info=sys.exc_info())
    line = LogfmtFormatter().format(rec)
    assert "\n" not in line
    assert ' exc_type=ValueError exc="bad\\nvalue" traceback="Traceback (most recent call last):\\n' in line


@given(st.text())
def test_any_value_quotes_to_one_line_that_reads_back(value: str) -> None:
    import json

    quoted = quote(value)
    assert "\n" not in quoted
    assert "\r" not in quoted
    assert (json.loads(quoted) if quoted.startswith('"') else quoted) == value


@pytest.fixture
def stdout_log() -> Iterator[io.StringIO]:
    """The project's real LOGGING, its stdout handler writing into a buffer."""
    stream = io.StringIO()
    config = logging_config(level="INFO")
    config["handlers"]["stdout"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if "logger=kam.request" in line or "django" in line]


@pytest.mark.django_db
def test_each_request_logs_one_line_with_method_path_status_duration_and_user(
    client, world, stdout_log: io.StringIO
) -> None:  # noqa: ANN001
    # given a signed-in rep
    client.force_login(world.owner)
    # when they open a page and a missing one
    client.get("/accounts/")
    client.get("/no-such-page/")
    # then each request is one line, and the 404 is not logged again by django.request
    found = lines(stdout_log)
    assert len(found) == 2
    assert " level=info logger=kam.request msg=request method=GET path=/accounts/ status=200 duration_ms=" in found[0]
    assert found[0].endswith(f" user={world.owner.pk}")
    assert " method=GET path=/no-such-page/ status=404 " in found[1]


@pytest.mark.django_db
def test_an_anonymous_request_logs_user_dash(client, stdout_log: io.StringIO) -> None:  # noqa: ANN001
    client.get("/login/")
    (line,) = lines(stdout_log)
    assert " path=/login/ status=200 " in line
    assert line.endswith(" user=-")


@pytest.mark.django_db
def test_a_bad_host_header_logs_one_line_with_the_reason_and_no_traceback(client, stdout_log: io.StringIO) -> None:  # noqa: ANN001
    # when a request names a host that is not allowed
    response = client.get("/login/", HTTP_HOST="evil.example")
    # then it answers 400 and the log holds exactly one line, carrying the reason
    assert response.status_code == 400
    output = stdout_log.getvalue().splitlines()
    assert len(output) == 1
    assert " level=info logger=kam.request msg=request method=GET path=/login/ status=400 " in output[0]
    assert output[0].endswith(
        " error=\"Invalid HTTP_HOST header: 'evil.example'. You may need to add 'evil.example' to ALLOWED_HOSTS.\""
    )
    assert "Traceback" not in stdout_log.getvalue()


@pytest.mark.django_db
def test_a_server_error_logs_the_request_and_one_structured_error_line(
    client, world, stdout_log: io.StringIO, monkeypatch
) -> None:  # noqa: ANN001
    # given a page that fails
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    client.raise_request_exception = False
    client.force_login(world.owner)
    monkeypatch.setattr("accounts.views.render", broken)
    # when it is requested
    response = client.get("/accounts/")
    # then: one error line from django.request with the traceback inline, one access line
    assert response.status_code == 500
    output = stdout_log.getvalue().splitlines()
    assert len(output) == 2
    assert output[0].startswith("ts=")
    assert " level=error logger=django.request " in output[0]
    assert ' exc_type=RuntimeError exc="database on fire" traceback=' in output[0]
    assert " level=error logger=kam.request msg=request method=GET path=/accounts/ status=500 " in output[1]
