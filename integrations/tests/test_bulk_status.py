"""The status of a bulk answer alone tells a client whether every record succeeded (issue 11, item 5):
200 all succeeded, 207 Multi-Status some failed (atomic=false), 400 an atomic batch wrote nothing."""

from __future__ import annotations

from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Order
from integrations.tests.factories import order_record, post_bulk
from kam.testing import token_client

pytestmark = pytest.mark.django_db

_ids = count()


def test_a_batch_where_every_record_succeeded_answers_200(world) -> None:
    response = post_bulk(token_client(world.integration), "orders", [order_record("SO-1"), order_record("SO-2")])
    assert response.status_code == 200
    assert response.json()["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "error": 0, "skipped": 0}


def test_a_batch_where_a_record_failed_answers_207_and_writes_the_others(world) -> None:
    response = post_bulk(
        token_client(world.integration), "orders", [order_record("SO-1"), order_record("SO-2", amount="x")]
    )
    assert response.status_code == 207
    assert response.json()["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "error": 1, "skipped": 0}
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-1"]


def test_an_atomic_batch_with_a_failed_record_answers_400_and_writes_nothing(world) -> None:
    body = {"records": [order_record("SO-1"), order_record("SO-2", amount="x")], "atomic": True}
    response = post_bulk(token_client(world.integration), "orders", body)
    assert response.status_code == 400
    assert Order.objects.count() == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valid=st.lists(st.booleans(), min_size=1, max_size=6), atomic=st.booleans())
def test_the_status_says_whether_every_record_succeeded(world, valid: list[bool], atomic: bool) -> None:
    # given: a mix of valid and invalid records, each with a key never used before
    records = [order_record(f"P-{next(_ids)}", **({} if ok else {"amount": "not a number"})) for ok in valid]
    # when
    response = post_bulk(token_client(world.integration), "orders", {"records": records, "atomic": atomic})
    # then
    expected = 200 if all(valid) else (400 if atomic else 207)
    assert response.status_code == expected
    assert response.json()["summary"]["error"] == valid.count(False)
