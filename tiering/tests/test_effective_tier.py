"""The effective tier (a manager's pin while it lasts, else the computed tier) is what every
page, the API and the export show, at once; a saved assessment re-places the account at once.

World: `build_tiered_world(amounts=("5000.00", "10000.00"))` places 华东精密机械 in B4 (not
assessed: provisional B) and 北方重工 in B2.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from kam.testing import token_client
from tiering import services
from tiering.domain.config import FACTORS
from tiering.models import AccountScore, TierChange, TierOverride
from tiering.selectors import current_run
from tiering.tests.factories import build_tiered_world, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiered(db):  # noqa: ANN001, ANN201
    return build_tiered_world(amounts=("5000.00", "10000.00"))


def matrix_counts(page: str) -> dict[str, int]:
    """{tier: accounts} of the non-empty cells of the matrix page's chart data."""
    data = json.loads(page.split('id="matrix-data" type="application/json">')[1].split("</script>")[0])
    return {cell[4]: cell[2] for cell in data if cell[2]}


def shown_tiers(client, account: Account) -> dict[str, object]:  # noqa: ANN001
    """The tier as the card, the list, the matrix and the API show it."""
    card = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    effective = card.split('id="effective-tier">')[1].split("<")[0]
    computed = card.split('id="computed-tier">')[1].split("<")[0] if 'id="computed-tier"' in card else None
    listing = client.get(reverse("accounts:list")).content.decode()
    list_tier = listing.split(f'href="/accounts/{account.pk}/"')[1].split('class="tier-badge">')[1].split("<")[0]
    matrix = matrix_counts(client.get(reverse("tiering:matrix")).content.decode())
    return {"card": effective, "computed": computed, "list": list_tier, "matrix": matrix}


def pin_form(tier: str, days: int = 30) -> dict[str, str]:
    until = (timezone.localdate() + timedelta(days=days)).isoformat()
    return {"tier": tier, "reason": "Reference customer in its industry", "expires_on": until}


def test_a_managers_pin_is_what_every_page_and_the_api_show_at_once(client, tiered) -> None:
    # given the account computed B4
    client.force_login(tiered.manager)
    assert shown_tiers(client, tiered.account) == {"card": "B4", "computed": None, "list": "B4", "matrix": {"B4": 1}}
    # when manager1 pins A2
    response = client.post(reverse("tiering:override", args=[tiered.account.pk]), pin_form("A2"))
    # then the card shows A2 large with the computed B4 beside it; list, matrix and API say A2
    assert response.status_code == 302
    assert shown_tiers(client, tiered.account) == {
        "card": "A2",
        "computed": "computed B4",
        "list": "A2",
        "matrix": {"A2": 1},
    }
    api = token_client(tiered.manager).get(f"/api/v1/accounts/{tiered.account.pk}/").json()
    assert (api["tier"], api["category"]) == ("A2", "key")
    until = (timezone.localdate() + timedelta(days=30)).strftime("%m/%d/%Y")  # English short date
    note = f"Pinned to A2 by manager1 until {until}: Reference customer in its industry"
    change = TierChange.objects.filter(account=tiered.account).latest("id")
    assert (change.from_tier, change.to_tier, change.reasons, change.run) == ("B4", "A2", [note], current_run())
    snapshot = AccountScore.objects.get(run=current_run(), account=tiered.account)
    assert (snapshot.tier, snapshot.computed_tier, snapshot.category, snapshot.overridden) == ("A2", "B4", "key", True)


def test_removing_the_pin_restores_the_computed_tier_at_once(client, tiered) -> None:
    # given a pin to A2
    pin = services.override_create(
        account=tiered.account, tier="A2", reason="Reference", expires_on=timezone.localdate(), user=tiered.manager
    )
    client.force_login(tiered.manager)
    # when the manager removes it
    response = client.post(reverse("tiering:override_revoke", args=[tiered.account.pk, pin.pk]))
    # then the account is B4 again everywhere, and the history says why
    assert response.status_code == 302
    assert shown_tiers(client, tiered.account) == {"card": "B4", "computed": None, "list": "B4", "matrix": {"B4": 1}}
    moves = list(TierChange.objects.filter(account=tiered.account).order_by("id").values_list("from_tier", "to_tier"))
    assert moves == [("", "B4"), ("B4", "A2"), ("A2", "B4")]  # the first run placed it
    assert TierChange.objects.order_by("id").last().reasons == ["Pin removed: computed tier B4"]
    assert TierOverride.objects.get().revoked_at is not None


