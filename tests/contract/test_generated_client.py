"""The API as a client generated from its own OpenAPI document sees it (issue 11, items 14-15).

The document is generated in-process, a Python client is generated from it with
openapi-python-client (what integrators use), and an integrator's journeys run through that client
against a live server: bulk with a replay, a refused record, a list to its end by cursor,
`updated_since`, a PATCH with a null, scores by id, a webhook without `is_active`. The generated
client raises on any status the document does not declare and parses every body into the
documented models, so any gap between the document and the API fails here."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from accounts.models import Account
from accounts.tests.factories import make_order
from accounts.tokens import token_create
from tiering.services import run_execute, run_request

pytestmark = pytest.mark.django_db(transaction=True)

SCOPES = [
    "accounts:read",
    "accounts:write",
    "scores:read",
    "webhooks:write",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The `kam_client` package generated from the current document, imported."""
    folder = tmp_path_factory.mktemp("client")
    document = folder / "openapi.json"
    schema = SchemaGenerator().get_schema(request=None, public=True)
    document.write_bytes(OpenApiJsonRenderer().render(schema, renderer_context={}))
    config = folder / "config.json"
    config.write_text(json.dumps({"post_hooks": []}))
    generator = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run(  # noqa: S603 - our own document, our own venv's tool
        [
            str(generator),
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(folder / "kam_client"),
        ],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("kam_client")
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == "kam_client" or name.startswith("kam_client.")]:
            del sys.modules[name]


def test_every_generated_operation_imports(generated: ModuleType) -> None:
    # when: every operation module of the generated client is imported
    package = importlib.import_module("kam_client.api.v1")
    names = [info.name for info in pkgutil.iter_modules(package.__path__)]
    failed = {}
    for name in names:
        try:
            importlib.import_module(f"kam_client.api.v1.{name}")
        except Exception as error:  # noqa: BLE001 - the test reports every operation that fails
            failed[name] = repr(error)
    # then
    assert failed == {}
    assert "v1_accounts_partial_update" in names


def _client(generated: ModuleType, live_server, user) -> object:  # noqa: ANN001
    _, key = token_create(user=user, scopes=SCOPES)
    return generated.AuthenticatedClient(
        base_url=live_server.url, token=key, prefix="Token", raise_on_unexpected_status=True
    )


def _cursor(next_url: str | None) -> str | None:
    return parse_qs(urlsplit(next_url).query)["cursor"][0] if next_url else None


def test_an_integrators_journey_through_the_generated_client(generated: ModuleType, live_server, world) -> None:
    api = importlib.import_module("kam_client.api.v1")
    models = importlib.import_module("kam_client.models")
    bulk = importlib.import_module("kam_client.api.v1.accounts_bulk_upsert")
    listing = importlib.import_module("kam_client.api.v1.v1_accounts_list")
    patch = importlib.import_module("kam_client.api.v1.v1_accounts_partial_update")
    client = _client(generated, live_server, world.integration)
    assert api is not None

    # bulk: three accounts, then the same call replayed with its Idempotency-Key
    # (the ERP names each new account's owner: no DEFAULT_ACCOUNT_OWNER is set here)
    records = [
        {"external_id": f"G-{n}", "name": f"Generated {n}", "employees": 10 * n, "owner_username": "rep1"}
        for n in range(3)
    ]
    body = models.AccountsBulkRequest.from_dict({"records": records, "atomic": False})
    first = bulk.sync_detailed(client=client, body=body, idempotency_key="journey-1")
    replay = bulk.sync_detailed(client=client, body=body, idempotency_key="journey-1")
    assert first.status_code == 200
    assert [result.status.value for result in first.parsed.results] == ["created", "created", "created"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.parsed.to_dict() == first.parsed.to_dict()

    # a refused record: 207 with the field and the reason, the other written
    refused = bulk.sync_detailed(
        client=client,
        body=models.AccountsBulkRequest.from_dict({"records": [{"external_id": "G-9", "name": ""}, records[0]]}),
    )
    assert refused.status_code == 207
    assert refused.parsed.results[0].errors.to_dict() == {"name": ["This field may not be blank."]}
    assert refused.parsed.results[1].status.value == "unchanged"

    # the list to its end by cursor, two at a time: every visible account once
    seen, cursor = [], None
    while True:
        page = (
            listing.sync(client=client, page_size=2, cursor=cursor)
            if cursor
            else listing.sync(client=client, page_size=2)
        )
        seen += [account.id for account in page.results]
        cursor = _cursor(page.next_)
        if cursor is None:
            break
    assert sorted(seen) == sorted(Account.objects.values_list("id", flat=True))
    assert len(seen) == len(set(seen))

    # updated_since: only what changed since
    since = timezone.now()
    target = Account.objects.get(external_id="G-1")
    # a PATCH with a null clears the field (a multipart body could not say null)
    patched = patch.sync(id=target.pk, client=client, body=models.PatchedAccountRequest.from_dict({"employees": None}))
    assert patched.employees is None
    target.refresh_from_db()
    assert target.employees is None
    recent = listing.sync(client=client, updated_since=since - timedelta(milliseconds=1))
    assert [account.external_id for account in recent.results] == ["G-1"]
    # an account no run has placed has no tier: null, not ""
    assert (recent.results[0].tier, recent.results[0].category, recent.results[0].scores) == (None, None, None)


def test_scores_and_webhooks_through_the_generated_client(generated: ModuleType, live_server, world) -> None:
    models = importlib.import_module("kam_client.models")
    scores_list = importlib.import_module("kam_client.api.v1.v1_tiering_scores_list")
    score_detail = importlib.import_module("kam_client.api.v1.v1_tiering_scores_retrieve")
    hooks_create = importlib.import_module("kam_client.api.v1.v1_webhooks_create")
    client = _client(generated, live_server, world.integration)
    make_order(world.account, timezone.localdate() - timedelta(days=3), "5000.00", "500.00")
    run_execute(run_id=run_request(trigger="test").pk)

    # scores carry their id, and the id opens the score
    page = scores_list.sync(client=client)
    assert len(page.results) == Account.objects.count()
    first = page.results[0]
    assert score_detail.sync(id=first.id, client=client).to_dict() == first.to_dict()

    # a webhook created without is_active is active (a form body would have made it false)
    created = hooks_create.sync(
        client=client,
        body=models.WebhookSubscriptionRequest.from_dict(
            {"url": "https://erp.example.com/hooks", "events": ["tier.changed"]}
        ),
    )
    assert created.is_active is True
