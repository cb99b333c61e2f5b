"""Bulk upserts from the ERP: `POST /api/v1/<collection>/bulk/` with up to 5,000 records.

Layout: `serializers` (one record serializer per collection, plus the envelope and answer for
the schema), `specs` (what each collection writes and references), `validation` (runs a record
serializer's fields fast), `references` (external ids to database ids, visibility, cycles),
`upsert` (the one INSERT ... ON CONFLICT statement), `service` (a whole batch) and
`idempotency` (the Idempotency-Key header). The views are in `integrations.api.bulk_views`.
"""

MAX_RECORDS = 5_000
