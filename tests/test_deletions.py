"""Every deletable collection tells a syncing client of its deletions (issue 9): a tombstone in
`GET /api/v1/deletions/` whatever deleted the row (the API, a page, the admin, its account or
contact going), readable under the collection's own read scope by whoever could read the row.

The checks walk the URLconf and the deleted-record registry (accounts.deletion_kinds), so the
next API collection of an account-owned model, or the next viewset that allows DELETE, is
checked without touching this file, except to say here how to make one of its rows (MAKERS).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.deletion_kinds import deletion_kind_for, deletion_kinds
from accounts.models import Account, AccountTeamMember, Contact, DeletedRecord, Invoice, Order, Payment
from accounts.services import account_delete, contact_delete
from accounts.tests.factories import make_contact, make_order, make_payment
from funnel.models import Opportunity
from funnel.tests.factories import make_opportunity
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kam.testing import token_client
from plans import services as plan_services
from plans.models import (
    AccountPlan,
    ActionItem,
    Activity,
    ContactPlanEntry,
    DevelopmentProposal,
    RelationshipLink,
    SalesTheme,
    Visit,
)
from plans.tests.factories import make_action, make_activity, make_contact_plan, make_plan, make_proposal
from tiering.models import AccountScore, TierChange
from tiering.tests.factories import make_run

pytestmark = pytest.mark.django_db

# How to make one row of each registered kind on the world's account (contacts named so that
# two rows of one test never collide on a unique constraint).
MAKERS: dict[type[models.Model], Callable] = {
    Account: lambda world: world.account,
    Contact: lambda world: make_contact(world.account, name="删除者", external_id="P-DEL"),
    AccountTeamMember: lambda world: AccountTeamMember.objects.get(account=world.account, user=world.teammate),
    Order: lambda world: make_order(world.account, date(2026, 3, 1), "100.00", external_id="O-DEL"),
    Invoice: lambda world: Invoice.objects.create(
        account=world.account, external_id="I-DEL", issued_on=date(2026, 3, 1), due_on=date(2026, 4, 1), amount=1
    ),
    Payment: lambda world: make_payment(world.account, "100.00", date(2026, 4, 1)),
    Activity: lambda world: make_activity(world.account, datetime(2026, 3, 2, 9, tzinfo=UTC), external_id="CAL-DEL"),
    AccountPlan: lambda world: make_plan(world.account, world.owner),
    ActionItem: lambda world: make_action(
        make_plan(world.account, world.owner, period="2026-Q4"), world.owner, date(2026, 10, 1), date(2026, 10, 9)
    ),
    ContactPlanEntry: lambda world: make_contact_plan(make_contact(world.account, name="计划联系人"), world.owner),
    RelationshipLink: lambda world: plan_services.relationship_set(
        contact=make_contact(world.account, name="关系联系人"), user=world.owner, strength="working"
    ),
    Visit: lambda world: Visit.objects.create(account=world.account, owner=world.owner, planned_on=date(2026, 12, 1)),
    SalesTheme: lambda world: SalesTheme.objects.create(
        account=world.account, problem="停机多", feature="预测维护", benefit="少停机"
    ),
    DevelopmentProposal: lambda world: make_proposal(world.account, world.owner),
    Opportunity: lambda world: make_opportunity(world.account, external_id="OPP-DEL"),
    AccountScore: lambda world: scored(AccountScore, world),
    TierChange: lambda world: scored(TierChange, world),
}


def scored(model: type[models.Model], world) -> models.Model:  # noqa: ANN001
    """The account's score or tier change from a tiering run (run once, if none ran yet)."""
    if not model.objects.filter(account=world.account).exists():
        make_run()
    return model.objects.filter(account=world.account).earliest("pk")


def api_routes() -> list[tuple[str, type, dict]]:
    """(route, view class, actions) of every DRF viewset route under /api/v1/."""
    found: list[tuple[str, type, dict]] = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                view, actions = getattr(pattern.callback, "cls", None), getattr(pattern.callback, "actions", None)
                if view is not None and actions:
                    found.append((route, view, actions))

    walk(get_resolver().url_patterns, "")
    return found


def account_owned(model: type[models.Model]) -> bool:
    """The account itself, or a model whose rows go when their account goes."""
    if model is Account:
        return True
    return any(
        field.many_to_one and field.related_model is Account and field.remote_field.on_delete is models.CASCADE
        for field in model._meta.concrete_fields
    )


def collections() -> dict[type, type[models.Model]]:
    """Each API viewset's model (its list route), for the viewsets of account-owned rows."""
    views = {view: view.queryset.model for _route, view, actions in api_routes() if actions.get("get") == "list"}
    return {view: model for view, model in views.items() if model is not DeletedRecord and account_owned(model)}


def deletable_views() -> list[tuple[type, type[models.Model]]]:
    """Every API viewset that answers DELETE, with its model."""
    views = {view: view.queryset.model for _route, view, actions in api_routes() if actions.get("delete") == "destroy"}
    return sorted(((v, m) for v, m in views.items() if account_owned(m)), key=lambda item: item[0].__name__)


