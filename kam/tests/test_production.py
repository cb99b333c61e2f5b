"""Production settings from the environment: the business time zone and every beat time in it,
beat's state outside the code tree, TLS behind a proxy, and a clean `check --deploy`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-shaped-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "kam.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://kam.example.com",
    "SECURE_PROXY_SSL": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "TIME_ZONE": "Europe/Berlin",
}
# DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it for this process; production never has it.
_OURS = ("DEBUG", "SECRET_KEY", "TIME_ZONE", "KAM_STATE_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE", *PRODUCTION)

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
beat = {name: str(entry["schedule"]) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
print(json.dumps({
    "TIME_ZONE": settings.TIME_ZONE, "CELERY_TIMEZONE": settings.CELERY_TIMEZONE, "beat": beat,
    "beat_file": settings.CELERY_BEAT_SCHEDULE_FILENAME,
    "proxy": list(getattr(settings, "SECURE_PROXY_SSL_HEADER", None) or []),
    "hsts": settings.SECURE_HSTS_SECONDS, "redirect": settings.SECURE_SSL_REDIRECT,
}))
"""


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in _OURS and not key.endswith("_AT")}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "kam.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def settings_with(**env: str) -> dict:
    result = run(["-c", PRINT_SETTINGS], SECRET_KEY="x", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_time_zone_is_utc_unless_set_and_beat_reads_its_times_in_it() -> None:
    assert settings_with()["TIME_ZONE"] == "UTC"
    berlin = settings_with(TIME_ZONE="Europe/Berlin")
    assert (berlin["TIME_ZONE"], berlin["CELERY_TIMEZONE"]) == ("Europe/Berlin", "Europe/Berlin")


def test_every_daily_beat_time_comes_from_the_environment() -> None:
    # given a time for each daily job
    env = {
        "TIERING_NIGHTLY_AT": "01:05",
        "WEBHOOKS_PURGE_AT": "03:10",
        "IDEMPOTENCY_KEYS_PURGE_AT": "03:20",
        "IMPORT_BATCHES_PURGE_AT": "03:40",
        "WEBHOOKS_REQUEUE_EVERY_SECONDS": "120",
        "TIERING_WATCHDOG_SECONDS": "45",
        "FORECAST_SNAPSHOT_DAY": "thu",
        "FORECAST_SNAPSHOT_AT": "17:30",
        "PLANS_VISITS_AT": "06:50",
        "PLANS_REMINDERS_AT": "07:00",
    }
    # when the settings load, then each entry runs at its time
    beat = settings_with(**env)["beat"]
    assert beat == {
        "tiering-nightly-recompute": "<crontab: 5 1 * * * (m/h/dM/MY/d)>",
        "tiering-runs-watchdog": "45.0",
        "forecast-weekly-snapshot": "<crontab: 30 17 * * thu (m/h/dM/MY/d)>",
        "plans-plan-visits": "<crontab: 50 6 * * * (m/h/dM/MY/d)>",
        "plans-daily-reminders": "<crontab: 0 7 * * * (m/h/dM/MY/d)>",
        "webhooks-requeue-overdue": "120.0",
        "webhooks-purge": "<crontab: 10 3 * * * (m/h/dM/MY/d)>",
        "idempotency-keys-purge": "<crontab: 20 3 * * * (m/h/dM/MY/d)>",
        "import-batches-purge": "<crontab: 40 3 * * * (m/h/dM/MY/d)>",
    }


def test_the_defaults_of_the_daily_beat_times() -> None:
    beat = settings_with()["beat"]
    assert beat["tiering-nightly-recompute"] == "<crontab: 30 2 * * * (m/h/dM/MY/d)>"
    assert beat["webhooks-purge"] == "<crontab: 15 4 * * * (m/h/dM/MY/d)>"


@pytest.mark.parametrize("value", ["2:3:0", "24:00", "02:60", "noon", "-1:30", ""])
def test_a_malformed_beat_time_is_refused_with_its_name(value: str) -> None:
    result = run(["-c", PRINT_SETTINGS], SECRET_KEY="x", WEBHOOKS_PURGE_AT=value)
    assert result.returncode == 1
    assert f"WEBHOOKS_PURGE_AT must be HH:MM (in TIME_ZONE), got {value!r}" in result.stderr


def test_beat_keeps_its_state_in_the_state_directory(tmp_path: Path) -> None:
    assert settings_with(KAM_STATE_DIR=str(tmp_path))["beat_file"] == str(tmp_path / "celerybeat-schedule")
    default = Path(settings_with()["beat_file"])
    assert ROOT not in default.parents


def test_the_forwarded_protocol_is_trusted_only_when_told() -> None:
    assert settings_with()["proxy"] == []
    assert settings_with(SECURE_PROXY_SSL="1")["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_hsts_and_the_ssl_redirect_come_from_the_environment() -> None:
    found = settings_with(SECURE_HSTS_SECONDS="3600", SECURE_SSL_REDIRECT="1")
    assert (found["hsts"], found["redirect"]) == (3600, True)


def test_check_deploy_is_clean_with_production_settings() -> None:
    # given the environment the README's production section sets
    # when Django's deployment check runs, failing on any warning
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    # then it finds nothing
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
