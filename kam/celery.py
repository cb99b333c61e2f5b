"""Celery application: Redis broker when REDIS_URL is set, in-process (eager) otherwise."""

import logging.config
import os
from pathlib import Path

from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import setup_logging

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


class StateDirScheduler(PersistentScheduler):
    """Beat's default scheduler, making KAM_STATE_DIR (outside the code tree) for its file first."""

    def setup_schedule(self) -> None:
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()
