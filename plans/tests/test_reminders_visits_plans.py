"""The reminders for overdue planned visits, key accounts without a submitted plan and approved
plans without a recent PDCA review: what is due for whom, and each digest once per person, kind
and day (run twice, run concurrently), with `plan.overdue` for what went out."""

from __future__ import annotations

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.test import override_settings

from accounts.models import Account
from accounts.tests.factories import make_account
from integrations.tests.factories import make_subscription
from integrations.webhooks.models import WebhookDelivery
from plans.models import Notification, PlanReview, Visit
from plans.reminders import reminders_due, reminders_send
from plans.tests.factories import make_plan

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 20)  # 50 days into 2026-Q4
NEW_KINDS = ("visit_overdue", "plan_unsubmitted", "plan_unreviewed")


def _world(world) -> dict:  # noqa: ANN001
    """rep1: a visit two days late (and others that are not), a key account without any plan,
    an approved plan last reviewed in September; rep4: a key account whose Q4 plan is a draft.
    Not due: a key account with a submitted plan, approved plans reviewed in October, approved
    last week, or of last year, and a normal account without a plan."""
    Account.objects.filter(pk__in=[world.account.pk, world.other_account.pk]).update(category="key")
    late = Visit.objects.create(account=world.account, owner=world.owner, planned_on=date(2026, 11, 18))
    Visit.objects.create(account=world.account, owner=world.owner, planned_on=TODAY)  # due today: not late
    Visit.objects.create(account=world.account, owner=world.owner, planned_on=date(2026, 11, 2), status="skipped")
    Visit.objects.create(account=world.account, owner=world.owner, planned_on=date(2026, 11, 3), status="done")
    draft = make_plan(world.other_account, world.other_rep, period="2026-Q4")
    submitted = make_account(world.owner, name="常州轴承", category="key")
    make_plan(submitted, world.owner, status="submitted")
    make_account(world.owner, name="无锡电机", category="normal")
    september = datetime(2026, 9, 1, 10, tzinfo=SHANGHAI)
    stale = make_plan(
        make_account(world.owner, name="苏州电子", category="key"), world.owner, status="approved", decided_at=september
    )
    PlanReview.objects.create(
        account=stale.account, plan=stale, month=date(2026, 9, 1), notes="九月", author=world.owner
    )
    reviewed = make_plan(
        make_account(world.owner, name="南通纺织", category="key"), world.owner, status="approved", decided_at=september
    )
    PlanReview.objects.create(
        account=reviewed.account, plan=reviewed, month=date(2026, 10, 1), notes="十月", author=world.owner
    )
    make_plan(
        make_account(world.owner, name="嘉兴化工", category="key"),
        world.owner,
        status="approved",
        decided_at=datetime(2026, 11, 13, tzinfo=SHANGHAI),
    )
    last_year = make_account(world.owner, name="湖州建材", category="normal")
    make_plan(
        last_year, world.owner, period="2025", status="approved", decided_at=datetime(2025, 1, 5, tzinfo=SHANGHAI)
    )
    return {"late": late, "draft": draft, "stale": stale}


def _new(due) -> list[tuple]:  # noqa: ANN001
    return sorted((d.user_id, d.kind, d.count, [(i.text, i.url) for i in d.items]) for d in due if d.kind in NEW_KINDS)


@pytest.mark.django_db
def test_what_is_due_and_for_whom(world) -> None:
    made = _world(world)
    due = reminders_due(today=TODAY)
    late, draft, stale = made["late"], made["draft"], made["stale"]
    assert _new(due) == sorted(
        [
            (world.owner.pk, "visit_overdue", 1,
             [("华东精密机械 · 2026-11-18", f"/plans/visits/{late.pk}/check-in/")]),
            (world.owner.pk, "plan_unsubmitted", 1, [("华东精密机械", f"/accounts/{world.account.pk}/plans/add/")]),
            (world.other_rep.pk, "plan_unsubmitted", 1, [("2026-Q4 · 北方重工", f"/plans/{draft.pk}/")]),
            (world.owner.pk, "plan_unreviewed", 1, [("2026 · 苏州电子", f"/plans/{stale.pk}/#reviews")]),
        ]
    )  # fmt: skip
    assert {d.summary for d in due if d.kind == "visit_overdue"} == {"1 visit overdue: check in, move or skip it"}


@pytest.mark.django_db
def test_unsubmitted_plans_wait_for_the_days_the_setting_gives(world) -> None:
    _world(world)
    with override_settings(PLANS_SUBMIT_WITHIN_DAYS=51):
        assert [d.kind for d in reminders_due(today=TODAY) if d.kind == "plan_unsubmitted"] == []
    with override_settings(PLANS_SUBMIT_WITHIN_DAYS=50):
        assert sorted(d.count for d in reminders_due(today=TODAY) if d.kind == "plan_unsubmitted") == [1, 1]


@pytest.mark.django_db
def test_running_twice_gives_one_reminder_each_and_one_webhook(
    world, receiver, django_capture_on_commit_callbacks
) -> None:
    # given the world above and a subscriber to plan.overdue
    _world(world)
    make_subscription(receiver.url, "plan.overdue")
    # when the job runs twice on the same day
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send(today=TODAY, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders_send(today=TODAY, email=False)
    # then every digest went out once (plus the submitted plan's, for the manager), one thing each
    assert (first.sent, second.sent) == (first.due, 0)
    kinds = sorted(Notification.objects.values_list("kind", flat=True))
    assert kinds == ["plan_to_approve", "plan_unreviewed", "plan_unsubmitted", "plan_unsubmitted", "visit_overdue"]
    assert set(Notification.objects.values_list("count", flat=True)) == {1}
    payload = WebhookDelivery.objects.get(event="plan.overdue").payload
    assert sorted(item["kind"] for item in payload["items"]) == kinds
    # and the next day they come again, while a checked-in visit stops reminding
    Visit.objects.filter(planned_on=date(2026, 11, 18)).update(status="done")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=date(2026, 11, 21), email=False).sent == 5  # + today's visit, now late


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(world) -> None:
    _world(world)
    runs, errors = [], []
    barrier = threading.Barrier(2)

    def work() -> None:
        try:
            barrier.wait()
            runs.append(reminders_send(today=TODAY, email=False))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(run.sent for run in runs) == 5
    assert Notification.objects.filter(kind__in=NEW_KINDS).count() == 4


@pytest.mark.django_db
def test_what_is_due_takes_two_queries_a_kind_due_however_much_is_due(world, django_assert_num_queries) -> None:
    # given the world above: visits, unsubmitted, unreviewed and to-approve plans are due
    _world(world)
    # then a query a kind (9) and one for each kind due (4)
    with django_assert_num_queries(13):
        reminders_due(today=TODAY)
    # and so with nineteen more late visits (1 to 19 November)
    Visit.objects.bulk_create(
        Visit(account=world.account, owner=world.owner, planned_on=date(2026, 11, 1 + i)) for i in range(19)
    )
    with django_assert_num_queries(13):
        due = reminders_due(today=TODAY)
    assert [d.count for d in due if d.kind == "visit_overdue"] == [20]
    # on the first days of a quarter the unsubmitted plans wait (8) and only the plan to approve is due (1)
    with django_assert_num_queries(9):
        reminders_due(today=date(2026, 10, 2))
