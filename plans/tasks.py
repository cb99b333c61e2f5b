"""Scheduled work of the plans app (thin: each calls one service)."""

from __future__ import annotations

from celery import shared_task

from plans.reminders import reminders_send


@shared_task(acks_late=True, expires=6 * 3600)
def send_daily_reminders() -> dict[str, int]:
    """The daily reminders (beat: PLANS_REMINDERS_AT, local time). Safe to run twice."""
    run = reminders_send()
    return {"due": run.due, "sent": run.sent, "emails": run.emails, "things": run.things}


@shared_task(acks_late=True, expires=6 * 3600)
def plan_visits() -> int:
    """Plan each account's next visit from its follow-up interval (beat: before the reminders)."""
    from django.utils import timezone

    from plans.services import visits_generate

    return visits_generate(today=timezone.localdate())
