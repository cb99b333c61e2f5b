"""`POST /api/v1/opportunities/bulk/`: the funnel's collection in the shared bulk machinery
(integrations.bulk), registered from FunnelConfig.ready(). Records are keyed by `external_id`,
name their account by `account_external_id` and their owner by `owner_username`; after the
upsert, funnel.services.opportunities_bulk_written derives probability and category and
records (and announces) the stage changes."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Account, User
from funnel.models import Opportunity
from funnel.services import opportunities_bulk_written
from integrations.bulk.serializers import _Record, _ref
from integrations.bulk.specs import ACCOUNT, Reference, Spec, spec_register


class OpportunityRecordSerializer(_Record):
    external_id = serializers.CharField(
        max_length=64, help_text="The ERP's (or previous CRM's) key of the opportunity (required; the upsert key)."
    )
    account_external_id = _ref(Account, "account the opportunity is with", required=True)
    owner_username = serializers.CharField(
        max_length=User._meta.get_field("username").max_length,
        required=False,
        allow_null=True,
        help_text="Username of the owning rep, or null for none. Left out: unchanged on update, none on insert.",
    )

    class Meta(_Record.Meta):
        model = Opportunity
        fields = [
            "external_id",
            "account_external_id",
            "owner_username",
            "name",
            "product_line",
            "amount",
            "expected_close_date",
            "stage",
            "probability_override",
            "category_override",
            "next_step",
            "next_step_date",
            "lost_reason",
            "closed_at",
            "stage_changed_at",
        ]
        extra_kwargs = {
            "stage_changed_at": {
                "help_text": "When the stage was reached (to import history from another CRM); default: now."
            },
            "closed_at": {"help_text": "The day it was signed or lost; default: the day of the stage change."},
        }


OPPORTUNITIES = spec_register(
    Spec(
        "opportunities",
        Opportunity,
        OpportunityRecordSerializer,
        account=ACCOUNT,
        references=(Reference("owner_username", "owner_id", User),),
        example={
            "external_id": "OPP-42",
            "account_external_id": "C-17",
            "owner_username": "rep1",
            "name": "Line 3 retrofit",
            "product_line": "CNC",
            "amount": "480000.00",
            "expected_close_date": "2026-09-30",
            "stage": "proposal",
            "stage_changed_at": "2026-07-14T09:30:00+08:00",
        },
        doc="`account_external_id` names the account; `owner_username` the owning rep. Every stage that "
        "differs from the last one recorded is added to the stage history (at `stage_changed_at` when given) "
        "and announced as `opportunity.stage_changed`.",
        after_write=opportunities_bulk_written,
    )
)
