"""`POST /api/v1/<collection>/bulk/`: upsert up to 5,000 ERP records keyed on `external_id`.

One view per collection (accounts, contacts, orders, invoices, payments), each needing the
token scope `<collection>:write`. The contract is in DESCRIPTION below (it is also the
OpenAPI description); the work is in integrations.bulk.service.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import transaction
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import require_scope
from integrations.bulk import MAX_RECORDS, idempotency
from integrations.bulk.serializers import BulkUpsertResponseSerializer, bulk_request_serializer
from integrations.bulk.service import BatchError, bulk_upsert, parse_envelope
from integrations.bulk.specs import SPECS, Spec
from kam.collector import paused_gc

DESCRIPTION = """Create or update up to {max:,} {collection} in one call, keyed on the ERP's `external_id`.

**Body**: `{{"records": [...], "atomic": false}}`, or a bare JSON list of records (then `atomic` is
false). More than {max:,} records, or another shape, is refused as a whole (400, the usual error
body). {references}

**Per record** the answer says `created`, `updated`, `unchanged` (it existed with identical values:
nothing is written and `updated_at` keeps its value) or `error` with the field and the reason;
nothing of an invalid record is written. A field left out of a record keeps its value on update
and takes its default on insert; `null` clears an optional field. Unknown fields are errors. The
same key twice in one batch is an error for every copy.

**atomic=false** (default): the valid records are written, the invalid ones reported: 200 when
every record succeeded, **207 Multi-Status** (same body) when any record is `error`.
**atomic=true**: all or nothing; if any record is invalid nothing is written, the answer is 400
with the same per-record body and the valid records are reported `skipped`.

Replaying a batch gives the same state (the second time every record is `unchanged`). Whether a
key is new is decided by the database (`INSERT ... ON CONFLICT`), so concurrent calls with the
same records create each row once.

**Idempotency-Key** (optional header, up to 255 characters): a retry with the same key returns
the first answer (status and body, with the header `Idempotent-Replayed: true`) without applying
anything again. The same key with a different body or endpoint is refused with 422. Keys are per
user and remembered for 24 hours.

**Visibility**: an integration user may touch every account; a person only accounts they may see
(an account they cannot see is reported as not existing), and a new account they create is
theirs. Needs the token scope `{scope}`."""

REFERENCES = {
    "accounts": "`parent_external_id` names the parent account (in the database or earlier in the same batch).",
    "contacts": "`account_external_id` names the account; `reports_to_external_id` another contact of it.",
    "orders": "`account_external_id` names the ordering account.",
    "invoices": "`account_external_id` names the account; `order_external_id` one of its orders.",
    "payments": "`account_external_id` names the account; `order_external_id` and `invoice_external_id` its "
    "order and invoice.",
}


@extend_schema_serializer(component_name="Error")
class ApiErrorSerializer(serializers.Serializer):
    """The shared error shape (kam.api.exceptions)."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class BulkUpsertView(APIView):
    """Base of the bulk views; `spec` says which collection."""

    spec: ClassVar[Spec]
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        key = idempotency.request_key(request)
        fingerprint = idempotency.request_hash(request) if key else ""  # reads the raw body first
        with paused_gc(), transaction.atomic():
            if key:
                first = idempotency.claim(request.user, key, fingerprint)
                if first is not None:
                    return Response(
                        first.response_body, status=first.status_code, headers={"Idempotent-Replayed": "true"}
                    )
            try:
                records, atomic = parse_envelope(request.data)
            except BatchError as error:
                raise ValidationError({error.field: [str(error)]}) from None
            answer = bulk_upsert(self.spec, request.user, records, atomic=atomic)
            if key:
                idempotency.remember(request.user, key, answer.status_code, answer.body)
        return Response(answer.body, status=answer.status_code)


