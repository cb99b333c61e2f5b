"""Every related field and filter choice of the API is built from what the user may see
(issue 13 items 2 and 3): walked over every API view, so a new endpoint is checked too.

The walk finds each DRF view in the URLconf, builds its serializer and its FilterSet as a rep
would get them, and compares the choices of every writable related field and every model
filter with the rows the rep may see, written out by hand for the test world below. Then, for
each of them, a hidden id must be answered exactly as a missing one (same status, same body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import relations
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.models import Account, AccountTeamMember, Contact, Invoice, Order, Payment, User
from accounts.permissions import owner_choices
from accounts.tests.factories import make_contact
from funnel.models import Opportunity
from integrations.webhooks.models import WebhookSubscription
from kam.api.filters import MODEL_FILTERS
from kam.testing import token_client
from plans.models import AccountPlan, Activity, ThemeLibraryEntry
from tiering.models import AccountScore, ScoringRun, TierChange, TieringConfigVersion

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    url: str  # the list URL, e.g. /api/v1/contacts/
    view: type[APIView]
    actions: dict[str, str] | None


def api_endpoints() -> list[Endpoint]:
    """The list routes of every DRF view under /api/ (viewsets once, by their list route)."""
    found: dict[type, Endpoint] = {}

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                view = getattr(pattern.callback, "cls", None)
                actions = getattr(pattern.callback, "actions", None)
                if view is None or "<" in route or "(?P" in route or "\\." in route:
                    continue  # detail routes and format suffixes: the list route stands for the view
                if actions is None or "get" in actions and actions["get"] == "list":
                    found.setdefault(view, Endpoint("/" + route, view, actions))

    walk(get_resolver().url_patterns, "")
    return list(found.values())


@pytest.fixture
def scene(world):  # noqa: ANN001, ANN201 - the world with a contact on each side and a run
    world.contact = make_contact(world.account, name="王伟")
    world.hidden_contact = make_contact(world.other_account, name="李强")
    config = TieringConfigVersion.objects.create(data={}, note="test")
    world.run = ScoringRun.objects.create(as_of=date(2026, 6, 30), config=config, status="succeeded")
    WebhookSubscription.objects.create(url="https://erp.example.com/hook", events=["tier.changed"])
    return world


def seen_by_rep(world, model: type) -> set:  # noqa: ANN001
    """What rep1 (world.owner) may see, written out: their account, its contact, the people of
    their team and account team; runs, subscriptions and the theme library are shared reference data."""
    expected = {
        Account: {world.account},
        Contact: {world.contact},
        User: {world.owner, world.teammate, world.same_team_rep},
        AccountTeamMember: set(AccountTeamMember.objects.filter(account=world.account)),
        Order: set(Order.objects.filter(account=world.account)),
        Invoice: set(Invoice.objects.filter(account=world.account)),
        Payment: set(Payment.objects.filter(account=world.account)),
        ScoringRun: {world.run},
        TieringConfigVersion: set(TieringConfigVersion.objects.all()),
        AccountScore: set(),
        TierChange: set(),
        WebhookSubscription: set(WebhookSubscription.objects.all()),
        AccountPlan: set(AccountPlan.objects.filter(account=world.account)),
        Activity: set(Activity.objects.filter(account=world.account)),
        Opportunity: set(Opportunity.objects.filter(account=world.account)),
        ThemeLibraryEntry: set(ThemeLibraryEntry.objects.all()),
    }
    return expected[model]


# Fields whose choices follow the hand-over rule rather than seeing (accounts.permissions).
HAND_OVER = {("AccountSerializer", "owner"), ("AccountFilter", "owner"), ("AccountApiFilter", "owner")}


def rep_request(world, method: str = "get"):  # noqa: ANN001, ANN201
    request = getattr(APIRequestFactory(), method)("/")
    force_authenticate(request, user=world.owner)
    return request


def built_view(endpoint: Endpoint, world, action: str):  # noqa: ANN001, ANN201
    view = endpoint.view(**({"action_map": endpoint.actions} if endpoint.actions else {}))
    view.action = action
    view.format_kwarg = None
    view.kwargs = {}
    view.args = ()
    view.request = view.initialize_request(rep_request(world, "post" if action == "create" else "get"))
    view.request.user = world.owner
    return view


def related_fields(endpoint: Endpoint, world) -> list[tuple[str, str, relations.RelatedField]]:  # noqa: ANN001
    """(serializer name, field name, field) for every writable related field of the view."""
    if not hasattr(endpoint.view, "get_serializer"):
        return []
    view = built_view(endpoint, world, "create")
    serializer = view.get_serializer()
    out = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, relations.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, relations.RelatedField):
            out.append((type(serializer).__name__, name, field))
    return out


def model_filters(endpoint: Endpoint, world) -> list[tuple[str, str, object]]:  # noqa: ANN001
    """(FilterSet name, filter name, form field) for every model-choice filter of the view."""
    view = built_view(endpoint, world, "list")
    out = []
    for backend in getattr(view, "filter_backends", ()):
        if not hasattr(backend, "get_filterset_class"):
            continue
        queryset = view.get_queryset()
        filterset_class = backend().get_filterset_class(view, queryset)
        if filterset_class is None:
            continue
        filterset = filterset_class(data={}, queryset=queryset, request=view.request)
        for name, model_filter in filterset.filters.items():
            if isinstance(model_filter, MODEL_FILTERS):
                out.append((filterset_class.__name__, name, filterset.form.fields[name]))
    return out


def test_the_walk_finds_the_endpoints_with_related_fields_and_filters(scene) -> None:
    # given the API as it is, when walked, then every endpoint with references is in the walk
    # (a walk that found nothing would check nothing)
    urls = {e.url for e in api_endpoints() if related_fields(e, scene) or model_filters(e, scene)}
    assert urls == {
        "/api/v1/accounts/",
        "/api/v1/contacts/",
        "/api/v1/team-members/",
        "/api/v1/orders/",
        "/api/v1/invoices/",
        "/api/v1/payments/",
        "/api/v1/tiering/scores/",
        "/api/v1/tiering/tier-changes/",
        "/api/v1/webhook-deliveries/",
        "/api/v1/opportunities/",
        "/api/v1/activities/",
        "/api/v1/account-plans/",
        "/api/v1/actions/",
        "/api/v1/contact-plan/",
        "/api/v1/relationships/",
        "/api/v1/visits/",
        "/api/v1/sales-themes/",
        "/api/v1/development-proposals/",
    }


def test_every_related_field_offers_a_rep_exactly_what_they_may_see(scene) -> None:
    for endpoint in api_endpoints():
        for owner, name, field in related_fields(endpoint, scene):
            choices = set(field.get_queryset())
            model = field.get_queryset().model
            expected = set(owner_choices(scene.owner)) if (owner, name) in HAND_OVER else seen_by_rep(scene, model)
            assert choices == expected, f"{endpoint.url} {owner}.{name}"


def test_every_filter_offers_a_rep_exactly_what_they_may_see(scene) -> None:
    for endpoint in api_endpoints():
        for owner, name, field in model_filters(endpoint, scene):
            model = field.queryset.model
            expected = set(owner_choices(scene.owner)) if (owner, name) in HAND_OVER else seen_by_rep(scene, model)
            assert set(field.queryset) == expected, f"{endpoint.url} {owner}.{name}"


def test_the_browsable_api_lists_no_other_teams_names(scene) -> None:
    # given a rep, when the browsable API renders the contacts page with its forms and filters
    client = APIClient()
    client.force_login(scene.owner)
    page = client.get("/api/v1/contacts/?format=api").content.decode()
    # then neither the other team's contact nor their account nor their rep is offered
    assert "李强" not in page
    assert "北方重工" not in page
    assert "rep4" not in page
    assert "华东精密机械" in page


def hidden_row(world, model: type):  # noqa: ANN001, ANN201 - a row rep1 may not see, or None
    return {
        Account: world.other_account,
        Contact: world.hidden_contact,
        User: world.other_rep,
    }.get(model)


def _same(response_a, response_b, id_a: int, id_b: int) -> tuple:  # noqa: ANN001
    body_a = re.sub(rf"\b{id_a}\b", "ID", response_a.content.decode())
    body_b = re.sub(rf"\b{id_b}\b", "ID", response_b.content.decode())
    return (response_a.status_code, body_a), (response_b.status_code, body_b)


def test_a_hidden_id_in_a_filter_answers_as_a_missing_one(scene) -> None:
    api = token_client(scene.owner)
    checked = 0
    for endpoint in api_endpoints():
        for _owner, name, field in model_filters(endpoint, scene):
            hidden = hidden_row(scene, field.queryset.model)
            if hidden is None:
                continue
            missing = field.queryset.model._default_manager.order_by("-pk").first().pk + 1000
            with_hidden = api.get(endpoint.url, {name: hidden.pk})
            with_missing = api.get(endpoint.url, {name: missing})
            seen_hidden, seen_missing = _same(with_hidden, with_missing, hidden.pk, missing)
            assert seen_hidden == seen_missing, f"{endpoint.url}?{name}="
            assert with_hidden.status_code == 400
            checked += 1
    # account on contacts, team members, orders, invoices, payments, scores and tier changes;
    # team members' user; accounts' owner; account on opportunities, activities, account plans,
    # actions, contact plans, relationships, visits and sales themes; owner on account plans,
    # actions, contact plans and visits; contact on contact plans and relationships;
    # relationships' user; account and owner on development proposals
    assert checked == 26


def test_a_hidden_id_in_a_related_field_answers_as_a_missing_one(scene) -> None:
    api = token_client(scene.owner)
    checked = 0
    for endpoint in api_endpoints():
        if not endpoint.actions or "post" not in endpoint.actions:
            continue
        instance = built_view(endpoint, scene, "list").get_queryset().order_by("pk").first()
        for _owner, name, field in related_fields(endpoint, scene):
            model = field.get_queryset().model
            hidden = hidden_row(scene, model)
            if hidden is None or instance is None:
                continue
            missing = model._default_manager.order_by("-pk").first().pk + 1000
            url = f"{endpoint.url}{instance.pk}/"
            with_hidden = api.patch(url, {name: hidden.pk}, format="json")
            with_missing = api.patch(url, {name: missing}, format="json")
            seen_hidden, seen_missing = _same(with_hidden, with_missing, hidden.pk, missing)
            assert seen_hidden == seen_missing, f"PATCH {url} {name}"
            assert with_hidden.status_code == 400
            assert type(instance).objects.get(pk=instance.pk) == instance
            checked += 1
    # accounts: parent, owner; contacts: account, reports_to; team members: account, user
    assert checked == 6


def test_patching_reports_to_a_hidden_contact_says_what_a_missing_one_says(scene) -> None:
    # the example of the issue, spelt out
    api = token_client(scene.owner)
    url = f"/api/v1/contacts/{scene.contact.pk}/"
    hidden = api.patch(url, {"reports_to": scene.hidden_contact.pk}, format="json").json()
    missing = api.patch(url, {"reports_to": 999999}, format="json").json()
    assert hidden["errors"] == {"reports_to": [f'Invalid pk "{scene.hidden_contact.pk}" - object does not exist.']}
    assert missing["errors"] == {"reports_to": ['Invalid pk "999999" - object does not exist.']}
    assert Contact.objects.get(pk=scene.contact.pk).reports_to_id is None


@pytest.mark.parametrize(("person", "allowed"), [("owner", False), ("manager", False), ("director", True)])
def test_only_directors_get_into_the_admin_whatever_their_staff_flag(client, world, person, allowed) -> None:
    # given a staff flag on a rep or a manager (the admin's choices are not limited by visibility)
    user = getattr(world, person)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)
    # when they open the accounts list of the admin
    response = client.get("/admin/accounts/account/")
    # then only the director gets it; the others are sent to the admin login
    assert response.status_code == (200 if allowed else 302)
    if not allowed:
        assert response["Location"].startswith("/admin/login/")
