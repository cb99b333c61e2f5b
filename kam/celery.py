"""Celery application: Redis broker when REDIS_URL is set, in-process (eager) otherwise."""

import logging.config
import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init, setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")

app = Celery("kam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _use_django_logging(**_kwargs: object) -> None:
    """Worker and beat log through settings.LOGGING (logfmt, UTC, stdout), like gunicorn and Django,
    instead of Celery's own format in its own time zone."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    logging.captureWarnings(True)  # e.g. "running the worker with superuser privileges": one line too


@beat_init.connect
def _make_state_dir(**_kwargs: object) -> None:
    """Beat's schedule file lives in KAM_STATE_DIR (outside the code tree); make the directory."""
    from django.conf import settings

    Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