def _examples(spec: Spec) -> list[OpenApiExample]:
    broken = {**spec.example, "external_id": f"{spec.example['external_id']}-X", "account_external_id": "NOPE"}
    if spec.account is None:
        broken = {**spec.example, "external_id": f"{spec.example['external_id']}-X", "name": ""}
    field, reason = (
        ("name", "This field may not be blank.")
        if spec.account is None
        else (
            "account_external_id",
            'Account "NOPE" does not exist.',
        )
    )
    results = [
        {"index": 0, "external_id": spec.example["external_id"], "status": "created", "id": 4711, "errors": {}},
        {"index": 1, "external_id": broken["external_id"], "status": "error", "id": None, "errors": {field: [reason]}},
    ]
    summary = {"created": 1, "updated": 0, "unchanged": 0, "error": 1, "skipped": 0}
    skipped = [{**results[0], "status": "skipped", "id": None}, results[1]]
    return [
        OpenApiExample("Two records", value={"records": [spec.example, broken], "atomic": False}, request_only=True),
        OpenApiExample(
            "Per-record results",
            value={"atomic": False, "summary": summary, "results": results},
            response_only=True,
            status_codes=["207"],
        ),
        OpenApiExample(
            "Atomic batch refused",
            value={"atomic": True, "summary": {**summary, "created": 0, "skipped": 1}, "results": skipped},
            response_only=True,
            status_codes=["400"],
        ),
        OpenApiExample(
            "Key reused with another body",
            value={
                "code": "idempotency_key_reused",
                "message": str(idempotency.KeyReused.default_detail),
                "errors": {},
            },
            response_only=True,
            status_codes=["422"],
        ),
    ]


def _view(spec: Spec) -> type[BulkUpsertView]:
    name = spec.collection.capitalize()
    request = bulk_request_serializer(name, spec.serializer)
    refused = PolymorphicProxySerializer(
        component_name=f"{name}BulkRefused",
        serializers=[BulkUpsertResponseSerializer, ApiErrorSerializer],
        resource_type_field_name=None,
    )
    schema = extend_schema(
        operation_id=f"{spec.collection}_bulk_upsert",
        summary=f"Create or update up to {MAX_RECORDS:,} {spec.collection} by ERP id",
        description=DESCRIPTION.format(
            max=MAX_RECORDS,
            collection=spec.collection,
            references=REFERENCES.get(spec.collection, spec.doc),
            scope=spec.scope,
        ),
        request=request,
        parameters=[
            OpenApiParameter(
                idempotency.HEADER,
                str,
                OpenApiParameter.HEADER,
                description="Makes a retry safe: the same key (per user, for 24 h) returns the first answer.",
            )
        ],
        responses={
            200: OpenApiResponse(BulkUpsertResponseSerializer, "Every record succeeded: per-record results."),
            207: OpenApiResponse(
                BulkUpsertResponseSerializer,
                "Multi-Status (atomic=false): some records are `error`, the others were written; per-record results.",
            ),
            400: OpenApiResponse(
                refused,
                "atomic=true and some record is invalid: nothing written, per-record results. Or the body "
                f"itself is wrong (not a list, more than {MAX_RECORDS:,} records): the usual error body.",
            ),
            409: OpenApiResponse(ApiErrorSerializer, "A request with this Idempotency-Key is still in progress."),
            422: OpenApiResponse(ApiErrorSerializer, "This Idempotency-Key was used with a different request."),
        },
        examples=_examples(spec),
    )
    view = type(
        f"{name}BulkUpsertView",
        (BulkUpsertView,),
        {
            "spec": spec,
            "permission_classes": [IsAuthenticated, require_scope(spec.scope)],
            "__doc__": f"Bulk upsert of {spec.collection} from the ERP (see DESCRIPTION).",
            "__module__": __name__,
        },
    )
    return extend_schema_view(post=schema)(view)


BULK_VIEWS: dict[str, type[BulkUpsertView]] = {collection: _view(spec) for collection, spec in SPECS.items()}
