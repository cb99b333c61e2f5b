"""`POST /api/v1/activities/bulk/`: activities pushed by calendar and e-mail systems, through the
integrations bulk machinery (registered from PlansConfig.ready(); integrations imports no app)."""

from __future__ import annotations

from accounts.models import Contact
from integrations.bulk.specs import ACCOUNT, ManyReference, Spec, spec_register
from plans.api.serializers import ActivityRecordSerializer
from plans.models import Activity
from plans.services import contacts_last_contacted_refresh


def _contacts_changed(contact_ids: list[int]) -> None:
    contacts_last_contacted_refresh(contact_ids=contact_ids)  # "last contacted" follows the activities


ACTIVITIES = spec_register(
    Spec(
        "activities",
        Activity,
        ActivityRecordSerializer,
        account=ACCOUNT,
        many=(ManyReference("contact_external_ids", "contacts", Contact, on_change=_contacts_changed),),
        doc="`account_external_id` names the account; `contact_external_ids` lists contacts of it (the list "
        "replaces the stored one). `occurred_at` is an ISO 8601 date-time with its time zone.",
        example={
            "external_id": "CAL-2026-0001",
            "account_external_id": "C-17",
            "type": "meeting",
            "occurred_at": "2026-03-02T10:00:00+08:00",
            "duration_minutes": 60,
            "contact_external_ids": ["P-88"],
            "notes": "Quarterly review with purchasing.",
            "outcome": "Agreed to trial the new line in Q2.",
        },
    )
)
