"""Opportunity services: probability defaults and overrides, categories, closing dates, stage
history and the `opportunity.stage_changed` webhook."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funnel import services
from funnel.models import Opportunity, StageChange
from funnel.tests.factories import make_opportunity
from integrations.tests.factories import make_subscription
from integrations.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def _move(world, opportunity: Opportunity, **data) -> Opportunity:  # noqa: ANN001
    return services.opportunity_update(user=world.owner, opportunity=opportunity, data=data)


def test_a_new_opportunity_takes_its_stage_defaults_and_records_its_first_stage(world) -> None:  # noqa: ANN001
    # when
    opportunity = make_opportunity(world.account, stage="proposal")
    # then
    assert (opportunity.probability, opportunity.forecast_category, opportunity.owner) == (50, "best_case", world.owner)
    history = list(
        StageChange.objects.filter(opportunity=opportunity).values_list("from_stage", "to_stage", "changed_by")
    )
    assert history == [("", "proposal", world.owner.pk)]


def test_the_reps_probability_survives_stage_changes_until_cleared(world) -> None:  # noqa: ANN001
    # given a rep's own figure on a proposal
    opportunity = make_opportunity(world.account, stage="proposal", probability_override=80)
    assert opportunity.probability == 80
    # when the stage moves on, it stays
    _move(world, opportunity, stage="negotiation")
    assert Opportunity.objects.get(pk=opportunity.pk).probability == 80
    # when the rep clears it, the stage default applies again
    _move(world, opportunity, probability_override=None)
    assert Opportunity.objects.get(pk=opportunity.pk).probability == 75


def test_a_lost_deal_is_zero_whatever_was_set_and_dated(world) -> None:  # noqa: ANN001
    opportunity = make_opportunity(world.account, stage="negotiation", probability_override=90)
    at = datetime(2026, 8, 3, 10, tzinfo=UTC)
    services.opportunity_update(
        user=world.owner, opportunity=opportunity, data={"stage": "lost", "lost_reason": "price"}, at=at
    )
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.probability, stored.probability_override, stored.forecast_category) == (0, 90, "omitted")
    assert stored.closed_at == date(2026, 8, 3)


def test_reopening_a_lost_deal_clears_its_close_date_and_restores_the_reps_figure(world) -> None:  # noqa: ANN001
    opportunity = make_opportunity(world.account, stage="lost", probability_override=40)
    assert opportunity.closed_at is not None
    _move(world, opportunity, stage="proposal")
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.closed_at, stored.probability) == (None, 40)


def test_a_reps_category_is_never_overwritten_by_a_default(world) -> None:  # noqa: ANN001
    # given a rep who calls an early deal "commit"
    opportunity = make_opportunity(world.account, stage="needs_understood", category_override="commit")
    # when it moves through stages whose defaults differ
    for stage in ("proposal", "negotiation", "first_contact"):
        _move(world, opportunity, stage=stage)
        # then the rep's choice stands
        assert Opportunity.objects.get(pk=opportunity.pk).forecast_category == "commit"
    _move(world, opportunity, category_override=None)
    assert Opportunity.objects.get(pk=opportunity.pk).forecast_category == "pipeline"


def test_every_stage_change_is_recorded_with_who_and_when(world) -> None:  # noqa: ANN001
    opportunity = make_opportunity(world.account, stage="first_contact")
    at = datetime(2026, 7, 10, 8, tzinfo=UTC)
    services.opportunity_update(user=world.teammate, opportunity=opportunity, data={"stage": "proposal"}, at=at)
    _move(world, opportunity, amount=Decimal("1.00"))  # not a stage change: no history
    rows = list(
        StageChange.objects.filter(opportunity=opportunity)
        .order_by("id")
        .values_list("from_stage", "to_stage", "changed_by__username")
    )
    assert rows == [("", "first_contact", "rep1"), ("first_contact", "proposal", "rep2")]
    assert StageChange.objects.filter(opportunity=opportunity).order_by("id").last().changed_at == at
    assert Opportunity.objects.get(pk=opportunity.pk).stage_changed_at == at


def test_derived_fields_cannot_be_written_directly(world) -> None:  # noqa: ANN001
    opportunity = make_opportunity(world.account)
    with pytest.raises(ValidationError) as refused:
        _move(world, opportunity, probability=99)
    assert refused.value.message_dict == {"probability": ["This field is set by the system."]}
    assert Opportunity.objects.get(pk=opportunity.pk).probability == 10


def test_a_directors_defaults_apply_at_once_except_to_reps_own_figures(world) -> None:  # noqa: ANN001
    following = make_opportunity(world.account, stage="proposal")
    own = make_opportunity(world.account, stage="proposal", probability_override=65)
    changed = services.stage_defaults_set(user=world.director, probabilities={"proposal": 35})
    assert changed == 1
    assert Opportunity.objects.get(pk=following.pk).probability == 35
    assert Opportunity.objects.get(pk=own.pk).probability == 65
    assert make_opportunity(world.account, stage="proposal").probability == 35


@pytest.mark.parametrize("person", ["owner", "manager"])
def test_only_directors_set_stage_defaults(world, person) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        services.stage_defaults_set(user=getattr(world, person), probabilities={"proposal": 35})


def test_closed_stages_have_no_configurable_default(world) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as refused:
        services.stage_defaults_set(user=world.director, probabilities={"lost": 10, "proposal": 101})
    assert set(refused.value.message_dict) == {"lost", "proposal"}


def test_a_stage_change_is_announced_after_commit(world, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    # given a subscriber
    make_subscription("https://erp.example.com/hook", "opportunity.stage_changed")
    opportunity = make_opportunity(world.account, stage="proposal", external_id="OPP-1")
    WebhookDelivery.objects.all().delete()
    # when the stage changes
    with django_capture_on_commit_callbacks(execute=False):
        _move(world, opportunity, stage="signed")
    # then one delivery carries the change
    delivery = WebhookDelivery.objects.get()
    payload = delivery.payload if isinstance(delivery.payload, dict) else json.loads(delivery.payload)
    change = payload["change"]
    assert (delivery.event, change["from_stage"], change["to_stage"], change["external_id"], change["changed_by"]) == (
        "opportunity.stage_changed",
        "proposal",
        "signed",
        "OPP-1",
        "rep1",
    )
    assert (change["probability"], change["forecast_category"], change["account_external_id"]) == (100, "closed", "C-1")


def test_no_delivery_without_a_stage_change(world) -> None:  # noqa: ANN001
    make_subscription("https://erp.example.com/hook", "opportunity.stage_changed")
    opportunity = make_opportunity(world.account)
    before = WebhookDelivery.objects.count()
    _move(world, opportunity, next_step="call the CFO")
    assert WebhookDelivery.objects.count() == before


def test_closing_keeps_a_given_close_date_and_dates_a_missing_one(world) -> None:  # noqa: ANN001
    at = datetime(2026, 9, 2, 10, tzinfo=UTC)
    given = make_opportunity(world.account, stage="negotiation")
    services.opportunity_update(
        user=world.owner, opportunity=given, data={"stage": "signed", "closed_at": date(2026, 8, 31)}, at=at
    )
    missing = make_opportunity(world.account, stage="negotiation")
    services.opportunity_update(user=world.owner, opportunity=missing, data={"stage": "paid", "closed_at": None}, at=at)
    assert Opportunity.objects.get(pk=given.pk).closed_at == date(2026, 8, 31)
    assert Opportunity.objects.get(pk=missing.pk).closed_at == date(2026, 9, 2)