def feed(api) -> set[tuple[str, int]]:  # noqa: ANN001
    rows, url, params = set(), "/api/v1/deletions/", {"page_size": 500}
    while url:
        response = api.get(url, params)
        assert response.status_code == 200, response.content
        rows |= {(r["kind"], r["id"]) for r in response.json()["results"]}
        url, params = response.json()["next"], None
    return rows


def read_scope(view: type) -> str | None:
    """The scope a token needs to list the view's rows."""
    if getattr(view, "scope_resource", None):
        return f"{view.scope_resource}:read"  # ResourceScope
    scopes = [getattr(permission, "required", None) for permission in view.permission_classes]
    return next((scope for scope in scopes if scope), None)  # require_scope("…")


def other_read_scope(scope: str) -> str:
    """A read scope of another collection: the token may read the feed, not this kind."""
    return next(kind.scope for kind in deletion_kinds() if kind.scope != scope)


def test_the_walk_finds_the_collections_of_every_app() -> None:
    # guards the checks below against an empty walk
    names = {view.__name__ for view in collections()}
    assert {"ContactViewSet", "ActivityViewSet", "VisitViewSet", "OpportunityViewSet"} <= names
    assert {view.__name__ for view, _model in deletable_views()} >= {"ContactPlanViewSet", "RelationshipViewSet"}


def test_every_api_collection_of_account_rows_is_a_deleted_record_kind_read_with_its_scope() -> None:
    # given every API collection of rows that go with their account
    # then each is a registered kind, read with the collection's own read scope
    missing = {
        view.__name__: model.__name__ for view, model in collections().items() if deletion_kind_for(model) is None
    }
    assert missing == {}
    wrong_scope = {
        view.__name__: deletion_kind_for(model).scope
        for view, model in collections().items()
        if deletion_kind_for(model).scope != read_scope(view)
    }
    assert wrong_scope == {}


def test_every_registered_kind_hangs_off_an_account_and_has_a_maker_here() -> None:
    assert [kind.kind for kind in deletion_kinds() if not account_owned(kind.model)] == []
    assert [kind.kind for kind in deletion_kinds() if kind.model not in MAKERS] == []


