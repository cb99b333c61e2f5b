"""Outgoing webhooks: subscriptions, signed deliveries with retries, and the events they carry.

Layout: `models` (subscriptions, deliveries, the event list), `signing` (the HMAC scheme and a
receiver-side check), `services` (emit, attempt, redeliver), `serializers` and `forms` for the
API and pages. The Celery task lives in `integrations.tasks`.
"""
