"""Demo activities: every contacted contact's last contact is the day of its latest activity."""

from datetime import date

import pytest
from django.core.management import call_command

from accounts.models import Contact
from plans.models import Activity
from plans.services import contacts_last_contacted_refresh

pytestmark = pytest.mark.django_db(transaction=True)
AS_OF = date(2025, 6, 30)


def _seed(seed: int) -> list[tuple]:
    call_command("seed_demo", accounts=40, orders=500, seed=seed, as_of=AS_OF, no_tiering=True, reset=True, verbosity=0)
    return list(
        Activity.objects.order_by("occurred_at", "contacts__external_id").values_list(
            "account__external_id", "contacts__external_id", "type", "occurred_at", "duration_minutes", "notes"
        )
    )


def test_demo_activities_are_the_source_of_last_contacted_and_reproducible() -> None:
    # given a small demo
    first = _seed(42)
    # then every contact with a last contact has activities and none after that day, and
    # recomputing "last contacted" from the activities changes nothing
    contacted = set(Contact.objects.filter(last_contacted_on__isnull=False).values_list("pk", flat=True))
    with_activities = set(Activity.contacts.through.objects.values_list("contact_id", flat=True))
    assert contacted == with_activities
    assert contacts_last_contacted_refresh(contact_ids=Contact.objects.values_list("pk", flat=True)) == 0
    assert first  # (a demo without activities would make the checks above vacuous)
    # every activity has the account owner among its participants
    owners = dict(Activity.objects.values_list("pk", "account__owner_id"))
    participants = dict(Activity.participants.through.objects.values_list("activity_id", "user_id"))
    assert participants == {pk: owner for pk, owner in owners.items() if owner is not None}
    # plans in every status, each with actions
    from plans.models import AccountPlan

    assert set(AccountPlan.objects.values_list("status", flat=True)) == {"draft", "submitted", "approved", "returned"}
    assert not AccountPlan.objects.filter(actions__isnull=True).exists()
    assert not AccountPlan.objects.filter(status="approved", decided_by__isnull=True).exists()
    # every account with an owner has its decision maker in the contact plan, kept by the owner
    from plans.models import ContactPlanEntry

    kept = set(ContactPlanEntry.objects.values_list("contact_id", "owner_id"))
    deciders = Contact.objects.filter(buying_role="decision_maker", is_active=True, account__owner__isnull=False)
    assert set(deciders.values_list("pk", "account__owner_id")) <= kept
    # a visit history for the completion rate: done visits recorded by visit activities,
    # skipped ones with a reason, and late ones
    from plans.models import Visit

    assert set(Visit.objects.values_list("status", flat=True)) == {"planned", "done", "skipped"}
    done = list(Visit.objects.filter(status="done").values_list("activity__type", flat=True))
    assert set(done) == {"visit"}  # and not empty: the set of nothing is set()
    assert not Visit.objects.filter(status="skipped", reason="").exists()
    # every other approved plan has last month's PDCA review
    from plans.models import PlanReview

    reviewed = set(PlanReview.objects.values_list("plan__status", "month"))
    assert reviewed == {("approved", date(2025, 5, 1))}
    # and the same seed gives the same activities, another seed others
    assert _seed(42) == first
    assert _seed(7) != first
