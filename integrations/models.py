"""Models of the ERP integration: idempotency keys, webhook subscriptions and deliveries."""