@pytest.mark.parametrize(("view", "model"), deletable_views(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_a_delete_through_the_api_reaches_those_who_could_read_the_row(world, view, model) -> None:
    # given a row of the collection on the world's account, and its list URL
    row = MAKERS[model](world)
    pk, kind = row.pk, deletion_kind_for(model)
    url = "/" + next(r for r, v, actions in api_routes() if v is view and actions.get("get") == "list")
    readers = {name: token_client(getattr(world, name), scopes=[kind.scope]) for name in ("owner", "other_rep")}
    owner_other_scope = token_client(world.owner, scopes=[other_read_scope(kind.scope)])

    # when a director deletes it through the API
    response = token_client(world.director).delete(f"{url}{pk}/")

    # then the feed lists it for the owner reading that collection, not for a rep of the other
    # team, nor for the owner's token without the collection's read scope
    assert response.status_code == 204, response.content
    assert not model._base_manager.filter(pk=pk).exists()
    assert (kind.kind, pk) in feed(readers["owner"])
    assert (kind.kind, pk) not in feed(readers["other_rep"])
    assert (kind.kind, pk) not in feed(owner_other_scope)


def test_an_account_deleted_leaves_a_tombstone_for_a_row_of_every_kind(world) -> None:
    # given a row of every registered kind on the account
    rows = {model: MAKERS[model](world) for model in MAKERS}
    expected = {(deletion_kind_for(model).kind, row.pk) for model, row in rows.items()}
    world.account.refresh_from_db()

    # when the account is deleted
    account_delete(account=world.account)

    # then the director's feed has every one of them, and each kind is read with its scope only
    assert expected <= feed(token_client(world.director))
    for kind in deletion_kinds():
        seen = {k for k, _pk in feed(token_client(world.integration, scopes=[kind.scope]))}
        assert seen == {other.kind for other in deletion_kinds() if other.scope == kind.scope}
    assert feed(token_client(world.other_rep)) == set()


def test_a_contact_deleted_takes_its_contact_plan_entry_and_links_with_tombstones(world) -> None:
    # given a contact in the contact plan, known by the owner
    contact = make_contact(world.account, name="赵敏")
    entry = make_contact_plan(contact, world.owner)
    link = plan_services.relationship_set(contact=contact, user=world.owner, strength="strong")
    contact_pk = contact.pk

    # when the contact is deleted
    contact_delete(contact=contact)

    # then all three are in the feed of a token reading contacts and plans
    api = token_client(world.owner, scopes=["contacts:read", "plans:read"])
    assert feed(api) == {("contact", contact_pk), ("contact_plan_entry", entry.pk), ("relationship", link.pk)}


def test_a_person_deleted_takes_their_relationship_links_with_tombstones(client, world) -> None:
    # given a rep who knows a contact, and a director with the admin
    contact = make_contact(world.account, name="周芷若")
    link = plan_services.relationship_set(contact=contact, user=world.same_team_rep, strength="weak")
    world.director.is_staff = world.director.is_superuser = True
    world.director.save()
    client.force_login(world.director)

    # when the director deletes the rep in the admin
    response = client.post(reverse("admin:accounts_user_delete", args=[world.same_team_rep.pk]), {"post": "yes"})

    # then the link went with them and is in the feed
    assert response.status_code == 302
    assert feed(token_client(world.owner)) == {("relationship", link.pk)}


def test_the_admin_deletes_a_plan_through_the_service_with_its_actions(client, world) -> None:
    # given a plan with an action, a subscriber, and a director with the admin
    item = make_action(make_plan(world.account, world.owner), world.owner, date(2026, 1, 5), date(2026, 1, 9))
    plan_pk = item.plan_id
    WebhookSubscription.objects.create(url="https://erp.example.com/hook", events=["account_plan.deleted"])
    world.director.is_staff = world.director.is_superuser = True
    world.director.save()
    client.force_login(world.director)

    # when the director deletes the plan in the admin
    response = client.post(reverse("admin:plans_accountplan_delete", args=[plan_pk]), {"post": "yes"})

    # then plan and action have tombstones, and one account_plan.deleted counts the action
    assert response.status_code == 302
    assert feed(token_client(world.owner)) == {("account_plan", plan_pk), ("action_item", item.pk)}
    tombstone = DeletedRecord.objects.get(kind="account_plan")
    assert WebhookDelivery.objects.get().payload == {
        "account_plan": {"id": plan_pk, "external_id": None, "deleted_at": tombstone.deleted_at.isoformat()},
        "account": world.account.pk,
        "cascaded": {"action_item": 1},
    }


def test_the_admin_list_action_deletes_each_activity_through_the_service(client, world) -> None:
    activities = [make_activity(world.account, datetime(2026, 3, day, 9, tzinfo=UTC)) for day in (2, 3)]
    world.director.is_staff = world.director.is_superuser = True
    world.director.save()
    client.force_login(world.director)

    response = client.post(
        reverse("admin:plans_activity_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in activities], "post": "yes"},
    )

    assert response.status_code == 302
    assert feed(token_client(world.owner)) == {("activity", a.pk) for a in activities}


def test_an_activity_deleted_on_its_page_is_announced_as_activity_deleted(client, world) -> None:
    # given an activity with an ERP id and a subscriber
    activity = make_activity(world.account, datetime(2026, 3, 2, 9, tzinfo=UTC), external_id="CAL-7")
    pk = activity.pk
    WebhookSubscription.objects.create(url="https://erp.example.com/hook", events=["activity.deleted"])
    client.force_login(world.owner)

    # when the owner deletes it on the account page
    response = client.post(reverse("plans_account:activity_delete", args=[world.account.pk, pk]))

    # then it is in the feed and announced with its ERP id
    assert response.status_code == 302
    assert feed(token_client(world.teammate, scopes=["activities:read"])) == {("activity", pk)}
    tombstone = DeletedRecord.objects.get()
    assert WebhookDelivery.objects.get().payload == {
        "activity": {"id": pk, "external_id": "CAL-7", "deleted_at": tombstone.deleted_at.isoformat()},
        "account": world.account.pk,
    }


def test_setting_a_relationship_to_none_leaves_a_tombstone(world) -> None:
    contact = make_contact(world.account, name="张无忌")
    link = plan_services.relationship_set(contact=contact, user=world.owner, strength="strong")

    assert (
        plan_services.relationship_set(contact=contact, user=world.owner, strength="none") is None
    )  # the zipper's "no contact"

    assert not RelationshipLink.objects.exists()
    assert feed(token_client(world.owner, scopes=["plans:read"])) == {("relationship", link.pk)}


def test_the_admin_deletes_an_account_through_the_service(client, world) -> None:
    # given an account with two team members and an opportunity, a subscriber, and a director with the admin
    opportunity = make_opportunity(world.account)
    pk = world.account.pk
    team = list(AccountTeamMember.objects.filter(account=world.account).values_list("pk", flat=True))
    WebhookSubscription.objects.create(url="https://erp.example.com/hook", events=["account.deleted"])
    world.director.is_staff = world.director.is_superuser = True
    world.director.save()
    client.force_login(world.director)

    # when the director deletes it in the admin
    response = client.post(reverse("admin:accounts_account_delete", args=[pk]), {"post": "yes"})

    # then the account, its team and its opportunity have tombstones, and account.deleted went out
    assert response.status_code == 302
    assert not Account.objects.filter(pk=pk).exists()
    expected = {("account", pk), ("opportunity", opportunity.pk), *(("team_member", member) for member in team)}
    assert feed(token_client(world.owner)) == expected
    assert WebhookDelivery.objects.get().payload["cascaded"]["opportunity"] == 1