def test_a_rep_may_not_remove_a_pin_and_nothing_changes(client, tiered) -> None:
    pin = services.override_create(
        account=tiered.account, tier="A2", reason="Reference", expires_on=timezone.localdate(), user=tiered.manager
    )
    client.force_login(tiered.owner)
    assert client.post(reverse("tiering:override_revoke", args=[tiered.account.pk, pin.pk])).status_code == 403
    tiered.account.refresh_from_db()
    assert (tiered.account.tier, TierOverride.objects.get().revoked_at) == ("A2", None)


def test_the_nightly_run_keeps_a_pin_in_force_and_restores_the_computed_tier_once_it_expired(tiered) -> None:
    # given a pin to A2 that lasts until today
    today = timezone.localdate()
    services.override_create(account=tiered.account, tier="A2", reason="Fair", expires_on=today, user=tiered.manager)
    # when tonight's run places the accounts as of today, the pin holds and nothing moves
    make_run(as_of=today)
    tiered.account.refresh_from_db()
    assert (tiered.account.tier, TierChange.objects.filter(account=tiered.account).count()) == ("A2", 2)
    # when the next night's run is past the expiry
    make_run(as_of=today + timedelta(days=1))
    # then the computed tier is back, recorded with the run's reasons and no pin note
    tiered.account.refresh_from_db()
    assert (tiered.account.tier, tiered.account.category) == ("B4", "possible")
    change = TierChange.objects.filter(account=tiered.account).order_by("id").last()
    assert (change.from_tier, change.to_tier) == ("A2", "B4")
    assert change.reasons[0] == "Tier B4 (Possible account): attractiveness B, position 4"
    assert not any(reason.startswith("Pinned") for reason in change.reasons)


def test_a_saved_assessment_re_places_the_account_at_once(client, tiered) -> None:
    # given the account at B4, provisional
    client.force_login(tiered.owner)
    # when its owner rates every factor A
    form = {**dict.fromkeys(FACTORS, "A"), "prospects_rating": "4"}
    response = client.post(reverse("tiering:assess", args=[tiered.account.pk]), form, follow=True)
    # then the card says attractiveness A and the account is A4 everywhere, with the reason kept
    page = response.content.decode()
    assert [str(m) for m in response.context["messages"]] == ["Assessment saved; the account is placed with it."]
    assert "Attractiveness A: assessed score 3.00" in page
    assert "Provisional: not assessed yet" not in page
    assert shown_tiers(client, tiered.account) == {"card": "A4", "computed": None, "list": "A4", "matrix": {"A4": 1}}
    change = TierChange.objects.filter(account=tiered.account).latest("id")
    assert (change.from_tier, change.to_tier) == ("B4", "A4")
    assert change.reasons[:2] == [
        "Tier A4 (Possible account): attractiveness A, position 4",
        "Attractiveness A: assessed score 3.00",
    ]


def test_a_re_placed_account_is_exactly_what_the_night_would_write(tiered) -> None:
    """The kind: one account placed by day must equal the run's placement (same code, same ranks)."""
    # given an assessment (re-placed at once) of an account inside a group
    tiered.other_account.parent = tiered.account
    tiered.other_account.save()
    make_run()
    run = current_run()
    services.assessment_create(
        account=tiered.account,
        user=tiered.owner,
        data={**dict.fromkeys(FACTORS, "B"), "prospects_rating": 3, "strategic": True},
    )
    fields = [f.name for f in AccountScore._meta.fields if f.name not in ("id", "run")]
    by_day = {(s["account"], s["is_group"]): s for s in AccountScore.objects.filter(run=run).values(*fields)}
    # when the night places everyone again with the same date and settings
    night = make_run(as_of=run.as_of)
    by_night = {(s["account"], s["is_group"]): s for s in AccountScore.objects.filter(run=night).values(*fields)}
    # then every snapshot (the account's, its group's, the other's) is the same, and nothing moves
    assert by_day == by_night
    assert night.tier_changes == 0
