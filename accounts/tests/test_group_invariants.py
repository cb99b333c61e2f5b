"""Group trees hold under every write path, at any depth, and against concurrent writers
(accounts.groups); pages and runs survive a tree that old data already broke."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Account
from accounts.tests.factories import make_account, make_order
from accounts.trees import levels_up
from integrations.tests.factories import post_bulk
from integrations.tests.test_bulk_concurrency import all_at_once
from kam.testing import token_client


def statuses(response) -> list[str]:  # noqa: ANN001
    return [result["status"] for result in response.json()["results"]]


def chain(owner, length: int, prefix: str = "L") -> list[Account]:  # noqa: ANN001
    """length accounts, each the parent of the next: `length` levels."""
    accounts = [make_account(owner, name=f"{prefix}0", external_id=f"{prefix}-0")]
    for level in range(1, length):
        accounts.append(make_account(owner, name=f"{prefix}{level}", external_id=f"{prefix}-{level}"))
    # Linked with update(): the chain is the state under test, not the write path.
    for parent, child in zip(accounts, accounts[1:], strict=False):
        Account.objects.filter(pk=child.pk).update(parent=parent)
    return accounts


@pytest.mark.django_db
def test_a_21st_level_is_refused_naming_parent_and_the_limit(world, settings) -> None:
    # given: a chain of 20 levels (the default maximum)
    assert settings.ACCOUNT_GROUP_MAX_DEPTH == 20
    accounts = chain(world.owner, 20)
    leaf = make_account(world.owner, name="21st")

    # when / then: the model refuses a 21st level
    leaf.parent = accounts[-1]
    with pytest.raises(ValidationError) as error:
        leaf.save()
    assert error.value.message_dict == {
        "parent": [
            "A group may have at most 20 levels; under this parent it would have 21. "
            "Choose a parent higher up the group."
        ]
    }
    assert Account.objects.get(pk=leaf.pk).parent_id is None
    leaf.parent = accounts[-2]  # the 20th level is fine
    leaf.save()
    assert Account.objects.get(pk=leaf.pk).parent_id == accounts[-2].pk


@pytest.mark.django_db
def test_bulk_refuses_a_106_level_chain_at_the_21st_level(world, settings) -> None:
    settings.DEFAULT_ACCOUNT_OWNER = "director"  # the ERP names no owner
    # given: one batch that builds a 106-level chain
    records = [{"external_id": "K-0", "name": "K0"}] + [
        {"external_id": f"K-{i}", "name": f"K{i}", "parent_external_id": f"K-{i - 1}"} for i in range(1, 106)
    ]

    response = post_bulk(token_client(world.integration), "accounts", records)

    # then: levels 1-20 are written, the 21st is refused and everything below it with it
    result = statuses(response)
    assert result == ["created"] * 20 + ["error"] * 86
    assert response.json()["results"][20]["errors"] == {
        "parent_external_id": [
            "A group may have at most 20 levels; under this parent it would have 21. "
            "Choose a parent higher up the group."
        ]
    }
    assert Account.objects.filter(external_id__startswith="K-").count() == 20


@pytest.mark.django_db
def test_a_106_node_cycle_is_refused_beyond_any_fixed_walk(world, settings) -> None:
    # given: a legal 106-level chain (the limit raised for it)
    settings.ACCOUNT_GROUP_MAX_DEPTH = 200
    accounts = chain(world.owner, 106)
    api = token_client(world.integration)

    # when: the root is put under the leaf, through the bulk API and through the model
    response = post_bulk(api, "accounts", [{"external_id": "L-0", "name": "L0", "parent_external_id": "L-105"}])
    root = Account.objects.get(pk=accounts[0].pk)
    root.parent = accounts[-1]

    # then: both refuse it as a cycle
    assert response.json()["results"][0]["errors"] == {
        "parent_external_id": [
            "This parent is the account itself or one of its subsidiaries: a group cannot contain itself."
        ]
    }
    with pytest.raises(ValidationError) as error:
        root.save()
    assert list(error.value.message_dict) == ["parent"]
    assert Account.objects.get(pk=accounts[0].pk).parent_id is None


@pytest.mark.django_db
def test_the_api_refuses_a_too_deep_parent_on_create_with_400(world, settings) -> None:

    settings.ACCOUNT_GROUP_MAX_DEPTH = 2
    accounts = chain(world.owner, 2)
    api = token_client(world.director)

    response = api.post(
        "/api/v1/accounts/",
        {"name": "third", "owner": world.owner.pk, "parent": accounts[-1].pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["parent"] == [
        "A group may have at most 2 levels; under this parent it would have 3. Choose a parent higher up the group."
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reparentings_into_a_cycle_let_exactly_one_through(world) -> None:
    # given: A and B, two roots
    make_account(world.owner, name="B", external_id="B")
    a_under_b = [{"external_id": "C-1", "name": "华东精密机械", "parent_external_id": "B"}]
    b_under_a = [{"external_id": "B", "name": "B", "parent_external_id": "C-1"}]
    clients = [token_client(world.integration), token_client(world.integration)]

    # when: both bulk calls run at once, on two connections
    answers = all_at_once(
        [lambda: post_bulk(clients[0], "accounts", a_under_b), lambda: post_bulk(clients[1], "accounts", b_under_a)]
    )

    # then: one is updated, the other refused on its parent; the stored graph is a tree
    results = sorted((statuses(answer)[0], answer.json()["results"][0]["errors"]) for answer in answers)
    assert results == [
        (
            "error",
            {
                "parent_external_id": [
                    "This parent is the account itself or one of its subsidiaries: a group cannot contain itself."
                ]
            },
        ),
        ("updated", {}),
    ]
    graph = dict(Account.objects.filter(parent__isnull=False).values_list("pk", "parent_id"))
    assert len(graph) == 1
    assert all(levels_up(graph, node) is not None for node in graph)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_model_saves_into_a_cycle_let_exactly_one_through(world) -> None:
    b = make_account(world.owner, name="B")

    def reparent(child_pk: int, parent_pk: int) -> str:
        child = Account.objects.get(pk=child_pk)
        child.parent_id = parent_pk
        try:
            child.save()
        except ValidationError as error:
            return f"refused: {sorted(error.message_dict)}"
        return "saved"

    answers = all_at_once([lambda: reparent(world.account.pk, b.pk), lambda: reparent(b.pk, world.account.pk)])

    assert sorted(answers) == ["refused: ['parent']", "saved"]
    assert Account.objects.filter(parent__isnull=False).count() == 1


@pytest.mark.django_db
def test_the_page_of_an_account_in_a_broken_tree_answers_200(client, world) -> None:
    # given: a cycle written around the checks (old data)
    other = make_account(world.owner, name="环内公司")
    Account.objects.filter(pk=world.account.pk).update(parent=other)
    Account.objects.filter(pk=other.pk).update(parent=world.account)
    client.force_login(world.owner)

    response = client.get(reverse("accounts:detail", args=[world.account.pk]))

    assert response.status_code == 200
    assert "环内公司" in response.content.decode()


@pytest.mark.django_db
def test_a_run_with_one_broken_tree_succeeds_scores_everyone_and_reports_it(world) -> None:
    from tiering.models import AccountScore, ScoringRun
    from tiering.services import run_execute, run_request

    # given: a broken pair (cycle), a healthy group of two, and world.other_account alone
    as_of = date(2026, 11, 23)
    loop_a, loop_b = make_account(world.owner, name="环A"), make_account(world.owner, name="环B")
    Account.objects.filter(pk=loop_a.pk).update(parent=loop_b)
    Account.objects.filter(pk=loop_b.pk).update(parent=loop_a)
    child = make_account(world.owner, name="子公司", parent=world.account)
    for account in (loop_a, loop_b, child, world.account, world.other_account):
        make_order(account, as_of - timedelta(days=3), "1000.00", "100.00")

    # when
    run = run_execute(run_id=run_request(as_of=as_of, trigger="test").pk)

    # then: it succeeded, scored all five accounts and the healthy group only, and says why
    assert run.status == ScoringRun.Status.SUCCEEDED
    own = AccountScore.objects.filter(run=run, is_group=False)
    assert own.count() == 5
    assert list(AccountScore.objects.filter(run=run, is_group=True).values_list("account_id", flat=True)) == [
        world.account.pk
    ]
    low, high = sorted([loop_a.pk, loop_b.pk])
    assert run.warnings == (
        f"Group tree broken (its parents form a cycle): accounts {low}, {high} scored alone, group roll-up skipped."
    )


@pytest.mark.django_db
@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.integers(0, 5), st.none() | st.integers(0, 5)), max_size=15))
def test_random_reparentings_through_the_model_always_leave_a_bounded_forest(world, settings, changes) -> None:
    # given: six roots and a maximum of 3 levels
    settings.ACCOUNT_GROUP_MAX_DEPTH = 3
    Account.objects.update(parent=None)
    nodes = list(Account.objects.filter(name__startswith="P")) or [
        make_account(world.owner, name=f"P{i}") for i in range(6)
    ]
    nodes.sort(key=lambda account: account.name)

    # when: every change is tried through the write path
    refusals = []
    for child, parent in changes:
        account = Account.objects.get(pk=nodes[child].pk)
        account.parent_id = None if parent is None else nodes[parent].pk
        try:
            account.save()
        except ValidationError as error:
            refusals.append(list(error.message_dict))
    assert refusals == [["parent"]] * len(refusals)

    # then: the stored graph is a forest of at most 3 levels
    graph = dict(Account.objects.values_list("pk", "parent_id"))
    assert all((levels_up(graph, node) or 99) <= 3 for node in graph)
